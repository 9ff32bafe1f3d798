/**
 * Run ids: the name of a run's record file (runs/<id>.json), checkpoint folder and lock. An id is a
 * readable part (scenario, label, seed, made file-name-safe and cut to a length every file system takes)
 * and a short hash of the exact suite name, scenario name, label and seed: names that the readable part
 * makes equal (`a/b` and `a_b`, two long labels with one beginning) still get different ids, and two suites'
 * runs never share one. Ids only name files; which record belongs to which run is decided by its run key
 * (../results/identity.ts).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonicalJson.js';

/** Longest scenario and label parts: with the seed, the hash and `.json`, far below the 255 bytes of a file name. */
const PART_LENGTH = 60;

export function runId(suite: string, scenario: string, label: string, seed: number): string {
  const readable = `${fileSafe(scenario).slice(0, PART_LENGTH)}__${fileSafe(label).slice(0, PART_LENGTH)}__seed${seed}`;
  const hash = createHash('sha256').update(canonicalJson([suite, scenario, label, seed])).digest('hex').slice(0, 8);
  return `${readable}__${hash}`;
}

/**
 * The id clbench gave a run before ids had a hash. Records and checkpoints under it are renamed to the new
 * id when their key matches (../store/adopt.ts), so a long suite is not redone.
 */
export function legacyRunId(scenario: string, label: string, seed: number): string {
  return fileSafe(`${scenario}__${label}__seed${seed}`);
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._=()-]+/g, '_');
}
