/**
 * Run keys: a stable fingerprint of everything that determines a run's record — the job (scenario,
 * learner name and resolved options, model, training, evaluation, seed, and whatever training setting
 * a job gains later), the backend and the clbench version — as a hash of canonical JSON. A results folder
 * reuses a record only when its key equals the key of the run the suite asks for now.
 *
 * Fields that only say how a run is shown (its id, suite name, label, published values, leaderboard
 * position, whether it is the named intransigence reference) and where relative data paths are read from
 * are left out: changing them re-runs nothing.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonicalJson.js';
import { CLBENCH_VERSION } from '../core/version.js';
import type { RunRecord } from '../results/record.js';
import type { Job } from '../suite/suite.js';

/** What the key of `job` on `backend` is computed from. */
export function keyMaterial(job: Job, backend: string): Record<string, unknown> {
  const { id: _id, suite: _suite, published: _published, position: _position, baseDir: _baseDir, intransigenceReference: _reference, learner, ...rest } = job;
  const { label: _label, ...identity } = learner;
  return { ...rest, learner: identity, backend, clbench: CLBENCH_VERSION };
}

export function runKey(job: Job, backend: string): string {
  return createHash('sha256').update(canonicalJson(keyMaterial(job, backend))).digest('hex').slice(0, 32);
}

/** The key material as far as a record shows it (records keep every field the key is made of but under other names). */
function recordMaterial(record: RunRecord): Record<string, unknown> {
  const { outputs: _outputs, ...scenario } = record.scenario;
  const { label: _label, ...learner } = record.learner;
  return {
    scenario,
    learner,
    model: record.model,
    training: record.training,
    evaluation: record.evaluation,
    schedule: record.schedule?.spec,
    seed: record.seed,
    backend: record.backend?.name,
    clbench: record.versions?.clbench,
  };
}

/**
 * What differs between the run a suite asks for and the run a record holds, as `field: old → new` down to
 * the changed values (`training.lr: 0.01 → 0.02`). Empty when the difference is in a field the record
 * does not show.
 */
export function keyChanges(record: RunRecord, job: Job, backend: string): string[] {
  const now = keyMaterial(job, backend);
  const then = recordMaterial(record);
  return Object.keys(then).flatMap((field) => differences(then[field], now[field], field));
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
