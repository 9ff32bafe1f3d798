/**
 * Example sets (references into a scenario's training data) and the mini-batches built from them.
 * Pixels stay bytes until a batch is gathered; the permutation of each example's task is applied here.
 */
import type { Rng } from '../core/random.js';
import type { Batch, ExampleSet, ImageSplit, InputTransform, Scenario } from './types.js';

/** Every training example of one task. */
export function taskExamples(scenario: Scenario, taskId: number): ExampleSet {
  const indices = scenario.tasks[taskId].trainIndices;
  return { taskIds: new Uint16Array(indices.length).fill(taskId), indices };
}

/** The example sets one after another, as one set. */
export function concatExamples(sets: ExampleSet[]): ExampleSet {
  const total = sets.reduce((n, s) => n + s.indices.length, 0);
  const taskIds = new Uint16Array(total);
  const indices = new Uint32Array(total);
  let at = 0;
  for (const s of sets) {
    taskIds.set(s.taskIds, at);
    indices.set(s.indices, at);
    at += s.indices.length;
  }
  return { taskIds, indices };
}

/** The examples at `positions` of `set`, in that order. */
export function selectExamples(set: ExampleSet, positions: ArrayLike<number>): ExampleSet {
  const taskIds = new Uint16Array(positions.length);
  const indices = new Uint32Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    taskIds[k] = set.taskIds[positions[k]];
    indices[k] = set.indices[positions[k]];
  }
  return { taskIds, indices };
}

/** Mini-batches of positions into a set of `count` examples, in a seeded shuffled order. */
export function shuffledBatches(count: number, batchSize: number, rng: Rng, dropLast = false): Uint32Array[] {
  const order = rng.permutation(count);
  const batches: Uint32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(start + batchSize, count);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.subarray(start, end));
  }
  return batches;
}

/**
 * Gathers examples `positions` of `set` from the train or test split into a float batch.
 * `buffer` lets a caller reuse one allocation across steps.
 */
export function gatherBatch(
  scenario: Scenario,
  split: 'train' | 'test',
  set: ExampleSet,
  positions: ArrayLike<number> | null,
  buffer?: Float32Array,
): Batch {
  const source = scenario.dataset[split];
  const size = positions ? positions.length : set.indices.length;
  const d = scenario.inputSize;
  if (scenario.input) return transformedBatch(scenario, scenario.input, source, set, positions, size, buffer);
  const x = buffer && buffer.length >= size * d ? buffer.subarray(0, size * d) : new Float32Array(size * d);
  const targets = new Int32Array(size);
  const taskIds = new Uint16Array(size);
  const scale = 1 / 255;
  for (let k = 0; k < size; k++) {
    const p = positions ? positions[k] : k;
    const taskId = set.taskIds[p];
    const image = set.indices[p];
    const task = scenario.tasks[taskId];
    const base = image * d;
    const row = k * d;
    const perm = task.permutation;
    // bytes first (TypedArray.set converts natively), scaled in one pass below: the same float32 values
    if (perm) for (let f = 0; f < d; f++) x[row + f] = source.images[base + perm[f]];
    else x.set(source.images.subarray(base, base + d), row);
    targets[k] = task.targetOf[source.labels[image]];
    taskIds[k] = taskId;
  }
  for (let i = 0; i < size * d; i++) x[i] *= scale;
  return { x, targets, taskIds, size };
}

/** gatherBatch with the scenario's padding and normalisation: each input looked up from its pixel's byte. */
function transformedBatch(
  scenario: Scenario,
  transform: InputTransform,
  source: ImageSplit,
  set: ExampleSet,
  positions: ArrayLike<number> | null,
  size: number,
  buffer?: Float32Array,
): Batch {
  const d = scenario.inputSize;
  const features = scenario.dataset.features;
  const { table, source: pixelOf } = transform;
  const x = buffer && buffer.length >= size * d ? buffer.subarray(0, size * d) : new Float32Array(size * d);
  const targets = new Int32Array(size);
  const taskIds = new Uint16Array(size);
  for (let k = 0; k < size; k++) {
    const p = positions ? positions[k] : k;
    const taskId = set.taskIds[p];
    const image = set.indices[p];
    const task = scenario.tasks[taskId];
    const base = image * features;
    const row = k * d;
    const perm = task.permutation;
    if (perm && transform.permutesPadding)
      for (let f = 0; f < d; f++) {
        const pixel = pixelOf[perm[f]];
        x[row + f] = table[pixel < 0 ? 0 : source.images[base + pixel]];
      }
    else
      for (let f = 0; f < d; f++) {
        const pixel = pixelOf[f];
        x[row + f] = table[pixel < 0 ? 0 : source.images[base + (perm ? perm[pixel] : pixel)]];
      }
    targets[k] = task.targetOf[source.labels[image]];
    taskIds[k] = taskId;
  }
  return { x, targets, taskIds, size };
}

/** The test examples of one task as an example set (indices into dataset.test). */
export function taskTestExamples(scenario: Scenario, taskId: number): ExampleSet {
  const indices = scenario.tasks[taskId].testIndices;
  return { taskIds: new Uint16Array(indices.length).fill(taskId), indices };
}

/** The rows of `a` followed by the rows of `b`. */
export function joinBatches(a: Batch, b: Batch, inputSize: number): Batch {
  const size = a.size + b.size;
  const x = new Float32Array(size * inputSize);
  x.set(a.x.subarray(0, a.size * inputSize));
  x.set(b.x.subarray(0, b.size * inputSize), a.size * inputSize);
  const targets = new Int32Array(size);
  targets.set(a.targets);
  targets.set(b.targets, a.size);
  const taskIds = new Uint16Array(size);
  taskIds.set(a.taskIds);
  taskIds.set(b.taskIds, a.size);
  return { x, targets, taskIds, size };
}
