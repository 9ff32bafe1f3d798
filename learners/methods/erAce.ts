/**
 * ER-ACE — Caccia et al. 2022, "New Insights on Reducing Abrupt Representation Change in Online Continual
 * Learning" (ICLR), experience replay with the asymmetric cross-entropy, as the AdaB²N code runs it
 * (lvyilin/AdaB2N, models/er_ace_ada.py, of Lyu et al. 2023):
 *
 *   from the second task on, each step draws one replay batch from the buffer, runs one forward over
 *   [x; x_buf] and minimises  L = CE_ACE(f(x), y) + CE(f(x_buf), y_buf) where the current batch's
 *   cross-entropy sees only the outputs of classes present in that batch and of classes not seen yet (outputs
 *   from the highest seen one on) — the new classes do not push the old ones' logits down; the replayed
 *   batch's cross-entropy is plain. In the first task: plain cross-entropy on the batch, no replay.
 *   After every step the current batch enters the buffer (reservoir over the stream, ../memory/streamBuffer.ts).
 *
 * "Seen" is over output units (in class-IL, the classes in presentation order), updated with each batch
 * before its loss. With a normalising model `forward` (../parts/replayForward.ts) decides whether current and replayed
 * rows share one forward (er_ace_ada.py) or get one each (the plain er_ace.py of the official BN baseline);
 * AdaB²N's λ loss is added from the second task on, as in the code.
 */
import * as tf from '@tensorflow/tfjs';
import { joinBatches } from '../../scenarios/examples.js';
import type { Batch, ExampleSet } from '../../scenarios/types.js';
import { BaseSgdLearner, type BatchTensors, type StepLoss } from '../base.js';
import { defineLearner, plainPhaseCost, steppedPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { applyMask, crossEntropy, MASKED_LOGIT } from '../parts/losses.js';
import { BalancedStatistics, TEST_STATISTICS_SCHEMA, testStatisticsKeyOptions, type TestStatistics } from '../parts/balancedStatistics.js';
import { FORWARD_SCHEMA, forwardKeyOptions, normOf, partLogits, resolveForward, type ReplayForward } from '../parts/replayForward.js';
import { StreamBuffer } from '../memory/streamBuffer.js';


export interface ErAceOptions {
  capacity: number;
  replayBatchSize: number | null;
  forward?: ReplayForward;
  testStatistics?: TestStatistics;
}

/**
 * The additive mask of the current batch's logits: 0 on outputs present in the batch and, while some output has
 * not been seen, on the outputs from the highest seen one on; −1e9 elsewhere.
 */
export function asymmetricMask(width: number, present: Iterable<number>, maxSeen: number): Float32Array {
  const mask = new Float32Array(width).fill(MASKED_LOGIT);
  for (const o of present) mask[o] = 0;
  if (maxSeen < width - 1) mask.fill(0, maxSeen);
  return mask;
}

class ErAceLearner extends BaseSgdLearner<ErAceOptions> {
  private readonly buffer = this.remember('buffer', new StreamBuffer(this.options.capacity, 0, this.ctx.rng.derive('er-ace-buffer')));
  private readonly sampleRng = this.remember('sampleRng', this.ctx.rng.derive('er-ace-sample'));
  /** highest output unit seen so far (the code's seen_so_far.max()); −1 before any */
  private maxSeen = this.rememberField('maxSeen', -1);
  /** rows of the current batch in this step's joined batch, 0 when it has no replay part */
  private currentRows = 0;
  private aceMask: Float32Array | null = null;
  private readonly forward = resolveForward(this.options.forward, normOf(this.model));
  private readonly balanced = this.options.testStatistics === 'task-balanced' ? this.remember('balanced', new BalancedStatistics(this.model, this.ctx.data, this.ctx.scenario.inputSize)) : null;

  protected override trainStep(batch: Batch, phase: Phase): StepLoss | Promise<StepLoss> {
    this.balanced?.invalidate(phase.index + 1);
    const present = new Set(batch.targets);
    for (const o of present) this.maxSeen = Math.max(this.maxSeen, o);
    this.currentRows = 0;
    if (phase.index === 0 || this.buffer.size === 0) return super.trainStep(batch, phase);
    const slots = this.buffer.sample(this.options.replayBatchSize ?? this.ctx.training.batchSize, this.sampleRng);
    const replay = this.ctx.data.batch(this.buffer.examplesAt(slots), null);
    this.currentRows = batch.size;
    this.aceMask = asymmetricMask(this.ctx.scenario.outputs, present, this.maxSeen);
    return super.trainStep(joinBatches(batch, replay, this.ctx.scenario.inputSize), phase);
  }

  protected override loss(inputs: BatchTensors, phase: Phase): tf.Scalar {
    if (this.currentRows === 0) return super.loss(inputs, phase);
    const width = this.ctx.scenario.outputs;
    const n = this.currentRows;
    const replayRows = inputs.batch.size - n;
    const logits = partLogits(this.model, inputs.x, [n, replayRows], inputs.batch.taskIds, phase.index, this.forward);
    const masked = applyMask(logits, inputs.mask);
    const current = tf.add(tf.slice(masked, [0, 0], [n, width]), tf.tensor2d(this.aceMask!, [1, width])) as tf.Tensor2D;
    const replayed = tf.slice(masked, [n, 0], [replayRows, width]) as tf.Tensor2D;
    const ace = crossEntropy(current, tf.slice(inputs.targets, [0], [n]) as tf.Tensor1D);
    return tf.add(ace, crossEntropy(replayed, tf.slice(inputs.targets, [n], [replayRows]) as tf.Tensor1D)) as tf.Scalar;
  }

  protected override statisticsLossActive(phase: Phase): boolean {
    return phase.index > 0;
  }

  protected override afterBatch(examples: ExampleSet, positions: Uint32Array, _phase: Phase): void {
    this.buffer.add(examples, positions);
  }

  override predict(x: tf.Tensor2D): tf.Tensor2D {
    return this.balanced ? this.balanced.predict(x) : super.predict(x);
  }
}

export const erAce = defineLearner<ErAceOptions>({
  name: 'er-ace',
  description: 'ER-ACE: experience replay with the asymmetric cross-entropy (new classes do not push old logits down).',
  reference: 'Caccia et al. 2022, "New Insights on Reducing Abrupt Representation Change in Online Continual Learning", ICLR; AdaB2N code models/er_ace_ada.py',
  optionsSchema: {
    type: 'object',
    properties: {
      capacity: { type: 'integer', minimum: 1, default: 500, description: 'examples the buffer holds (AdaB2N: 500 or 2000 on Split CIFAR-10)' },
      replayBatchSize: { type: ['integer', 'null'], minimum: 1, default: null, description: 'replayed examples a step (null = the training batch size, as the online protocol)' },
      forward: FORWARD_SCHEMA,
      testStatistics: TEST_STATISTICS_SCHEMA,
    },
    additionalProperties: false,
  },
  keyOptions: (options, model) => testStatisticsKeyOptions(forwardKeyOptions(options, model)),
  // one replay batch a step from the second task on
  phaseCost: (options, phase) => (phase.index === 0 ? plainPhaseCost(phase) : steppedPhaseCost(phase, phase.examples, options.replayBatchSize ?? phase.training.batchSize)),
  create: (options: ErAceOptions, ctx: LearnerContext) => new ErAceLearner(ctx, options),
});
