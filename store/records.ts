/**
 * Results folder: `DIR/runs/<run id>.json`, one record a run, each written atomically (a temp file in the
 * same folder, fsync, rename), so a crash never leaves a truncated record behind.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError, UserError } from '../core/errors.js';
import { validateWithSchema } from '../runner/validate.js';
import { recordSchema, type RunRecord } from './record.js';

export function runsDir(outDir: string): string {
  return path.join(outDir, 'runs');
}

export function recordPath(outDir: string, runId: string): string {
  return path.join(runsDir(outDir), `${runId}.json`);
}

/** Create the results folder and its runs/ folder, or stop with a clear message. */
export function createResultsDir(outDir: string): void {
  try {
    mkdirSync(runsDir(outDir), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StorageError(`cannot create the results folder (${code})`, outDir, 'give --out a folder you can write to (not a file)');
  }
}

/** Write `text` to `file` so that readers see either the old content or the new, never a mix. */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      // writeFileSync on a descriptor writes everything (writeSync may write a large buffer in part)
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    // Best effort: where the folder itself is the problem (ENOTDIR …) there is no temp file to remove.
    try {
      rmSync(temp, { force: true });
    } catch {}
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StorageError(`cannot write (${code})`, file, 'check free disk space and write permission; records already written are intact');
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
