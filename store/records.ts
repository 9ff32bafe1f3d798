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

/** Every record under the given results folders (their runs/ subfolders, or the folders themselves). */
export function readRecords(dirs: string[]): RunRecord[] {
  const records: RunRecord[] = [];
  for (const dir of dirs) {
    const folder = safeList(runsDir(dir)) ? runsDir(dir) : dir;
    const files = safeList(folder);
    if (!files) throw new UserError('no such results folder', dir, 'give the folder that `clbench run --out` wrote');
    for (const name of files.filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) records.push(readRecord(path.join(folder, name)));
  }
  return records;
}

function safeList(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
}
