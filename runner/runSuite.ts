/**
 * Runs a suite's jobs, writes each record the moment its run ends, then the leaderboard. A run that
 * diverges or fails is recorded and the suite goes on.
 */
import path from 'node:path';
import { leaderboardCsv } from '../results/csv.js';
import { buildLeaderboard, type LeaderboardRow } from '../results/leaderboard.js';
import type { RunRecord } from '../results/record.js';
import { readRecords, writeFileAtomic, writeRecord } from '../results/store.js';
import { useBackend, type BackendChoice } from './backend.js';
import type { Progress } from './progress.js';
import { runJob } from './runJob.js';
import type { Job } from './suite.js';

export interface SuiteRunOptions {
  outDir: string;
  backend: BackendChoice;
  progress: Progress;
}

export interface SuiteRunResult {
  records: RunRecord[];
  leaderboard: LeaderboardRow[];
  leaderboardPath: string;
}

export async function runSuite(jobs: Job[], options: SuiteRunOptions): Promise<SuiteRunResult> {
  const backend = await useBackend(options.backend);
  const records: RunRecord[] = [];
  try {
    for (const [i, job] of jobs.entries()) {
      options.progress.jobStart(i, jobs.length, job);
      const record = await runJob(job, { backend, onEvent: (e) => options.progress.event(e) });
      writeRecord(options.outDir, record);
      records.push(record);
      options.progress.jobEnd(record);
    }
  } finally {
    options.progress.stop();
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
