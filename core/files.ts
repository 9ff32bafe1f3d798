/**
 * Atomic file writes: a temporary file in the same folder, fsync, rename. Readers see the old content or the
 * new, never a mix, and a crash never leaves a truncated file behind. Every file clbench writes for later
 * reading (records, checkpoints, backbones, leaderboards, reports) goes through here.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeFolder, storageError } from './storage.js';

/** Write `text` to `file` so that readers see either the old content or the new, never a mix. */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    makeFolder(dir);
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
    throw storageError('cannot write', error, file);
  }
}
