/**
 * Normalisation layers for MLPs (1-D: one statistic per feature over the batch), shared shape of BatchNorm
 * (./batchNorm.ts) and AdaB²N (./adab2n.ts).
 *
 * A layer normalises with batch statistics in a training-mode forward and with its running statistics in an
 * evaluation-mode one. The running statistics are updated *outside* the gradient tape: a training forward
 * computes the new values (from gradient-free copies of the batch statistics) and keeps them as pending
 * tensors; `commit()`, called by the learner after its optimizer step, assigns them. Several training forwards
 * before a commit chain their updates, as PyTorch's in-place updates would.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/errors.js';
import type { NormKind, NormOptions } from './types.js';

export interface NormLayer {
  /** trainable: γ, β (and AdaB²N's θ) */
  readonly variables: tf.Variable[];
  /** non-trainable: running mean and variance (and AdaB²N's forward count) */
  readonly buffers: tf.Variable[];
  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
  /** task composition of the next training forward (AdaB²N; BatchNorm ignores it) */
  setBatchTasks(taskIds: ArrayLike<number>, tasksDone: number): void;
  /** the unweighted statistics-alignment terms recorded since the last commit (AdaB²N), or null */
  alignmentLoss(): tf.Scalar | null;
  /** assign the pending running statistics; dispose what the forwards kept */
  commit(): void;
  /** refresh what the layer derives from its buffers after they were assigned from outside (read asynchronously) */
  buffersLoaded(): Promise<void>;
  dispose(): void;
}

export interface ResolvedNormOptions {
  momentum: number;
  eps: number;
  kappa: number;
  lambda: number;
  adaT0: number;
  compat: boolean;
}

/**
 * Defaults: momentum and ε are PyTorch's BatchNorm defaults, which the AdaB²N code inherits from the layer it
 * replaces; κ = 1 is the AdaB²N layer's own default (ordinary BN momentum); λ has no default in the official
 * code (its grid is {0.01, 0.1, 1, 10}): 0.1; ada_t0 defaults to 0 there; compat = true reproduces its weights.
 */
export const NORM_DEFAULTS: ResolvedNormOptions = { momentum: 0.1, eps: 1e-5, kappa: 1, lambda: 0.1, adaT0: 0, compat: true };

/** Options only the AdaB²N layer reads. */
const ADAB2N_ONLY = ['kappa', 'lambda', 'adaT0', 'compat'] as const;

/** The options of `kind` with defaults filled in; UserError for options the kind does not use. */
export function resolveNormOptions(kind: NormKind, given: NormOptions | undefined, where = 'model.normOptions'): ResolvedNormOptions {
  const options = given ?? {};
  if (kind === 'none' && Object.keys(options).length > 0)
    throw new UserError('normOptions are given but the model has no normalisation', where, 'set model.norm to "batchnorm" or "adab2n", or remove normOptions');
  if (kind === 'batchnorm') {
    const extra = ADAB2N_ONLY.filter((k) => options[k] !== undefined);
    if (extra.length)
      throw new UserError(`${extra.join(', ')} ${extra.length > 1 ? 'are options' : 'is an option'} of AdaB²N, not of BatchNorm`, where, 'set model.norm to "adab2n", or remove them');
  }
  const resolved = { ...NORM_DEFAULTS, ...definedOnly(options) };
  if (!(resolved.momentum > 0 && resolved.momentum <= 1)) throw new UserError(`momentum ${resolved.momentum} is not in (0, 1]`, where, 'use e.g. 0.1');
  if (!(resolved.kappa >= 0 && resolved.kappa <= 1)) throw new UserError(`kappa ${resolved.kappa} is not in [0, 1]`, where, 'use a value in [0, 1] (the paper\'s grid: 0.1, 0.4, 0.7, 1)');
  return resolved;
}

function definedOnly(options: NormOptions): Partial<ResolvedNormOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs has no stop-gradient op): running
 * statistics computed from its output do not feed gradients back into the batch statistics.
 */
export const stopGradient = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([]);
  return { value: tf.add(x as tf.Tensor, 0), gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor) };
}) as unknown as <T extends tf.Tensor>(x: T) => T;

/**
 * Biased batch mean and variance per feature, optionally with per-row weights `a` ([rows, 1], Σ a need not
 * be 1): μ = Σ_i a_i·x_i, σ² = Σ_i a_i·(x_i − μ)²; without weights, the plain means over the rows.
 */
export function batchMoments(x: tf.Tensor2D, a: tf.Tensor2D | null): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (!a) {
    const mean = tf.mean(x, 0) as tf.Tensor1D;
    return { mean, variance: tf.mean(tf.square(tf.sub(x, mean)), 0) as tf.Tensor1D };
  }
  const mean = tf.sum(tf.mul(x, a), 0) as tf.Tensor1D;
  return { mean, variance: tf.sum(tf.mul(tf.square(tf.sub(x, mean)), a), 0) as tf.Tensor1D };
}

/** γ·(x − μ)/√(σ² + ε) + β. */
export function normalize(x: tf.Tensor2D, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta) as tf.Tensor2D;
}

/** The affine parameters and running statistics every normalisation layer has, initialised as PyTorch does. */
export function normParameters(features: number): { gamma: tf.Variable<tf.Rank.R1>; beta: tf.Variable<tf.Rank.R1>; runningMean: tf.Variable<tf.Rank.R1>; runningVar: tf.Variable<tf.Rank.R1> } {
  return tf.tidy(() => ({
    gamma: tf.variable(tf.ones([features]) as tf.Tensor1D, true),
    beta: tf.variable(tf.zeros([features]) as tf.Tensor1D, true),
    runningMean: tf.variable(tf.zeros([features]) as tf.Tensor1D, false),
    runningVar: tf.variable(tf.ones([features]) as tf.Tensor1D, false),
  }));
}

/**
 * Running-statistics updates waiting for `commit`, and every tensor the training forwards kept for them (the
 * gradient tape may still read those until the step ends, so they are freed only at commit).
 */
export class PendingStatistics {
  private mean: tf.Tensor1D | null = null;
  private variance: tf.Tensor1D | null = null;
  private readonly kept: tf.Tensor[] = [];

  constructor(
    private readonly runningMean: tf.Variable<tf.Rank.R1>,
    private readonly runningVar: tf.Variable<tf.Rank.R1>,
  ) {}

  /** the running statistics as the next update starts from them: pending ones first */
  current(): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
    return { mean: this.mean ?? this.runningMean, variance: this.variance ?? this.runningVar };
  }

  /** record the next values (created in the caller's scope; kept here) */
  set(mean: tf.Tensor1D, variance: tf.Tensor1D): void {
    this.mean = this.keep(mean);
    this.variance = this.keep(variance);
  }

  /** keep a tensor alive until the commit */
  keep<T extends tf.Tensor>(t: T): T {
    this.kept.push(tf.keep(t));
    return t;
  }

  get waiting(): boolean {
    return this.mean !== null;
  }

  commit(): void {
    if (this.mean && this.variance) {
      this.runningMean.assign(this.mean);
      this.runningVar.assign(this.variance);
    }
    this.mean = null;
    this.variance = null;
    this.discard();
  }

  discard(): void {
    tf.dispose(this.kept.splice(0));
    this.mean = null;
    this.variance = null;
  }
}
