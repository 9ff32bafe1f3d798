/**
 * Online EWC — Schwarz et al. 2018 ("Progress & Compress", ICML, Sec. 2.2; also Huszár 2018, PNAS 115(11)):
 * one running Fisher and one anchor instead of a term per task. After task t
 *
 *   F̃_t = γ · F̃_{t−1} + F_t     θ* = θ*_t   (the latest parameters only)
 *
 * and while training task t+1
 *
 *   L(θ) = L_t+1(θ) + λ · c · Σ_i w · F̃_t,i (θ_i − θ*_t,i)²  c = ½ if `halfFactor` else 1,
 *                                                             w = γ if `gammaInPenalty` else 1.
 *
 * Conventions differ and are options: Progress & Compress and van de Ven & Tolias write the penalty with
 * γF̃ (`gammaInPenalty: true`); Avalanche (`mode="online"`) and Hsu et al. 2018 use F̃ itself (our default,
 * w = 1). Hsu et al. use γ = 1 (importance simply summed) and no ½: the defaults here, so Hsu's coefficients
 * (split MNIST 400 / 700 / 100 for task / domain / class, permuted MNIST 250) carry over. F_t is the
 * diagonal Fisher of task t at θ*_t (../parts/importance.ts; Hsu: predicted labels, all training examples,
 * per example in their split-MNIST scripts' EWC_online_mnist, from mini-batch means — `fisherEstimator:
 * 'batch-mean'` — in their permuted-MNIST scripts' EWC_online).
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
import { replaceValues } from '../parts/parameterCopies.js';
import { QuadraticPenalty } from '../parts/quadraticPenalty.js';

export interface OnlineEwcOptions {
  lambda: number;
  gamma: number;
  fisher: FisherKind;
  fisherSamples: number | null;
  /** absent: 'per-example' (run keys leave it out then: ../parts/importance.ts `fisherEstimatorKeyOptions`) */
  fisherEstimator?: FisherEstimator;
  halfFactor: boolean;
  gammaInPenalty: boolean;
}

class OnlineEwcLearner extends BaseSgdLearner<OnlineEwcOptions> {
  // its penalty (made at a phase's end) and generators are declared state; nothing else changes within a phase
  override readonly resumesWithinPhase = true;
  /** F̃, the decayed sum of the tasks' Fishers */
  private runningFisher = this.rememberTensors('runningFisher');
  private readonly consolidated = this.remember('consolidated', new QuadraticPenalty());
  private readonly fisherRng = this.remember('fisherRng', this.ctx.rng.derive('fisher'));

  protected override penalty(): tf.Scalar | null {
    const sum = this.consolidated.value(this.model.variables);
    return sum ? (tf.mul(sum, this.options.lambda * (this.options.halfFactor ? 0.5 : 1)) as tf.Scalar) : null;
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    const { gamma, fisher, fisherSamples, fisherEstimator, gammaInPenalty } = this.options;
    const examples = this.ctx.data.taskExamples(phase.taskId);
    const current = await fisherDiagonal(this.model, this.ctx, examples, fisher, this.fisherRng, fisherSamples, fisherEstimator);
    const previous = this.runningFisher;
    const next = previous ? tf.tidy(() => current.map((f, i) => tf.keep(tf.add(tf.mul(previous[i], gamma), f)))) : current;
    if (previous) tf.dispose(current);
    this.runningFisher = replaceValues(previous, next);
    const weights = gammaInPenalty ? tf.tidy(() => next.map((f) => tf.mul(f, gamma))) : next;
    this.consolidated.set(weights, this.model.variables);
    if (weights !== next) tf.dispose(weights);
  }
}

export const onlineEwc = defineLearner<OnlineEwcOptions>({
  name: 'online-ewc',
  description: 'Online EWC: one running Fisher F̃ = γF̃ + F_t and one anchor (the latest parameters).',
  reference: 'Schwarz et al. 2018, "Progress & Compress", ICML, Sec. 2.2; Huszár 2018, PNAS 115(11)',
  optionsSchema: {
    type: 'object',
    properties: {
      lambda: { type: 'number', minimum: 0, default: 100, description: 'penalty strength λ' },
      gamma: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'decay γ of the running Fisher (1 = plain sum, as Hsu et al.)' },
      fisher: { enum: [...FISHER_KINDS], default: 'predicted', description: 'which labels the Fisher uses' },
      fisherSamples: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'training examples of the task used for the Fisher (null = all)',
      },
      fisherEstimator: FISHER_ESTIMATOR_SCHEMA,
      halfFactor: { type: 'boolean', default: false, description: 'multiply the penalty by ½ (Schwarz/van de Ven convention)' },
      gammaInPenalty: {
        type: 'boolean',
        default: false,
        description: 'weight the penalty by γF̃ instead of F̃ (Progress & Compress, van de Ven); false as Avalanche and Hsu et al.',
      },
    },
    additionalProperties: false,
  },
  keyOptions: (options: OnlineEwcOptions) => fisherEstimatorKeyOptions(options),
  requires: { check: ({ options }) => fisherOptionsProblem(options) },
  // the importance pass over the task's examples at the phase's end
  phaseCost: (options, phase) => plainPhaseCost(phase) + Math.min(options.fisherSamples ?? phase.taskExamples, phase.taskExamples),
  create: (options: OnlineEwcOptions, ctx: LearnerContext) => new OnlineEwcLearner(ctx, options),
});
