/**
 * Crashes: the real command killed with SIGKILL — at an exact point (right after a phase-2 checkpoint,
 * the way Avalanche tests its checkpointing) and at random moments — never leaves an invalid record,
 * and running it again completes the suite with exactly the records and leaderboard of a run never killed.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '../../core/random.js';
import { createProgress } from '../../exec/progress.js';
import { runSuite } from '../../exec/runSuite.js';
import { leaderboardWithoutTimings, measured, startClbench, until, validRecords } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Records of `suite` run in this process, never interrupted: the reference. */
async function reference(suite: Record<string, unknown>): Promise<string> {
  const out = mkdtempSync(path.join(tmpdir(), 'clbench-reference-'));
  await runSuite(jobsOf(suite), { outDir: out, backend: 'wasm', progress: createProgress('quiet'), workers: 1, plugins: [], log: () => {} });
  return out;
}

function expectSameRecords(out: string, ref: string): void {
  const [got, want] = [validRecords(out), validRecords(ref)];
  expect([...got.keys()].sort()).to.deep.equal([...want.keys()].sort());
  for (const [id, record] of want) expect(measured(got.get(id)!), id).to.deep.equal(measured(record));
}

/** Every checkpoint manifest in the folder is whole JSON (they are written atomically). */
function expectWholeCheckpoints(out: string): void {
  const dir = path.join(out, 'checkpoints');
  if (!existsSync(dir)) return;
  for (const run of readdirSync(dir)) {
    const manifest = path.join(dir, run, 'manifest.json');
    if (existsSync(manifest)) expect(() => JSON.parse(readFileSync(manifest, 'utf8')), manifest).to.not.throw();
  }
}

describe('crash safety of `clbench run`', function () {
  this.timeout(300000);

  it('a run killed right after its phase-2 checkpoint continues from it, with the same record as a run never killed (EWC, replay)', async () => {
    const suite = tinySuite({
      learners: [
        { name: 'ewc', options: { lambda: 50, fisher: 'sampled', fisherSamples: 20 } },
        { name: 'replay', options: { policy: 'reservoir', capacity: 30, mix: 'concat', replayBatchSize: 8 } },
      ],
    });
    const ref = await reference(suite);
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-crash-'));
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
    const args = ['run', 'suite.json', '--out', 'out', '--backend', 'wasm', '--workers', '1'];
    // Each attempt crashes in the first run that finishes its phase 2 afresh: the EWC run, then the replay run.
    const signals: (string | null)[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await startClbench(args, { cwd: dir, env: { CLBENCH_CRASH_AFTER_PHASE: '2' } }).done;
      signals.push(result.signal);
      if (attempt > 0) expect(result.stderr).to.match(/resumed after phase 2 from its checkpoint/);
      if (result.status === 0) break;
      validRecords(path.join(dir, 'out'));
    }
    expect(signals).to.deep.equal(['SIGKILL', 'SIGKILL', null]);
    expectSameRecords(path.join(dir, 'out'), ref);
    expect(readdirSync(path.join(dir, 'out', 'checkpoints')), 'checkpoints are deleted with the record').to.deep.equal([]);
  });

  it('SIGKILL at random moments never leaves an invalid record, and the rerun gives the leaderboard of a run never killed', async () => {
    const suite = tinySuite({
      scenario: { dataset: 'synthetic:classes=8,features=16,trainPerClass=40,testPerClass=10,spread=25', kind: 'split', tasks: 4, setting: 'task' },
      learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }],
      seeds: [0, 1],
    });
    const ref = await reference(suite);
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-kill-'));
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
    const rng = new Rng(7, 'kill-moments');
    let killed = 0;
    for (let k = 0; k < 6; k++) {
      // in this thread, then with two worker threads, by turns
      const running = startClbench(['run', 'suite.json', '--out', 'out', '--backend', 'wasm', '--workers', String(1 + (k % 2))], { cwd: dir });
      // A moment measured in progress (2–12 lines of output), not time, so that every attempt gets a little
      // further on a fast machine as on a slow one; plus 0–50 ms so it lands anywhere between two lines
      // (training, evaluation, a checkpoint or record being written, start-up).
      const lines = 2 + rng.int(11);
      await until(() => running.child.exitCode !== null || running.stderr().split('\n').length > lines, 120000, `${lines} lines of output`);
      await new Promise((resolve) => setTimeout(resolve, rng.int(50)));
      if (running.child.exitCode === null && running.child.kill('SIGKILL')) killed++;
      await running.done;
      validRecords(path.join(dir, 'out'));
      expectWholeCheckpoints(path.join(dir, 'out'));
    }
    expect(killed, 'kills that hit a running process').to.be.greaterThan(2);
    const last = await startClbench(['run', 'suite.json', '--out', 'out', '--backend', 'wasm', '--workers', '2'], { cwd: dir }).done;
    expect(last.status, last.stderr).to.equal(0);
    expectSameRecords(path.join(dir, 'out'), ref);
    expect(leaderboardWithoutTimings(path.join(dir, 'out'))).to.deep.equal(leaderboardWithoutTimings(ref));
  });
});
