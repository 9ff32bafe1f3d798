/**
 * Records and checkpoints under file names the suite no longer uses — ids from before run ids had a hash
 * (suite/runId.ts), a renamed label or suite — are found by what they hold, not by name: one whose key
 * (recomputed from its own settings, ../results/identity.ts) is the key of a run that has none is renamed
 * to that run's id, so upgrading clbench or renaming a label never redoes hours of finished runs.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../core/errors.js';
import { recordKey } from '../results/identity.js';
import type { RunRecord } from '../results/record.js';
import type { Job } from '../suite/suite.js';
import { legacyRunId } from '../suite/runId.js';
import { checkpointDir } from './checkpoint.js';
import { readRecord, recordPath, runsDir, writeRecord } from './records.js';

/** Rename what `jobs` can adopt in `outDir`; returns how many records and checkpoints were renamed. */
export function adoptRenamed(outDir: string, jobs: Job[], keyOf: (job: Job) => string): { records: number; checkpoints: number } {
  const ids = new Set(jobs.map((j) => j.id));
  const byKey = new Map<string, Job[]>();
  for (const job of jobs) {
    const key = keyOf(job);
    byKey.set(key, [...(byKey.get(key) ?? []), job]);
  }
  let records = 0;
  for (const name of list(runsDir(outDir)).filter((n) => n.endsWith('.json') && !n.startsWith('.') && !ids.has(n.slice(0, -5)))) {
    const file = path.join(runsDir(outDir), name);
    const record = readable(file);
    // a record whose key field disagrees with its settings is nobody's: resume would call it stale anyway
    if (!record || record.key !== recordKey(record)) continue;
    const job = heir(byKey.get(record.key) ?? [], name.slice(0, -5), record.learner.label, (j) => !existsSync(recordPath(outDir, j.id)));
    if (!job) continue;
    writeRecord(outDir, { ...record, runId: job.id });
    rmSync(file, { force: true });
    records++;
  }
  let checkpoints = 0;
  const root = path.join(outDir, 'checkpoints');
  for (const name of list(root).filter((n) => !ids.has(n))) {
    const key = manifestKey(path.join(root, name));
    const job = key ? heir(byKey.get(key) ?? [], name, null, (j) => !existsSync(checkpointDir(outDir, j.id)) && !existsSync(recordPath(outDir, j.id))) : undefined;
    if (!job) continue;
    try {
      renameSync(path.join(root, name), checkpointDir(outDir, job.id));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new StorageError(`cannot rename a checkpoint to its run's id (${code})`, path.join(root, name), 'check write permission of the results folder');
    }
    checkpoints++;
  }
  return { records, checkpoints };
}

/**
 * Of the runs with this key that can take the file, the one it was written for: the run whose old id is
 * the file's name, else the one with its label, else the first (runs with one key are the same run).
 */
function heir(candidates: Job[], name: string, label: string | null, free: (job: Job) => boolean): Job | undefined {
  const open = candidates.filter(free);
  return (
    open.find((j) => legacyRunId(j.scenario.name, j.learner.label, j.seed) === name) ?? open.find((j) => j.learner.label === label) ?? open[0]
  );
}

function readable(file: string): RunRecord | null {
  try {
    return readRecord(file);
  } catch {
    return null;
  }
}

function manifestKey(dir: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { key?: unknown };
    return typeof manifest.key === 'string' ? manifest.key : null;
  } catch {
    return null;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
