/**
 * Runs a suite's jobs, in this thread or on a pool of worker threads, writes each record the moment its
 * run ends, then the leaderboard. A run that diverges or fails is recorded and the suite goes on.
 *
 * A results folder is resumable: runs whose records are still valid are kept, a killed run continues from
 * its last phase checkpoint, and processes sharing the folder claim runs one at a time (store/ledger.ts).
 * Suites that load plugins always run on the worker pool, where plugin code cannot end the suite (exec/pool.ts).
 * Runs another process on this host holds are waited for, so the leaderboard written at the end is whole.
 */
import path from 'node:path';
import os from 'node:os';
import { accuracyLongCsv } from '../results/accuracyLong.js';
import { leaderboardCsv } from '../results/csv.js';
import { writeTidyFiles } from '../results/tidyFiles.js';
import { buildLeaderboard, type LeaderboardRow } from '../results/leaderboard.js';
import { RunInterrupted } from '../core/errors.js';
import type { RunRecord } from '../results/record.js';
import { writeReport } from '../results/report/index.js';
import { writeFileAtomic } from '../core/files.js';
import { readRecords } from '../store/records.js';
import { useBackend, type BackendChoice, type BackendInfo } from '../backends/backend.js';
import { interruptRequested, type InterruptFlag } from '../run/interrupt.js';
import { SuiteLedger } from '../store/ledger.js';
import { describeOwner } from '../store/claim.js';
import { longestFirst } from '../suite/cost.js';
import { workersThatFit } from './poolSize.js';
import { runPool } from './pool.js';
import type { Progress } from './progress.js';
import { failedRunRecord, runJob } from '../run/runJob.js';
import type { Job } from '../suite/suite.js';

/** How often to look whether runs held by another process on this host are free again. */
const WAIT_POLL_MS = 300;

export interface SuiteRunOptions {
  outDir: string;
  backend: BackendChoice;
  progress: Progress;
  /** worker threads; 1 runs everything in this thread */
  workers: number;
  /** threads of the native backend's products in each run (default: the cores shared among the workers) */
  threads?: number;
  plugins: string[];
  /** redo every run: existing records move to runs/stale/, checkpoints are deleted (--fresh) */
  fresh?: boolean;
  /** results folders to copy records of identical runs from instead of running them (--reuse, store/reuse.ts) */
  reuse?: string[];
  /** the whole suite's fingerprint when `jobs` are one shard of it (results/identity.ts suiteFingerprint) */
  fingerprint?: string;
  /** set on Ctrl-C: running runs stop after their current step, none starts */
  interrupt?: InterruptFlag;
  /** messages about the folder (kept and stale records, runs held elsewhere); default: stderr */
  log?: (line: string) => void;
}

export interface SuiteRunResult {
  /** the records of the suite's runs that exist now (kept, written here, or by a process waited for) */
  records: RunRecord[];
  /** runs this process ran to a record */
  ran: number;
  /** stopped on request before every run had a record */
  interrupted: boolean;
  /** runs a process on another host still holds (their records are not in `records`) */
  elsewhere: { runId: string; owner: string }[];
  leaderboard: LeaderboardRow[];
  leaderboardPath: string;
  /** DIR/accuracy-long.csv: every accuracy of every completed run, one row each */
  accuracyLongPath: string;
  /** DIR/report.html; null when the folder holds no record yet (interrupted before any run ended) */
  reportPath: string | null;
}

export async function runSuite(jobs: Job[], options: SuiteRunOptions): Promise<SuiteRunResult> {
  const { progress, interrupt } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // The backend is part of every run key. A named one is known; 'auto' is known only once loaded, so it is
  // resolved here, and the workers then load exactly that one.
  const backend = options.backend === 'auto' ? ((await useBackend('auto')).name as BackendChoice) : options.backend;
  const ledger = new SuiteLedger(jobs, { outDir: options.outDir, backend, fresh: options.fresh === true, reuse: options.reuse, fingerprint: options.fingerprint, log });
  const queue = ledger.plan();
  const workers = workersThatFit(queue, Math.max(1, Math.min(options.workers, queue.length)), log);
  // One product thread a worker when several share the cores; a lone run may use them all.
  const threads = options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / workers));
  let ran = 0;
  let pending = queue;
  if (queue.length) progress.start(queue.length, workers);
  try {
    while (pending.length && !interruptRequested(interrupt)) {
      const pass = { jobs: pending, queue, ledger, progress, backend, workers, threads, options, onRecord: () => ran++ };
      // Plugin code runs only in worker threads, even with one worker: there its faults cost one run
      // (exec/worker.ts); in this thread they would end the suite.
      await (workers === 1 && options.plugins.length === 0 ? runInThread(pass) : runInPool(pass));
      // Runs another live process on this host holds: wait until it lets them go, then take them up.
      const waiting = ledger.heldHere(pending);
      if (waiting.length === 0 || interruptRequested(interrupt)) break;
      for (const line of waitMessages(waiting, ledger)) log(line);
      while (!waiting.some((j) => ledger.released(j)) && !interruptRequested(interrupt)) await sleep(WAIT_POLL_MS);
      pending = waiting;
    }
  } finally {
    if (queue.length) progress.stop();
    ledger.releaseAll();
  }
  const elsewhere = ledger.heldElsewhere(queue).filter(({ job }) => !ledger.records.has(job.id));
  for (const { job, owner } of elsewhere)
    log(`${job.id}: held by clbench ${owner}; its record appears in ${options.outDir}/runs when that process finishes (if it is gone, delete its lock in ${options.outDir}/locks)`);
  const records = jobs.flatMap((j) => ledger.records.get(j.id) ?? []);
  const interrupted = interruptRequested(interrupt) && queue.some((j) => !ledger.records.has(j.id));
  const written = writeLeaderboard(options.outDir);
  // the report comes last: the records and CSVs are on disk whatever happens to it
  const reportPath = written.leaderboard.length ? await writeReport(readRecords([options.outDir]), [options.outDir], path.join(options.outDir, 'report.html')) : null;
  return { records, ran, interrupted, elsewhere: elsewhere.map(({ job, owner }) => ({ runId: job.id, owner })), ...written, reportPath };
}

interface Pass {
  /** the jobs of this pass */
  jobs: Job[];
  /** every job this process may run, in order: progress numbers runs by their place here */
  queue: Job[];
  ledger: SuiteLedger;
  progress: Progress;
  /** the backend the runs use, by name */
  backend: BackendChoice;
  workers: number;
  threads: number;
  options: SuiteRunOptions;
  onRecord(): void;
}

async function runInThread({ jobs, queue, ledger, progress, backend: name, threads, options, onRecord }: Pass): Promise<void> {
  const backend = await useBackend(name, { threads });
  for (const job of jobs) {
    if (interruptRequested(options.interrupt)) return;
    if (!ledger.begin(job)) continue;
    const index = queue.indexOf(job);
    progress.jobStart(index, job, 0);
    try {
      const record = await runJob(job, { backend, onEvent: (e) => progress.event(index, 0, e), checkpointDir: ledger.checkpointDirOf(job), interrupt: options.interrupt });
      ledger.finish(job, record);
      onRecord();
      progress.jobEnd(index, 0, record);
    } catch (error) {
      if (error instanceof RunInterrupted) return;
      throw error;
    } finally {
      ledger.release(job);
    }
  }
}

async function runInPool({ jobs: suiteOrder, queue, ledger, progress, backend, workers, threads, options, onRecord }: Pass): Promise<void> {
  const slotOf = new Map<number, number>();
  // Records do not depend on the order runs start in, but the suite's wall time does.
  const jobs = longestFirst(suiteOrder);
  await runPool(jobs, {
    workers,
    backend,
    threads,
    plugins: options.plugins,
    interrupt: options.interrupt,
    claim: (i) => ledger.begin(jobs[i]),
    checkpointDirOf: (job) => ledger.checkpointDirOf(job),
    onStart: (i, slot) => {
      slotOf.set(i, slot);
      progress.jobStart(queue.indexOf(jobs[i]), jobs[i], slot);
    },
    onEvent: (i, slot, event) => progress.event(queue.indexOf(jobs[i]), slot, event),
    onRecord: (i, record) => {
      ledger.finish(jobs[i], record);
      onRecord();
      progress.jobEnd(queue.indexOf(jobs[i]), slotOf.get(i) ?? 0, record);
    },
    onInterrupted: (i) => ledger.release(jobs[i]),
    onLost: (i, slot, reason, info, startedAt) => {
      const record = failedRunRecord(jobs[i], info ?? unloadedBackend(backend), reason, startedAt);
      ledger.finish(jobs[i], record);
      onRecord();
      progress.jobEnd(queue.indexOf(jobs[i]), slot, record);
    },
  });
}

/** What a record says of a backend its worker died before loading (the run key needs only the name). */
function unloadedBackend(name: BackendChoice): BackendInfo {
  return { name, package: 'unknown', version: 'unknown', detail: 'the worker thread ended before it loaded the backend' };
}

/**
 * What a wait for another process's runs says: per owner, its runs, the lock file that claims them and how
 * to remove it should that process not be clbench running this folder (the wait ends by itself when the
 * process ends, store/claim.ts ownerState).
 */
function waitMessages(waiting: Job[], ledger: SuiteLedger): string[] {
  const byOwner = new Map<string, string[]>();
  for (const job of waiting) {
    const owner = describeOwner(ledger.heldBy.get(job.id)!);
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), ledger.heldLock.get(job.id)!]);
  }
  return [...byOwner].map(([owner, locks]) => {
    const shown = locks.slice(0, 3).join(' ') + (locks.length > 3 ? ` (and ${locks.length - 3} more)` : '');
    return `waiting for ${locks.length} run(s) that ${owner} holds on this folder (lock: ${shown}); if that is not a clbench run of this folder, stop this one and remove the lock: rm ${shown}`;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Rebuild DIR/leaderboard.csv, DIR/accuracy-long.csv and the tidy files (DIR/runs.csv, DIR/phases-long.csv,
 * DIR/options-long.csv) from every record in DIR/runs.
 */
export function writeLeaderboard(outDir: string): { leaderboard: LeaderboardRow[]; leaderboardPath: string; accuracyLongPath: string } {
  const records = readRecords([outDir]);
  const leaderboard = buildLeaderboard(records);
  const leaderboardPath = path.join(outDir, 'leaderboard.csv');
  writeFileAtomic(leaderboardPath, leaderboardCsv(leaderboard));
  const accuracyLongPath = path.join(outDir, 'accuracy-long.csv');
  writeFileAtomic(accuracyLongPath, accuracyLongCsv(records));
  writeTidyFiles(outDir, records, leaderboard);
  return { leaderboard, leaderboardPath, accuracyLongPath };
}
