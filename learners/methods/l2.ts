/**
 * L2 — a plain quadratic pull towards the parameters at the end of the previous task (the "L2" baseline of
 * Hsu et al. 2018, agents/regularization.py; Kirkpatrick et al. 2017 compare EWC against it):
 *
 *   L(θ) = L_t(θ) + λ · Σ_i (θ_i − θ*_{t−1,i})²
 *
 * Only the latest anchor is kept (Hsu's `online_reg`: the new anchor replaces the old one), and there is no ½,
 * so Hsu's coefficients (split MNIST 0.01 / 0.5 / 100 for task / domain / class, permuted MNIST 0.02) carry over.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseSgdLearner } from '../base.js';
import { defineLearner, type LearnerContext, type Phase } from '../contract.js';
import { QuadraticPenalty } from '../parts/quadraticPenalty.js';

export interface L2Options {
  lambda: number;
}

class L2Learner extends BaseSgdLearner<L2Options> {
  // its penalty (made at a phase's end) is declared state; nothing else changes within a phase
  override readonly resumesWithinPhase = true;
  private readonly pull = this.remember('pull', new QuadraticPenalty());

  protected override penalty(): tf.Scalar | null {
    const sum = this.pull.value(this.model.variables);
    return sum ? (tf.mul(sum, this.options.lambda) as tf.Scalar) : null;
  }

  protected override async afterPhase(_phase: Phase): Promise<void> {
    const ones = this.model.variables.map((v) => tf.onesLike(v) as tf.Tensor);
    this.pull.set(ones, this.model.variables);
    tf.dispose(ones);
  }
}

export const l2 = defineLearner<L2Options>({
  name: 'l2',
  description: 'Quadratic pull λ·Σ(θ − θ*)² towards the parameters at the end of the previous task.',
  reference: 'Hsu et al. 2018, "Re-evaluating Continual Learning Scenarios", L2 baseline',
  optionsSchema: {
    type: 'object',
    properties: {
      lambda: { type: 'number', minimum: 0, default: 0.01, description: 'penalty strength λ (default: Hsu et al.\'s split-MNIST task-IL value)' },
    },
    additionalProperties: false,
  },
  create: (options: L2Options, ctx: LearnerContext) => new L2Learner(ctx, options),
});
