/**
 * Where a suite stands in its results folder, read without changing anything (`clbench status`): for each
 * run, what `clbench run` with the same suite, folder and backend would do with it, and how far it got.
 * A suite that spans days or sessions (the 2 × 1000 GEM suite trains ~12 hours a run) needs this to be
 * visible without starting it.
 *
 * It judges records as resume does (./resume.ts) and reads checkpoints' manifests (./checkpoint.ts) and
 * lock files (./claim.ts); it renames, moves and deletes nothing, so records under older run ids, which
 * the next `clbench run` adopts (./adopt.ts), are only counted.
 *
 * The training time left is estimated from what was measured and each run's cost in example passes
 * (suite/cost.ts): a run with a checkpoint at its own speed so far (train seconds × passes left / passes
 * done), a run not started at the speed of the runs measured in the folder (seconds per pass × multiply-add).
 * A run running now on this host has the wall time it has spent in its current phase taken off, at most
 * that phase's estimate, so the estimate does not stand still for the ~80 minutes a GEM phase takes.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Job } from '../suite/suite.js';
import { forwardMultiplyAdds, runPhasePasses } from '../suite/cost.js';
import { cachedScenarios } from '../suite/jobInputs.js';
import { checkpointDir, checkpointProgress, checkpointSavedAt } from './checkpoint.js';
import { currentOwner, describeOwner, ownerState } from './claim.js';
import { runsDir } from './records.js';
import { judgeRecord } from './resume.js';
import { runKey } from './runKey.js';
import { alignColumns, groupedCount } from '../core/textTable.js';

/** How far a run got, and so where the next `clbench run` takes it up. */
export type RunStanding =
  /** a record that is kept (a diverged run is deterministic: it is not redone), with the phases it finished */
  | { state: 'completed' | 'diverged'; phases: number; trainSeconds: number }
  /**
   * a usable checkpoint: the run continues after phase `phases` (and, from a checkpoint within the next
   * phase, after `epochs` of its epochs); `trainSeconds` counts those epochs too
   */
  | { state: 'started'; phases: number; epochs?: number; trainSeconds: number; elapsedSeconds: number }
  /** neither: the run starts from its first phase */
  | { state: 'not started' };

export interface RunInFolder {
  runId: string;
  /** phases of the run (the scenario's tasks) */
  phases: number;
  standing: RunStanding;
  /** a record the run's next result replaces: its learner threw (failed), or it is of other settings or unreadable (stale) */
  replaces?: { state: 'failed'; error: string } | { state: 'stale'; why: string };
  /** a checkpoint that resume would refuse (the run starts over), and why */
  unusableCheckpoint?: string;
  /** the process holding the run's lock: running it now (this host) or on another host */
  heldBy?: { owner: string; where: 'this host' | 'another host' };
  /**
   * for a run running now on this host: the phase it is in and the wall seconds since it took that phase
   * up, or since its checkpoint within it (after epoch `sinceEpoch`): the later of its lock's time and its
   * checkpoint's save; another host's clock is not compared
   */
  inPhase?: { phase: number; seconds: number; sinceEpoch?: number };
  /**
   * training seconds left, estimated: from this run's own speed so far (a checkpoint), or from the speed of
   * the runs measured in the folder (not started); absent for a run done, or when nothing was measured yet
   */
  estimate?: { leftSeconds: number; from: 'this run' | 'other runs' };
}

export interface SuiteStatus {
  outDir: string;
  backend: string;
  runs: RunInFolder[];
  /** false when `outDir` does not exist (yet): every run is then not started */
  folderExists: boolean;
  /** records in runs/ under names this suite does not use (the next run adopts those whose keys match) */
  otherRecords: number;
}

/** The status of every run of `jobs` in `outDir`, for runs on `backend` (part of each run key). */
export function suiteStatus(jobs: Job[], outDir: string, backend: string, now = Date.now()): SuiteStatus {
  const scenarioOf = cachedScenarios();
  const runs = jobs.map((job): RunInFolder => {
    const key = runKey(job, backend);
    const status: RunInFolder = { runId: job.id, phases: scenarioOf(job).tasks.length, standing: { state: 'not started' } };
    const verdict = judgeRecord(outDir, job, key, backend);
    if (verdict.kind === 'keep') {
      const { record } = verdict;
      status.standing = { state: record.status === 'diverged' ? 'diverged' : 'completed', phases: record.accuracy.matrix.length, trainSeconds: record.timings.trainSeconds };
      return status;
    }
    if (verdict.kind === 'retry') status.replaces = { state: 'failed', error: firstLine(verdict.record.error ?? 'no error recorded') };
    if (verdict.kind === 'stale') status.replaces = { state: 'stale', why: verdict.why };
    // whatever the record, a checkpoint of this run key is where the run continues (run/startLearner.ts)
    const checkpoint = checkpointProgress(checkpointDir(outDir, job.id), key);
    if (checkpoint && 'problem' in checkpoint) status.unusableCheckpoint = checkpoint.problem;
    else if (checkpoint)
      status.standing = {
        state: 'started',
        phases: checkpoint.phases,
        ...(checkpoint.phaseUnderWay ? { epochs: checkpoint.phaseUnderWay.epochs } : {}),
        trainSeconds: checkpoint.trainSeconds + (checkpoint.phaseUnderWay?.trainSeconds ?? 0),
        elapsedSeconds: checkpoint.elapsedSeconds,
      };
    const owner = currentOwner(outDir, job.id);
    if (owner) status.heldBy = { owner: describeOwner(owner), where: ownerState(owner) === 'unknown' ? 'another host' : 'this host' };
    if (owner && !owner.unwritten && status.heldBy?.where === 'this host') {
      const startedAt = Math.max(Date.parse(owner.since), status.standing.state === 'started' ? (checkpointSavedAt(checkpointDir(outDir, job.id)) ?? 0) : 0);
      const phase = status.standing.state === 'started' ? status.standing.phases + 1 : 1;
      const sinceEpoch = status.standing.state === 'started' ? status.standing.epochs : undefined;
      if (Number.isFinite(startedAt)) status.inPhase = { phase, seconds: Math.max(0, (now - startedAt) / 1000), ...(sinceEpoch ? { sinceEpoch } : {}) };
    }
    return status;
  });
  const ids = new Set(jobs.map((j) => `${j.id}.json`));
  let names: string[] = [];
  try {
    names = existsSync(runsDir(outDir)) ? readdirSync(runsDir(outDir)) : [];
  } catch {}
  const otherRecords = names.filter((n) => n.endsWith('.json') && !n.startsWith('.') && !ids.has(n)).length;
  estimateTimeLeft(jobs, runs, scenarioOf);
  return { outDir, backend, runs, folderExists: existsSync(outDir), otherRecords };
}

/**
 * Sets each unfinished run's `estimate`. Work is example passes × forward multiply-adds (suite/cost.ts), so
 * runs of other widths and learners share one speed; a diverged run's time is left out of it (it stopped
 * within a phase).
 */
function estimateTimeLeft(jobs: Job[], runs: RunInFolder[], scenarioOf: ReturnType<typeof cachedScenarios>): void {
  const work = jobs.map((job) => {
    const scenario = scenarioOf(job);
    const perPass = forwardMultiplyAdds(job, scenario);
    return runPhasePasses(job, scenario).map((passes) => passes * perPass);
  });
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  let seconds = 0;
  let measured = 0;
  // the work a run has done: its finished phases and the epochs done of the next one (a checkpoint within it)
  const doneOf = (s: RunStanding, i: number) =>
    s.state === 'not started' ? 0 : sum(work[i].slice(0, s.phases)) + (s.state === 'started' && s.epochs ? ((work[i][s.phases] ?? 0) * s.epochs) / jobs[i].training.epochs : 0);
  runs.forEach((run, i) => {
    const s = run.standing;
    if (s.state !== 'completed' && s.state !== 'started') return;
    seconds += s.trainSeconds;
    measured += doneOf(s, i);
  });
  const folderSpeed = seconds > 0 && measured > 0 ? seconds / measured : null;
  runs.forEach((run, i) => {
    const s = run.standing;
    const done = s.state === 'started' ? doneOf(s, i) : 0;
    const speed = s.state === 'started' && s.trainSeconds > 0 && done > 0 ? s.trainSeconds / done : s.state === 'not started' ? folderSpeed : null;
    if (speed === null) return; // a run done, or nothing measured yet
    const left = sum(work[i]) - done;
    // a run running now is part-way through its current phase: that much of the phase is not left (at most
    // what was left of it, when the phase runs longer than its estimate)
    const phase = s.state === 'started' ? s.phases : 0;
    const leftOfPhase = sum(work[i].slice(0, phase + 1)) - done;
    const spent = Math.min(run.inPhase?.seconds ?? 0, speed * leftOfPhase);
    run.estimate = { leftSeconds: speed * left - spent, from: s.state === 'started' ? 'this run' : 'other runs' };
  });
}

/** One line a run, then what the next `clbench run` would do, for the terminal. */
export function formatSuiteStatus(status: SuiteStatus): string {
  const rows = status.runs.map((run) => [run.runId, describeStanding(run), progressOf(run), trainOf(run.standing), leftOf(run)]);
  const header = ['run', 'state', 'phases', 'train s', 'left (est.)'];
  const rule = header.map((h, i) => '-'.repeat(Math.max(h.length, ...rows.map((r) => r[i].length))));
  const count = (states: RunStanding['state'][]) => status.runs.filter((r) => states.includes(r.standing.state)).length;
  const summary = [`${count(['completed', 'diverged'])} of ${status.runs.length} runs done`];
  const started = count(['started']);
  if (started) summary.push(`${started} continue from a checkpoint`);
  const fresh = count(['not started']);
  if (fresh) summary.push(`${fresh} start from the beginning`);
  const replacing = status.runs.filter((r) => r.replaces).length;
  if (replacing) summary.push(`${replacing} replace a failed or stale record`);
  const lines = [...alignColumns([header, rule, ...rows], 2), '', `${summary.join(', ')} (backend ${status.backend}, folder ${status.outDir})`];
  lines.push(...timeLeftLines(status.runs));
  if (!status.folderExists) lines.push(`${status.outDir} does not exist: no run of this suite has started there (another --out?)`);
  if (status.otherRecords) lines.push(`${status.otherRecords} record(s) in runs/ under names this suite does not use: the next clbench run renames those whose run keys are this suite's (and leaves the rest)`);
  return lines.join('\n');
}

function describeStanding(run: RunInFolder): string {
  const s = run.standing;
  const parts = [s.state !== 'started' ? s.state : s.epochs ? `checkpoint in phase ${s.phases + 1} after epoch ${s.epochs}` : `checkpoint after phase ${s.phases}`];
  if (run.replaces) parts.push(run.replaces.state === 'failed' ? `replaces a failed record (${run.replaces.error})` : `replaces a stale record (${run.replaces.why})`);
  if (run.unusableCheckpoint) parts.push(`checkpoint unusable (${run.unusableCheckpoint}): starts over`);
  if (run.heldBy) parts.push(run.heldBy.where === 'this host' ? `running now (${run.heldBy.owner})` : `held by ${run.heldBy.owner} (another host)`);
  if (run.inPhase) parts.push(run.inPhase.sinceEpoch ? `${duration(run.inPhase.seconds)} past epoch ${run.inPhase.sinceEpoch} of phase ${run.inPhase.phase}` : `${duration(run.inPhase.seconds)} into phase ${run.inPhase.phase}`);
  return parts.join('; ');
}

/** Phases finished of the run's phases (a diverged run stopped in the phase after its last row). */
function progressOf(run: RunInFolder): string {
  return `${run.standing.state === 'not started' ? 0 : run.standing.phases}/${run.phases}`;
}

function trainOf(s: RunStanding): string {
  return s.state === 'completed' || s.state === 'diverged' || s.state === 'started' ? groupedCount(s.trainSeconds) : '';
}

/** The estimate's column: '11.3 h', '14 min', '40 s'; '*' marks one from the other runs' speed. */
function leftOf(run: RunInFolder): string {
  return run.estimate ? `${duration(run.estimate.leftSeconds)}${run.estimate.from === 'other runs' ? ' *' : ''}` : '';
}

/** The training time left in all, what it rests on, and the runs without an estimate. */
function timeLeftLines(runs: RunInFolder[]): string[] {
  const unfinished = runs.filter((r) => r.standing.state === 'started' || r.standing.state === 'not started');
  if (unfinished.length === 0) return [];
  const estimated = unfinished.filter((r) => r.estimate);
  const lines: string[] = [];
  if (estimated.length) {
    const total = estimated.reduce((a, r) => a + r.estimate!.leftSeconds, 0);
    const of = estimated.length === unfinished.length ? '' : ` for ${estimated.length} of the ${unfinished.length} runs not done`;
    lines.push(`about ${duration(total)} of training left${of}, summed over runs (parallel workers share it), estimated from the train time measured so far and each run's example passes (clbench schedule)`);
    if (estimated.some((r) => r.estimate!.from === 'other runs')) lines.push('* a run not started: at the speed of the runs measured in this folder (per example pass and multiply-add)');
  }
  const without = unfinished.length - estimated.length;
  if (without) lines.push(`no estimate for ${without} run(s): no run of this suite has trained in this folder yet`);
  return lines;
}

/** Seconds as '40 s', '14 min' or '11.3 h'. */
function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** An error's first line: a stack or a long message does not belong in a table row. */
function firstLine(text: string): string {
  return text.split('\n')[0];
}
