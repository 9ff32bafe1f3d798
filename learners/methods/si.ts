/**
 * Synaptic Intelligence — Zenke, Poole & Ganguli 2017 (ICML), Eqs. 3–5.
 *
 * During task t, after every optimizer step, each parameter's contribution to the drop in loss is
 * accumulated along the path the optimizer actually took:
 *
 *   ω_i += −g_i · Δθ_i          (Δθ measured from the parameter values before and after the step,
 *                                 so it is Adam's update under Adam, −lr·g under plain SGD)
 *
 * At the end of task t, with θ_start the parameters at its start (the initial weights for the first task):
 *
 *   Ω_i ← Ω_i + ω_i / ((θ_i − θ_start,i)² + ξ)   ω ← 0   θ̃ ← θ
 *
 * and while training later tasks
 *
 *   L(θ) = L_t(θ) + c · Σ_i Ω_i (θ_i − θ̃_i)²       (no ½, as in Zenke et al. and Hsu et al.)
 *
 * Which gradient g feeds ω is an option: 'task' (default) the gradient of the unregularised task loss, as in
 * the paper and Hsu et al. 2018; 'total' the gradient the optimizer used (task loss + SI penalty), as
 * van de Ven & Tolias. 'task' needs no second backward pass: the penalty's gradient has the closed form
 * 2cΩ(θ − θ̃), subtracted from the total gradient at the pre-step parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../../models/sumTensors.js';
import { BaseSgdLearner, type BatchTensors } from '../base.js';
import { defineLearner, type LearnerContext, type Phase } from '../contract.js';
import { copyValues, replaceValues } from '../parts/parameterCopies.js';

export type OmegaGradient = 'task' | 'total';

export interface SiOptions {
  c: number;
  xi: number;
  omegaGradient: OmegaGradient;
}

class SiLearner extends BaseSgdLearner<SiOptions> {
  /** Ω, the consolidated importance (null before the first task ends) */
  private importance = this.rememberTensors('importance');
  /** θ at the start of the current task: θ_start of the Ω update and, once Ω exists, the anchor θ̃ */
  private start: tf.Tensor[] | null = null;
  /** θ before the current step */
  private previous: tf.Tensor[] | null = null;
  /** ω, the path integral of the current task */
  private pathIntegral: tf.Tensor[] | null = null;

  protected override async beforePhase(_phase: Phase): Promise<void> {
    const vars = this.model.variables;
    this.start = replaceValues(this.start, copyValues(vars));
    this.previous = replaceValues(this.previous, copyValues(vars));
    this.pathIntegral = replaceValues(this.pathIntegral, vars.map((v) => tf.keep(tf.zerosLike(v) as tf.Tensor)));
  }

  protected override penalty(): tf.Scalar | null {
    const { importance, start } = this;
    if (!importance || !start) return null;
    const terms = this.model.variables.map((p, i) => tf.sum(tf.mul(importance[i], tf.square(tf.sub(p, start[i])))));
    return tf.mul(sumTensors(terms), this.options.c) as tf.Scalar;
  }

  protected override afterStep(grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): void {
    const { previous, pathIntegral } = this;
    if (!previous || !pathIntegral) return;
    const vars = this.model.variables;
    const next = vars.map((v, i) => {
      const delta = tf.sub(v, previous[i]);
      return tf.keep(tf.sub(pathIntegral[i], tf.mul(this.pathGradient(grads[v.name], i), delta)));
    });
    this.pathIntegral = replaceValues(pathIntegral, next);
    this.previous = replaceValues(previous, copyValues(vars));
  }

  /** The gradient that feeds ω: the step's gradient, less the penalty's 2cΩ(θ − θ̃) for 'task'. */
  private pathGradient(total: tf.Tensor, i: number): tf.Tensor {
    const { importance, start, previous } = this;
    if (this.options.omegaGradient === 'total' || !importance || !start || !previous) return total;
    return tf.sub(total, tf.mul(tf.mul(importance[i], tf.sub(previous[i], start[i])), 2 * this.options.c));
  }

  protected override async afterPhase(_phase: Phase): Promise<void> {
    const { start, pathIntegral, importance } = this;
    if (!start || !pathIntegral) return;
    const { xi } = this.options;
    const next = tf.tidy(() =>
      this.model.variables.map((v, i) => {
        const gain = tf.div(pathIntegral[i], tf.add(tf.square(tf.sub(v, start[i])), xi));
        return tf.keep(importance ? tf.add(importance[i], gain) : gain);
      }),
    );
    this.importance = replaceValues(importance, next);
    // θ̃ for the next task is θ now, which is where that task starts: beforePhase copies it into `start`.
    this.pathIntegral = replaceValues(pathIntegral, this.model.variables.map((v) => tf.keep(tf.zerosLike(v) as tf.Tensor)));
  }

  override dispose(): void {
    for (const state of [this.start, this.previous, this.pathIntegral]) if (state) tf.dispose(state);
    this.start = this.previous = this.pathIntegral = null;
    super.dispose();
  }
}

export const si = defineLearner<SiOptions>({
  name: 'si',
  description: 'Synaptic Intelligence: path-integral importance Ω, penalty c·ΣΩ(θ − θ̃)².',
  reference: 'Zenke, Poole & Ganguli 2017, "Continual Learning Through Synaptic Intelligence", ICML, Eqs. 3–5',
  optionsSchema: {
    type: 'object',
    properties: {
      c: { type: 'number', minimum: 0, default: 1, description: 'penalty strength c (Zenke et al. split MNIST: 1)' },
      xi: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'damping ξ of the Ω update (van de Ven, Hsu et al., Avalanche: 0.1)' },
      omegaGradient: {
        enum: ['task', 'total'],
        default: 'task',
        description: "gradient in ω += −g·Δθ: 'task' = unregularised task loss (Zenke, Hsu), 'total' = with the SI penalty (van de Ven)",
      },
    },
    additionalProperties: false,
  },
  create: (options: SiOptions, ctx: LearnerContext) => new SiLearner(ctx, options),
});
