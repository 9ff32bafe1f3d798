// @ts-check
/**
 * Recency replay, a clbench learner plugin: rehearsal of the recent past only. After each task it keeps
 * `perTask` of that task's training examples (a seeded random sample), remembers the `window` most recent
 * tasks, and trains every phase on the phase's examples plus that memory. `window: 1` is last-task
 * replay; a window as long as the stream is ordinary per-task replay.
 *
 * Plain JavaScript, type-checked from its JSDoc against clbench's declarations (tsconfig.json here).
 */
import { BaseSgdLearner, concatExamples, defineLearner, selectExamples } from 'clbench';

/** @typedef {{ perTask: number, window: number }} RecencyReplayOptions */
/** @typedef {import('clbench').ExampleSet} ExampleSet */
/** @typedef {import('clbench').LearnerState} LearnerState */
/** @typedef {import('clbench').Phase} Phase */

/** @extends {BaseSgdLearner<RecencyReplayOptions>} */
class RecencyReplayLearner extends BaseSgdLearner {
  /** @type {ExampleSet[]} samples of the most recent tasks, oldest first (references, not pixels) */
  memory = [];
  /** its own seeded generator, so the memory never shifts the batch order */
  sampler = this.ctx.rng.derive('recency-replay');

  /** @override @param {Phase} phase @returns {ExampleSet} */
  trainingExamples(phase) {
    return concatExamples([phase.examples, ...this.memory]);
  }

  /** @override @param {Phase} phase */
  async afterPhase(phase) {
    const task = this.ctx.data.taskExamples(phase.taskId);
    const count = task.indices.length;
    const positions = this.sampler.sample(Array.from({ length: count }, (_, i) => i), Math.min(this.options.perTask, count));
    this.memory.push(selectExamples(task, positions));
    if (this.memory.length > this.options.window) this.memory.shift();
  }

  /** For resuming a run: the memory and the generator, as plain JSON. @override @returns {Promise<LearnerState>} */
  async extraState() {
    const memory = this.memory.map((m) => ({ taskIds: Array.from(m.taskIds), indices: Array.from(m.indices) }));
    return { tensors: {}, json: { memory, sampler: this.sampler.state() } };
  }

  /** @override @param {LearnerState} state */
  async restoreExtraState(state) {
    const saved = /** @type {{ memory: { taskIds: number[], indices: number[] }[], sampler: import('clbench').RngState }} */ (state.json);
    this.memory = saved.memory.map((m) => ({ taskIds: Uint16Array.from(m.taskIds), indices: Uint32Array.from(m.indices) }));
    this.sampler.setState(saved.sampler);
  }
}

export default defineLearner({
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
  /** @param {RecencyReplayOptions} options @param {import('clbench').LearnerContext} ctx */
  create: (options, ctx) => new RecencyReplayLearner(ctx, options),
});
