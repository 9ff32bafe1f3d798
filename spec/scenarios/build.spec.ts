import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { buildScenario, scenarioName, type ScenarioSpec } from '../../scenarios/build.js';
import { loadDataset } from '../../scenarios/datasets/index.js';
import type { Dataset, ImageSplit, Scenario, Task } from '../../scenarios/types.js';
import { thrown } from '../helpers/tf.js';

// 10 classes × 20 train / 6 test examples, 16 features: small and quick.
const DATASET = 'synthetic:classes=10,features=16,trainPerClass=20,testPerClass=6';
let dataset: Dataset;

function build(spec: Omit<ScenarioSpec, 'dataset'>, seed = 1): Scenario {
  return buildScenario({ dataset: DATASET, ...spec }, dataset, new Rng(seed, 'scenario'));
}

/** Indices of `split` whose label is in `classes`, computed independently. */
function indicesWithLabels(split: ImageSplit, classes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < split.count; i++) if (classes.includes(split.labels[i])) out.push(i);
  return out;
}

function isPermutationOf(p: ArrayLike<number>, n: number): boolean {
  return p.length === n && Array.from(p).sort((a, b) => a - b).every((v, i) => v === i);
}

/** targetOf as a map from class to output for a task's classes; -1 everywhere else. */
function expectTargets(task: Task, expected: Map<number, number>): void {
  for (let c = 0; c < dataset.classes; c++) {
    expect(task.targetOf[c], `task ${task.id}: targetOf[${c}]`).to.equal(expected.get(c) ?? -1);
  }
}

function countByLabel(split: ImageSplit, indices: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const i of Array.from(indices)) counts.set(split.labels[i], (counts.get(split.labels[i]) ?? 0) + 1);
  return counts;
}

describe('buildScenario', () => {
  before(() => {
    dataset = loadDataset(DATASET);
    expect(dataset.classes).to.equal(10);
    expect(dataset.features).to.equal(16);
  });

  describe('split', () => {
    it('defaults to 5 tasks of 2 classes in natural order, disjoint and covering, with all their examples', () => {
      const s = build({ kind: 'split', setting: 'class' });
      expect(s.kind).to.equal('split');
      expect(s.inputSize).to.equal(16);
      expect(s.dataset).to.equal(dataset);
      expect(s.tasks).to.have.length(5);
      expect(s.tasks.map((t) => t.classes)).to.deep.equal([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
      const all = s.tasks.flatMap((t) => t.classes).sort((a, b) => a - b);
      expect(all).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      s.tasks.forEach((t, j) => {
        expect(t.id).to.equal(j);
        expect(t.permutation).to.equal(null);
        expect(Array.from(t.trainIndices)).to.deep.equal(indicesWithLabels(dataset.train, t.classes));
        expect(Array.from(t.testIndices)).to.deep.equal(indicesWithLabels(dataset.test, t.classes));
        expect(t.trainIndices.length).to.equal(40);
        expect(t.testIndices.length).to.equal(12);
      });
    });

    it('task-IL: task j owns outputs [2j, 2j+1] and maps its classes onto them', () => {
      const s = build({ kind: 'split', setting: 'task' });
      expect(s.setting).to.equal('task');
      expect(s.outputs).to.equal(10);
      s.tasks.forEach((t, j) => {
        expect(t.outputs).to.deep.equal([2 * j, 2 * j + 1]);
        expectTargets(t, new Map([[2 * j, 2 * j], [2 * j + 1, 2 * j + 1]]));
      });
    });

    it('domain-IL: every task uses outputs [0, 1]; targets are positions within the task', () => {
      const s = build({ kind: 'split', setting: 'domain' });
      expect(s.outputs).to.equal(2);
      s.tasks.forEach((t, j) => {
        expect(t.outputs).to.deep.equal([0, 1]);
        expectTargets(t, new Map([[2 * j, 0], [2 * j + 1, 1]]));
      });
    });

    it('class-IL: 10 outputs, targets are positions in the class order', () => {
      const order = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
      const s = build({ kind: 'split', setting: 'class', classOrder: order });
      expect(s.outputs).to.equal(10);
      expect(s.tasks.map((t) => t.classes)).to.deep.equal([[7, 2], [9, 0], [4, 1], [8, 3], [6, 5]]);
      s.tasks.forEach((t, j) => {
        expect(t.outputs).to.deep.equal([2 * j, 2 * j + 1]);
        expectTargets(t, new Map(t.classes.map((c) => [c, order.indexOf(c)])));
        expect(Array.from(t.trainIndices)).to.deep.equal(indicesWithLabels(dataset.train, t.classes));
      });
    });

    it('custom class order with a task count: 2 tasks of 5 classes', () => {
      const order = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
      const task = build({ kind: 'split', setting: 'task', classOrder: order, tasks: 2 });
      expect(task.tasks.map((t) => t.classes)).to.deep.equal([[9, 8, 7, 6, 5], [4, 3, 2, 1, 0]]);
      expect(task.tasks[1].outputs).to.deep.equal([5, 6, 7, 8, 9]);
      expectTargets(task.tasks[1], new Map([[4, 5], [3, 6], [2, 7], [1, 8], [0, 9]]));
      const domain = build({ kind: 'split', setting: 'domain', classOrder: order, tasks: 2 });
      expect(domain.outputs).to.equal(5);
      expectTargets(domain.tasks[1], new Map([[4, 0], [3, 1], [2, 2], [1, 3], [0, 4]]));
    });

    it("'random' class order is a seeded permutation: same seed same order, other seed other order", () => {
      const order = (seed: number) => build({ kind: 'split', setting: 'class', classOrder: 'random' }, seed).tasks.flatMap((t) => t.classes);
      const a = order(1);
      expect(isPermutationOf(a, 10)).to.equal(true);
      expect(order(1)).to.deep.equal(a);
      expect(order(2)).to.not.deep.equal(a);
      // class-IL targets follow the drawn order
      const s = build({ kind: 'split', setting: 'class', classOrder: 'random' }, 1);
      s.tasks.forEach((t) => expectTargets(t, new Map(t.classes.map((c) => [c, a.indexOf(c)]))));
      // a random order is not the natural one for at least one of a few seeds
      const natural = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      expect([1, 2, 3].some((seed) => JSON.stringify(order(seed)) !== JSON.stringify(natural))).to.equal(true);
    });

    it('explicit taskClasses override tasks and classOrder (unequal groups allowed outside domain-IL)', () => {
      const groups = [[5], [0, 9, 2], [7, 3]];
      const cls = build({ kind: 'split', setting: 'class', taskClasses: groups, tasks: 5, classOrder: [0, 1] });
      expect(cls.tasks.map((t) => t.classes)).to.deep.equal(groups);
      expect(cls.outputs).to.equal(6);
      expect(cls.tasks.map((t) => t.outputs)).to.deep.equal([[0], [1, 2, 3], [4, 5]]);
      expectTargets(cls.tasks[1], new Map([[0, 1], [9, 2], [2, 3]]));
      expect(Array.from(cls.tasks[1].trainIndices)).to.deep.equal(indicesWithLabels(dataset.train, [0, 9, 2]));
      const task = build({ kind: 'split', setting: 'task', taskClasses: groups });
      expect(task.tasks.map((t) => t.outputs)).to.deep.equal([[0], [1, 2, 3], [4, 5]]);
    });

    it('rejects class counts that do not divide into the tasks', () => {
      const e = thrown(() => build({ kind: 'split', setting: 'class', tasks: 3 }), UserError);
      expect(e.message).to.match(/10 classes cannot be split into 3/);
      thrown(() => build({ kind: 'split', setting: 'class', tasks: 0 }), UserError);
      thrown(() => build({ kind: 'split', setting: 'class', classOrder: [0, 1, 2], tasks: 2 }), UserError);
    });

    // Regression: a fractional count once passed `10 % 2.5 === 0` and silently dropped classes 8 and 9.
    it('rejects a fractional task count (split)', () => {
      thrown(() => build({ kind: 'split', setting: 'class', tasks: 2.5 }), UserError);
      thrown(() => build({ kind: 'split', setting: 'class', tasks: 1.25 }), UserError);
    });

    it('rejects a class in two tasks, classes out of range, and empty tasks', () => {
      expect(thrown(() => build({ kind: 'split', setting: 'task', taskClasses: [[0, 1], [1, 2]] }), UserError).message).to.match(/class 1/);
      thrown(() => build({ kind: 'split', setting: 'task', classOrder: [0, 0, 1, 2] }), UserError);
      expect(thrown(() => build({ kind: 'split', setting: 'task', taskClasses: [[0, 10]] }), UserError).message).to.match(/class 10/);
      thrown(() => build({ kind: 'split', setting: 'task', taskClasses: [[-1, 0]] }), UserError);
      thrown(() => build({ kind: 'split', setting: 'task', taskClasses: [[0.5, 1]] }), UserError);
      thrown(() => build({ kind: 'split', setting: 'task', classOrder: [0, 1, 2, 11] }), UserError);
      thrown(() => build({ kind: 'split', setting: 'task', taskClasses: [[0, 1], []] }), UserError);
    });

    it('rejects unequal groups in domain-IL', () => {
      thrown(() => build({ kind: 'split', setting: 'domain', taskClasses: [[0, 1], [2, 3, 4]] }), UserError);
    });

    it('trainPerTask keeps an exact, stratified, seeded subsample of the task', () => {
      // 40 examples a task (20 per class): 10 → 5 + 5
      const s = build({ kind: 'split', setting: 'class', trainPerTask: 10 });
      for (const t of s.tasks) {
        const full = indicesWithLabels(dataset.train, t.classes);
        const kept = Array.from(t.trainIndices);
        expect(kept).to.have.length(10);
        expect(new Set(kept).size).to.equal(10);
        for (const i of kept) expect(full).to.include(i);
        expect([...kept].sort((a, b) => a - b)).to.deep.equal(kept);
        const counts = countByLabel(dataset.train, kept);
        expect(counts.get(t.classes[0])).to.equal(5);
        expect(counts.get(t.classes[1])).to.equal(5);
        // the test set is untouched
        expect(t.testIndices.length).to.equal(12);
      }
      // odd size: 7 → 4 + 3 (one class gets the extra example)
      const odd = build({ kind: 'split', setting: 'class', trainPerTask: 7 });
      for (const t of odd.tasks) {
        expect(t.trainIndices.length).to.equal(7);
        const counts = [...countByLabel(dataset.train, t.trainIndices).values()].sort();
        expect(counts).to.deep.equal([3, 4]);
      }
      // seeded: same seed same subsample, another seed another one
      const again = build({ kind: 'split', setting: 'class', trainPerTask: 10 });
      expect(again.tasks.map((t) => Array.from(t.trainIndices))).to.deep.equal(s.tasks.map((t) => Array.from(t.trainIndices)));
      const other = build({ kind: 'split', setting: 'class', trainPerTask: 10 }, 2);
      expect(other.tasks.map((t) => Array.from(t.trainIndices))).to.not.deep.equal(s.tasks.map((t) => Array.from(t.trainIndices)));
    });

    it('trainPerTask stays stratified with unequal class sizes (largest remainder, exact total)', () => {
      // task of 3 classes, 20 each = 60; 10 → 3.33 each → 4 + 3 + 3
      const s = build({ kind: 'split', setting: 'task', taskClasses: [[0, 1, 2]], trainPerTask: 10, testPerTask: 5 });
      const t = s.tasks[0];
      expect(t.trainIndices.length).to.equal(10);
      expect([...countByLabel(dataset.train, t.trainIndices).values()].sort()).to.deep.equal([3, 3, 4]);
      // test: 18 examples (6 a class) → 5 = 1.67 each → 2 + 2 + 1
      expect(t.testIndices.length).to.equal(5);
      expect([...countByLabel(dataset.test, t.testIndices).values()].sort()).to.deep.equal([1, 2, 2]);
      // asking for more than there is keeps everything
      const all = build({ kind: 'split', setting: 'task', trainPerTask: 1000 });
      expect(all.tasks[0].trainIndices.length).to.equal(40);
    });

    it('names the scenario <kind>-<dataset>-<setting> unless a name is given', () => {
      expect(build({ kind: 'split', setting: 'task' }).name).to.equal(`split-${DATASET}-task`);
      expect(build({ kind: 'split', setting: 'task', name: 'mine' }).name).to.equal('mine');
      expect(scenarioName({ dataset: 'idx:/data/fashion', kind: 'permuted', setting: 'domain' })).to.equal('permuted-idx-fashion-domain');
    });
  });

  describe('permuted', () => {
    it('defaults to 10 tasks; every task holds all classes and all examples', () => {
      const s = build({ kind: 'permuted', setting: 'domain' });
      expect(s.kind).to.equal('permuted');
      expect(s.tasks).to.have.length(10);
      for (const t of s.tasks) {
        expect(t.classes).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(t.trainIndices.length).to.equal(dataset.train.count);
        expect(t.testIndices.length).to.equal(dataset.test.count);
        expect(Array.from(t.trainIndices)).to.deep.equal(Array.from({ length: dataset.train.count }, (_, i) => i));
      }
    });

    it('each task has its own seeded permutation of 0..features-1', () => {
      const s = build({ kind: 'permuted', setting: 'domain', tasks: 4 });
      const perms = s.tasks.map((t) => Array.from(t.permutation!));
      for (const p of perms) expect(isPermutationOf(p, 16)).to.equal(true);
      const keys = new Set(perms.map((p) => p.join(',')));
      expect(keys.size).to.equal(4);
      expect(keys.has(Array.from({ length: 16 }, (_, i) => i).join(','))).to.equal(false);
      // same seed, same permutations (regardless of setting); another seed, other permutations
      const again = build({ kind: 'permuted', setting: 'class', tasks: 4 });
      expect(again.tasks.map((t) => Array.from(t.permutation!))).to.deep.equal(perms);
      const other = build({ kind: 'permuted', setting: 'domain', tasks: 4 }, 99);
      other.tasks.forEach((t, j) => expect(Array.from(t.permutation!)).to.not.deep.equal(perms[j]));
    });

    it('identityFirstTask leaves task 0 unpermuted', () => {
      const s = build({ kind: 'permuted', setting: 'domain', tasks: 3, identityFirstTask: true });
      expect(s.tasks[0].permutation).to.equal(null);
      expect(s.tasks[1].permutation).to.not.equal(null);
      expect(s.tasks[2].permutation).to.not.equal(null);
      expect(isPermutationOf(s.tasks[1].permutation!, 16)).to.equal(true);
      expect(Array.from(s.tasks[1].permutation!)).to.not.deep.equal(Array.from(s.tasks[2].permutation!));
    });

    it('domain-IL: 10 shared outputs, target = the class itself', () => {
      const s = build({ kind: 'permuted', setting: 'domain', tasks: 3 });
      expect(s.outputs).to.equal(10);
      for (const t of s.tasks) {
        expect(t.outputs).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expectTargets(t, new Map(t.classes.map((c) => [c, c])));
      }
    });

    for (const setting of ['task', 'class'] as const) {
      it(`${setting}-IL: 10·T outputs, task j owns block [10j, 10j+10)`, () => {
        const s = build({ kind: 'permuted', setting, tasks: 3 });
        expect(s.outputs).to.equal(30);
        s.tasks.forEach((t, j) => {
          expect(t.outputs).to.deep.equal(Array.from({ length: 10 }, (_, c) => 10 * j + c));
          expectTargets(t, new Map(t.classes.map((c) => [c, 10 * j + c])));
        });
      });
    }

    it('trainPerTask / testPerTask subsample each task (stratified, exact)', () => {
      const s = build({ kind: 'permuted', setting: 'domain', tasks: 2, trainPerTask: 50, testPerTask: 20 });
      for (const t of s.tasks) {
        expect(t.trainIndices.length).to.equal(50);
        expect(t.testIndices.length).to.equal(20);
        expect([...countByLabel(dataset.train, t.trainIndices).values()]).to.deep.equal(new Array(10).fill(5));
        expect([...countByLabel(dataset.test, t.testIndices).values()]).to.deep.equal(new Array(10).fill(2));
      }
    });

    it('rejects a non-positive or fractional task count', () => {
      thrown(() => build({ kind: 'permuted', setting: 'domain', tasks: 0 }), UserError);
      thrown(() => build({ kind: 'permuted', setting: 'domain', tasks: 1.5 }), UserError);
    });
  });
});
