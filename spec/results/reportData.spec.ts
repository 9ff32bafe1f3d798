import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import {
  accuracyHeatMap,
  averageAccuracyBand,
  commonTaskCount,
  costPoints,
  facilitationPerTask,
  groupByScenario,
  meanOfMatrices,
  rehearsalCountPanels,
  taskAccuracyCurves,
  type ScenarioGroup,
} from '../../results/report/data.js';
import { recordSchema } from '../../results/record.js';
import { validateWithSchema } from '../../core/schema.js';
import { makeRecord, scheduleOf, toyRecords } from './records.js';

const close = (actual: number | null, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);

describe('report data preparation', () => {
  // built before each test, not in the describe body: so mutation testing (npm run mutate) sees which test
  // reaches the leaderboard and metric code, instead of counting it as run at load time
  let records: ReturnType<typeof toyRecords>;
  let scenario: ScenarioGroup;
  let naive: ScenarioGroup['learners'][number];
  let replay: ScenarioGroup['learners'][number];
  let joint: ScenarioGroup['learners'][number];
  beforeEach(() => {
    records = toyRecords();
    [scenario] = groupByScenario(records);
    [naive, replay, joint] = scenario.learners;
  });

  it('uses hand-made records that pass the run-record schema', () => {
    for (const r of records) validateWithSchema(recordSchema, r, r.runId);
  });

  it('groups runs by scenario and learner in leaderboard order, completed runs only', () => {
    expect(groupByScenario(records).map((g) => g.scenario)).to.deep.equal(['split-toy-task']);
    expect(scenario.learners.map((l) => l.name)).to.deep.equal(['naive', 'replay(α=1) with a long label to test truncation', 'joint']);
    // the diverged naive run is counted in the row, not averaged
    expect(naive.runs.map((r) => r.seed)).to.deep.equal([0, 1]);
    expect(naive.row.diverged).to.equal(1);
  });

  // Changed with run identity (issue 16): a scenario of two suites is two sections, each titled with its
  // suite, so no best value is marked across suites and no heading speaks for the other suite's runs.
  it('gives each suite its own section when records of several suites share a scenario', () => {
    const other = makeRecord({ matrix: [[0.5]], learner: 'naive' });
    other.suite = 'other';
    const mixed = groupByScenario([makeRecord({ matrix: [[0.7]] }), other]);
    expect(mixed.map((g) => g.title)).to.deep.equal(['split-toy-task (suite other)', 'split-toy-task (suite toy)']);
    expect(mixed.map((g) => g.learners.map((l) => l.name))).to.deep.equal([['naive'], ['naive']]);
  });

  it('names a learner with its config id when one label of a suite stands for runs of two settings', () => {
    const wide = makeRecord({ matrix: [[0.5]], learner: 'naive' });
    wide.model = { ...wide.model, hidden: [64] };
    const [group] = groupByScenario([makeRecord({ matrix: [[0.7]] }), wide]);
    expect(group.learners.map((l) => l.name)).to.have.length(2);
    for (const l of group.learners) expect(l.name).to.match(/^naive \[[0-9a-f]{6}\]$/);
  });

  it('averages accuracy matrices cell by cell and refuses different sizes', () => {
    const [[a, b]] = meanOfMatrices([[[0.2, 0.4]], [[0.4, 0.8]]]);
    close(a, 0.3);
    close(b, 0.6);
    expect(() => meanOfMatrices([[[1]], [[1, 1]]])).to.throw(/different sizes/);
    expect(() => commonTaskCount([makeRecord({ matrix: [[1, 1], [1, 1]] }), makeRecord({ matrix: [[1]] })])).to.throw(UserError, /not 2 × 2/);
  });

  it('heat map: the mean matrix over seeds, with the untrained row as phase 0', () => {
    const cells = accuracyHeatMap(naive.runs);
    expect(cells).to.have.length(12);
    const at = (phase: number, task: number) => cells.find((c) => c.afterPhase === phase && c.task === task)!.accuracy;
    close(at(0, 1), 0.5); // (0.5 + 0.5) / 2
    close(at(0, 2), 0.5); // (0.4 + 0.6) / 2
    close(at(1, 1), 0.85); // (0.9 + 0.8) / 2
    close(at(2, 1), 0.4); // (0.3 + 0.5) / 2
    close(at(3, 3), 0.8); // (0.9 + 0.7) / 2
  });

  it('heat map: no phase-0 row when a run did not measure the untrained model', () => {
    const cells = accuracyHeatMap([makeRecord({ matrix: [[0.9, 0.1], [0.5, 0.8]] })]);
    expect(cells.map((c) => c.afterPhase)).to.deep.equal([1, 1, 2, 2]);
  });

  it('band: average accuracy on seen tasks per phase, mean and min–max over seeds', () => {
    const band = averageAccuracyBand(naive.runs);
    // seed 0: A = 0.9, (0.3 + 0.95)/2 = 0.625, (0.1 + 0.2 + 0.9)/3 = 0.4; seed 1: 0.8, 0.675, 1.4/3
    expect(band.map((b) => b.phase)).to.deep.equal([1, 2, 3]);
    close(band[0].mean, 0.85);
    close(band[0].min, 0.8);
    close(band[0].max, 0.9);
    close(band[0].std, Math.sqrt(0.005));
    close(band[1].mean, 0.65);
    close(band[1].min, 0.625);
    close(band[1].max, 0.675);
    close(band[2].mean, (0.4 + 1.4 / 3) / 2);
    expect(band.every((b) => b.seeds === 2)).to.equal(true);
  });

  it('band: a single seed has a zero-width band and no std (null: no spread measured)', () => {
    const [point] = averageAccuracyBand([makeRecord({ matrix: [[0.7]] })]);
    expect([point.mean, point.min, point.max, point.std]).to.deep.equal([0.7, 0.7, 0.7, null]);
  });

  it('task curves: each task from the phase that trained it to the end, mean over seeds', () => {
    const points = taskAccuracyCurves(naive.runs);
    const curve = (task: number) => points.filter((p) => p.task === task).map((p) => [p.afterPhase, Number(p.accuracy.toFixed(6))]);
    expect(curve(1)).to.deep.equal([[1, 0.85], [2, 0.4], [3, 0.2]]);
    expect(curve(2)).to.deep.equal([[2, 0.9], [3, 0.3]]);
    expect(curve(3)).to.deep.equal([[3, 0.8]]);
  });

  it('facilitation: first-epoch accuracy and epochs to criterion over the seeds that reached it', () => {
    const points = facilitationPerTask(naive.runs, 0.9)!;
    // seed 0 reaches 0.9 after epochs 3, 2, 2; seed 1 never does
    expect(points.map((p) => [p.task, p.epochsToCriterion, p.notReached, p.seeds])).to.deep.equal([
      [1, 3, 1, 2],
      [2, 2, 1, 2],
      [3, 2, 1, 2],
    ]);
    close(points[0].firstEpochAccuracy, 0.55);
    close(points[2].firstEpochAccuracy, 0.675);
    // θ = 0.65: seed 0 after epochs 2, 1, 1; seed 1 after 2, 2, 3
    expect(facilitationPerTask(naive.runs, 0.65)!.map((p) => [p.epochsToCriterion, p.notReached])).to.deep.equal([[2, 0], [1.5, 0], [2, 0]]);
  });

  it('facilitation: null when a run did not record its new-task curves', () => {
    expect(facilitationPerTask([makeRecord({ matrix: [[0.9]] })], 0.9)).to.equal(null);
  });

  it('rehearsal counts: one panel per distinct schedule, none without a rehearsal schedule', () => {
    const panels = rehearsalCountPanels(scenario.learners);
    expect(panels.map((p) => p.name)).to.deep.equal([replay.name, 'joint']);
    expect(panels[0].cells.find((c) => c.phase === 3 && c.task === 1)!.count).to.equal(20);
    // joint's 'full' schedule alone is not a schedule suite
    expect(rehearsalCountPanels([joint, naive])).to.deep.equal([]);
    // learners that agree share one panel
    const twin = { name: 'twin', runs: replay.runs };
    expect(rehearsalCountPanels([replay, twin]).map((p) => p.name)).to.deep.equal(['all learners']);
    // mean over seeds
    const seeds = [makeRecord({ matrix: [[1, 0], [1, 1]], schedule: scheduleOf([[10, 0], [4, 10]]) }), makeRecord({ seed: 1, matrix: [[1, 0], [1, 1]], schedule: scheduleOf([[10, 0], [6, 10]]) })];
    expect(rehearsalCountPanels([{ name: 'x', runs: seeds }])[0].cells.map((c) => c.count)).to.deep.equal([10, 0, 5, 10]);
  });

  it('cost: final accuracy (mean, std) beside examples and seconds per run', () => {
    const points = costPoints(scenario.learners);
    expect(points.map((p) => [p.learner, p.examplesTrained, p.trainSeconds])).to.deep.equal([
      ['naive', 900, 1.5],
      [replay.name, 1230, 3],
      ['joint', 1800, 4.5],
    ]);
    close(points[0].accuracyMean, (0.4 + 1.4 / 3) / 2);
    close(points[2].accuracyMean, (2.8 / 3 + 2.65 / 3) / 2);
  });
});
