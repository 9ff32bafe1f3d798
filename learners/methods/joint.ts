import { concatExamples } from '../../scenarios/examples.js';
import type { ExampleSet } from '../../scenarios/types.js';
import { BaseSgdLearner } from '../base.js';
import { defineLearner, type Phase } from '../contract.js';

/**
 * Joint (cumulative) training: at phase i the model trains on the union of the full training sets of
 * tasks 1..i, continuing from the previous phase's weights. It ignores the rehearsal schedule. Its
 * accuracy matrix is the upper bound and its diagonal the reference a*_k of intransigence
 * (Chaudhry et al. 2018).
 */
class JointLearner extends BaseSgdLearner {
  // its data is chosen from the phase alone; nothing else changes within a phase
  override readonly resumesWithinPhase = true;
  protected override trainingExamples(phase: Phase): ExampleSet {
    const seen = Array.from({ length: phase.taskId + 1 }, (_, t) => this.ctx.data.taskExamples(t));
    return concatExamples(seen);
  }
}

export const joint = defineLearner<Record<string, never>>({
  name: 'joint',
  description: 'Train on all tasks seen so far, in full (upper bound; reference for intransigence).',
  trainsOnAllSeenTasks: true,
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: (options, ctx) => new JointLearner(ctx, options),
});
