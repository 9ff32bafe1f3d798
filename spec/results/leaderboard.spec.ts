/** The leaderboard's rows from records: grouping, the joint reference of intransigence, counts, order. */
import { expect } from 'chai';
import { buildLeaderboard } from '../../results/leaderboard.js';
import type { RunRecord } from '../../results/record.js';
import { makeRecord } from './records.js';

/** 2 tasks: intransigence = a*_2 − R[1][1] (the second task only). */
const diag = (first: number, second: number) => [
  [first, 0.1],
  [0.5, second],
];

describe('leaderboard rows', () => {
  it('intransigence uses the completed joint run of the same suite, scenario and seed, and no other', () => {
    const records: RunRecord[] = [
      // decoys first, so a looser match would find them before the real reference
      makeRecord({ learner: 'joint', seed: 0, matrix: diag(0.9, 0.2), status: 'diverged' }),
      { ...makeRecord({ learner: 'joint', seed: 0, matrix: diag(0.9, 0.3) }), suite: 'other' },
      makeRecord({ learner: 'joint', scenario: 'split-toy-class', seed: 0, matrix: diag(0.9, 0.4) }),
      makeRecord({ learner: 'joint-like', learnerName: 'naive', seed: 0, matrix: diag(0.9, 0.45) }),
      makeRecord({ learner: 'joint', seed: 1, matrix: diag(0.9, 0.7), position: [0, 1] }),
      makeRecord({ learner: 'joint', seed: 0, matrix: diag(0.9, 0.95), position: [0, 1] }),
      makeRecord({ learner: 'naive', seed: 0, matrix: diag(0.9, 0.75) }),
      makeRecord({ learner: 'naive', seed: 1, matrix: diag(0.9, 0.6) }),
    ];
    const naive = buildLeaderboard(records).find((r) => r.suite === 'toy' && r.scenario === 'split-toy-task' && r.learner === 'naive')!;
    // seed 0: 0.95 − 0.75 = 0.2; seed 1: 0.7 − 0.6 = 0.1 (the std tells the pairing: swapped seeds give the same mean)
    expect(naive.metrics.intransigence.mean).to.be.closeTo(0.15, 1e-12);
    expect(naive.metrics.intransigence.std).to.be.closeTo(0.05 * Math.SQRT2, 1e-12);
    const alone = buildLeaderboard(records.filter((r) => r.learner.name !== 'joint'));
    expect(alone.find((r) => r.learner === 'naive')!.metrics.intransigence.mean).to.equal(null);
  });

  it("scores epochs to criterion at each record's own criterion", () => {
    const curves = [[0.5, 0.8], [0.7, 0.9]];
    const rows = buildLeaderboard([makeRecord({ matrix: diag(0.8, 0.9), newTaskCurves: curves, criterion: 0.8 })]);
    // θ = 0.8: both tasks reach it at epoch 2; at the default 0.9 task 1 never would (one not reached)
    expect(rows[0].metrics.epochs_to_criterion.mean).to.equal(2);
    expect(rows[0].metrics.criterion_not_reached.mean).to.equal(0);
  });

  // Changed with run identity (issue 16): the backend is part of a run's config (its numbers differ bit for
  // bit), so runs of two backends are two rows now, not one row 'cpu+wasm'.
  it('counts diverged and failed runs apart, keeps backends apart, and keeps a published source', () => {
    const cpu = makeRecord({ seed: 0, matrix: diag(0.9, 0.8), published: { mean: 0.9, std: 0.01 } as never });
    const wasm = { ...makeRecord({ seed: 1, matrix: diag(0.9, 0.8) }), backend: { name: 'wasm', package: 'x', version: '1', detail: '' } } as RunRecord;
    const failed = makeRecord({ seed: 2, matrix: diag(0.9, 0.8), status: 'failed' });
    const diverged = makeRecord({ seed: 3, matrix: [[0.9, 0.1]], status: 'diverged' });
    const [row, other] = buildLeaderboard([cpu, wasm, failed, diverged]).sort((a, b) => a.backend.localeCompare(b.backend));
    expect([row.seeds, row.diverged, row.failed]).to.deep.equal([1, 1, 1]);
    expect(row.backend).to.equal('cpu');
    expect([other.backend, other.seeds]).to.deep.equal(['wasm', 1]);
    expect(row.published).to.deep.equal({ mean: 0.9, std: 0.01, source: '' });
    const sourced = buildLeaderboard([makeRecord({ matrix: diag(0.9, 0.8), published: { mean: 0.9, std: null, source: 'paper' } as never })]);
    expect(sourced[0].published).to.deep.equal({ mean: 0.9, std: null, source: 'paper' });
  });

  it('orders rows by scenario, then learner entry, whatever the order of the records', () => {
    const at = (learner: string, position: [number, number]) => makeRecord({ learner, position, matrix: diag(0.9, 0.8) });
    const rows = buildLeaderboard([at('c', [1, 0]), at('b', [0, 2]), at('a', [0, 1]), at('d', [1, 1]), at('e', [0, 0])]);
    expect(rows.map((r) => r.learner)).to.deep.equal(['e', 'a', 'b', 'c', 'd']);
  });
});
