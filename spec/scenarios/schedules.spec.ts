import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { taskExamples } from '../../scenarios/examples.js';
import {
  PRECURSOR_TABLE,
  countByTask,
  phaseTotals,
  rehearsalSchedule,
  resolveSchedule,
  scheduleCounts,
  scheduleLabel,
  type ScheduleSpec,
} from '../../scenarios/schedules.js';
import type { ExampleSet, Scenario } from '../../scenarios/types.js';
import { syntheticScenario, thrown } from '../helpers/tf.js';

/** Ten tasks of full-MNIST size, the precursor's setting (reference/algorithms.md §1.2). */
const MNIST_SIZES = new Array<number>(10).fill(60000);
const N = 57927;

function counts(spec: ScheduleSpec, sizes: number[] = MNIST_SIZES): number[][] {
  return scheduleCounts(resolveSchedule(spec), sizes).counts;
}

/** Phase 10's row as the precursor's environments.py (archana53/power-law-for-CI) gives it: tasks 1..9, then the new task. */
function phase10(spec: ScheduleSpec): number[] {
  return counts(spec)[9];
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]) ** 2 / expected[i], 0);
}

function blocks(set: ExampleSet, tasks: number): number[][] {
  const out: number[][] = Array.from({ length: tasks }, () => []);
  set.taskIds.forEach((t, i) => out[t].push(set.indices[i]));
  return out;
}

describe('rehearsal schedules: resolving a suite’s schedule', () => {
  it('fills in each kind’s defaults', () => {
    expect(resolveSchedule({ kind: 'none' })).to.deep.equal({ kind: 'none', minPerTask: 0, minPerTaskMode: 'warn', sampling: 'phase' });
    expect(resolveSchedule({ kind: 'powerlaw' })).to.include({ alpha: 5.6, tau: 10 }).and.not.have.property('budgetFraction');
    expect(resolveSchedule({ kind: 'exponential', budgetFraction: 0.5 })).to.include({ beta: 1, budgetFraction: 0.5 });
    expect(resolveSchedule({ kind: 'powerlaw-compat', budgetFraction: 1 })).to.include({ alpha: 5 });
    expect(resolveSchedule({ kind: 'powerlaw-table' })).to.include({ nNew: N });
  });

  it('rejects parameters the kind does not use, and the compat rule’s own limits', () => {
    const beta = thrown(() => resolveSchedule({ kind: 'powerlaw', beta: 2 }, 'suite.json: schedule'), UserError);
    expect(beta.where).to.equal('suite.json: schedule.beta');
    expect(beta.message).to.contain("'beta' does not apply to the 'powerlaw' schedule");
    expect(beta.fix).to.contain('alpha, tau, budgetFraction');
    expect(() => resolveSchedule({ kind: 'full', budgetFraction: 1 })).to.throw(UserError, "'budgetFraction' does not apply");
    expect(() => resolveSchedule({ kind: 'powerlaw-compat' })).to.throw(UserError, 'needs a budget');
    expect(() => resolveSchedule({ kind: 'powerlaw-compat', alpha: 2, budgetFraction: 1 })).to.throw(UserError, 'alpha > 2');
    expect(() => resolveSchedule({ kind: 'uniform', nNew: 1.5 })).to.throw(UserError, 'positive integer');
  });

  it('labels every parameter that shapes the environment', () => {
    expect(scheduleLabel(resolveSchedule({ kind: 'none' }))).to.equal('none');
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw', budgetFraction: 0.1 }))).to.equal('powerlaw(alpha=5.6,tau=10,r=0.1)');
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw-compat', budgetFraction: 1 }))).to.equal('powerlaw-compat(precursor index rule,alpha=5,r=1)');
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw-table' }))).to.equal('powerlaw-table(precursor table)');
    expect(scheduleLabel(resolveSchedule({ kind: 'uniform', sampling: 'stochastic', minPerTask: 5, minPerTaskMode: 'clamp' }))).to.equal('uniform(min=5,stochastic)');
    // nNew shows unless it is the table's own; a minimum that only warns changes nothing, so it is not shown
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw-table', nNew: 1000 }))).to.equal('powerlaw-table(precursor table,nNew=1000)');
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw-table', nNew: 57927 }))).to.equal('powerlaw-table(precursor table)');
    expect(scheduleLabel(resolveSchedule({ kind: 'powerlaw', nNew: 57927 }))).to.equal('powerlaw(alpha=5.6,tau=10,nNew=57927)');
    expect(scheduleLabel(resolveSchedule({ kind: 'uniform', minPerTask: 5 }))).to.equal('uniform');
    expect(scheduleLabel(resolveSchedule({ kind: 'exponential', beta: 2 }))).to.equal('exponential(beta=2)');
  });

  it('takes nNew = 1 and refuses 0, naming the field', () => {
    expect(resolveSchedule({ kind: 'uniform', nNew: 1 }).nNew).to.equal(1);
    const error = thrown(() => resolveSchedule({ kind: 'uniform', nNew: 0 }), UserError);
    expect([error.message, error.where]).to.deep.equal(['must be a positive integer, got 0', 'schedule.nNew']);
  });
});

describe('rehearsal schedules: the count matrix n[p][j] against the precursor code’s tables', () => {
  const table = PRECURSOR_TABLE.slice(0, 10);
  const phaseSizes = [57927, 91896, 112763, 126092, 134894, 140875, 145042, 148010, 150165, 151757];

  it('powerlaw-table reproduces the precursor’s unrestricted table and phase sizes exactly', () => {
    const n = counts({ kind: 'powerlaw-table' });
    expect(n[9]).to.deep.equal([...table].reverse());
    expect(phaseTotals(n)).to.deep.equal(phaseSizes);
    n.forEach((row, p) => row.forEach((v, j) => (j > p ? expect(v).to.equal(0) : expect(v).to.equal(table[p - j]))));
  });

  it('the formula preset N·(1 + k/10)^(−5.6) is within ±1 of every table entry', () => {
    const n = counts({ kind: 'powerlaw', alpha: 5.6, tau: 10, nNew: N });
    n.forEach((row, p) => {
      for (let j = 0; j <= p; j++) expect(Math.abs(row[j] - table[p - j]), `phase ${p + 1}, task ${j + 1}`).to.be.at.most(1);
      expect(Math.abs(phaseTotals(n)[p] - phaseSizes[p])).to.be.at.most(p);
    });
  });

  it('budgeted phase-10 columns at r = 1: uniform, exponential (β = 1), the precursor’s index rule (α = 5)', () => {
    expect(phase10({ kind: 'uniform', budgetFraction: 1, nNew: N })).to.deep.equal([...new Array(9).fill(6436), N]);
    expect(phase10({ kind: 'exponential', beta: 1, budgetFraction: 1, nNew: N })).to.deep.equal([12, 33, 90, 246, 670, 1823, 4956, 13472, 36621, N]);
    expect(phase10({ kind: 'powerlaw-compat', alpha: 5, budgetFraction: 1, nNew: N })).to.deep.equal([1389, 2033, 2880, 3967, 5336, 7032, 9103, 11601, 14582, N]);
  });

  it('budgets: every phase rehearses at most R = floor(r·nNew), losing less than one example a past task', () => {
    for (const kind of ['uniform', 'exponential', 'powerlaw'] as const) {
      for (const r of [1, 0.5, 0.1]) {
        const n = counts({ kind, budgetFraction: r, nNew: 6000 }, new Array(10).fill(6000));
        const R = Math.floor(r * 6000);
        n.forEach((row, p) => {
          const rehearsal = row.slice(0, p).reduce((a, b) => a + b, 0);
          if (p > 0) expect(rehearsal, `${kind} r=${r} phase ${p + 1}`).to.be.within(R - p, R);
          expect(row[p]).to.equal(6000);
        });
      }
    }
  });

  it('budgeted power law: a past task’s share falls with its age, as (1 + k/τ)^(−α)', () => {
    const row = counts({ kind: 'powerlaw', alpha: 2, tau: 1, budgetFraction: 1, nNew: 100000 }, new Array(5).fill(100000))[4];
    // ages 4, 3, 2, 1: weights 1/25, 1/16, 1/9, 1/4, normalised to R = 100000
    const w = [1 / 25, 1 / 16, 1 / 9, 1 / 4];
    const sum = w.reduce((a, b) => a + b, 0);
    expect(row.slice(0, 4)).to.deep.equal(w.map((x) => Math.floor((100000 * x) / sum)));
  });

  it('none, full and the unrestricted uniform schedule; counts are capped at the task size', () => {
    const sizes = [50, 80, 100];
    expect(counts({ kind: 'none' }, sizes)).to.deep.equal([[50, 0, 0], [0, 80, 0], [0, 0, 100]]);
    expect(counts({ kind: 'full' }, sizes)).to.deep.equal([[50, 0, 0], [50, 80, 0], [50, 80, 100]]);
    expect(counts({ kind: 'uniform', nNew: 60 }, sizes)).to.deep.equal([[50, 0, 0], [50, 60, 0], [50, 60, 60]]);
    expect(counts({ kind: 'none', nNew: 40 }, sizes)).to.deep.equal([[40, 0, 0], [0, 40, 0], [0, 0, 40]]);
    const { warnings } = scheduleCounts(resolveSchedule({ kind: 'uniform', nNew: 60 }), sizes);
    expect(warnings.join('\n')).to.contain('nNew 60 is more than the training set of 1 task(s) (smallest 50)');
  });

  it('exponential with β = 2: n = round(nNew · e^(−k/2))', () => {
    // ages 1, 2: 1000·e^(−0.5) = 606.5 → 607, 1000·e^(−1) = 367.9 → 368
    expect(scheduleCounts(resolveSchedule({ kind: 'exponential', beta: 2, nNew: 1000 }), [1000, 1000, 1000]).counts).to.deep.equal([
      [1000, 0, 0],
      [607, 1000, 0],
      [368, 607, 1000],
    ]);
  });

  it('minPerTask: the warning names the least of several counts below it', () => {
    // phases 3 and 4 rehearse 26, 9, 24 (< 30): the least is 9, task 1 in phase 4
    const { warnings } = scheduleCounts(resolveSchedule({ kind: 'exponential', budgetFraction: 0.1, minPerTask: 30 }), [1000, 1000, 1000, 1000]);
    expect(warnings).to.deep.equal(['3 rehearsal count(s) are below minPerTask 30 (least: 9 of task 1 in phase 4); "minPerTaskMode": "clamp" raises them']);
  });

  it('minPerTask: a count equal to it is not below it', () => {
    expect(scheduleCounts(resolveSchedule({ kind: 'uniform', nNew: 50, minPerTask: 50 }), [100, 100]).warnings).to.deep.equal([]);
    expect(scheduleCounts(resolveSchedule({ kind: 'uniform', nNew: 50, minPerTask: 51 }), [100, 100]).warnings).to.have.length(1);
  });

  it('minPerTask warns (the precursor’s behaviour) or clamps', () => {
    const sizes = new Array(4).fill(1000);
    const warn = scheduleCounts(resolveSchedule({ kind: 'exponential', budgetFraction: 0.1, minPerTask: 20 }), sizes);
    // R = 100 split by e^(−k) over ages 3, 2, 1
    expect(warn.counts[3].slice(0, 3)).to.deep.equal([9, 24, 66]);
    expect(warn.warnings).to.have.length(1);
    expect(warn.warnings[0]).to.contain('1 rehearsal count(s) are below minPerTask 20 (least: 9 of task 1 in phase 4)');
    const clamp = scheduleCounts(resolveSchedule({ kind: 'exponential', budgetFraction: 0.1, minPerTask: 20, minPerTaskMode: 'clamp' }), sizes);
    expect(clamp.counts[3].slice(0, 3)).to.deep.equal([20, 24, 66]);
    expect(clamp.warnings).to.deep.equal([]);
  });

  it('the literal table stops at age 10: longer streams are a user error', () => {
    expect(() => counts({ kind: 'powerlaw-table' }, new Array(11).fill(60000))).not.to.throw();
    expect(() => counts({ kind: 'powerlaw-table' }, new Array(12).fill(60000))).to.throw(UserError, 'covers ages 0..10');
  });
});

describe('rehearsal schedules: drawing a phase’s examples', () => {
  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=2,features=4,trainPerClass=50,testPerClass=5', { kind: 'permuted', tasks: 4, setting: 'domain' });
  });

  it('none hands over exactly the new task’s examples, whatever the seed', () => {
    const schedule = rehearsalSchedule(resolveSchedule({ kind: 'none' }), scenario);
    for (let p = 0; p < 4; p++) for (const seed of [7, 8]) expect(schedule.phaseExamples(p, seed)).to.deep.equal(taskExamples(scenario, p));
  });

  it('full hands over every seen task whole', () => {
    const schedule = rehearsalSchedule(resolveSchedule({ kind: 'full' }), scenario);
    const set = schedule.phaseExamples(2, 7);
    const byTask = blocks(set, 4);
    for (let j = 0; j <= 2; j++) expect(byTask[j]).to.deep.equal(Array.from(scenario.tasks[j].trainIndices));
    expect(byTask[3]).to.deep.equal([]);
  });

  it('draws n[p][j] distinct examples of each task, from that task only', () => {
    const schedule = rehearsalSchedule(resolveSchedule({ kind: 'powerlaw', alpha: 1, tau: 1, nNew: 60 }), scenario);
    expect(schedule.counts[3]).to.deep.equal([15, 20, 30, 60]);
    for (let p = 0; p < 4; p++) {
      const set = schedule.phaseExamples(p, 7);
      expect(countByTask(set, 4)).to.deep.equal(schedule.counts[p]);
      blocks(set, 4).forEach((indices, j) => {
        expect(new Set(indices).size, `phase ${p + 1}, task ${j + 1}: without replacement`).to.equal(indices.length);
        const pool = new Set(scenario.tasks[j].trainIndices);
        expect(indices.every((i) => pool.has(i))).to.equal(true);
      });
    }
  });

  it('draws afresh every phase, and reproducibly from the seed, each phase on its own', () => {
    const schedule = rehearsalSchedule(resolveSchedule({ kind: 'uniform', nNew: 30 }), scenario);
    const draw = (seed: number) => [0, 1, 2, 3].map((p) => blocks(schedule.phaseExamples(p, seed), 4));
    const a = draw(7);
    // task 1 is rehearsed in phases 2, 3 and 4: three different subsets
    const task1 = [1, 2, 3].map((p) => [...a[p][0]].sort((x, y) => x - y).join());
    expect(new Set(task1).size).to.equal(3);
    expect(draw(7)).to.deep.equal(a);
    expect(draw(8)).not.to.deep.equal(a);
    // a run resumed at phase 4 draws what the uninterrupted run drew
    expect(blocks(schedule.phaseExamples(3, 7), 4)).to.deep.equal(a[3]);
  });

  it('stochastic: tasks in proportion to n[p][j] (chi-square), examples uniform within a task, with replacement', () => {
    const big = syntheticScenario('classes=2,features=4,trainPerClass=1000,testPerClass=5', { kind: 'permuted', tasks: 4, setting: 'domain' });
    const schedule = rehearsalSchedule(resolveSchedule({ kind: 'exponential', beta: 1, sampling: 'stochastic' }), big);
    const row = schedule.counts[3];
    expect(row).to.deep.equal([100, 271, 736, 2000]);
    const total = row.reduce((a, b) => a + b, 0);
    const observed: number[] = [0, 0, 0, 0];
    const bins = new Array<number>(10).fill(0);
    const position = new Map(Array.from(big.tasks[3].trainIndices, (index, k) => [index, k]));
    let duplicates = 0;
    const draws = 20;
    for (let d = 0; d < draws; d++) {
      const set = schedule.phaseExamples(3, 100 + d);
      expect(set.indices.length).to.equal(total);
      countByTask(set, 4).forEach((c, j) => (observed[j] += c));
      const newTask = blocks(set, 4)[3];
      duplicates += newTask.length - new Set(newTask).size;
      for (const index of newTask) bins[Math.floor((position.get(index)! * 10) / big.tasks[3].trainIndices.length)]++;
    }
    const expected = row.map((n) => n * draws);
    // df = 3: the 0.999 quantile is 16.27; drawing tasks uniformly instead would give a statistic in the thousands
    expect(chiSquare(observed, expected)).to.be.below(16.27);
    expect(chiSquare(observed, new Array(4).fill((total * draws) / 4))).to.be.above(1000);
    // df = 9: the 0.999 quantile is 27.88
    const binTotal = bins.reduce((a, b) => a + b, 0);
    expect(chiSquare(bins, new Array(10).fill(binTotal / 10))).to.be.below(27.88);
    expect(duplicates).to.be.greaterThan(0);
  });
});
