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
 * a rehearsal learner `trainingExamples` or `loss`.
 */
import * as tf from '@tensorflow/tfjs';
import { DivergedError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { Model } from '../models/types.js';
import { shuffledBatches } from '../scenarios/examples.js';
import type { Batch, ExampleSet } from '../scenarios/types.js';
import type { Learner, LearnerContext, Phase, TrainHooks } from './contract.js';
import { applyMask, crossEntropy, taskMask } from './losses.js';
import { makeOptimizer } from './optimizers.js';

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
      for (let step = 0; step < batches.length; step++) {
        const batch = this.ctx.data.batch(examples, batches[step]);
        const loss = this.trainStep(batch, phase);
        if (!Number.isFinite(loss)) throw new DivergedError(phase.index, epoch, step, loss);
        lossSum += loss * batch.size;
        seen += batch.size;
        hooks.step?.({ epoch, step, steps: batches.length, loss });
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
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

  // ---- the steps a learner may override -------------------------------------------------------------

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

  /** Copies of the current parameter values (kept, not tidied). */
  protected snapshotParameters(): tf.Tensor[] {
    return this.model.variables.map((v) => tf.keep(v.clone()));
  }
}
