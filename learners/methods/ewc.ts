/**
 * Elastic Weight Consolidation — Kirkpatrick et al. 2017 (PNAS), "offline" form with one quadratic term
 * per past task s (Kirkpatrick et al. 2017, Eq. 3):
 *
 *   L(θ) = L_t(θ) + λ · c · Σ_{s<t} Σ_i F_{s,i} (θ_i − θ*_{s,i})²   c = ½ if `halfFactor` else 1
 *
 * F_s is the diagonal Fisher of task s at θ*_s, the parameters at the end of task s. Hsu et al. (2018)
 * and Avalanche use c = 1 (our default, so Hsu's λ values carry over); Kirkpatrick et al. and van de Ven
 * write λ/2. F_s is estimated per example by default; `fisherEstimator: 'batch-mean'` takes Hsu et al.'s plain
 * EWC estimate from mini-batch means instead (their permuted-MNIST scripts; ../parts/importance.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseSgdLearner } from '../base.js';
import { defineLearner, plainPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import {
  FISHER_ESTIMATOR_SCHEMA,
  FISHER_KINDS,
  fisherDiagonal,
  fisherEstimatorKeyOptions,
  fisherOptionsProblem,
  type FisherEstimator,
  type FisherKind,
} from '../parts/importance.js';
import { QuadraticPenalty } from '../parts/quadraticPenalty.js';

export interface EwcOptions {
  lambda: number;
  fisher: FisherKind;
  fisherSamples: number | null;
  /** absent: 'per-example' (run keys leave it out then: ../parts/importance.ts `fisherEstimatorKeyOptions`) */
  fisherEstimator?: FisherEstimator;
  halfFactor: boolean;
}

class EwcLearner extends BaseSgdLearner<EwcOptions> {
  // its penalty (made at a phase's end) and generators are declared state; nothing else changes within a phase
  override readonly resumesWithinPhase = true;
  private readonly consolidated = this.remember('consolidated', new QuadraticPenalty());
  private readonly fisherRng = this.remember('fisherRng', this.ctx.rng.derive('fisher'));

  protected override penalty(): tf.Scalar | null {
    const sum = this.consolidated.value(this.model.variables);
    return sum ? (tf.mul(sum, this.scale()) as tf.Scalar) : null;
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    const { fisher, fisherSamples, fisherEstimator } = this.options;
    const examples = this.ctx.data.taskExamples(phase.taskId);
    const importance = await fisherDiagonal(this.model, this.ctx, examples, fisher, this.fisherRng, fisherSamples, fisherEstimator);
    await this.consolidated.add(importance, this.model.variables);
    tf.dispose(importance);
  }

  private scale(): number {
    return this.options.lambda * (this.options.halfFactor ? 0.5 : 1);
  }
}

export const ewc = defineLearner<EwcOptions>({
  name: 'ewc',
  description: 'Elastic Weight Consolidation: a Fisher-weighted quadratic penalty per past task.',
  reference: 'Kirkpatrick et al. 2017, PNAS 114(13), Eq. 3',
  optionsSchema: {
    type: 'object',
    properties: {
      lambda: { type: 'number', minimum: 0, default: 100, description: 'penalty strength λ' },
      fisher: { enum: [...FISHER_KINDS], default: 'predicted', description: 'which labels the Fisher uses' },
      fisherSamples: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'training examples of the task used for the Fisher (null = all)',
      },
      fisherEstimator: FISHER_ESTIMATOR_SCHEMA,
      halfFactor: { type: 'boolean', default: false, description: 'multiply the penalty by ½ (Kirkpatrick/van de Ven convention)' },
    },
    additionalProperties: false,
  },
  keyOptions: (options: EwcOptions) => fisherEstimatorKeyOptions(options),
  requires: { check: ({ options }) => fisherOptionsProblem(options) },
  // the importance pass over the task's examples at the phase's end
  phaseCost: (options, phase) => plainPhaseCost(phase) + Math.min(options.fisherSamples ?? phase.taskExamples, phase.taskExamples),
  create: (options: EwcOptions, ctx: LearnerContext) => new EwcLearner(ctx, options),
});
