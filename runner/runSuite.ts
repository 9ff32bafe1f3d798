/**
 * Runs a suite's jobs, in this thread or on a pool of worker threads, writes each record the moment its
 * run ends, then the leaderboard. A run that diverges or fails is recorded and the suite goes on.
 */
import path from 'node:path';
import { leaderboardCsv } from '../results/csv.js';
import { buildLeaderboard, type LeaderboardRow } from '../results/leaderboard.js';
import type { RunRecord } from '../results/record.js';
import { readRecords, writeFileAtomic, writeRecord } from '../results/store.js';
import { useBackend, type BackendChoice } from './backend.js';
import { runPool } from './pool.js';
import type { Progress } from './progress.js';
import { runJob } from './runJob.js';
import type { Job } from './suite.js';

export interface SuiteRunOptions {
  outDir: string;
  backend: BackendChoice;
  progress: Progress;
  /** worker threads; 1 runs everything in this thread */
  workers: number;
  plugins: string[];
}

export interface SuiteRunResult {
  records: RunRecord[];
  leaderboard: LeaderboardRow[];
  leaderboardPath: string;
}

export async function runSuite(jobs: Job[], options: SuiteRunOptions): Promise<SuiteRunResult> {
  const { progress } = options;
  const records: RunRecord[] = [];
  const workers = Math.max(1, Math.min(options.workers, jobs.length));
  const finish = (index: number, slot: number, record: RunRecord) => {
    writeRecord(options.outDir, record);
    records.push(record);
    progress.jobEnd(index, slot, record);
  };
  progress.start(jobs.length, workers);
  try {
    if (workers === 1) {
      const backend = await useBackend(options.backend);
      for (const [index, job] of jobs.entries()) {
        progress.jobStart(index, job, 0);
        finish(index, 0, await runJob(job, { backend, onEvent: (e) => progress.event(index, 0, e) }));
      }
    } else {
      const slotOf = new Map<number, number>();
      await runPool(jobs, {
        workers,
        backend: options.backend,
        plugins: options.plugins,
        onStart: (index, slot) => {
          slotOf.set(index, slot);
          progress.jobStart(index, jobs[index], slot);
        },
        onEvent: (index, slot, event) => progress.event(index, slot, event),
        onRecord: (index, record) => finish(index, slotOf.get(index) ?? 0, record),
      });
    }
  } finally {
    progress.stop();
  }
  return { records, ...writeLeaderboard(options.outDir) };
}

/** Rebuild DIR/leaderboard.csv from every record in DIR/runs. */
export function writeLeaderboard(outDir: string): { leaderboard: LeaderboardRow[]; leaderboardPath: string } {
  const leaderboard = buildLeaderboard(readRecords([outDir]));
  const leaderboardPath = path.join(outDir, 'leaderboard.csv');
  writeFileAtomic(leaderboardPath, leaderboardCsv(leaderboard));
  return { leaderboard, leaderboardPath };
}
