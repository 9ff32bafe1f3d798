/**
 * Memory Aware Synapses — Aljundi et al. 2018 (ECCV), Eqs. 2–4 and 10.
 *
 * After task t, the importance Ω_t of every parameter is the sensitivity of the squared output norm
 * (../parts/outputSensitivity.ts) on the task's training data; it joins the running importance by
 *
 *   'sum'     Ω ← Ω + Ω_t                (Aljundi et al., Hsu et al. 2018)
 *   'average' Ω ← α·Ω + (1 − α)·Ω_t      (Avalanche / FACIL; α = `alpha`, 0.5 by default; the first Ω = Ω_1)
 *
 * and while training later tasks
 *
 *   L(θ) = L_t(θ) + λ · Σ_i Ω_i (θ_i − θ*_i)²  θ* = the parameters at the end of the previous task.
 *
 * The default estimator is the paper's per-example |gradient|; 'batch-mean' reproduces Hsu et al.'s code
 * (their λ = 1 / 10000 / 1 on split MNIST task / domain / class, 0.1 on permuted MNIST, are tuned for it).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseSgdLearner } from '../base.js';
import { defineLearner, plainPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { MAS_ESTIMATORS, outputSensitivity, type MasEstimator } from '../parts/outputSensitivity.js';
import { replaceValues } from '../parts/parameterCopies.js';
import { QuadraticPenalty } from '../parts/quadraticPenalty.js';

export type MasAccumulation = 'sum' | 'average';

export interface MasOptions {
  lambda: number;
  estimator: MasEstimator;
  samples: number | null;
  accumulation: MasAccumulation;
  alpha: number;
}

class MasLearner extends BaseSgdLearner<MasOptions> {
  // its penalty (made at a phase's end) and generators are declared state; nothing else changes within a phase
  override readonly resumesWithinPhase = true;
  private importance = this.rememberTensors('importance');
  private readonly consolidated = this.remember('consolidated', new QuadraticPenalty());
  private readonly importanceRng = this.remember('importanceRng', this.ctx.rng.derive('mas-importance'));

  protected override penalty(): tf.Scalar | null {
    const sum = this.consolidated.value(this.model.variables);
    return sum ? (tf.mul(sum, this.options.lambda) as tf.Scalar) : null;
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    const { estimator, samples, accumulation, alpha } = this.options;
    const examples = this.ctx.data.taskExamples(phase.taskId);
    const current = outputSensitivity(this.model, this.ctx, examples, estimator, this.importanceRng, samples, this.ctx.training.batchSize);
    const previous = this.importance;
    let next = current;
    if (previous) {
      next = tf.tidy(() =>
        current.map((omega, i) =>
          tf.keep(accumulation === 'sum' ? tf.add(previous[i], omega) : tf.add(tf.mul(previous[i], alpha), tf.mul(omega, 1 - alpha))),
        ),
      );
      tf.dispose(current);
    }
    this.importance = replaceValues(previous, next);
    this.consolidated.set(next, this.model.variables);
  }
}

export const mas = defineLearner<MasOptions>({
  name: 'mas',
  description: 'Memory Aware Synapses: importance = |∂‖f(x)‖²/∂θ| averaged over the task, penalty λ·ΣΩ(θ − θ*)².',
  reference: 'Aljundi et al. 2018, "Memory Aware Synapses: Learning what (not) to forget", ECCV, Eqs. 2–4',
  optionsSchema: {
    type: 'object',
    properties: {
      lambda: { type: 'number', minimum: 0, default: 1, description: 'penalty strength λ (Aljundi et al., Avalanche: 1)' },
      estimator: {
        enum: [...MAS_ESTIMATORS],
        default: 'per-example',
        description: "'per-example' |gradient| of ‖z‖² (the paper) or 'batch-mean' |gradient of the batch mean of z²| (Hsu et al.'s code)",
      },
      samples: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'training examples of the task used for the importance (null = all)',
      },
      accumulation: {
        enum: ['sum', 'average'],
        default: 'sum',
        description: "how task importances combine: 'sum' (Aljundi, Hsu) or 'average' α·Ω + (1 − α)·Ω_t (Avalanche)",
      },
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: "weight α of the old importance for 'average'" },
    },
    additionalProperties: false,
  },
  // the importance pass over the task's examples at the phase's end
  phaseCost: (options, phase) => plainPhaseCost(phase) + Math.min(options.samples ?? phase.taskExamples, phase.taskExamples),
  create: (options: MasOptions, ctx: LearnerContext) => new MasLearner(ctx, options),
});
