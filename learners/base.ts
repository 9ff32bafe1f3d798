/**
 * The base SGD learner: every built-in learner extends it, and a plugin usually does. One phase reads top to
 * bottom:
 *
 *   beforePhase → trainingExamples → for each epoch: beforeEpoch → for each shuffled mini-batch:
 *   trainStep → afterBatch → (hooks.epochEnd) → afterPhase
 *
 * and one training step (trainStep) is
 *
 *   loss(batch) = taskLoss + penalty  →  gradients of trainedVariables  →  adjustGradients  →  applyGradients  →  afterStep
 *
 * The override points come in three groups, each documented where it is defined:
 *   phase      beforePhase, trainingExamples, beforeEpoch, afterBatch, afterPhase
 *   objective  loss, taskLoss, penalty, statisticsLossActive
 *   update     trainedVariables, adjustGradients, applyGradients, afterStep; trainStep for a step of another shape
 * A regulariser overrides `penalty` (EWC, SI, MAS, L2), a distillation method `loss` (LwF), a projection
 * method `adjustGradients` (A-GEM, GEM), a path integral `afterStep` (SI), an importance estimate
 * `afterPhase`, a rehearsal learner `trainingExamples`, `trainStep` or `loss` (and watches the stream in
 * `afterBatch`), a learner with parameter groups `trainedVariables` and `applyGradients` (SLCA).
 *
 * What a learner keeps across phases it declares (`remember`, `rememberTensors`, `rememberField`; ./state.ts):
 * checkpoints save and restore it with the model, the optimizer and the batch order, with no code in the
 * learner. A normalising model is driven around every step by ./parts/normalisingStep.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../models/sumTensors.js';
import { DivergedError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { Model } from '../models/types.js';
import { shuffledBatches } from '../scenarios/examples.js';
import type { Batch, ExampleSet } from '../scenarios/types.js';
import type { Learner, LearnerContext, LearnerState, Phase, TrainHooks } from './contract.js';
import { applyMask, crossEntropy, repeatRows, seenOutputsMask, taskMask } from './parts/losses.js';
import { restoreOptimizer, saveOptimizer } from './optim/optimizerState.js';
import { makeOptimizer } from './optim/optimizers.js';
import { copyTensor, copyValues } from './parts/parameterCopies.js';
import { beginNormalisedStep, endNormalisedStep, gradientsOfAll, withStatisticsLoss } from './parts/normalisingStep.js';
import { DeclaredState, type DeclaredStateJson, type Stateful } from './state.js';

/** The JSON part of BaseSgdLearner's checkpoint state. */
interface BaseStateJson {
  batchRng: [number, number, number, number];
  optimizer: string[];
  extra: unknown;
  /** the learner's declared state (absent in checkpoints written before it existed) */
  declared?: DeclaredStateJson;
  /** the model's dropout generator (absent without dropout, and in checkpoints written before it existed) */
  dropoutRng?: [number, number, number, number];
}

/** A step's loss: a number, or a scalar tensor the training loop reads asynchronously and disposes. */
export type StepLoss = number | tf.Scalar;

/**
 * `tf.tidy` for a step that awaits (tidy refuses a promise): every tensor made inside is freed when it ends,
 * but the returned loss. A run's thread does nothing else while its step awaits a read, so no other code's
 * tensors land in the scope.
 */
async function stepScope(step: () => Promise<tf.Scalar>): Promise<tf.Scalar> {
  const engine = tf.engine();
  engine.startScope('clbench-step');
  let loss: tf.Scalar | undefined;
  try {
    loss = await step();
    return loss;
  } finally {
    engine.endScope(loss);
  }
}

async function lossValue(loss: StepLoss): Promise<number> {
  if (typeof loss === 'number') return loss;
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/**
 * A batch as tensors, plus the plain batch it came from: what `loss`, `taskLoss`, `adjustGradients` and
 * `afterStep` receive. The tensors live inside the step's `tf.tidy`.
 */
export interface BatchTensors {
  /** the plain batch: pixels, labels and each row's task id (`batch.taskIds`) */
  batch: Batch;
  /** `[rows, inputSize]` inputs */
  x: tf.Tensor2D;
  /** int32 labels, indices into the output layer */
  targets: tf.Tensor1D;
  /** additive task-IL logit mask (null outside task-IL) */
  mask: Float32Array | null;
}

/** Give the event loop a turn this often, so progress bars redraw and Ctrl-C is seen. */
const YIELD_EVERY_MS = 200;

/**
 * The SGD loop every built-in learner extends: a learner overrides the steps it changes (see the module
 * comment above and the plugin guide, docs/plugins.md). Its `state()` holds the model's variables and buffers,
 * the optimizer's slots, the batch-order and dropout generators, the state the learner declared (`remember`,
 * `rememberTensors`, `rememberField`) and whatever `extraState()` adds. `O` is the type of the learner's
 * validated options.
 */
export class BaseSgdLearner<O = Record<string, never>> implements Learner {
  /** the network, from `ctx.createModel()`: `variables`, `forward(x, training)` */
  protected readonly model: Model;
  /** the suite's optimizer over `model.variables` (a fresh one each phase with `training.resetOptimizer`) */
  protected optimizer: tf.Optimizer;
  /** the generator of the batch order, derived from `ctx.rng` (saved in checkpoints) */
  protected readonly batchRng: Rng;
  /** what the learner declared it keeps across phases (./state.ts) */
  private readonly declared = new DeclaredState(this);
  /** class-IL with `training.lossOutputs: 'seen'`: one row of the additive mask over the outputs seen so far */
  private seenOutputsRow: Float32Array | null = null;

  /**
   * @param ctx the run's learner context
   * @param options the learner's validated options, defaults filled in
   */
  constructor(
    protected readonly ctx: LearnerContext,
    protected readonly options: O,
  ) {
    this.model = ctx.createModel();
    this.optimizer = makeOptimizer(ctx.training);
    this.batchRng = ctx.rng.derive('batch-order');
  }

  /**
   * False here. A subclass sets it true when everything it changes within a phase is in its state (the model,
   * optimizer and batch order are; the rest declared with `remember`…, or `extraState`), and so is whatever its
   * `beforePhase` set up: a phase taken up after an epoch does not call `beforePhase` again.
   * spec/store/checkpoint.spec.ts checks every built-in learner that sets it.
   */
  readonly resumesWithinPhase: boolean = false;

  async train(phase: Phase, hooks: TrainHooks, from?: { epochs: number }): Promise<void> {
    const firstEpoch = from?.epochs ?? 0;
    if (firstEpoch > 0 && !this.resumesWithinPhase) throw new Error(`train was asked to continue phase ${phase.index + 1} after epoch ${firstEpoch}, but this learner does not resume within a phase`);
    // a phase taken up after an epoch continues with the restored optimizer, and was set up when it began
    if (firstEpoch === 0 && phase.index > 0 && this.ctx.training.resetOptimizer) {
      this.optimizer.dispose();
      this.optimizer = makeOptimizer(this.ctx.training);
    }
    this.seenOutputsRow = this.ctx.scenario.setting === 'class' && this.ctx.training.lossOutputs === 'seen' ? seenOutputsMask(this.ctx.scenario, phase.index) : null;
    if (firstEpoch === 0) await this.beforePhase(phase);
    const examples = this.trainingExamples(phase);
    const { epochs, batchSize } = this.ctx.training;
    let lastYield = performance.now();
    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      this.beforeEpoch(epoch, phase);
      const batches = shuffledBatches(examples.indices.length, batchSize, this.batchRng);
      let lossSum = 0;
      let seen = 0;
      let lastLoss = 0;
      for (let step = 0; step < batches.length; step++) {
        const batch = this.ctx.data.batch(examples, batches[step]);
        const loss = await lossValue(await this.trainStep(batch, phase));
        if (!Number.isFinite(loss)) throw new DivergedError(phase.index, epoch, step, loss);
        lastLoss = loss;
        this.afterBatch(examples, batches[step], phase);
        lossSum += loss * batch.size;
        seen += batch.size;
        await hooks.step?.({ epoch, step, steps: batches.length, loss });
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
      // A finite loss can hide non-finite parameters (e.g. an overflow in the last update of the epoch).
      if (!(await this.parametersFinite())) throw new DivergedError(phase.index, epoch, batches.length - 1, lastLoss, 'weights');
      await hooks.epochEnd?.({ epoch, loss: seen ? lossSum / seen : 0, examples: seen });
    }
    await this.afterPhase(phase);
  }

  predict(x: tf.Tensor2D): tf.Tensor2D {
    return this.model.forward(x, false);
  }

  /** Frees the declared state, the model and the optimizer; a subclass frees its other tensors, then calls `super.dispose()`. */
  dispose(): void {
    this.declared.dispose();
    this.optimizer.dispose();
    this.model.dispose();
  }

  /**
   * Model variables, running statistics, optimizer slots, the batch-order and dropout generators, the state
   * the learner declared (`remember`, `rememberTensors`, `rememberField`) and whatever `extraState` adds.
   */
  async state(): Promise<LearnerState> {
    const tensors: Record<string, tf.Tensor> = {};
    this.model.variables.forEach((v, i) => (tensors[`model/${i}`] = copyTensor(v)));
    // normalisation running statistics (absent for models without buffers, so older checkpoints still load)
    this.model.buffers?.forEach((b, i) => (tensors[`buffer/${i}`] = copyTensor(b)));
    const optimizer = await saveOptimizer(this.optimizer, this.model.variables);
    optimizer.tensors.forEach((t, i) => (tensors[`optimizer/${i}`] = t));
    const declared = await this.declared.save();
    Object.assign(tensors, declared.tensors);
    const extra = await this.extraState();
    for (const [name, t] of Object.entries(extra.tensors)) tensors[`extra/${name}`] = t;
    const json: BaseStateJson = { batchRng: this.batchRng.state(), optimizer: optimizer.names, extra: extra.json, declared: declared.json };
    if (this.model.dropout) json.dropoutRng = this.model.dropout.state();
    return { tensors, json };
  }

  async restore(state: LearnerState): Promise<void> {
    const json = state.json as BaseStateJson;
    const tensor = (name: string) => {
      const t = state.tensors[name];
      if (!t) throw new Error(`the saved state has no tensor '${name}'`);
      return t;
    };
    // assign checks shape and dtype; it shares the saved tensor's data, which outlives the caller's dispose.
    this.model.variables.forEach((v, i) => v.assign(tensor(`model/${i}`)));
    if (this.model.buffers?.length) await this.model.loadBuffers!(this.model.buffers.map((_, i) => tensor(`buffer/${i}`)));
    await restoreOptimizer(this.optimizer, { names: json.optimizer, tensors: json.optimizer.map((_, i) => tensor(`optimizer/${i}`)) }, this.model.variables);
    this.batchRng.setState(json.batchRng);
    if (this.model.dropout && json.dropoutRng) this.model.dropout.setState(json.dropoutRng);
    await this.declared.load(state.tensors, json.declared);
    const extra = Object.fromEntries(Object.entries(state.tensors).filter(([n]) => n.startsWith('extra/')).map(([n, t]) => [n.slice('extra/'.length), t]));
    await this.restoreExtraState({ tensors: extra, json: json.extra });
  }

  // ---- declared state: what a learner keeps across phases, saved and restored for it -------------------

  /**
   * Declares a part of this learner's state that saves and loads itself (a `Stateful`: a penalty, a replay
   * memory …, or a generator `Rng`); returns it, so that a field can be declared where it is made:
   * `private readonly consolidated = this.remember('consolidated', new QuadraticPenalty())`. Checkpoints
   * save it and a resumed run loads it; a part with a `dispose()` is disposed with the learner.
   */
  protected remember<T extends Stateful | Rng>(name: string, part: T): T {
    this.declared.addPart(name, part);
    return part;
  }

  /**
   * Declares the field `name` as holding a list of tensors this learner owns, or null (an importance
   * estimate, an anchor); returns `initial`, so that the field is declared where it is made:
   * `private importance = this.rememberTensors('importance')`. Checkpoints save copies; a resumed run sets
   * the field to copies of the saved tensors (null when none were saved). They are disposed with the learner.
   */
  protected rememberTensors(name: string, initial: tf.Tensor[] | null = null): tf.Tensor[] | null {
    this.declared.addTensorFields([name]);
    return initial;
  }

  /**
   * Declares the field `name` as holding a plain value: a number, string, boolean or null, or arrays and
   * objects of them, typed arrays included (a counter, the tasks seen, class statistics); returns `initial`:
   * `private tasksSeen = this.rememberField('tasksSeen', 0)`. A resumed run assigns the field the saved value.
   */
  protected rememberField<T>(name: string, initial: T): T {
    this.declared.addPlainFields([name]);
    return initial;
  }

  // ---- override points, phase: what happens around the epochs -----------------------------------------

  /** Called before the first epoch of a phase (e.g. to freeze a teacher copy, to reset an optimizer). */
  protected async beforePhase(_phase: Phase): Promise<void> {}

  /** The examples a phase trains on; by default exactly what the schedule hands over (a rehearsal learner adds its memory). */
  protected trainingExamples(phase: Phase): ExampleSet {
    return phase.examples;
  }

  /** Called before each epoch of a phase, `epoch` from 0 (e.g. to step a learning-rate schedule). */
  protected beforeEpoch(_epoch: number, _phase: Phase): void {}

  /**
   * Called after each step with the references of the examples it trained on: positions `positions` of
   * `examples` (a reservoir memory watches the stream here).
   */
  protected afterBatch(_examples: ExampleSet, _positions: Uint32Array, _phase: Phase): void {}

  /** Called after the last epoch of a phase (e.g. to estimate parameter importance, to fill a memory). */
  protected async afterPhase(_phase: Phase): Promise<void> {}

  // ---- override points, objective: what a step minimises ------------------------------------------------

  /**
   * The full objective of one step, inside the gradient tape: by default `taskLoss + penalty`. Override it
   * for a loss that is not a sum of those two (LwF's weighted distillation, DER++'s replay terms).
   */
  protected loss(inputs: BatchTensors, _phase: Phase): tf.Scalar {
    const task = this.taskLoss(inputs);
    const penalty = this.penalty();
    return penalty ? tf.add(task, penalty) : task;
  }

  /** Cross-entropy on the batch (masked to each example's head in task-IL, to the outputs seen so far with `lossOutputs: 'seen'`). */
  protected taskLoss(inputs: BatchTensors): tf.Scalar {
    return crossEntropy(applyMask(this.model.forward(inputs.x, true), inputs.mask), inputs.targets);
  }

  /** A regularisation term added to the task loss (EWC, SI, MAS, L2); null for none. */
  protected penalty(): tf.Scalar | null {
    return null;
  }

  /**
   * Whether this step's objective includes the model's statistics loss (AdaB²N's λ term,
   * ./parts/normalisingStep.ts); default always. The rehearsal methods AdaB²N was published with add it only
   * once they replay (./methods/derpp.ts, ./methods/erAce.ts). No effect on a model without one.
   */
  protected statisticsLossActive(_phase: Phase): boolean {
    return true;
  }

  // ---- override points, update: what a step does with the gradients ------------------------------------

  /**
   * The variables a step differentiates and updates; default all of the model's. A learner that freezes
   * part of the model returns the rest (SLCA with a frozen backbone trains only the head).
   */
  protected trainedVariables(): tf.Variable[] {
    return this.model.variables;
  }

  /**
   * Change the gradients before the optimizer uses them (A-GEM and GEM project them, SLCA adds weight decay).
   * It may be async, to read a value from the device with `await t.data()` (GEM's dual QP runs on the CPU):
   * a synchronous read (`dataSync`) fails on the WebGPU backend.
   */
  protected adjustGradients(grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): tf.NamedTensorMap | Promise<tf.NamedTensorMap> {
    return grads;
  }

  /**
   * The optimizer update with this step's (adjusted) gradients, one per trained variable; default the
   * learner's one optimizer. A learner with parameter groups splits them here (SLCA: the head and the
   * backbone at different learning rates).
   */
  protected applyGradients(grads: tf.NamedTensorMap, _phase: Phase): void {
    this.optimizer.applyGradients(grads);
  }

  /** Called after each optimizer update with the gradients it used (SI accumulates its path integral). */
  protected afterStep(_grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): void {}

  /**
   * One optimizer step on a batch, the whole of it: objective → gradients → adjustGradients →
   * applyGradients → afterStep. Returns (or resolves to) the loss, as a number or as a scalar tensor (`StepLoss`) that the
   * training loop reads — asynchronously — and disposes, which keeps a step free of synchronous reads of GPU
   * memory. Override it only for a step of another shape (a rehearsal learner with separate forward passes);
   * the override points above cover the usual changes.
   */
  protected trainStep(batch: Batch, phase: Phase): StepLoss | Promise<StepLoss> {
    beginNormalisedStep(this.model, batch, phase);
    const step = stepScope(async () => {
      const inputs = this.toTensors(batch);
      const variables = this.trainedVariables();
      const { value, grads } = tf.variableGrads(() => withStatisticsLoss(this.model, this.loss(inputs, phase), this.statisticsLossActive(phase)), variables);
      const used = await this.adjustGradients(gradientsOfAll(grads, variables), inputs, phase);
      this.applyGradients(used, phase);
      this.afterStep(used, inputs, phase);
      return value;
    });
    return step.then((loss) => {
      endNormalisedStep(this.model);
      return loss;
    });
  }

  // ---- for plugins written before declared state --------------------------------------------------------

  /**
   * Hand-written state beyond what the base saves and what the learner declared, for checkpoints: tensors
   * are copies the caller disposes. Declaring state (`remember`, `rememberTensors`, `rememberField`) needs
   * no code here and is the way to go; this hook stays for plugins written before it. Override with
   * `restoreExtraState`.
   */
  protected async extraState(): Promise<LearnerState> {
    return { tensors: {}, json: null };
  }

  /** Load what `extraState` saved (copy the tensors you keep: the caller disposes them). */
  protected async restoreExtraState(_state: LearnerState): Promise<void> {}

  // ---- helpers ---------------------------------------------------------------------------------------

  /** The batch as tensors, with the step's logit mask (each row's head in task-IL; the seen outputs with class-IL `lossOutputs: 'seen'`). */
  protected toTensors(batch: Batch): BatchTensors {
    return {
      batch,
      x: tf.tensor2d(batch.x, [batch.size, this.ctx.scenario.inputSize]),
      targets: tf.tensor1d(batch.targets, 'int32'),
      mask: taskMask(this.ctx.scenario, batch.taskIds) ?? repeatRows(this.seenOutputsRow, batch.size),
    };
  }

  /** Whether every parameter is finite (x·0 is 0 for finite x and NaN for ±Inf and NaN: one pass, one number). */
  protected async parametersFinite(): Promise<boolean> {
    const probe = tf.tidy(() => sumTensors(this.model.variables.map((v) => tf.sum(tf.mul(v, 0)))));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 0;
  }

  /** Copies of the current parameter values (kept, not tidied). */
  protected snapshotParameters(): tf.Tensor[] {
    return copyValues(this.model.variables);
  }
}
