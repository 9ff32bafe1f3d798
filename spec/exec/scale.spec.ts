import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecords } from '../../store/records.js';
import { resolveShard, selectShard } from '../../suite/shard.js';
import { UserError } from '../../core/errors.js';
import { clbench } from '../helpers/cli.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Leaderboard rows without the columns that measure time. */
function leaderboardWithoutTimings(dir: string): Record<string, string>[] {
  const rows = parse(readFileSync(path.join(dir, 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.map(({ train_seconds: _t, ...rest }) => rest);
}

function accuracies(dirs: string[]): Record<string, unknown> {
  return Object.fromEntries(readRecords(dirs).map((r) => [r.runId, { accuracy: r.accuracy, examples: r.examplesPerPhase, status: r.status }]));
}

describe('many cores and many machines', function () {
  this.timeout(600000);
  const suite = tinySuite({ learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }, { name: 'joint' }], seeds: [0, 1] });
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-scale-'));
    file = path.join(dir, 'suite.json');
    writeFileSync(file, JSON.stringify(suite));
  });

  it('--workers 2 writes the same records and leaderboard as --workers 1', () => {
    const one = clbench(['run', file, '--out', path.join(dir, 'one'), '--workers', '1']);
    const two = clbench(['run', file, '--out', path.join(dir, 'two'), '--workers', '2']);
    expect(one.status, one.stderr).to.equal(0);
    expect(two.status, two.stderr).to.equal(0);
    expect(two.stderr).to.contain('2 worker(s)');
    expect(accuracies([path.join(dir, 'two')])).to.deep.equal(accuracies([path.join(dir, 'one')]));
    expect(leaderboardWithoutTimings(path.join(dir, 'two'))).to.deep.equal(leaderboardWithoutTimings(path.join(dir, 'one')));
  });

  it('three shards, run separately and merged, give exactly the unsharded records and leaderboard', () => {
    const whole = path.join(dir, 'one');
    const shards = [0, 1, 2].map((i) => path.join(dir, `shard${i}`));
    shards.forEach((out, i) => {
      const r = clbench(['run', file, '--out', out, '--shard', `${i}/3`, '--workers', '1']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.contain(`shard ${i}/3 from --shard`);
    });
    const merged = path.join(dir, 'merged');
    const m = clbench(['leaderboard', ...shards, '--csv', path.join(merged, 'leaderboard.csv')]);
    expect(m.status, m.stderr).to.equal(0);
    expect(accuracies(shards)).to.deep.equal(accuracies([whole]));
    expect(leaderboardWithoutTimings(merged)).to.deep.equal(leaderboardWithoutTimings(whole));
  });

  it('reads the shard from Slurm and Kubernetes variables', () => {
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).to.deep.include({ index: 2, count: 4 });
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' })).to.deep.include({ index: 2, count: 3 });
    expect(resolveShard(undefined, 5, { JOB_COMPLETION_INDEX: '4' })).to.deep.include({ index: 4, count: 5 });
    expect(resolveShard('1/2', undefined, { JOB_COMPLETION_INDEX: '4' })).to.deep.include({ index: 1, count: 2, source: '--shard' });
    expect(resolveShard(undefined, undefined, {})).to.equal(null);
    expect(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).to.throw(UserError, 'number of shards');
    expect(() => resolveShard('3/3', undefined, {})).to.throw(UserError, 'out of range');
    expect(() => resolveShard('a/b', undefined, {})).to.throw(UserError, 'i/n');
  });

  it('shards partition the jobs', () => {
    const jobs = jobsOf(suite);
    const parts = [0, 1, 2].map((index) => selectShard(jobs, { index, count: 3, source: 'test' }).map((j) => j.id));
    expect(parts.flat().sort()).to.deep.equal(jobs.map((j) => j.id).sort());
    expect(new Set(parts.flat()).size).to.equal(jobs.length);
  });
});
