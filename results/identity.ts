/**
 * Run identity, the one rule: which settings make a run what it is. Everything that determines a run's
 * numbers — the scenario (data source included), the learner's name and resolved options (and, for a
 * plugin learner, its code: learners/registry.ts `LearnerOrigin`), the model, training, evaluation,
 * rehearsal schedule, seed, backend and clbench version — goes into the material; what only says how a run
 * is shown (its id, suite name, label, published values, leaderboard position, whether it is the named
 * intransigence reference) and where relative data paths are read from stays out.
 *
 * The same material is built from a job (what the suite asks for) and from a record (what a run did), and
 * the two are normalised to one shape, so
 *
 *   key       = hash(material)              — a results folder keeps a record only under its key
 *   config id = hash(material without seed) — the runs one leaderboard row may average
 *
 * are recomputed from a record's own settings whenever it is read: a `key` field written into a record
 * is checked against them, never trusted (store/resume.ts).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonicalJson.js';
import { CLBENCH_VERSION } from '../core/version.js';
import type { Job } from '../suite/suite.js';
import type { RunRecord } from './record.js';

export type IdentityMaterial = Record<string, unknown>;

/**
 * What the key of `job` on `backend` is computed from. Every job field not named here as display-only
 * counts, so a setting a job gains later changes keys without anyone remembering to add it.
 */
export function jobMaterial(job: Job, backend: string): IdentityMaterial {
  const { id: _id, suite: _suite, published: _published, position: _position, baseDir: _baseDir, intransigenceReference: _reference, learner, ...rest } = job;
  const { label: _label, ...identity } = learner;
  return { ...rest, learner: identity, backend, clbench: CLBENCH_VERSION };
}

/** The same material as a record shows it (records keep every field of the key, some under other names). */
export function recordMaterial(record: RunRecord): IdentityMaterial {
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

function hash(material: unknown, length: number): string {
  return createHash('sha256').update(canonicalJson(material)).digest('hex').slice(0, length);
}

/** The run key of identity material: 32 hex digits. */
export function keyOf(material: IdentityMaterial): string {
  return hash(material, 32);
}

/** The config id of identity material: everything but the seed, 12 hex digits. */
export function configIdOf(material: IdentityMaterial): string {
  const { seed: _seed, ...config } = material;
  return hash(config, 12);
}

/** A record's run key, recomputed from its own settings (its `key` field is not consulted). */
export function recordKey(record: RunRecord): string {
  return keyOf(recordMaterial(record));
}

/** The runs a leaderboard row averages: same config id (and suite and label, which only name the row). */
export function recordConfigId(record: RunRecord): string {
  return configIdOf(recordMaterial(record));
}

/**
 * A fingerprint of a whole suite (every run's material but the backend): written in a results folder to
 * say which suite it belongs to (../store/owner.ts). Give it every job of the suite, not one shard's.
 */
export function suiteFingerprint(jobs: Job[]): string {
  return hash(jobs.map((job) => keyOf(jobMaterial(job, ''))).sort(), 16);
}
