/**
 * `clbench status` (store/progress.ts): each run's standing in a results folder as the next `clbench run`
 * would take it up — done, continuing from a checkpoint, replacing a failed or stale record, running now —
 * read without changing a byte of the folder.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunInterrupted } from '../../core/errors.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { createInterruptFlag, requestInterrupt } from '../../run/interrupt.js';
import { runJob, type RunEvent } from '../../run/runJob.js';
import { checkpointDir } from '../../store/checkpoint.js';
import { claimRun, currentOwner, releaseClaim } from '../../store/claim.js';
import { formatSuiteStatus, suiteStatus } from '../../store/progress.js';
import { recordPath, writeRecord } from '../../store/records.js';
import { runKey } from '../../store/runKey.js';
import type { RunRecord } from '../../results/record.js';
import type { Job } from '../../suite/suite.js';
import { clbench } from '../helpers/cli.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Every file under `dir` with its bytes: what status must leave as it found it. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return files;
}

describe('clbench status: where a suite stands in its results folder', function () {
  this.timeout(300000);
  let backend: BackendInfo;
  let jobs: Job[];
  let out: string;
  let done: RunRecord;
  before(async () => {
    backend = await useBackend('wasm');
    // seven runs of one suite, each left in another state below
    jobs = jobsOf(tinySuite({ seeds: [0, 1, 2, 3, 4, 5, 6] }));
    out = mkdtempSync(path.join(tmpdir(), 'clbench-status-'));
    mkdirSync(path.join(out, 'runs'));
    // seed 0: completed
    done = await runJob(jobs[0], { backend, checkpointDir: checkpointDir(out, jobs[0].id) });
    writeRecord(out, done);
    // seed 1: stopped as phase 3 starts, so its checkpoint is after phase 2
    const interrupt = createInterruptFlag();
    const onEvent = (e: RunEvent) => e.type === 'phase' && e.phase === 2 && requestInterrupt(interrupt);
    await runJob(jobs[1], { backend, checkpointDir: checkpointDir(out, jobs[1].id), interrupt, onEvent }).then(
      () => expect.fail('the run was not interrupted'),
      (error) => expect(error).to.be.instanceOf(RunInterrupted),
    );
    // seed 2: a failed record (its learner threw), no checkpoint
    writeRecord(out, { ...done, runId: jobs[2].id, seed: 2, key: runKey(jobs[2], 'wasm'), status: 'failed', error: 'Error: boom\n    at train (x.js:1:1)' });
    // seed 3: a record of other settings under its id (the suite's lr changed since)
    const before = jobsOf(tinySuite({ seeds: [3], training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.02 } }))[0];
    writeFileSync(recordPath(out, jobs[3].id), JSON.stringify({ ...done, runId: jobs[3].id, seed: 3, training: before.training, key: runKey(before, 'wasm') }));
    // seed 4: a checkpoint written for other settings
    mkdirSync(checkpointDir(out, jobs[4].id), { recursive: true });
    writeFileSync(path.join(checkpointDir(out, jobs[4].id), 'manifest.json'), readFileSync(path.join(checkpointDir(out, jobs[1].id), 'manifest.json')));
    // seed 5: nothing; and a record under a name the suite does not use
    writeFileSync(path.join(out, 'runs', 'old-name.json'), JSON.stringify(done));
    // seed 6: diverged in phase 3 (kept: it would diverge again), two rows of accuracies
    const accuracy = { ...done.accuracy, matrix: done.accuracy.matrix.slice(0, 2) };
    writeRecord(out, { ...done, runId: jobs[6].id, seed: 6, key: runKey(jobs[6], 'wasm'), status: 'diverged', diverged: { phase: 2, epoch: 0, step: 3, loss: 'NaN' }, accuracy });
  });

  it('says of each run what the next clbench run does with it, and changes nothing in the folder', () => {
    const files = snapshot(out);
    const status = suiteStatus(jobs, out, 'wasm');
    expect(snapshot(out)).to.deep.equal(files);
    const [completed, started, failed, stale, unusable, fresh, diverged] = status.runs;
    expect(completed).to.deep.equal({ runId: jobs[0].id, phases: 3, standing: { state: 'completed', phases: 3, trainSeconds: done.timings.trainSeconds } });
    expect(started.standing).to.include({ state: 'started', phases: 2 });
    expect(started.standing.state === 'started' && started.standing.trainSeconds).to.be.greaterThan(0);
    expect(failed.standing).to.deep.equal({ state: 'not started' });
    expect(failed.replaces).to.deep.equal({ state: 'failed', error: 'Error: boom' });
    expect(stale.standing).to.deep.equal({ state: 'not started' });
    expect(stale.replaces).to.deep.include({ state: 'stale' });
    expect(stale.replaces?.state === 'stale' && stale.replaces.why).to.contain('training.lr: 0.02 → 0.01');
    expect(unusable.standing).to.deep.equal({ state: 'not started' });
    expect(unusable.unusableCheckpoint).to.contain('run key differs');
    expect(fresh).to.deep.include({ runId: jobs[5].id, phases: 3, standing: { state: 'not started' } });
    expect(diverged.standing).to.deep.equal({ state: 'diverged', phases: 2, trainSeconds: done.timings.trainSeconds });
    expect(status.otherRecords).to.equal(1);
    expect(status.folderExists).to.equal(true);
  });

  it('estimates the training left: a checkpointed run at its own speed, the others at the speed measured in the folder', () => {
    const status = suiteStatus(jobs, out, 'wasm');
    const [completed, started, failed, stale, unusable, fresh, diverged] = status.runs;
    if (started.standing.state !== 'started') return expect.fail('seed 1 has no checkpoint');
    // every phase of these runs is 120 examples × 2 epochs: the third phase costs half the first two
    expect(started.estimate?.from).to.equal('this run');
    expect(started.estimate?.leftSeconds).to.be.closeTo(started.standing.trainSeconds / 2, 1e-9);
    // 3 + 2 phases measured (the completed run and the checkpoint; the diverged run's time is left out), 3 to go
    const perPhase = (done.timings.trainSeconds + started.standing.trainSeconds) / 5;
    for (const run of [failed, stale, unusable, fresh]) {
      expect(run.estimate?.from, run.runId).to.equal('other runs');
      expect(run.estimate?.leftSeconds, run.runId).to.be.closeTo(3 * perPhase, 1e-9);
    }
    expect(completed.estimate).to.equal(undefined);
    expect(diverged.estimate).to.equal(undefined);
    const text = formatSuiteStatus(status);
    const total = started.standing.trainSeconds / 2 + 4 * 3 * perPhase;
    expect(text).to.contain(`about ${Math.round(total)} s of training left, summed over runs`);
    expect(text.split('\n').find((l) => l.startsWith(jobs[5].id))).to.match(new RegExp(`  ${Math.round(3 * perPhase)} s \\*$`));
    expect(text).to.contain('* a run not started: at the speed of the runs measured in this folder');
  });

  it('says when the folder does not exist', () => {
    const missing = path.join(out, 'nowhere');
    const status = suiteStatus(jobs, missing, 'wasm');
    expect(status.folderExists).to.equal(false);
    expect(status.runs.every((r) => r.standing.state === 'not started' && !r.replaces && !r.unusableCheckpoint)).to.equal(true);
    expect(formatSuiteStatus(status)).to.contain(`${missing} does not exist: no run of this suite has started there (another --out?)`);
    expect(status.runs.every((r) => r.estimate === undefined)).to.equal(true);
    expect(formatSuiteStatus(status)).to.contain('no estimate for 7 run(s): no run of this suite has trained in this folder yet');
  });

  it('tells the runs done from those to continue in its table', () => {
    const text = formatSuiteStatus(suiteStatus(jobs, out, 'wasm'));
    const row = (job: Job) => text.split('\n').find((l) => l.startsWith(job.id))!.split(/ {2,}/);
    expect(row(jobs[0]).slice(1, 3)).to.deep.equal(['completed', '3/3']);
    expect(row(jobs[1]).slice(1, 3)).to.deep.equal(['checkpoint after phase 2', '2/3']);
    expect(row(jobs[2])[1]).to.equal('not started; replaces a failed record (Error: boom)');
    expect(row(jobs[6]).slice(1, 3)).to.deep.equal(['diverged', '2/3']);
    expect(row(jobs[4])[1]).to.contain('checkpoint unusable (it was written for other settings of this run (its run key differs)): starts over');
    expect(text).to.contain(`2 of 7 runs done, 1 continue from a checkpoint, 4 start from the beginning, 2 replace a failed or stale record (backend wasm, folder ${out})`);
    expect(text).to.contain('1 record(s) in runs/ under names this suite does not use');
  });

  it('names the process that holds a run now', () => {
    const claim = claimRun(out, jobs[5].id);
    if (!('claim' in claim)) return expect.fail('the run was held');
    try {
      const held = suiteStatus(jobs, out, 'wasm').runs[5];
      expect(held.heldBy?.where).to.equal('this host');
      expect(held.heldBy?.owner).to.contain(`pid ${process.pid}`);
    } finally {
      releaseClaim(claim.claim);
    }
    expect(suiteStatus(jobs, out, 'wasm').runs[5].heldBy).to.equal(undefined);
  });

  it('takes the time a run running now has spent in its current phase off its estimate, at most the phase', () => {
    const idle = suiteStatus(jobs, out, 'wasm').runs;
    const claims = [claimRun(out, jobs[1].id), claimRun(out, jobs[5].id)];
    try {
      if (!claims.every((c) => 'claim' in c)) return expect.fail('a run was held');
      const since = [jobs[1], jobs[5]].map((job) => Date.parse(currentOwner(out, job.id)!.since));
      const [started, fresh] = [idle[1], idle[5]];
      if (started.standing.state !== 'started') return expect.fail('seed 1 has no checkpoint');
      const phase3 = started.standing.trainSeconds / 2; // the estimate of the phase it is in
      const perPhase = fresh.estimate!.leftSeconds / 3;
      const spent = Math.min(phase3, perPhase) / 4;
      // both claimed at about the same moment; 'now' is `spent` seconds after the later claim (times in ms
      // since 1970 are exact to about 1e-7 s, hence the tolerance)
      const now = Math.max(...since) + spent * 1000;
      const running = suiteStatus(jobs, out, 'wasm', now).runs;
      expect(running[1].inPhase?.phase).to.equal(3);
      expect(running[1].inPhase?.seconds).to.be.closeTo(spent + (Math.max(...since) - since[0]) / 1000, 1e-6);
      expect(running[1].estimate?.leftSeconds).to.be.closeTo(started.estimate!.leftSeconds - running[1].inPhase!.seconds, 1e-6);
      expect(running[5].inPhase).to.deep.equal({ phase: 1, seconds: (now - since[1]) / 1000 });
      expect(running[5].estimate?.leftSeconds).to.be.closeTo(fresh.estimate!.leftSeconds - running[5].inPhase!.seconds, 1e-6);
      // a checkpoint saved after the process took the run up (it finished a phase since) starts the count anew
      const manifest = path.join(checkpointDir(out, jobs[1].id), 'manifest.json');
      const saved = statSync(manifest).mtime;
      const later = new Date(since[0] + 60_000);
      utimesSync(manifest, later, later);
      try {
        expect(suiteStatus(jobs, out, 'wasm', later.getTime() + 1500).runs[1].inPhase?.seconds).to.be.closeTo(1.5, 1e-3);
      } finally {
        utimesSync(manifest, saved, saved);
      }
      // a phase running past its estimate leaves the phases after it, never less
      const overdue = suiteStatus(jobs, out, 'wasm', now + 1e9).runs;
      expect(overdue[1].estimate?.leftSeconds).to.equal(0);
      expect(overdue[5].estimate?.leftSeconds).to.be.closeTo(2 * perPhase, 1e-6);
      const row = formatSuiteStatus(suiteStatus(jobs, out, 'wasm', now)).split('\n').find((l) => l.startsWith(jobs[1].id))!;
      expect(row).to.match(new RegExp(`running now \\(pid ${process.pid} on .+\\); \\d+ s into phase 3 `));
    } finally {
      for (const c of claims) if ('claim' in c) releaseClaim(c.claim);
    }
  });

  it('a checkpoint within a phase: where it is, its epochs counted as work done, the time since it off the rest of the phase', async () => {
    // 4 epochs a phase, stopped as phase 2's epoch 4 starts: its last checkpoint is within phase 2, after epoch 3
    const [job] = jobsOf(tinySuite({ training: { epochs: 4, batchSize: 16, optimizer: 'adam', lr: 0.01 } }));
    const folder = mkdtempSync(path.join(tmpdir(), 'clbench-status-within-'));
    const interrupt = createInterruptFlag();
    const onEvent = (e: RunEvent) => e.type === 'step' && e.phase === 1 && e.epoch === 3 && requestInterrupt(interrupt);
    await runJob(job, { backend, checkpointDir: checkpointDir(folder, job.id), interrupt, onEvent, withinPhaseCheckpointSeconds: 0 }).then(
      () => expect.fail('the run was not interrupted'),
      (error) => expect(error).to.be.instanceOf(RunInterrupted),
    );
    const progress = JSON.parse(readFileSync(path.join(checkpointDir(folder, job.id), 'manifest.json'), 'utf8')).progress;
    const [run] = suiteStatus([job], folder, 'wasm').runs;
    const trainSeconds = progress.trainSeconds + progress.phaseUnderWay.trainSeconds;
    expect(run.standing).to.deep.equal({ state: 'started', phases: 1, epochs: 3, trainSeconds, elapsedSeconds: progress.elapsedSeconds });
    // equal phases: 1¾ of 3 done in trainSeconds, 1¼ left
    expect(run.estimate?.leftSeconds).to.be.closeTo((trainSeconds * 1.25) / 1.75, 1e-9);
    const row = formatSuiteStatus(suiteStatus([job], folder, 'wasm')).split('\n').find((l) => l.startsWith(job.id))!.split(/ {2,}/);
    expect(row.slice(1, 3)).to.deep.equal(['checkpoint in phase 2 after epoch 3', '1/3']);
    const claim = claimRun(folder, job.id);
    if (!('claim' in claim)) return expect.fail('the run was held');
    try {
      const savedAt = statSync(path.join(checkpointDir(folder, job.id), 'manifest.json')).mtimeMs;
      const from = Math.max(savedAt, Date.parse(currentOwner(folder, job.id)!.since));
      const running = suiteStatus([job], folder, 'wasm', from + 2000).runs[0];
      expect(running.inPhase).to.deep.equal({ phase: 2, seconds: 2, sinceEpoch: 3 });
      expect(formatSuiteStatus(suiteStatus([job], folder, 'wasm', from + 2000))).to.contain('; 2 s past epoch 3 of phase 2');
      // at most the quarter of phase 2 still to train comes off: far past it, phase 3 is left
      expect(suiteStatus([job], folder, 'wasm', from + 1e9).runs[0].estimate?.leftSeconds).to.be.closeTo(trainSeconds / 1.75, 1e-9);
    } finally {
      releaseClaim(claim.claim);
    }
  });

  it('on another backend every record and checkpoint is of other settings', () => {
    const status = suiteStatus(jobs, out, 'cpu');
    expect(status.runs.filter((r) => r.standing.state !== 'not started')).to.deep.equal([]);
    expect(status.runs[0].replaces?.state === 'stale' && status.runs[0].replaces.why).to.contain('backend: "wasm" → "cpu"');
  });

  it('clbench status prints the table, or JSON with --json', () => {
    const file = path.join(out, '..', `${path.basename(out)}-suite.json`);
    writeFileSync(file, JSON.stringify(tinySuite({ seeds: [0, 1, 2, 3, 4, 5, 6] })));
    const text = clbench(['status', file, '--out', out, '--backend', 'wasm']);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.contain('2 of 7 runs done, 1 continue from a checkpoint');
    expect(text.stdout).to.contain(`to run the rest: clbench run ${file} --out ${out} --backend wasm\n`);
    const json = clbench(['status', file, '--out', out, '--backend', 'wasm', '--json']);
    expect(json.status, json.stderr).to.equal(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.suite).to.equal('tiny');
    expect(parsed.runs.map((r: { standing: { state: string } }) => r.standing.state)).to.deep.equal(['completed', 'started', 'not started', 'not started', 'not started', 'not started', 'diverged']);
  });
});
