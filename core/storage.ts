/**
 * Why a write to the results folder failed, in words, with the fix that fits. An error code alone (ENOTDIR,
 * EROFS) sent people to check their free disk space when a file stood where a folder should be, or the
 * folder was on a read-only mount; the code stays in the message for searching.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from './errors.js';

const CLOSING = 'records already written are intact';

/** A StorageError for `error` (from fs) met while doing `action` ('cannot write', 'cannot create the results folder') on `file`. */
export function storageError(action: string, error: unknown, file: string): StorageError {
  const code = (error as NodeJS.ErrnoException)?.code ?? String((error as Error)?.message ?? error);
  const { reason, fix } = explain(code, file);
  return new StorageError(`${action} (${code}): ${reason}`, file, `${fix}; ${CLOSING}`);
}

function explain(code: string, file: string): { reason: string; fix: string } {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { reason: 'the disk (or your quota) is full', fix: 'free some space, then run the same command again: it resumes' };
    case 'EROFS':
      return { reason: 'the file system is mounted read-only', fix: 'give --out a folder on a writable file system' };
    case 'EACCES':
    case 'EPERM':
      return { reason: 'permission denied', fix: 'give --out a folder you may write to, or change its permissions' };
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = fileInTheWay(file);
      return blocker
        ? { reason: `${blocker} is a file where a folder is needed`, fix: `give --out a folder elsewhere, or move ${blocker} away` }
        : { reason: 'a file is where a folder is needed', fix: 'give --out a folder elsewhere, or move that file away' };
    }
    case 'EISDIR':
    case 'ENOTEMPTY':
      return { reason: 'a folder is where a file is needed', fix: 'move that folder away, or give --out another folder' };
    case 'ENAMETOOLONG':
      return { reason: 'a file name is too long for the file system', fix: "shorten the suite's labels and scenario names (run files are named after them), or --out's path" };
    case 'ENOENT':
      return { reason: 'a folder on the way does not exist and cannot be created here', fix: 'give --out a folder on an ordinary file system (not /proc or /sys)' };
    default:
      return { reason: 'the file system refused the write', fix: 'check free disk space and write permission of the results folder' };
  }
}

/** The nearest path at or above `file` that exists and is not a folder (what ENOTDIR or EEXIST is about). */
function fileInTheWay(file: string): string | null {
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return at === path.resolve(file) ? file : shortest(at);
    } catch {}
    if (path.dirname(at) === at) return null;
  }
}

/** `at` relative to the current folder when it lies below it (shorter to read), else as it is. */
function shortest(at: string): string {
  const relative = path.relative(process.cwd(), at);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : at;
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir retries without end where creating a folder
 * answers ENOENT (under /proc it spins at 100% CPU); here every error is final and names its code.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !isFolder(at); at = path.dirname(at)) {
    if (exists(at)) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: at });
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // another process made it meanwhile
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(folder)) continue;
      throw error;
    }
  }
}

function exists(at: string): boolean {
  try {
    statSync(at);
    return true;
  } catch {
    return false;
  }
}

function isFolder(at: string): boolean {
  try {
    return statSync(at).isDirectory();
  } catch {
    return false;
  }
}
