/**
 * Experience replay: a memory of raw training examples (../memory/replayMemory.ts: references, never pixels)
 * rehearsed while later tasks train (Hsu et al. 2018, "Re-evaluating Continual Learning Scenarios";
 * Chaudhry et al. 2019, "On Tiny Episodic Memories in Continual Learning"). How replayed examples join training (`mix`):
 *
 *   'dataset'  the memory joins the phase's training set, repeated max(⌊n / K⌋, 1) times (n = the phase's
 *              examples, K = `capacity`) so that old and new examples are about 1 : 1, and the union is
 *              shuffled into batches of the suite's batch size — Hsu et al. 2018's "naive rehearsal"
 *              (agents/exp_replay.py, Naive_Rehearsal.learn_batch). Uses the memory as the phase starts.
 *   'concat'   every step draws `replayBatchSize` examples uniformly from the memory (without replacement)
 *              and trains on the current batch ∪ replay batch with equal per-example weight (Chaudhry et al.
 *              2019, ER; Mammoth's er.py).
 *   'weighted' the same batches, with L = (1/t)·L_CE(current) + (1 − 1/t)·L_CE(replay), t = tasks so far
 *              with this one (van de Ven, Siegelmann & Tolias 2020; van de Ven et al. 2022).
 *
 * The memory policy (`policy`) decides what is kept and when: 'reservoir' as examples stream in during
 * training, 'per-task' and 'class-balanced' at the end of each task (a seeded random choice). In task-IL a
 * replayed example is scored on its own task's head (the logit mask follows each example's task id).
 *
 * Defaults are Hsu et al.'s naive rehearsal for split MNIST: 'per-task', 1100 examples, 'dataset'.
 */
import * as tf from '@tensorflow/tfjs';
import { joinBatches } from '../../scenarios/examples.js';
import type { Batch, ExampleSet } from '../../scenarios/types.js';
import { BaseSgdLearner, type BatchTensors, type StepLoss } from '../base.js';
import { defineLearner, steppedPhaseCost, type DataAccess, type LearnerContext, type PhaseCostInput, type Phase } from '../contract.js';
import { applyMask, crossEntropy } from '../parts/losses.js';
import { createMemory, MEMORY_POLICIES, rehearsedSize, withRehearsal, type MemoryPolicy, type ReplayMemory } from '../memory/replayMemory.js';

export type ReplayMix = 'dataset' | 'concat' | 'weighted';

export interface ReplayOptions {
  policy: MemoryPolicy;
  capacity: number;
  mix: ReplayMix;
  replayBatchSize: number | null;
}

class ReplayLearner extends BaseSgdLearner<ReplayOptions> {
  // its memory and generators are declared state; nothing is set up at a phase's start
  override readonly resumesWithinPhase = true;
  private readonly memory: ReplayMemory = this.remember('memory', createMemory(this.options.policy, this.options.capacity, this.ctx.rng.derive('replay-memory')));
  private readonly sampleRng = this.remember('sampleRng', this.ctx.rng.derive('replay-sample'));
  /** rows at the end of the current step's batch that were drawn from memory */
  private replayRows = 0;
  private tasksSeen = this.rememberField('tasksSeen', 0);

  protected override trainingExamples(phase: Phase): ExampleSet {
    return this.options.mix === 'dataset' ? withRehearsal(phase.examples, this.memory.examples(), this.options.capacity) : phase.examples;
  }

  protected override trainStep(batch: Batch, phase: Phase): StepLoss | Promise<StepLoss> {
    const replay = this.options.mix === 'dataset' ? null : this.replayBatch();
    this.replayRows = replay ? replay.size : 0;
    return super.trainStep(replay ? joinBatches(batch, replay, this.ctx.scenario.inputSize) : batch, phase);
  }

  protected override taskLoss(inputs: BatchTensors): tf.Scalar {
    if (this.options.mix !== 'weighted' || this.replayRows === 0) return super.taskLoss(inputs);
    const total = inputs.batch.size;
    const current = total - this.replayRows;
    const t = this.tasksSeen + 1;
    // crossEntropy takes the mean of weight·loss over all rows: these weights turn it into the two means.
    const weights = new Float32Array(total).fill(((1 - 1 / t) * total) / this.replayRows);
    weights.fill(total / (t * current), 0, current);
    const logits = applyMask(this.model.forward(inputs.x, true), inputs.mask);
    return crossEntropy(logits, inputs.targets, tf.tensor1d(weights));
  }

  protected override afterBatch(examples: ExampleSet, positions: Uint32Array, _phase: Phase): void {
    this.memory.observe(examples, positions);
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    const task = this.ctx.data.taskExamples(phase.taskId);
    this.memory.endTask(phase.taskId, task, () => targetsOf(this.ctx.data, task));
    this.tasksSeen++;
  }

  /** A uniform draw without replacement from the memory; null while it is empty. */
  private replayBatch(): Batch | null {
    const stored = this.memory.examples();
    const available = stored.indices.length;
    if (available === 0) return null;
    const size = Math.min(this.options.replayBatchSize ?? this.ctx.training.batchSize, available);
    const positions = this.sampleRng.sample(Uint32Array.from({ length: available }, (_, i) => i), size);
    return this.ctx.data.batch(stored, positions);
  }
}

/**
 * 'dataset': the memory, taken as full, joins the phase's examples; 'concat' and 'weighted': every step also
 * trains on a replay batch once the memory holds anything (a reservoir fills during the first phase).
 */
function replayPhaseCost(options: ReplayOptions, phase: PhaseCostInput): number {
  const atStart = Math.min(options.capacity, phase.earlierExamples);
  if (options.mix === 'dataset') return steppedPhaseCost(phase, rehearsedSize(phase.examples, atStart, options.capacity), 0);
  const stored = options.policy === 'reservoir' ? Math.min(options.capacity, phase.earlierExamples + phase.taskExamples) : atStart;
  return steppedPhaseCost(phase, phase.examples, Math.min(options.replayBatchSize ?? phase.training.batchSize, stored));
}

/** Output unit of every example of `set`, gathered in chunks (pixels are built and dropped). */
function targetsOf(data: DataAccess, set: ExampleSet): Int32Array {
  const n = set.indices.length;
  const targets = new Int32Array(n);
  const chunk = 1024;
  for (let start = 0; start < n; start += chunk) {
    const positions = Uint32Array.from({ length: Math.min(chunk, n - start) }, (_, k) => start + k);
    targets.set(data.batch(set, positions).targets, start);
  }
  return targets;
}

export const replay = defineLearner<ReplayOptions>({
  name: 'replay',
  description: 'Experience replay from a memory of raw examples (reservoir, per-task or class-balanced).',
  reference: 'Hsu et al. 2018 (naive rehearsal); Chaudhry et al. 2019, "On Tiny Episodic Memories" (ER, reservoir); van de Ven et al. 2020',
  optionsSchema: {
    type: 'object',
    properties: {
      policy: {
        enum: [...MEMORY_POLICIES],
        default: 'per-task',
        description: "what the memory keeps: 'reservoir' (uniform over the stream), 'per-task' (equal share per task, Hsu et al.), 'class-balanced'",
      },
      capacity: { type: 'integer', minimum: 1, default: 1100, description: 'examples the memory holds in total (Hsu et al. split MNIST: 1100 or 4400)' },
      mix: {
        enum: ['dataset', 'concat', 'weighted'],
        default: 'dataset',
        description: "'dataset': memory joins the training set ~1:1 (Hsu et al.); 'concat': replay batch appended to each batch (ER); 'weighted': (1/t)·L_cur + (1 − 1/t)·L_replay (van de Ven)",
      },
      replayBatchSize: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: "replayed examples per step for 'concat' and 'weighted' (null = the training batch size)",
      },
    },
    additionalProperties: false,
  },
  phaseCost: replayPhaseCost,
  create: (options: ReplayOptions, ctx: LearnerContext) => new ReplayLearner(ctx, options),
});
