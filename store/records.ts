/**
 * Results folder: `DIR/runs/<run id>.json`, one record a run, each written atomically (a temp file in the
 * same folder, fsync, rename), so a crash never leaves a truncated record behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { makeFolder, storageError } from '../core/storage.js';
import { writeFileAtomic } from '../core/files.js';
import { validateWithSchema } from '../core/schema.js';
import { recordSchema, type RunRecord } from '../results/record.js';
import { recordKey } from '../results/identity.js';

export function runsDir(outDir: string): string {
  return path.join(outDir, 'runs');
}

export function recordPath(outDir: string, runId: string): string {
  return path.join(runsDir(outDir), `${runId}.json`);
}

/** Create the results folder and its runs/ folder, or stop with a clear message. */
export function createResultsDir(outDir: string): void {
  try {
    makeFolder(runsDir(outDir));
  } catch (error) {
    throw storageError('cannot create the results folder', error, outDir);
  }
}

export function writeRecord(outDir: string, record: RunRecord): string {
  validateWithSchema(recordSchema, record, `record ${record.runId}`);
  const file = recordPath(outDir, record.runId);
  writeFileAtomic(file, `${JSON.stringify(record, null, 1)}\n`);
  return file;
}

export function readRecord(file: string): RunRecord {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`not a readable run record (${(error as Error).message})`, file, 'delete it and run the suite again to redo this run');
  }
  return validateWithSchema<RunRecord>(recordSchema, data, file);
}

/** Every record under the given results folders (their runs/ subfolders, or the folders themselves), each run once. */
export function readRecords(dirs: string[]): RunRecord[] {
  return collectRecords(dirs).records;
}

export interface CollectedRecords {
  /** one record a run, in file order */
  records: RunRecord[];
  /** files left out because another file holds the same run (a folder given twice, shards that overlap, a copy) */
  duplicates: string[];
}

/**
 * The records of the given folders, each run once. Two files are the same run when suite, label and run
 * key (recomputed from the record's settings, ../results/identity.ts) agree: one is kept (completed before
 * diverged before failed, then the later), the others are listed. Two files that claim one run id of one
 * suite but hold different runs are an error naming both: which one the table should show is the user's call.
 */
export function collectRecords(dirs: string[]): CollectedRecords {
  const found: { file: string; record: RunRecord; key: string }[] = [];
  for (const dir of dirs) {
    const folder = safeList(runsDir(dir)) ? runsDir(dir) : dir;
    const files = safeList(folder);
    if (!files) throw new UserError('no such results folder', dir, 'give the folder that `clbench run --out` wrote');
    for (const name of files.filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
      const file = path.join(folder, name);
      const record = readRecord(file);
      found.push({ file, record, key: recordKey(record) });
    }
  }
  const byRun = new Map<string, (typeof found)[number]>();
  const byId = new Map<string, (typeof found)[number]>();
  const duplicates: string[] = [];
  for (const entry of found) {
    const { record, key, file } = entry;
    const id = `${record.suite}\u0000${record.runId}`;
    const claimed = byId.get(id);
    if (claimed && claimed.key !== key)
      throw new UserError(
        `two records claim run '${record.runId}' of suite '${record.suite}' but hold different runs: ${claimed.file} and ${file}`,
        file,
        'they come from different settings of the suite: keep the one you mean (move the other out of its runs/ folder), or run the suite again on one folder',
      );
    byId.set(id, claimed ?? entry);
    const run = `${record.suite}\u0000${record.learner.label}\u0000${key}`;
    const kept = byRun.get(run);
    if (!kept) {
      byRun.set(run, entry);
      continue;
    }
    const better = rank(entry.record) < rank(kept.record) || (rank(entry.record) === rank(kept.record) && entry.record.finishedAt > kept.record.finishedAt);
    duplicates.push(better ? kept.file : file);
    if (better) byRun.set(run, entry);
  }
  const kept = new Set([...byRun.values()]);
  return { records: found.filter((e) => kept.has(e)).map((e) => e.record), duplicates };
}

/** Which of two copies of a run to keep: a finished one before one that diverged, before one that failed. */
function rank(record: RunRecord): number {
  return { completed: 0, diverged: 1, failed: 2 }[record.status];
}

function safeList(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
}
