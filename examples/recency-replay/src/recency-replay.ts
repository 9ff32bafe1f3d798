/**
 * Recency replay, a clbench learner plugin: rehearsal of the recent past only. After each task it keeps
 * `perTask` of that task's training examples (a seeded random sample), remembers the `window` most recent
 * tasks, and trains every phase on the phase's examples plus that memory. `window: 1` is last-task
 * replay; a window as long as the stream is ordinary per-task replay.
 *
 * TypeScript, compiled to dist/ by `npm run build`; clbench loads dist/recency-replay.js, the module this
 * package exports.
 */
import { BaseSgdLearner, concatExamples, defineLearner, selectExamples } from 'clbench';
import type { ExampleSet, LearnerContext, LearnerState, Phase, RngState } from 'clbench';

export interface RecencyReplayOptions {
  /** examples kept from each remembered task */
  perTask: number;
  /** how many of the most recent tasks are remembered */
  window: number;
}

/** What a checkpoint keeps besides the weights: the memory (as references) and the sampler's state. */
interface SavedMemory {
  memory: { taskIds: number[]; indices: number[] }[];
  sampler: RngState;
}

class RecencyReplayLearner extends BaseSgdLearner<RecencyReplayOptions> {
  /** samples of the most recent tasks, oldest first (references, not pixels) */
  memory: ExampleSet[] = [];
  /** its own seeded generator, so the memory never shifts the batch order */
  sampler = this.ctx.rng.derive('recency-replay');

  override trainingExamples(phase: Phase): ExampleSet {
    return concatExamples([phase.examples, ...this.memory]);
  }

  override async afterPhase(phase: Phase): Promise<void> {
    const task = this.ctx.data.taskExamples(phase.taskId);
    const count = task.indices.length;
    const positions = this.sampler.sample(Array.from({ length: count }, (_, i) => i), Math.min(this.options.perTask, count));
    this.memory.push(selectExamples(task, positions));
    if (this.memory.length > this.options.window) this.memory.shift();
  }

  /** For resuming a run: the memory and the generator, as plain JSON. */
  override async extraState(): Promise<LearnerState> {
    const saved: SavedMemory = {
      memory: this.memory.map((m) => ({ taskIds: Array.from(m.taskIds), indices: Array.from(m.indices) })),
      sampler: this.sampler.state(),
    };
    return { tensors: {}, json: saved };
  }

  override async restoreExtraState(state: LearnerState): Promise<void> {
    const saved = state.json as unknown as SavedMemory;
    this.memory = saved.memory.map((m) => ({ taskIds: Uint16Array.from(m.taskIds), indices: Uint32Array.from(m.indices) }));
    this.sampler.setState(saved.sampler);
  }
}

export default defineLearner<RecencyReplayOptions>({
  name: 'recency-replay',
  description: 'Replay a random sample of each of the most recent tasks (window 1 = last-task replay).',
  optionsSchema: {
    type: 'object',
    properties: {
      perTask: { type: 'integer', minimum: 1, default: 50, description: 'examples kept from each remembered task' },
      window: { type: 'integer', minimum: 1, default: 1, description: 'how many of the most recent tasks are remembered' },
    },
    additionalProperties: false,
  },
  create: (options: RecencyReplayOptions, ctx: LearnerContext) => new RecencyReplayLearner(ctx, options),
});
