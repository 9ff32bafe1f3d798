/**
 * Averaged Gradient Episodic Memory — Chaudhry et al. 2019 (ICLR), Sec. 4.
 *
 * At the end of each task, `memoryPerTask` of its training examples (a seeded random choice) join an
 * episodic memory. While later tasks train, every step:
 *   1. g_ref = gradient of the cross-entropy on `sampleSize` examples drawn uniformly from the memory
 *      (every earlier task; in task-IL each on its own head);
 *   2. g = gradient of the current batch's loss;
 *   3. the optimizer uses g, projected when it conflicts with g_ref (../parts/gradientProjection.ts).
 * The memory is a constraint only: its examples are never trained on directly. A-GEM has no loss weight.
 */
import * as tf from '@tensorflow/tfjs';
import { concatExamples, selectExamples } from '../../scenarios/examples.js';
import type { ExampleSet } from '../../scenarios/types.js';
import { BaseSgdLearner, type BatchTensors } from '../base.js';
import { defineLearner, plainPhaseCost, steppedPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { projectGradient } from '../parts/gradientProjection.js';

export interface AgemOptions {
  memoryPerTask: number;
  sampleSize: number;
}

class AgemLearner extends BaseSgdLearner<AgemOptions> {
  // its memory and generators are declared state; nothing is set up at a phase's start
  override readonly resumesWithinPhase = true;
  private memory: ExampleSet | null = this.rememberField('memory', null);
  private slots: ExampleSet[] = this.rememberField('slots', []);
  private readonly memoryRng = this.remember('memoryRng', this.ctx.rng.derive('agem-memory'));
  private readonly sampleRng = this.remember('sampleRng', this.ctx.rng.derive('agem-sample'));

  protected override async adjustGradients(grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): Promise<tf.NamedTensorMap> {
    const memory = this.memory;
    if (!memory || memory.indices.length === 0) return grads;
    const available = memory.indices.length;
    const size = Math.min(this.options.sampleSize, available);
    const positions = this.sampleRng.sample(rangeOf(available), size);
    const reference = this.toTensors(this.ctx.data.batch(memory, positions));
    const vars = this.model.variables;
    const { grads: refGrads } = tf.variableGrads(() => this.taskLoss(reference), vars);
    const projected = await projectGradient(
      vars.map((v) => grads[v.name]),
      // a parameter the reference loss does not reach (AdaB²N's θ without a task composition) has gradient 0
      vars.map((v) => refGrads[v.name] ?? tf.zerosLike(v)),
    );
    return Object.fromEntries(vars.map((v, i) => [v.name, projected[i]]));
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    const task = this.ctx.data.taskExamples(phase.taskId);
    const count = task.indices.length;
    const chosen = this.memoryRng.sample(rangeOf(count), Math.min(this.options.memoryPerTask, count));
    this.slots.push(selectExamples(task, chosen));
    this.memory = concatExamples(this.slots);
  }
}

function rangeOf(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

export const agem = defineLearner<AgemOptions>({
  name: 'agem',
  description: 'A-GEM: project the gradient so it does not increase the loss on an episodic memory of past tasks.',
  reference: 'Chaudhry, Ranzato, Rohrbach & Elhoseiny 2019, "Efficient Lifelong Learning with A-GEM", ICLR, Eq. 11',
  optionsSchema: {
    type: 'object',
    properties: {
      memoryPerTask: { type: 'integer', minimum: 1, default: 250, description: 'examples of each task kept in the episodic memory (Avalanche permuted-MNIST baseline: 250)' },
      sampleSize: { type: 'integer', minimum: 1, default: 256, description: 'memory examples drawn for each reference gradient, S (Chaudhry et al.: 256)' },
    },
    additionalProperties: false,
  },
  // from the second phase every step also differentiates a reference sample of the memory
  phaseCost: (options, phase) =>
    phase.index === 0 ? plainPhaseCost(phase) : steppedPhaseCost(phase, phase.examples, Math.min(options.sampleSize, options.memoryPerTask * phase.index, phase.earlierExamples)),
  create: (options: AgemOptions, ctx: LearnerContext) => new AgemLearner(ctx, options),
});
