/**
 * 1-D batch normalisation (Ioffe & Szegedy 2015) with PyTorch's `BatchNorm1d` semantics, the "BN" that the
 * AdaB²N paper compares against:
 *   training:   y = γ·(x − μ_B)/√(σ²_B + ε) + β with the batch mean and *biased* batch variance;
 *               running_mean ← (1 − m)·running_mean + m·μ_B,
 *               running_var  ← (1 − m)·running_var  + m·σ²_B·N/(N − 1)   (unbiased, as PyTorch; Bessel's correction)
 *   evaluation: y = γ·(x − running_mean)/√(running_var + ε) + β.
 * A one-row batch has no variance to estimate (PyTorch refuses it in training mode): it is normalised with its own
 * statistics but leaves the running statistics unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMoments, normalize, normParameters, PendingStatistics, stopGradient, type NormLayer } from './normalization.js';

export class BatchNorm1d implements NormLayer {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;
  readonly variables: tf.Variable[];
  readonly buffers: tf.Variable[];
  private readonly pending: PendingStatistics;

  constructor(
    readonly features: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
  ) {
    ({ gamma: this.gamma, beta: this.beta, runningMean: this.runningMean, runningVar: this.runningVar } = normParameters(features));
    this.variables = [this.gamma, this.beta];
    this.buffers = [this.runningMean, this.runningVar];
    this.pending = new PendingStatistics(this.runningMean, this.runningVar);
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!training) return normalize(x, this.runningMean, this.runningVar, this.gamma, this.beta, this.eps);
    const { mean, variance } = batchMoments(x, null);
    const rows = x.shape[0];
    if (rows > 1) {
      const m = this.momentum;
      const from = this.pending.current();
      const unbiased = tf.mul(stopGradient(variance), rows / (rows - 1));
      this.pending.set(tf.add(tf.mul(from.mean, 1 - m), tf.mul(stopGradient(mean), m)), tf.add(tf.mul(from.variance, 1 - m), tf.mul(unbiased, m)));
    }
    return normalize(x, mean, variance, this.gamma, this.beta, this.eps);
  }

  setBatchTasks(): void {}

  alignmentLoss(): tf.Scalar | null {
    return null;
  }

  commit(): void {
    this.pending.commit();
  }

  async buffersLoaded(): Promise<void> {}

  dispose(): void {
    this.pending.discard();
    tf.dispose([...this.variables, ...this.buffers]);
  }
}
