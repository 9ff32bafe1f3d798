import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext } from '../../learners/contract.js';
import { taskMask } from '../../learners/parts/losses.js';
import type { ReplayOptions } from '../../learners/methods/replay.js';
import { joinBatches } from '../../scenarios/examples.js';
import { ClassBalancedMemory, PerTaskMemory, ReservoirMemory } from '../../learners/memory/replayMemory.js';
import { getLearner } from '../../learners/registry.js';
import { taskExamples } from '../../scenarios/examples.js';
import type { Batch, ExampleSet, Scenario, Setting } from '../../scenarios/types.js';
import { phaseOf, range } from '../helpers/learners.js';
import { contextFor, syntheticScenario, useWasm, values } from '../helpers/tf.js';

/** An example set of `n` examples of one task (indices offset so tasks never share one). */
function fakeTask(taskId: number, n: number): ExampleSet {
  return { taskIds: new Uint16Array(n).fill(taskId), indices: Uint32Array.from(range(n), (i) => taskId * 100000 + i) };
}

const keys = (set: ExampleSet) => Array.from(set.indices, (index, k) => `${set.taskIds[k]}:${index}`);

function countBy<T>(items: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

describe('replay memories', () => {
  describe('reservoir', () => {
    it('keeps the first K examples, then stays at K; repeats of an example are not offered again', () => {
      const memory = new ReservoirMemory(5, new Rng(1));
      const task = fakeTask(0, 20);
      memory.observe(task, [0, 1, 2]);
      memory.observe(task, [2, 1, 0, 3, 4]);
      expect(keys(memory.examples())).to.deep.equal(['0:0', '0:1', '0:2', '0:3', '0:4']);
      memory.observe(task, range(20));
      expect(memory.examples().indices.length).to.equal(5);
      expect(new Set(keys(memory.examples())).size).to.equal(5);
    });

    it('save/load continues exactly: the same slots, the same later draws, and repeats still not offered again', () => {
      const saved = new ReservoirMemory(6, new Rng(3));
      const [first, second] = [fakeTask(0, 30), fakeTask(1, 30)];
      saved.observe(first, range(30));
      saved.observe(second, range(10));
      const loaded = new ReservoirMemory(6, new Rng(99));
      loaded.load(saved.save());
      expect(keys(loaded.examples())).to.deep.equal(keys(saved.examples()));
      // task 1's first ten come again (not offered: the stream count does not move), then new ones
      for (const memory of [saved, loaded]) {
        memory.observe(second, range(30));
        memory.observe(first, range(5));
      }
      expect(keys(loaded.examples())).to.deep.equal(keys(saved.examples()));
      const fresh = new ReservoirMemory(6, new Rng(3));
      fresh.observe(first, range(30));
      fresh.observe(second, range(30));
      expect(keys(fresh.examples()), 'as if never saved').to.deep.equal(keys(saved.examples()));
    });

    it('keeps every example of the stream with the same probability K/N (chi-square, 4000 seeded trials)', () => {
      const [N, K, trials] = [50, 10, 4000];
      const rng = new Rng(2024, 'reservoir-test');
      const stream = fakeTask(3, N);
      const counts = new Array<number>(N).fill(0);
      for (let trial = 0; trial < trials; trial++) {
        const memory = new ReservoirMemory(K, rng);
        // the stream arrives in batches of 7, as training would offer it
        for (let start = 0; start < N; start += 7) memory.observe(stream, range(Math.min(7, N - start)).map((k) => start + k));
        for (const index of memory.examples().indices) counts[index - 300000]++;
      }
      const expected = (trials * K) / N;
      const chiSquare = counts.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
      // 99.9% quantile of χ² with 49 degrees of freedom: 85.35 (counts here vary less than multinomial ones)
      expect(chiSquare).to.be.below(85.35);
      expect(Math.min(...counts)).to.be.above(0.8 * expected);
      expect(Math.max(...counts)).to.be.below(1.2 * expected);
    });
  });

  describe('per-task (Hsu et al.)', () => {
    it('splits the capacity equally over the tasks seen: ⌊1100 / t⌋ each, shrinking earlier slots to random subsets', () => {
      const memory = new PerTaskMemory(1100, new Rng(5));
      let previous: Map<number, string[]> = new Map();
      for (let t = 0; t < 5; t++) {
        memory.endTask(t, fakeTask(t, 2000), () => new Int32Array(2000));
        const stored = memory.examples();
        const perTask = countBy(Array.from(stored.taskIds));
        const slot = Math.floor(1100 / (t + 1));
        expect([...perTask.values()], `after task ${t + 1}`).to.deep.equal(new Array(t + 1).fill(slot));
        expect(new Set(keys(stored)).size).to.equal(stored.indices.length);
        const byTask = new Map<number, string[]>();
        keys(stored).forEach((key, k) => byTask.set(stored.taskIds[k], [...(byTask.get(stored.taskIds[k]) ?? []), key]));
        for (const [task, kept] of previous) expect(previous.get(task)).to.include.members(byTask.get(task)!);
        previous = byTask;
      }
      // a random choice, not the task's first examples
      const newest = Array.from(memory.examples().indices).filter((i) => i >= 400000);
      expect(Math.max(...newest) - 400000).to.be.above(1000);
    });

    it('never keeps more of a task than it has (Hsu: min(task size, ⌊K / t⌋))', () => {
      const memory = new PerTaskMemory(1100, new Rng(6));
      memory.endTask(0, fakeTask(0, 300), () => new Int32Array(300));
      memory.endTask(1, fakeTask(1, 2000), () => new Int32Array(2000));
      expect([...countBy(Array.from(memory.examples().taskIds)).entries()]).to.deep.equal([[0, 300], [1, 550]]);
    });
  });

  it('per-task save/load continues exactly: the kept examples, and the next task drawn with the same generator', () => {
    const saved = new PerTaskMemory(40, new Rng(6));
    saved.endTask(0, fakeTask(0, 100), () => new Int32Array(100));
    const loaded = new PerTaskMemory(40, new Rng(60));
    // a memory that already held something: load replaces it
    loaded.endTask(5, fakeTask(5, 10), () => new Int32Array(10));
    loaded.load(saved.save());
    expect(keys(loaded.examples())).to.deep.equal(keys(saved.examples()));
    for (const memory of [saved, loaded]) memory.endTask(1, fakeTask(1, 100), () => new Int32Array(100));
    expect(keys(loaded.examples())).to.deep.equal(keys(saved.examples()));
    expect(new Set(loaded.examples().taskIds)).to.deep.equal(new Set([0, 1]));
  });

  describe('class-balanced', () => {
    it('gives every (task, class) the same ⌊K / classes⌋ slots, each filled with examples of that class', () => {
      const memory = new ClassBalancedMemory(100, new Rng(7));
      const targetsOf = (n: number) => Int32Array.from(range(n), (i) => i % 2);
      for (let t = 0; t < 3; t++) {
        memory.endTask(t, fakeTask(t, 300), () => targetsOf(300));
        const stored = memory.examples();
        const classes = countBy(Array.from(stored.indices, (index, k) => `${stored.taskIds[k]}/${(index % 100000) % 2}`));
        expect(classes.size).to.equal(2 * (t + 1));
        expect([...classes.values()], `after task ${t + 1}`).to.deep.equal(new Array(2 * (t + 1)).fill(Math.floor(100 / (2 * (t + 1)))));
      }
    });

    it('treats the same label in two tasks as two classes (permuted MNIST)', () => {
      const memory = new ClassBalancedMemory(40, new Rng(8));
      memory.endTask(0, fakeTask(0, 50), () => Int32Array.from(range(50), (i) => i % 2));
      memory.endTask(1, fakeTask(1, 50), () => Int32Array.from(range(50), (i) => i % 2));
      expect(memory.examples().indices.length).to.equal(40);
      expect([...countBy(Array.from(memory.examples().taskIds)).values()]).to.deep.equal([20, 20]);
    });
  });
});

describe('replay learner', () => {
  useWasm();

  function setup(setting: Setting, options: Partial<ReplayOptions>): { learner: Learner; ctx: LearnerContext; internals: any; scenario: Scenario } {
    // 3 tasks of 2 classes × 20 examples
    const scenario = syntheticScenario('classes=6,features=8,trainPerClass=20,testPerClass=2', { kind: 'split', setting });
    const ctx = contextFor(scenario, { hidden: [6] }, 3, { epochs: 1, batchSize: 8, optimizer: 'sgd', lr: 0.1, momentum: 0, resetOptimizer: false });
    const base: ReplayOptions = { policy: 'per-task', capacity: 15, mix: 'dataset', replayBatchSize: null };
    const learner = getLearner('replay').create({ ...base, ...options }, ctx);
    return { learner, ctx, internals: learner as any, scenario };
  }

  /** Records every batch the learner turns into tensors. */
  function recordBatches(internals: any): Batch[] {
    const seen: Batch[] = [];
    const original = internals.toTensors.bind(internals);
    internals.toTensors = (batch: Batch) => {
      seen.push(batch);
      return original(batch);
    };
    return seen;
  }

  it("defaults to Hsu et al.'s naive rehearsal: per-task memory of 1100, joined to the training set", () => {
    const props = (getLearner('replay').optionsSchema as any).properties;
    expect([props.policy.default, props.capacity.default, props.mix.default]).to.deep.equal(['per-task', 1100, 'dataset']);
  });

  it("'dataset': the memory, repeated max(⌊n / K⌋, 1) times, joins the phase's examples", async () => {
    for (const [capacity, copies] of [[15, 2], [100, 1]]) {
      const { learner, internals, scenario } = setup('class', { capacity });
      try {
        expect(internals.trainingExamples(phaseOf(scenario, 0)).indices.length).to.equal(40);
        await learner.train(phaseOf(scenario, 0), {});
        const stored = Math.min(capacity, 40);
        const set: ExampleSet = internals.trainingExamples(phaseOf(scenario, 1));
        expect(set.indices.length, `capacity ${capacity}`).to.equal(copies * stored + 40);
        expect([...countBy(Array.from(set.taskIds)).entries()]).to.deep.equal([[0, copies * stored], [1, 40]]);
        let examples = 0;
        await learner.train(phaseOf(scenario, 1), { epochEnd: (s) => void (examples = s.examples) });
        expect(examples).to.equal(copies * stored + 40);
      } finally {
        learner.dispose();
      }
    }
  });

  it("'dataset' counts copies against the capacity, as Hsu et al. do, not against what the memory holds", async () => {
    const { learner, internals, scenario } = setup('class', { capacity: 11 });
    try {
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      expect(internals.memory.examples().indices.length).to.equal(10); // ⌊11 / 2⌋ a task
      // ⌊40 / 11⌋ = 3 copies (⌊40 / 10⌋ would be 4)
      expect(internals.trainingExamples(phaseOf(scenario, 2)).indices.length).to.equal(3 * 10 + 40);
    } finally {
      learner.dispose();
    }
  });

  it("'concat': each step trains on the current batch followed by replayBatchSize examples drawn from memory", async () => {
    const { learner, ctx, internals, scenario } = setup('task', { mix: 'concat', replayBatchSize: 4 });
    try {
      await learner.train(phaseOf(scenario, 0), {});
      const memory = new Set(keys(internals.memory.examples()));
      expect(memory.size).to.equal(15);
      const batches = recordBatches(internals);
      await learner.train(phaseOf(scenario, 1), {});
      expect(batches.map((b) => b.size)).to.deep.equal([12, 12, 12, 12, 12]);
      for (const b of batches) {
        expect(Array.from(b.taskIds)).to.deep.equal([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
        // a replayed row is task 0's example: its target is one of task 0's outputs, on task 0's head
        const mask = taskMask(ctx.scenario, b.taskIds)!;
        for (let r = 8; r < 12; r++) {
          expect(scenario.tasks[0].outputs).to.include(b.targets[r]);
          expect(Array.from(mask.subarray(r * 6, r * 6 + 6)).map((m) => m === 0)).to.deep.equal([true, true, false, false, false, false]);
        }
      }
    } finally {
      learner.dispose();
    }
  });

  it("'weighted': L = (1/t)·CE(current rows) + (1 − 1/t)·CE(replayed rows)", () => {
    const { learner, ctx, internals, scenario } = setup('class', { mix: 'weighted' });
    try {
      const current = ctx.data.batch(taskExamples(scenario, 2), [0, 1, 2, 3, 4]);
      const replayed = ctx.data.batch(taskExamples(scenario, 0), [5, 6, 7]);
      const joined = joinBatches(current, replayed, scenario.inputSize);
      internals.replayRows = 3;
      internals.tasksSeen = 2; // t = 3
      const [loss, ceCurrent, ceReplay] = tf.tidy(() => {
        const ce = (b: Batch) => {
          const inputs = internals.toTensors(b);
          return tf.losses.softmaxCrossEntropy(tf.oneHot(inputs.targets, 6), internals.model.forward(inputs.x)).dataSync()[0];
        };
        return [internals.taskLoss(internals.toTensors(joined)).dataSync()[0], ce(current), ce(replayed)];
      });
      expect(loss).to.be.closeTo(ceCurrent / 3 + (2 / 3) * ceReplay, 1e-5);
      // with no replayed rows it is the plain mean
      internals.replayRows = 0;
      const plain = tf.tidy(() => internals.taskLoss(internals.toTensors(current)).dataSync()[0]);
      expect(plain).to.be.closeTo(ceCurrent, 1e-5);
    } finally {
      learner.dispose();
    }
  });

  it("'reservoir' fills its memory from the stream during training: task 0's examples while task 0 trains", async () => {
    const { learner, internals, scenario } = setup('domain', { policy: 'reservoir', mix: 'concat', capacity: 10 });
    try {
      const batches = recordBatches(internals);
      await learner.train(phaseOf(scenario, 0), {});
      // the first step has nothing to replay; later ones replay task 0 examples already seen
      expect(batches[0].size).to.equal(8);
      expect(batches[1].size).to.equal(16);
      const stored: ExampleSet = internals.memory.examples();
      expect(stored.indices.length).to.equal(10);
      expect(new Set(Array.from(stored.taskIds))).to.deep.equal(new Set([0]));
      await learner.train(phaseOf(scenario, 1), {});
      expect(internals.memory.examples().indices.length).to.equal(10);
      expect(internals.memory.seen).to.equal(80);
    } finally {
      learner.dispose();
    }
  });

  it('keeps the tensor count flat from phase to phase and frees everything on dispose', async () => {
    const start = tf.memory().numTensors;
    const { learner, scenario } = setup('task', { mix: 'weighted', policy: 'class-balanced' });
    await learner.train(phaseOf(scenario, 0), {});
    const after0 = tf.memory().numTensors;
    await learner.train(phaseOf(scenario, 1), {});
    expect(tf.memory().numTensors).to.equal(after0);
    learner.dispose();
    expect(tf.memory().numTensors).to.equal(start);
  });
});
