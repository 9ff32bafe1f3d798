import { expect } from 'chai';
import { Rng } from '../../core/random.js';
import { buildScenario } from '../../scenarios/build.js';
import { loadDataset } from '../../scenarios/datasets/index.js';
import {
  concatExamples,
  gatherBatch,
  selectExamples,
  shuffledBatches,
  taskExamples,
  taskTestExamples,
} from '../../scenarios/examples.js';
import type { Dataset, ExampleSet, Scenario } from '../../scenarios/types.js';
import { expectClose } from '../helpers/tf.js';

const DATASET = 'synthetic:classes=4,features=9,trainPerClass=6,testPerClass=3';
let dataset: Dataset;
let permuted: Scenario;
let split: Scenario;

/** The batch gatherBatch should produce, computed with plain loops. */
function referenceBatch(scenario: Scenario, which: 'train' | 'test', set: ExampleSet, positions: number[]) {
  const source = scenario.dataset[which];
  const d = scenario.inputSize;
  const x: number[] = [];
  const targets: number[] = [];
  const taskIds: number[] = [];
  for (const p of positions) {
    const task = scenario.tasks[set.taskIds[p]];
    const image = set.indices[p];
    for (let k = 0; k < d; k++) {
      const from = task.permutation ? task.permutation[k] : k;
      x.push(source.images[image * d + from] / 255);
    }
    targets.push(task.targetOf[source.labels[image]]);
    taskIds.push(task.id);
  }
  return { x, targets, taskIds };
}

describe('example sets and batches', () => {
  before(() => {
    dataset = loadDataset(DATASET);
    permuted = buildScenario({ dataset: DATASET, kind: 'permuted', setting: 'task', tasks: 3, identityFirstTask: true }, dataset, new Rng(4, 'scenario'));
    split = buildScenario({ dataset: DATASET, kind: 'split', setting: 'domain' }, dataset, new Rng(4, 'scenario'));
  });

  it('taskExamples / taskTestExamples reference every example of the task, tagged with its id', () => {
    const e = taskExamples(split, 1);
    expect(Array.from(e.indices)).to.deep.equal(Array.from(split.tasks[1].trainIndices));
    expect(Array.from(e.taskIds)).to.deep.equal(new Array(split.tasks[1].trainIndices.length).fill(1));
    const t = taskTestExamples(split, 0);
    expect(Array.from(t.indices)).to.deep.equal(Array.from(split.tasks[0].testIndices));
    expect(Array.from(t.taskIds).every((id) => id === 0)).to.equal(true);
  });

  it('concatExamples appends sets in order; selectExamples picks positions', () => {
    const a: ExampleSet = { taskIds: Uint16Array.from([0, 0]), indices: Uint32Array.from([5, 7]) };
    const b: ExampleSet = { taskIds: Uint16Array.from([2, 1, 2]), indices: Uint32Array.from([1, 9, 3]) };
    const c = concatExamples([a, { taskIds: new Uint16Array(0), indices: new Uint32Array(0) }, b]);
    expect(Array.from(c.taskIds)).to.deep.equal([0, 0, 2, 1, 2]);
    expect(Array.from(c.indices)).to.deep.equal([5, 7, 1, 9, 3]);
    const s = selectExamples(c, [4, 0, 2]);
    expect(Array.from(s.taskIds)).to.deep.equal([2, 0, 2]);
    expect(Array.from(s.indices)).to.deep.equal([3, 5, 1]);
    expect(concatExamples([]).indices.length).to.equal(0);
  });

  describe('shuffledBatches', () => {
    it('covers every position exactly once, in batches of the given size (last one short)', () => {
      const batches = shuffledBatches(23, 5, new Rng(1, 'batches'));
      expect(batches.map((b) => b.length)).to.deep.equal([5, 5, 5, 5, 3]);
      const all = batches.flatMap((b) => Array.from(b)).sort((x, y) => x - y);
      expect(all).to.deep.equal(Array.from({ length: 23 }, (_, i) => i));
    });

    it('partitions 0..count-1 for many (count, batchSize) pairs, incl. a last batch of one', () => {
      for (const [count, size] of [[21, 5], [1, 4], [4, 1], [7, 7], [7, 10], [64, 16], [65, 16]]) {
        const batches = shuffledBatches(count, size, new Rng(count * 100 + size, 'batches'));
        const lengths = Array.from({ length: Math.ceil(count / size) }, (_, b) => Math.min(size, count - b * size));
        expect(batches.map((b) => b.length), `${count} in batches of ${size}`).to.deep.equal(lengths);
        const all = batches.flatMap((b) => Array.from(b)).sort((x, y) => x - y);
        expect(all).to.deep.equal(Array.from({ length: count }, (_, i) => i));
      }
    });

    it('is shuffled and seeded', () => {
      const flat = (seed: number) => shuffledBatches(40, 8, new Rng(seed, 'batches')).flatMap((b) => Array.from(b));
      expect(flat(1)).to.deep.equal(flat(1));
      expect(flat(1)).to.not.deep.equal(flat(2));
      expect(flat(1)).to.not.deep.equal(Array.from({ length: 40 }, (_, i) => i));
    });

    it('dropLast drops a short final batch only', () => {
      expect(shuffledBatches(23, 5, new Rng(1), true).map((b) => b.length)).to.deep.equal([5, 5, 5, 5]);
      expect(shuffledBatches(20, 5, new Rng(1), true).map((b) => b.length)).to.deep.equal([5, 5, 5, 5]);
      expect(shuffledBatches(3, 5, new Rng(1), true)).to.deep.equal([]);
      expect(shuffledBatches(3, 5, new Rng(1)).map((b) => b.length)).to.deep.equal([3]);
      expect(shuffledBatches(0, 5, new Rng(1))).to.deep.equal([]);
    });
  });

  describe('gatherBatch', () => {
    it("applies each example's task permutation, scales to [0, 1] and maps labels through targetOf", () => {
      // examples from all three tasks (task 0 is the identity), mixed positions
      const set = concatExamples([0, 1, 2].map((t) => taskExamples(permuted, t)));
      const positions = [0, 30, 47, 5, 71, 24, 60];
      const batch = gatherBatch(permuted, 'train', set, positions);
      const ref = referenceBatch(permuted, 'train', set, positions);
      expect(batch.size).to.equal(positions.length);
      expect(batch.x).to.be.instanceOf(Float32Array);
      expect(batch.x.length).to.equal(positions.length * 9);
      expectClose(batch.x, ref.x, 1e-7, 1e-6, 'x');
      expect(Array.from(batch.targets)).to.deep.equal(ref.targets);
      expect(Array.from(batch.taskIds)).to.deep.equal(ref.taskIds);
      // task-IL permuted: example of task t with label c targets output 4t + c
      positions.forEach((p, k) => {
        const t = set.taskIds[p];
        expect(batch.targets[k]).to.equal(4 * t + dataset.train.labels[set.indices[p]]);
      });
    });

    it('uses the permutation as input[k] = image[perm[k]] (not its inverse)', () => {
      const perm = permuted.tasks[1].permutation!;
      const set = taskExamples(permuted, 1);
      const batch = gatherBatch(permuted, 'train', set, [0]);
      const image = set.indices[0];
      for (let k = 0; k < 9; k++) {
        expect(batch.x[k]).to.be.closeTo(dataset.train.images[image * 9 + perm[k]] / 255, 1e-7);
      }
    });

    it('gathers the whole set when positions is null, and reads the test split when asked', () => {
      const set = taskTestExamples(split, 1);
      const batch = gatherBatch(split, 'test', set, null);
      const ref = referenceBatch(split, 'test', set, Array.from({ length: set.indices.length }, (_, i) => i));
      expect(batch.size).to.equal(set.indices.length);
      expectClose(batch.x, ref.x, 1e-7, 1e-6, 'x');
      expect(Array.from(batch.targets)).to.deep.equal(ref.targets);
      // domain-IL split: targets are the position of the label in the task (0 or 1)
      expect(new Set(Array.from(batch.targets))).to.deep.equal(new Set([0, 1]));
    });

    it('writes into a caller buffer when it is large enough', () => {
      const set = taskExamples(permuted, 2);
      const buffer = new Float32Array(100).fill(-1);
      const batch = gatherBatch(permuted, 'train', set, [3, 1], buffer);
      expect(batch.x.length).to.equal(18);
      expect(batch.x.buffer).to.equal(buffer.buffer);
      expectClose(batch.x, referenceBatch(permuted, 'train', set, [3, 1]).x, 1e-7, 1e-6, 'x');
      expect(buffer[18]).to.equal(-1);
      // too small: a fresh array, buffer untouched
      const small = new Float32Array(5).fill(-1);
      const other = gatherBatch(permuted, 'train', set, [3, 1], small);
      expect(other.x.buffer).to.not.equal(small.buffer);
      expect(Array.from(small)).to.deep.equal([-1, -1, -1, -1, -1]);
    });
  });
});
