/**
 * Helpers for the crash, resume and bad-input specs: the clbench command as a child process that can be
 * killed or interrupted, results-folder checks, and leaderboards without their timing column.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { RunRecord } from '../../results/record.js';
import { readRecord } from '../../store/records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../cli/clbench.js');

export interface Finished {
  /** exit code; null when a signal ended the process */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
  /** stderr so far */
  stderr(): string;
}

/** Start `clbench args` (asynchronously, so the test can kill or interrupt it). */
export function startClbench(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

/** Resolves once `condition()` holds (checked every 25 ms); rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 60000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Every `DIR/runs/*.json`, each parsed and validated against the record schema (readRecord throws on a
 * truncated or invalid one), by run id.
 */
export function validRecords(outDir: string): Map<string, RunRecord> {
  const dir = path.join(outDir, 'runs');
  const records = new Map<string, RunRecord>();
  if (!existsSync(dir)) return records;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    const record = readRecord(path.join(dir, name));
    records.set(record.runId, record);
  }
  return records;
}

/** What a run measured (not when or how fast), for comparing a resumed run with an uninterrupted one. */
export function measured(record: RunRecord): unknown {
  return { key: record.key, status: record.status, diverged: record.diverged, accuracy: record.accuracy, examples: record.examplesPerPhase, tasks: record.tasks, schedule: record.schedule };
}

/** Leaderboard rows without the column that measures time. */
export function leaderboardWithoutTimings(outDir: string): Record<string, string>[] {
  const rows = parse(readFileSync(path.join(outDir, 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.map(({ train_seconds: _t, ...rest }) => rest);
}

/** A stack trace line ("    at f (file.js:1:2)") anywhere in `text`. */
export const STACK_LINE = /^\s+at .+/m;
