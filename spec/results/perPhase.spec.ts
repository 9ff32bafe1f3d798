import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { leaderboardCsv } from '../../results/csv.js';
import { phasesLongCsv } from '../../results/tidy.js';
import { buildLeaderboard } from '../../results/leaderboard.js';
import { averageAccuracyCurveMean, examplesPerPhaseMean, meanSeries } from '../../results/perPhase.js';
import type { RunRecord } from '../../results/record.js';

/** A completed two-task run with just the fields a leaderboard reads (identity and summaries included). */
function record(seed: number, matrix: number[][], examplesPerPhase: number[], schedule: string | null): RunRecord {
  return {
    runId: `pm__${schedule ?? 'none'}__seed${seed}`,
    suite: 's',
    scenario: { name: 'pm', setting: 'domain', dataset: 'synthetic', kind: 'permuted' },
    tasks: [{ name: 't1', classes: [0, 1], train: 10, test: 10 }, { name: 't2', classes: [0, 1], train: 10, test: 10 }],
    model: { hidden: [8] },
    training: { epochs: 1, batchSize: 8, optimizer: 'sgd', lr: 0.1 },
    versions: { clbench: '0.1.0' },
    learner: { name: 'naive', label: schedule ? `naive+${schedule}` : 'naive', options: {} },
    seed,
    status: 'completed',
    accuracy: { matrix, initial: [0.1, 0.1], newTaskCurves: [[matrix[0][0]], [matrix[1][1]]] },
    evaluation: { batchSize: 1000, criterion: 0.9 },
    examplesPerPhase,
    timings: { trainSeconds: 1, evalSeconds: 0, totalSeconds: 1, phaseSeconds: [0.5, 0.5] },
    backend: { name: 'cpu' },
    published: null,
    position: [0, 0],
    ...(schedule ? { schedule: { label: schedule, spec: {}, counts: [], drawn: null, warnings: [] } } : {}),
  } as unknown as RunRecord;
}

describe('per-phase leaderboard series', () => {
  it('averages equally long series element-wise', () => {
    expect(meanSeries([[1, 2, 3], [3, 4, 5]])).to.deep.equal([2, 3, 4]);
    expect(meanSeries([])).to.equal(null);
  });

  it('the average accuracy over seen tasks after every phase, and examples per phase, averaged over seeds', () => {
    const runs = [record(0, [[0.9, 0.1], [0.5, 0.8]], [100, 300], 'uniform(r=1)'), record(1, [[0.7, 0.2], [0.7, 0.9]], [100, 500], 'uniform(r=1)')];
    // A_1 = R[1][1]; A_2 = (R[2][1] + R[2][2]) / 2
    expect(averageAccuracyCurveMean(runs)).to.deep.equal([0.8, (0.65 + 0.8) / 2]);
    expect(examplesPerPhaseMean(runs)).to.deep.equal([100, 400]);
  });

  // Changed with the tidy CSVs (issue 16): the per-phase lists left the leaderboard CSV for phases-long.csv,
  // one row per (run, phase); their means per config are a groupby away.
  it('puts the schedule and the total cost in the leaderboard CSV, the per-phase curve and cost in phases-long.csv', () => {
    const runs = [record(0, [[0.9, 0.1], [0.5, 0.8]], [100, 300], 'uniform(r=1)'), record(1, [[0.7, 0.2], [0.7, 0.9]], [100, 500], 'uniform(r=1)'), record(0, [[1, 0], [0, 1]], [100, 100], null)];
    const rows = parse(leaderboardCsv(buildLeaderboard(runs)), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.learner, r.schedule])).to.deep.equal([['naive', 'none'], ['naive+uniform(r=1)', 'uniform(r=1)']].sort((a, b) => a[0].localeCompare(b[0])));
    const uniform = rows.find((r) => r.schedule === 'uniform(r=1)')!;
    expect(uniform).to.not.have.property('average_accuracy_curve');
    expect(uniform.examples_trained).to.equal('500');
    const phases = (parse(phasesLongCsv(runs), { columns: true, cast: true }) as Record<string, string | number>[]).filter((p) => p.config_id === uniform.config_id);
    const mean = (phase: number, column: string) => phases.filter((p) => p.phase === phase).reduce((sum, p) => sum + Number(p[column]), 0) / 2;
    expect(mean(1, 'average_accuracy')).to.be.closeTo(0.8, 1e-12);
    expect(mean(2, 'average_accuracy')).to.be.closeTo(0.725, 1e-12);
    expect([mean(1, 'examples_trained'), mean(2, 'examples_trained')]).to.deep.equal([100, 400]);
  });
});
