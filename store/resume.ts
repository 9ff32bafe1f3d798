/**
 * Resuming a suite: what to do with the record a results folder already holds for a run.
 *
 *   no record                                 → run it
 *   completed or diverged, same run key       → keep it (a diverged run diverges again: it is deterministic)
 *   failed (the learner threw)                → run it again (the new record replaces the old)
 *   other run key, or unreadable              → stale: moved to runs/stale/ and the run is redone
 *
 * The record's key is recomputed from its own settings (../results/identity.ts): a `key` field that does not
 * match them (a record copied from another folder and edited, or a key pasted in) makes the record stale
 * too, so a written key never keeps results of other settings.
 *
 * A kept record whose display fields (suite name, label, published values, leaderboard position, whether the
 * suite names it the intransigence reference) differ
 * from the suite's is rewritten with the suite's, so the leaderboard shows the suite as it is now.
 */
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { makeFolder, storageError } from '../core/storage.js';
import type { RunRecord } from '../results/record.js';
import { readRecord, recordPath, runsDir, writeRecord } from './records.js';
import { canonicalJson } from '../core/canonicalJson.js';
import { keyChanges } from './runKey.js';
import { recordKey } from '../results/identity.js';
import type { Job } from '../suite/suite.js';

export type RecordVerdict =
  | { kind: 'new' }
  | { kind: 'keep'; record: RunRecord }
  | { kind: 'retry'; record: RunRecord }
  | { kind: 'stale'; why: string };

/** The verdict on run `job`'s record in `outDir`, for the run key `key` it has now. */
export function judgeRecord(outDir: string, job: Job, key: string, backend: string): RecordVerdict {
  const file = recordPath(outDir, job.id);
  if (!existsSync(file)) return { kind: 'new' };
  let record: RunRecord;
  try {
    record = readRecord(file);
  } catch (error) {
    return { kind: 'stale', why: `its record is unreadable (${error instanceof UserError ? error.message : String(error)})` };
  }
  if (record.key === undefined) return { kind: 'stale', why: 'its record was written by a clbench without run keys' };
  if (record.key !== recordKey(record)) return { kind: 'stale', why: "its record's key does not match the record's own settings (copied or edited by hand)" };
  if (record.key !== key) {
    const changes = keyChanges(record, job, backend);
    return { kind: 'stale', why: `the suite changed since its record was written: ${changes.length ? changes.join('; ') : 'a setting the record does not show'}` };
  }
  return record.status === 'failed' ? { kind: 'retry', record } : { kind: 'keep', record };
}

/** Move run `runId`'s record to runs/stale/<run id>.<time>.json; returns the new path, or null when it has none. */
export function setAside(outDir: string, runId: string): string | null {
  const from = recordPath(outDir, runId);
  if (!existsSync(from)) return null;
  const staleDir = path.join(runsDir(outDir), 'stale');
  const to = path.join(staleDir, `${runId}.${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  try {
    makeFolder(staleDir);
    renameSync(from, to);
  } catch (error) {
    throw storageError('cannot move a stale record aside', error, (error as NodeJS.ErrnoException).code === 'ENOTDIR' || (error as NodeJS.ErrnoException).code === 'EEXIST' ? staleDir : from);
  }
  return to;
}

/** The record with the suite's current display fields; rewritten in place when they changed. */
export function refreshDisplay(outDir: string, record: RunRecord, job: Job): RunRecord {
  const display = {
    suite: job.suite,
    learner: { ...record.learner, label: job.learner.label },
    published: job.published,
    position: job.position,
    intransigenceReference: job.intransigenceReference,
  };
  const now = { suite: record.suite, learner: record.learner, published: record.published, position: record.position, intransigenceReference: record.intransigenceReference };
  if (canonicalJson(display) === canonicalJson(now)) return record;
  const updated = { ...record, ...display };
  writeRecord(outDir, updated);
  return updated;
}
