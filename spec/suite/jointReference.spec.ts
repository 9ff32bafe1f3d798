/**
 * The intransigence reference when a scenario has two joint runs (with and without a pre-trained backbone,
 * as in slca-split-mnist): each run is compared with the joint run of its own model and training, or the one
 * the suite names, never with whichever record comes first.
 */
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { buildLeaderboard } from '../../results/leaderboard.js';
import type { RunRecord } from '../../results/record.js';
import { runKey } from '../../store/runKey.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { makeRecord } from '../results/records.js';

const BACKBONE = { hidden: [16], dense: 'fast', backbone: 'backbones/b.json', backboneSha256: 'ab' } as RunRecord['model'];

function withModel(record: RunRecord, model: RunRecord['model'], lr?: number): RunRecord {
  return { ...record, model, training: lr === undefined ? record.training : { ...record.training, lr } };
}

/** Two tasks; intransigence = a*_2 − R[2][2] (one term). */
function records(): RunRecord[] {
  return [
    // sorts first: the joint run without pre-training, a*_2 = 0.5
    makeRecord({ learner: 'joint (no pre-training)', learnerName: 'joint', matrix: [[0.7, 0], [0.6, 0.5]], position: [0, 3] }),
    // the pre-trained joint run, a*_2 = 0.8
    withModel(makeRecord({ learner: 'joint', learnerName: 'joint', matrix: [[0.9, 0.1], [0.9, 0.8]], position: [0, 2] }), BACKBONE),
    withModel(makeRecord({ learner: 'slca', learnerName: 'slca', matrix: [[0.9, 0], [0.5, 0.6]], position: [0, 0] }), BACKBONE),
    makeRecord({ learner: 'slca (no pre-training)', learnerName: 'slca', matrix: [[0.9, 0], [0.5, 0.3]], position: [0, 1] }),
  ];
}

const intransigenceOf = (rows: ReturnType<typeof buildLeaderboard>, label: string) => rows.find((r) => r.learner === label)!.metrics.intransigence.mean;

describe('intransigence reference with two joint runs', () => {
  it('compares each run with the joint run of the same model (backbone included) and training, whatever the record order', () => {
    for (const order of [records(), records().reverse()]) {
      const rows = buildLeaderboard(order);
      expect(intransigenceOf(rows, 'slca')).to.be.closeTo(0.8 - 0.6, 1e-12);
      expect(intransigenceOf(rows, 'slca (no pre-training)')).to.be.closeTo(0.5 - 0.3, 1e-12);
      // a joint run is its own reference
      expect(intransigenceOf(rows, 'joint')).to.equal(0);
      expect(intransigenceOf(rows, 'joint (no pre-training)')).to.equal(0);
    }
  });

  it('is an error naming both candidates and the fix when no joint run matches and the suite names none', () => {
    const other = withModel(makeRecord({ learner: 'sgd', learnerName: 'naive', matrix: [[0.9, 0], [0.5, 0.4]], position: [0, 4] }), BACKBONE, 0.5);
    let caught: unknown;
    try {
      buildLeaderboard([...records(), other]);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(UserError);
    const error = caught as UserError;
    expect(error.message).to.contain("'sgd'").and.to.contain("'joint'").and.to.contain("'joint (no pre-training)'").and.to.contain('ambiguous');
    expect(error.fix).to.contain('"intransigenceReference": true');
  });

  it('uses the joint run the suite names when no joint run matches', () => {
    const other = withModel(makeRecord({ learner: 'sgd', learnerName: 'naive', matrix: [[0.9, 0], [0.5, 0.4]], position: [0, 4] }), BACKBONE, 0.5);
    const named = records().map((r) => (r.learner.label === 'joint' ? { ...r, intransigenceReference: true } : r));
    const rows = buildLeaderboard([...named, other]);
    expect(intransigenceOf(rows, 'sgd')).to.be.closeTo(0.8 - 0.4, 1e-12);
    // a run with a matching joint run keeps it
    expect(intransigenceOf(rows, 'slca (no pre-training)')).to.be.closeTo(0.5 - 0.3, 1e-12);
  });

  it('uses the only joint run of a scenario and seed for runs with other training settings', () => {
    const [, joint] = records();
    const other = withModel(makeRecord({ learner: 'sgd', learnerName: 'naive', matrix: [[0.9, 0], [0.5, 0.4]], position: [0, 4] }), BACKBONE, 0.5);
    expect(intransigenceOf(buildLeaderboard([joint, other]), 'sgd')).to.be.closeTo(0.8 - 0.4, 1e-12);
  });
});

describe('suite field intransigenceReference', () => {
  const twoJoints = (extra: Record<string, unknown> = {}) =>
    tinySuite({
      learners: [
        { name: 'naive', training: { lr: 0.05 } },
        { name: 'joint', label: 'joint (wide)', model: { hidden: [64] } },
        { name: 'joint', label: 'joint (narrow)', model: { hidden: [8] }, ...extra },
      ],
    });

  it('an ambiguous suite fails validation, before anything runs, with the candidates and the fix', () => {
    expect(() => jobsOf(twoJoints())).to.throw(UserError, /'naive' on scenario .* is ambiguous.*'joint \(wide\)'.*'joint \(narrow\)'/);
  });

  it('naming one joint entry resolves it; the flag reaches the jobs and leaves run keys unchanged', () => {
    const jobs = jobsOf(twoJoints({ intransigenceReference: true }));
    const narrow = jobs.find((j) => j.learner.label === 'joint (narrow)')!;
    expect(narrow.intransigenceReference).to.equal(true);
    expect(jobs.find((j) => j.learner.label === 'joint (wide)')!.intransigenceReference).to.equal(undefined);
    const { intransigenceReference: _flag, ...unflagged } = narrow;
    expect(runKey(narrow, 'cpu')).to.equal(runKey(unflagged, 'cpu'));
  });

  it('only a joint entry can be named, and only one a scenario', () => {
    expect(() => jobsOf(tinySuite({ learners: [{ name: 'naive', intransigenceReference: true }] }))).to.throw(UserError, /only a 'joint' entry/);
    const two = tinySuite({
      learners: [
        { name: 'joint', label: 'a', intransigenceReference: true },
        { name: 'joint', label: 'b', model: { hidden: [8] }, intransigenceReference: true },
      ],
    });
    expect(() => jobsOf(two)).to.throw(UserError, /2 joint entries are named/);
  });
});
