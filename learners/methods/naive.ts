import { BaseSgdLearner } from '../base.js';
import { defineLearner } from '../contract.js';

/** Fine-tuning: plain SGD on whatever each phase hands over. The lower bound of every benchmark. */
class NaiveLearner extends BaseSgdLearner<Record<string, never>> {
  // the base loop alone: its state (model, optimizer, batch order) is all a phase changes
  override readonly resumesWithinPhase = true;
}

export const naive = defineLearner<Record<string, never>>({
  name: 'naive',
  description: 'Fine-tune on each phase with no protection against forgetting (lower bound).',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: (options, ctx) => new NaiveLearner(ctx, options),
});
