/**
 * Whether a learner can run in the pairing a suite entry gives it (`LearnerDefinition.requires`): the
 * setting, what the model offers, and the learner's own condition across options and training. The suite
 * reader refuses an entry with a problem before anything trains; check-plugin skips such streams.
 */
import { networkCapabilities } from '../models/network.js';
import type { LearnerDefinition, Pairing, PairingProblem } from './contract.js';

export function pairingProblem(definition: LearnerDefinition, pairing: Pairing): PairingProblem | null {
  const requires = definition.requires;
  if (!requires) return null;
  const { settings, model, check } = requires;
  if (settings && !settings.includes(pairing.setting))
    return {
      message: `learner '${definition.name}' runs in the ${settings.join(' and ')} setting${settings.length > 1 ? 's' : ''}, not in '${pairing.setting}'`,
      field: 'scenarios',
      fix: `pair it with a ${settings.join(' or ')}-incremental scenario (the entry's "scenarios" filter)`,
    };
  const offered = networkCapabilities(pairing.model);
  const missing = (model ?? []).filter((capability) => !offered.includes(capability));
  if (missing.length)
    return {
      message: `learner '${definition.name}' needs a model with ${missing.join(' and ')}, which this model does not offer`,
      field: 'model',
      fix: 'give the entry a model that offers them',
    };
  return check?.(pairing) ?? null;
}
