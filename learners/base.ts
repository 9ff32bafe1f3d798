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
 * a rehearsal learner `trainingExamples`, `trainStep` or `loss` (and watches the stream in `afterBatch`).
 */
import * as tf from '@tensorflow/tfjs';
import { DivergedError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { Model } from '../models/types.js';
import { shuffledBatches } from '../scenarios/examples.js';
import type { Batch, ExampleSet } from '../scenarios/types.js';
import type { Learner, LearnerContext, LearnerState, Phase, TrainHooks } from './contract.js';
import { applyMask, crossEntropy, taskMask } from './losses.js';
import { restoreOptimizer, saveOptimizer } from './optimizerState.js';
import { makeOptimizer } from './optimizers.js';

/** The JSON part of BaseSgdLearner's checkpoint state. */
interface BaseStateJson {
  batchRng: [number, number, number, number];
  optimizer: string[];
  extra: unknown;
}

/** A batch as tensors, plus the plain batch it came from. */
export interface BatchTensors {
  batch: Batch;
  x: tf.Tensor2D;
  targets: tf.Tensor1D;
  /** additive task-IL logit mask (null outside task-IL) */
  mask: Float32Array | null;
}

/** Give the event loop a turn this often, so progress bars redraw and Ctrl-C is seen. */
const YIELD_EVERY_MS = 200;

export class BaseSgdLearner<O = Record<string, never>> implements Learner {
  protected readonly model: Model;
  protected optimizer: tf.Optimizer;
  protected readonly batchRng: Rng;

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
    await this.beforePhase(phase);
    const examples = this.trainingExamples(phase);
    const { epochs, batchSize } = this.ctx.training;
    let lastYield = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const batches = shuffledBatches(examples.indices.length, batchSize, this.batchRng);
      let lossSum = 0;
      let seen = 0;
      let lastLoss = 0;
      for (let step = 0; step < batches.length; step++) {
        const batch = this.ctx.data.batch(examples, batches[step]);
        const loss = this.trainStep(batch, phase);
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
      if (!this.parametersFinite()) throw new DivergedError(phase.index, epoch, batches.length - 1, lastLoss, 'weights');
      await hooks.epochEnd?.({ epoch, loss: seen ? lossSum / seen : 0, examples: seen });
    }
    await this.afterPhase(phase);
  }

  predict(x: tf.Tensor2D): tf.Tensor2D {
    return this.model.forward(x, false);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }

  /** Model variables, optimizer slots, the batch-order generator, and whatever `extraState` adds. */
  async state(): Promise<LearnerState> {
    const tensors: Record<string, tf.Tensor> = {};
    this.model.variables.forEach((v, i) => (tensors[`model/${i}`] = tf.clone(v)));
    const optimizer = await saveOptimizer(this.optimizer, this.model.variables);
    optimizer.tensors.forEach((t, i) => (tensors[`optimizer/${i}`] = t));
    const extra = await this.extraState();
    for (const [name, t] of Object.entries(extra.tensors)) tensors[`extra/${name}`] = t;
    const json: BaseStateJson = { batchRng: this.batchRng.state(), optimizer: optimizer.names, extra: extra.json };
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
    await restoreOptimizer(this.optimizer, { names: json.optimizer, tensors: json.optimizer.map((_, i) => tensor(`optimizer/${i}`)) }, this.model.variables);
    this.batchRng.setState(json.batchRng);
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

  /** Called after each optimizer update with the gradients it used (SI accumulates its path integral). */
  protected afterStep(_grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): void {}

  /**
   * Called after each step with the references of the examples it trained on: positions `positions` of
   * `examples` (a reservoir memory watches the stream here).
   */
  protected afterBatch(_examples: ExampleSet, _positions: Uint32Array, _phase: Phase): void {}

  // ---- helpers ---------------------------------------------------------------------------------------

  /** One optimizer step on a batch; returns the loss. */
  protected trainStep(batch: Batch, phase: Phase): number {
    return tf.tidy(() => {
      const inputs = this.toTensors(batch);
      const { value, grads } = tf.variableGrads(() => this.loss(inputs, phase), this.model.variables);
      const used = this.adjustGradients(grads, inputs, phase);
      this.optimizer.applyGradients(used);
      this.afterStep(used, inputs, phase);
      return value.dataSync()[0];
    });
  }

  protected toTensors(batch: Batch): BatchTensors {
    return {
      batch,
      x: tf.tensor2d(batch.x, [batch.size, this.ctx.scenario.inputSize]),
      targets: tf.tensor1d(batch.targets, 'int32'),
      mask: taskMask(this.ctx.scenario, batch.taskIds),
    };
  }

  /** Whether every parameter is finite (x·0 is 0 for finite x and NaN for ±Inf and NaN: one pass, one number). */
  protected parametersFinite(): boolean {
    const probe = tf.tidy(() => tf.addN(this.model.variables.map((v) => tf.sum(tf.mul(v, 0)))));
    const value = probe.dataSync()[0];
    probe.dispose();
    return value === 0;
  }

  /** Copies of the current parameter values (kept, not tidied). */
  protected snapshotParameters(): tf.Tensor[] {
    return this.model.variables.map((v) => tf.keep(v.clone()));
  }
}
