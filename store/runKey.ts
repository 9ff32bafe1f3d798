/**
 * Run keys as a results folder uses them: the key of the run a suite asks for now, and what changed
 * between a record and that run. What a key is made of is decided in one place, ../results/identity.ts
 * (a record's key is recomputed from its own settings there, so a record and a job always agree on it).
 */
import { canonicalJson } from '../core/canonicalJson.js';
import { jobMaterial, keyOf, recordMaterial } from '../results/identity.js';
import type { RunRecord } from '../results/record.js';
import type { Job } from '../suite/suite.js';

/** What the key of `job` on `backend` is computed from (../results/identity.ts). */
export const keyMaterial = jobMaterial;

export function runKey(job: Job, backend: string): string {
  return keyOf(jobMaterial(job, backend));
}

/**
 * What differs between the run a suite asks for and the run a record holds, as `field: old → new` down to
 * the changed values (`training.lr: 0.01 → 0.02`). Empty when the difference is in a field the record
 * does not show.
 */
export function keyChanges(record: RunRecord, job: Job, backend: string): string[] {
  const now = jobMaterial(job, backend);
  const then = recordMaterial(record);
  return [...new Set([...Object.keys(then), ...Object.keys(now)])].sort().flatMap((field) => differences(then[field], now[field], field));
}

function differences(a: unknown, b: unknown, where: string): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (!isObject(a) || !isObject(b)) return [`${where}: ${shown(a)} → ${shown(b)}`];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key) => differences(a[key], b[key], `${where}.${key}`));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function shown(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = canonicalJson(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
