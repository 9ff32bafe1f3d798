/**
 * Sharing and stopping: two `clbench run` processes on one results folder share its runs (each run once,
 * both end with the whole leaderboard), and Ctrl-C (SIGINT) stops a run after its current step with a
 * message saying how to resume — records and checkpoints intact, in this thread and with worker threads.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createProgress } from '../../exec/progress.js';
import { runSuite } from '../../exec/runSuite.js';
import { measured, startClbench, STACK_LINE, until, validRecords } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const SUITE = tinySuite({ learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }], seeds: [0, 1], training: { epochs: 3, batchSize: 16, optimizer: 'adam', lr: 0.01 } });
const IDS = jobsOf(SUITE).map((j) => j.id);
/**
 * Ten phases a run: Ctrl-C, sent when the first checkpoint (phase 1) appears, finds every run with phases
 * left to do however slow the machine (a run is one per worker, so each is interrupted mid-way).
 */
const longSuite = (seeds: number[]) =>
  tinySuite({
    scenario: { dataset: 'synthetic:classes=20,features=16,trainPerClass=40,testPerClass=10,spread=25', kind: 'split', tasks: 10, setting: 'task' },
    learners: [{ name: 'ewc', options: { lambda: 10 } }],
    seeds,
    training: { epochs: 8, batchSize: 16, optimizer: 'adam', lr: 0.01 },
  });

/** Run ids a process started, from its progress lines ("[2/4] <run id>: start"). */
function started(stderr: string): string[] {
  return [...stderr.matchAll(/^\[\d+\/\d+\] (\S+): start$/gm)].map((m) => m[1]);
}

function checkpointManifests(out: string): string[] {
  const dir = path.join(out, 'checkpoints');
  return existsSync(dir) ? readdirSync(dir).filter((run) => existsSync(path.join(dir, run, 'manifest.json'))) : [];
}

describe('sharing a results folder, and stopping with Ctrl-C', function () {
  this.timeout(300000);
  let dir: string;
  let ref: Map<string, unknown>;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-share-'));
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(SUITE));
    writeFileSync(path.join(dir, 'long-1.json'), JSON.stringify(longSuite([0])));
    writeFileSync(path.join(dir, 'long-2.json'), JSON.stringify(longSuite([0, 1])));
    const out = path.join(dir, 'reference');
    await runSuite(jobsOf(SUITE), { outDir: out, backend: 'wasm', progress: createProgress('quiet'), workers: 1, plugins: [], log: () => {} });
    ref = new Map([...validRecords(out)].map(([id, r]) => [id, measured(r)]));
  });

  const expectReference = (out: string) => {
    const records = validRecords(out);
    expect([...records.keys()].sort()).to.deep.equal([...IDS].sort());
    for (const [id, record] of records) expect(measured(record), id).to.deep.equal(ref.get(id));
  };

  it('two processes on one folder run each run once, and both end with the whole leaderboard', async () => {
    const args = ['run', 'suite.json', '--out', 'shared', '--backend', 'wasm', '--workers', '1'];
    const [a, b] = await Promise.all([startClbench(args, { cwd: dir }).done, startClbench(args, { cwd: dir }).done]);
    expect(a.status, a.stderr).to.equal(0);
    expect(b.status, b.stderr).to.equal(0);
    const [byA, byB] = [started(a.stderr), started(b.stderr)];
    expect([...byA, ...byB].sort(), 'every run started exactly once').to.deep.equal([...IDS].sort());
    // each printed the leaderboard with both seeds of both learners, also the one that finished first
    for (const result of [a, b]) for (const learner of ['naive', 'ewc\\(lambda=10\\)']) expect(result.stdout).to.match(new RegExp(`${learner}\\s+2\\s`));
    expectReference(path.join(dir, 'shared'));
    expect(readdirSync(path.join(dir, 'shared', 'locks')), 'every claim was given back').to.deep.equal([]);
  });

  for (const workers of [1, 2]) {
    it(`Ctrl-C stops after the current step and says how to resume (${workers === 1 ? 'in this thread' : 'two worker threads'})`, async () => {
      const out = `interrupted-${workers}`;
      const ids = jobsOf(longSuite(workers === 1 ? [0] : [0, 1])).map((j) => j.id);
      const running = startClbench(['run', `long-${workers}.json`, '--out', out, '--backend', 'wasm', '--workers', String(workers), '--fresh'], { cwd: dir });
      await until(() => checkpointManifests(path.join(dir, out)).length > 0, 120000, 'a first phase checkpoint');
      // with two workers either run may write the first checkpoint: what was there must still be there
      const checkpointed = checkpointManifests(path.join(dir, out));
      running.child.kill('SIGINT');
      const stopped = await running.done;
      expect(stopped.status, stopped.stderr).to.equal(130);
      expect(stopped.stderr).to.contain('stopping after the current step').and.to.not.match(STACK_LINE);
      const resume = /resume with: clbench (.+)$/m.exec(stopped.stderr);
      expect(resume, stopped.stderr).to.not.equal(null);
      expect(resume![1], 'the resume command drops --fresh').to.equal(`run long-${workers}.json --out ${out} --backend wasm --workers ${workers}`);
      expect(validRecords(path.join(dir, out)).size, 'no run finished').to.equal(0);
      expect(checkpointManifests(path.join(dir, out)), 'the interrupted runs keep their checkpoints').to.include.members(checkpointed).and.not.be.empty;

      const resumed = await startClbench(resume![1].split(' '), { cwd: dir }).done;
      expect(resumed.status, resumed.stderr).to.equal(0);
      expect(resumed.stderr).to.match(/resumed after phase \d from its checkpoint/);
      const records = validRecords(path.join(dir, out));
      expect([...records.keys()].sort()).to.deep.equal([...ids].sort());
      expect([...records.values()].every((r) => r.status === 'completed')).to.equal(true);
    });
  }
});
