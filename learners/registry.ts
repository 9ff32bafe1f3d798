/** The learners a suite can name: the built-ins plus any plugins loaded in this process. */
import { unknownName, UserError } from '../core/errors.js';
import type { LearnerDefinition } from './contract.js';
import { ewc } from './ewc.js';
import { joint } from './joint.js';
import { naive } from './naive.js';

const BUILT_IN: LearnerDefinition[] = [naive, joint, ewc];

const registry = new Map<string, LearnerDefinition>(BUILT_IN.map((d) => [d.name, d]));

export function getLearner(name: string, where?: string): LearnerDefinition {
  const definition = registry.get(name);
  if (!definition) throw unknownName('learner', name, [...registry.keys()], where);
  return definition;
}

export function listLearners(): LearnerDefinition[] {
  return [...registry.values()];
}

/** Add a learner (from a plugin). A name may be registered once; built-ins cannot be replaced. */
export function registerLearner(definition: LearnerDefinition, source: string): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition)
    throw new UserError(`learner '${definition.name}' is already defined`, source, 'give the plugin learner another name');
  registry.set(definition.name, definition);
}
