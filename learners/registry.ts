/** The learners a suite can name: the built-ins plus any plugins loaded in this process. */
import { unknownName, UserError } from '../core/errors.js';
import { agem } from './methods/agem.js';
import type { LearnerDefinition } from './contract.js';
import { derpp } from './methods/derpp.js';
import { erAce } from './methods/erAce.js';
import { ewc } from './methods/ewc.js';
import { gem } from './methods/gem.js';
import { joint } from './methods/joint.js';
import { l2 } from './methods/l2.js';
import { lwf } from './methods/lwf.js';
import { mas } from './methods/mas.js';
import { naive } from './methods/naive.js';
import { onlineEwc } from './methods/onlineEwc.js';
import { replay } from './methods/replay.js';
import { si } from './methods/si.js';
import { slca } from './methods/slca.js';

const BUILT_IN: LearnerDefinition[] = [naive, joint, ewc, onlineEwc, si, mas, l2, lwf, replay, agem, gem, derpp, erAce, slca];

const registry = new Map<string, LearnerDefinition>(BUILT_IN.map((d) => [d.name, d]));
/** where each plugin learner came from (its module file); built-ins have no entry */
const sources = new Map<string, string>();
/** the code of each plugin learner, as far as run keys need it; built-ins have no entry */
const origins = new Map<string, LearnerOrigin>();

/**
 * Which code a plugin learner runs: part of every run key (../results/identity.ts), so editing a plugin
 * (or installing another version of its package) redoes its runs instead of keeping records its old code
 * made. Built-in learners need none: their code is clbench's, whose version is in the key.
 */
export interface LearnerOrigin {
  /** the SHA-256 of the plugin's module file */
  sha256: string;
  /** for a plugin found as an installed package: its name and version */
  package?: string;
  version?: string;
}

export function getLearner(name: string, where?: string): LearnerDefinition {
  const definition = registry.get(name);
  if (!definition) throw unknownName('learner', name, [...registry.keys()], where);
  return definition;
}

export function listLearners(): LearnerDefinition[] {
  return [...registry.values()];
}

/** The plugin file that defined a learner, or null for a built-in. */
export function learnerSource(name: string): string | null {
  return sources.get(name) ?? null;
}

/** The code a plugin learner came from (for its run keys), or null for a built-in. */
export function learnerOrigin(name: string): LearnerOrigin | null {
  return origins.get(name) ?? null;
}

/** Add a learner (from a plugin). A name may be registered once; built-ins cannot be replaced. */
export function registerLearner(definition: LearnerDefinition, source: string, origin?: LearnerOrigin): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition) {
    const by = sources.get(definition.name);
    throw new UserError(`learner '${definition.name}' is already defined ${by ? `by ${by}` : 'by clbench (built in)'}`, source, 'give the plugin learner another name');
  }
  registry.set(definition.name, definition);
  if (!existing) sources.set(definition.name, source);
  if (!existing && origin) origins.set(definition.name, origin);
}
