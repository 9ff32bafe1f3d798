/**
 * DER++ — Buzzega et al. 2020, "Dark Experience for General Continual Learning: a Strong, Simple Baseline"
 * (NeurIPS), Eq. 6, as the AdaB²N code runs it (lvyilin/AdaB2N, models/derpp_ada.py, of Lyu et al. 2023):
 *
 *   once the buffer holds anything, each step draws two independent replay batches (x₁, y₁, z₁) and (x₂, y₂)
 *   from it (z₁ = logits stored with x₁), runs one forward over [x; x₁; x₂] and minimises
 *     L = CE(f(x), y) + α·MSE(f(x₁), z₁) + β·CE(f(x₂), y₂)
 *   (MSE = mean over every logit). After the step the current batch enters the buffer (reservoir over the
 *   stream, ../memory/streamBuffer.ts) with the logits the forward gave it, before the update.
 *
 * With a normalising model (suite `model.norm`) `forward` (../parts/replayForward.ts) decides whether the batch statistics
 * see the three parts together (one forward, as derpp_ada.py; AdaB²N weighs them by task) or each part alone
 * (three forwards, as the plain derpp.py the official BN baseline runs); AdaB²N's λ loss is added once the
 * buffer is in use, as in the official code.
 */
import * as tf from '@tensorflow/tfjs';
import { joinBatches } from '../../scenarios/examples.js';
import type { Batch, ExampleSet } from '../../scenarios/types.js';
import { BaseSgdLearner, type BatchTensors, type StepLoss } from '../base.js';
import { defineLearner, steppedPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { applyMask, crossEntropy } from '../parts/losses.js';
import { BalancedStatistics, TEST_STATISTICS_SCHEMA, testStatisticsKeyOptions, type TestStatistics } from '../parts/balancedStatistics.js';
import { FORWARD_SCHEMA, forwardKeyOptions, normOf, partLogits, resolveForward, type ReplayForward } from '../parts/replayForward.js';
import { StreamBuffer } from '../memory/streamBuffer.js';

export interface DerppOptions {
  capacity: number;
  alpha: number;
  beta: number;
  replayBatchSize: number | null;
  forward?: ReplayForward;
  testStatistics?: TestStatistics;
}

/** Rows of the joined batch: current, then the logit-replay part, then the label-replay part. */
interface Layout {
  current: number;
  logitReplay: number;
  labelReplay: number;
  /** stored logits of the logit-replay rows */
  storedLogits: Float32Array | null;
}

class DerppLearner extends BaseSgdLearner<DerppOptions> {
  private readonly buffer = this.remember('buffer', new StreamBuffer(this.options.capacity, this.ctx.scenario.outputs, this.ctx.rng.derive('derpp-buffer')));
  private readonly sampleRng = this.remember('sampleRng', this.ctx.rng.derive('derpp-sample'));
  private layout: Layout = { current: 0, logitReplay: 0, labelReplay: 0, storedLogits: null };
  /** the current rows' logits from the step's forward, kept until the step ends */
  private currentLogits: tf.Tensor2D | null = null;
  /** the same as values, for the buffer */
  private lastLogits: Float32Array | null = null;
  private readonly forward = resolveForward(this.options.forward, normOf(this.model));
  private readonly balanced = this.options.testStatistics === 'task-balanced' ? this.remember('balanced', new BalancedStatistics(this.model, this.ctx.data, this.ctx.scenario.inputSize)) : null;

  protected override async trainStep(batch: Batch, phase: Phase): Promise<StepLoss> {
    this.balanced?.invalidate(phase.index + 1);
    const size = this.options.replayBatchSize ?? this.ctx.training.batchSize;
    let joined = batch;
    this.layout = { current: batch.size, logitReplay: 0, labelReplay: 0, storedLogits: null };
    if (this.buffer.size > 0) {
      const first = this.buffer.sample(size, this.sampleRng);
      const second = this.buffer.sample(size, this.sampleRng);
      const inputSize = this.ctx.scenario.inputSize;
      joined = joinBatches(joinBatches(batch, this.ctx.data.batch(this.buffer.examplesAt(first), null), inputSize), this.ctx.data.batch(this.buffer.examplesAt(second), null), inputSize);
      this.layout = { current: batch.size, logitReplay: first.length, labelReplay: second.length, storedLogits: this.buffer.logitsAt(first) };
    }
    try {
      return await super.trainStep(joined, phase);
    } finally {
      // read asynchronously: a synchronous read fails on the WebGPU backend
      this.lastLogits = this.currentLogits ? ((await this.currentLogits.data()) as Float32Array).slice() : null;
      this.currentLogits?.dispose();
      this.currentLogits = null;
    }
  }

  protected override loss(inputs: BatchTensors, phase: Phase): tf.Scalar {
    const { current, logitReplay, labelReplay, storedLogits } = this.layout;
    const width = this.ctx.scenario.outputs;
    const sizes = [current, logitReplay, labelReplay].filter((n) => n > 0);
    const logits = partLogits(this.model, inputs.x, sizes, inputs.batch.taskIds, phase.index, this.forward);
    const masked = applyMask(logits, inputs.mask);
    const rows = (t: tf.Tensor2D, start: number, count: number) => tf.slice(t, [start, 0], [count, width]) as tf.Tensor2D;
    const targets = (start: number, count: number) => tf.slice(inputs.targets, [start], [count]) as tf.Tensor1D;
    this.currentLogits?.dispose();
    this.currentLogits = tf.keep(rows(logits, 0, current));
    let loss = crossEntropy(rows(masked, 0, current), targets(0, current));
    if (logitReplay > 0) {
      const mse = tf.mean(tf.square(tf.sub(rows(logits, current, logitReplay), tf.tensor2d(storedLogits!, [logitReplay, width]))));
      loss = tf.add(loss, tf.mul(mse, this.options.alpha)) as tf.Scalar;
    }
    if (labelReplay > 0) {
      const start = current + logitReplay;
      loss = tf.add(loss, tf.mul(crossEntropy(rows(masked, start, labelReplay), targets(start, labelReplay)), this.options.beta)) as tf.Scalar;
    }
    return loss;
  }

  protected override statisticsLossActive(_phase: Phase): boolean {
    return this.layout.logitReplay > 0;
  }

  protected override afterBatch(examples: ExampleSet, positions: Uint32Array, _phase: Phase): void {
    if (!this.lastLogits) throw new Error('DER++: no logits were recorded for the batch');
    this.buffer.add(examples, positions, this.lastLogits);
    this.lastLogits = null;
  }

  override predict(x: tf.Tensor2D): tf.Tensor2D {
    return this.balanced ? this.balanced.predict(x) : super.predict(x);
  }

  override dispose(): void {
    this.currentLogits?.dispose();
    this.currentLogits = null;
    super.dispose();
  }
}

export const derpp = defineLearner<DerppOptions>({
  name: 'derpp',
  description: 'DER++: replay with stored logits (α·MSE) and labels (β·CE) from a reservoir buffer.',
  reference: 'Buzzega et al. 2020, "Dark Experience for General Continual Learning", NeurIPS, Eq. 6; AdaB2N code models/derpp_ada.py',
  optionsSchema: {
    type: 'object',
    properties: {
      capacity: { type: 'integer', minimum: 1, default: 500, description: 'examples the buffer holds (AdaB2N: 500 or 2000 on Split CIFAR-10)' },
      alpha: { type: 'number', minimum: 0, default: 0.2, description: 'weight α of the logit MSE (AdaB2N best args, CIFAR-10, buffer 500: 0.2)' },
      beta: { type: 'number', minimum: 0, default: 0.5, description: 'weight β of the replayed-label CE (same source: 0.5)' },
      replayBatchSize: { type: ['integer', 'null'], minimum: 1, default: null, description: 'examples in each of the two replay batches (null = the training batch size, as the online protocol)' },
      forward: FORWARD_SCHEMA,
      testStatistics: TEST_STATISTICS_SCHEMA,
    },
    additionalProperties: false,
  },
  keyOptions: (options, model) => testStatisticsKeyOptions(forwardKeyOptions(options, model)),
  // two replay batches a step, from the first phase's second step on (the buffer fills from the stream)
  phaseCost: (options, phase) => steppedPhaseCost(phase, phase.examples, 2 * (options.replayBatchSize ?? phase.training.batchSize)),
  create: (options: DerppOptions, ctx: LearnerContext) => new DerppLearner(ctx, options),
});
