/**
 * The base SGD learner: every built-in learner extends it. One phase reads top to bottom:
 *
 *   beforePhase → for each epoch: for each shuffled mini-batch: trainStep → epochEnd hook → afterPhase
 *
 * and one training step is
 *
 *   loss = taskLoss(batch) + penalty()   →  gradients  →  adjustGradients()  →  optimizer update.
 *
 * A regulariser overrides `penalty` (EWC, SI, MAS, L2), a distillation method `loss` (LwF), a projection
 * method `adjustGradients` (A-GEM), a path integral `afterStep` (SI), an importance estimate `afterPhase`,
 * a rehearsal learner `trainingExamples`, `trainStep` or `loss` (and watches the stream in `afterBatch`), a
 * learner with parameter groups `trainedVariables` and `applyGradients` (SLCA's slow backbone).
 *
 * A normalising model (models/normMlp.ts) is driven here for every learner: each step tells it the rows'
 * tasks, adds its statistics loss (AdaB²N's λ term; `statisticsLossActive` decides when) and commits its
 * running statistics after the update; checkpoints hold its buffers.
 */
import * as tf from '@tensorflow/tfjs';
import { DivergedError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { Model } from '../models/types.js';
import { shuffledBatches } from '../scenarios/examples.js';
import type { Batch, ExampleSet } from '../scenarios/types.js';
import type { Learner, LearnerContext, LearnerState, Phase, TrainHooks } from './contract.js';
import { applyMask, crossEntropy, repeatRows, seenOutputsMask, taskMask } from './losses.js';
import { restoreOptimizer, saveOptimizer } from './optimizerState.js';
import { makeOptimizer } from './optimizers.js';

/** The JSON part of BaseSgdLearner's checkpoint state. */
interface BaseStateJson {
  batchRng: [number, number, number, number];
  optimizer: string[];
  extra: unknown;
  /** the model's dropout generator (absent without dropout, and in checkpoints written before it existed) */
  dropoutRng?: [number, number, number, number];
}

/** A step's loss: a number, or a scalar tensor the training loop reads asynchronously and disposes. */
export type StepLoss = number | tf.Scalar;

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
 * the optimizer's slots, the batch-order and dropout generators, and whatever `extraState()` adds. `O` is the
 * type of the learner's validated options.
 */
export class BaseSgdLearner<O = Record<string, never>> implements Learner {
  /** the network, from `ctx.createModel()`: `variables`, `forward(x, training)` */
  protected readonly model: Model;
  /** the suite's optimizer over `model.variables` (a fresh one each phase with `training.resetOptimizer`) */
  protected optimizer: tf.Optimizer;
  /** the generator of the batch order, derived from `ctx.rng` (saved in checkpoints) */
  protected readonly batchRng: Rng;
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

  async train(phase: Phase, hooks: TrainHooks): Promise<void> {
    if (phase.index > 0 && this.ctx.training.resetOptimizer) {
      this.optimizer.dispose();
      this.optimizer = makeOptimizer(this.ctx.training);
    }
    this.seenOutputsRow = this.ctx.scenario.setting === 'class' && this.ctx.training.lossOutputs === 'seen' ? seenOutputsMask(this.ctx.scenario, phase.index) : null;
    await this.beforePhase(phase);
    const examples = this.trainingExamples(phase);
    const { epochs, batchSize } = this.ctx.training;
    let lastYield = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      this.beforeEpoch(epoch, phase);
      const batches = shuffledBatches(examples.indices.length, batchSize, this.batchRng);
      let lossSum = 0;
      let seen = 0;
      let lastLoss = 0;
      for (let step = 0; step < batches.length; step++) {
        const batch = this.ctx.data.batch(examples, batches[step]);
        const loss = await lossValue(this.trainStep(batch, phase));
        if (!Number.isFinite(loss)) throw new DivergedError(phase.index, epoch, step, loss);
        lastLoss = loss;
        this.afterBatch(examples, batches[step], phase);
        lossSum += loss * batch.size;
        seen += batch.size;
        hooks.step?.({ epoch, step, steps: batches.length, loss });
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

  /** Frees the model and the optimizer; a subclass frees its own tensors, then calls `super.dispose()`. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }

  /** Model variables, optimizer slots, the batch-order generator, and whatever `extraState` adds. */
  async state(): Promise<LearnerState> {
    const tensors: Record<string, tf.Tensor> = {};
    this.model.variables.forEach((v, i) => (tensors[`model/${i}`] = tf.clone(v)));
    // normalisation running statistics (absent for models without buffers, so older checkpoints still load)
    this.model.buffers?.forEach((b, i) => (tensors[`buffer/${i}`] = tf.clone(b)));
    const optimizer = await saveOptimizer(this.optimizer, this.model.variables);
    optimizer.tensors.forEach((t, i) => (tensors[`optimizer/${i}`] = t));
    const extra = await this.extraState();
    for (const [name, t] of Object.entries(extra.tensors)) tensors[`extra/${name}`] = t;
    const json: BaseStateJson = { batchRng: this.batchRng.state(), optimizer: optimizer.names, extra: extra.json };
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
    if (this.model.buffers?.length) this.model.loadBuffers!(this.model.buffers.map((_, i) => tensor(`buffer/${i}`)));
    await restoreOptimizer(this.optimizer, { names: json.optimizer, tensors: json.optimizer.map((_, i) => tensor(`optimizer/${i}`)) }, this.model.variables);
    this.batchRng.setState(json.batchRng);
    if (this.model.dropout && json.dropoutRng) this.model.dropout.setState(json.dropoutRng);
    const extra = Object.fromEntries(Object.entries(state.tensors).filter(([n]) => n.startsWith('extra/')).map(([n, t]) => [n.slice('extra/'.length), t]));
    await this.restoreExtraState({ tensors: extra, json: json.extra });
  }

  // ---- the steps a learner may override -------------------------------------------------------------

  /**
   * State of a subclass beyond model, optimizer and batch order (penalty terms, its own generators, a
   * replay memory), for checkpoints: tensors are copies the caller disposes. Override with
   * `restoreExtraState`; a learner whose state is only its parameters needs neither.
   */
  protected async extraState(): Promise<LearnerState> {
    return { tensors: {}, json: null };
  }

  /** Load what `extraState` saved (copy the tensors you keep: the caller disposes them). */
  protected async restoreExtraState(_state: LearnerState): Promise<void> {}

  /** Called before the first epoch of a phase (e.g. to freeze a teacher copy). */
  protected async beforePhase(_phase: Phase): Promise<void> {}

  /** Called before each epoch of a phase, `epoch` from 0 (e.g. to step a learning-rate schedule). */
  protected beforeEpoch(_epoch: number, _phase: Phase): void {}

  /** Called after the last epoch of a phase (e.g. to estimate parameter importance). */
  protected async afterPhase(_phase: Phase): Promise<void> {}

  /** The examples a phase trains on; by default exactly what the schedule hands over. */
  protected trainingExamples(phase: Phase): ExampleSet {
    return phase.examples;
  }

  /** Full objective of one step. */
  protected loss(inputs: BatchTensors, _phase: Phase): tf.Scalar {
    const task = this.taskLoss(inputs);
    const penalty = this.penalty();
    return penalty ? tf.add(task, penalty) : task;
  }

  /** Cross-entropy on the batch (masked to each example's head in task-IL). */
  protected taskLoss(inputs: BatchTensors): tf.Scalar {
    return crossEntropy(applyMask(this.model.forward(inputs.x, true), inputs.mask), inputs.targets);
  }

  /** A regularisation term added to the task loss; null for none. */
  protected penalty(): tf.Scalar | null {
    return null;
  }

  /** Change the gradients before the optimizer uses them (A-GEM projects them). */
  protected adjustGradients(grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): tf.NamedTensorMap {
    return grads;
  }

  /**
   * Whether this step's objective includes the model's statistics loss (AdaB²N's λ term); the rehearsal
   * methods AdaB²N was published with add it only once they replay (./derpp.ts, ./erAce.ts).
   */
  protected statisticsLossActive(_phase: Phase): boolean {
    return true;
  }

  /** The variables a step differentiates and updates (default: all of the model's). */
  protected trainedVariables(): tf.Variable[] {
    return this.model.variables;
  }

  /** The optimizer update with this step's (adjusted) gradients; a learner with several optimizers splits them here. */
  protected applyGradients(grads: tf.NamedTensorMap, _phase: Phase): void {
    this.optimizer.applyGradients(grads);
  }

  /** Called after each optimizer update with the gradients it used (SI accumulates its path integral). */
  protected afterStep(_grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): void {}

  /**
   * Called after each step with the references of the examples it trained on: positions `positions` of
   * `examples` (a reservoir memory watches the stream here).
   */
  protected afterBatch(_examples: ExampleSet, _positions: Uint32Array, _phase: Phase): void {}

  // ---- helpers ---------------------------------------------------------------------------------------

  /**
   * One optimizer step on a batch; returns the loss, as a number or as a scalar tensor that the loop reads
   * (and disposes) asynchronously, which keeps the step free of synchronous reads of GPU memory.
   */
  protected trainStep(batch: Batch, phase: Phase): StepLoss {
    // a normalising model weighs its batch statistics by the rows' tasks (AdaB²N); tasks finished = phase index
    this.model.setBatchTasks?.(batch.taskIds, phase.index);
    const loss = tf.tidy(() => {
      const inputs = this.toTensors(batch);
      const variables = this.trainedVariables();
      const { value, grads } = tf.variableGrads(() => this.objective(inputs, phase), variables);
      // a variable the step's graph does not reach (AdaB²N's θ in the first task) gets a zero gradient, so that
      // every learner sees one gradient per variable
      for (const v of variables) grads[v.name] ??= tf.zerosLike(v);
      const used = this.adjustGradients(grads, inputs, phase);
      this.applyGradients(used, phase);
      this.afterStep(used, inputs, phase);
      return value;
    });
    // running statistics move only after the update, outside the gradient tape
    this.model.commitStatistics?.();
    return loss;
  }

  /** `loss` plus the model's statistics loss when there is one. */
  private objective(inputs: BatchTensors, phase: Phase): tf.Scalar {
    const loss = this.loss(inputs, phase);
    const statistics = this.statisticsLossActive(phase) ? (this.model.statisticsLoss?.() ?? null) : null;
    return statistics ? tf.add(loss, statistics) : loss;
  }

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
    const probe = tf.tidy(() => tf.addN(this.model.variables.map((v) => tf.sum(tf.mul(v, 0)))));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 0;
  }

  /** Copies of the current parameter values (kept, not tidied). */
  protected snapshotParameters(): tf.Tensor[] {
    return this.model.variables.map((v) => tf.keep(v.clone()));
  }
}
