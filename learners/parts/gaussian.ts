/**
 * Multivariate Gaussians for SLCA's classifier alignment (Zhang et al. 2023, Sec. 3.3): per-class feature mean and
 * covariance, and draws from N(s·μ, Σ) through the Cholesky factor Σ = L·Lᵀ (x = s·μ + L·z, z ~ N(0, I)).
 * The factorisation runs in float64 in JavaScript (feature widths are a few hundred at most); the draws are
 * one matrix product on the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';

/**
 * Lower-triangular L with L·Lᵀ = a (a symmetric positive definite, n × n row-major); Cholesky–Banachiewicz.
 * Throws when a is not positive definite (a pivot ≤ 0).
 */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`cholesky: the matrix is not positive definite (pivot ${i}: ${sum})`);
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j];
    }
  }
  return l;
}

/**
 * Mean and unbiased covariance of the rows of `features` ([rows × n]), plus `ridge`·I (SLCA: 1e-4), both
 * rounded to float32 (so that a checkpoint, which holds float32, restores exactly what was used). One row:
 * covariance 0 (+ ridge).
 */
export async function featureMoments(features: tf.Tensor2D, ridge: number): Promise<{ mean: Float32Array; covariance: Float32Array }> {
  const [rows, n] = features.shape;
  const [mu, product] = tf.tidy(() => {
    const mu = tf.mean(features, 0);
    const centred = tf.sub(features, mu);
    return [mu, tf.matMul(tf.transpose(centred), centred)];
  });
  // read asynchronously: a synchronous read fails on the WebGPU backend
  const [mean, scatter] = [await mu.data(), await product.data()];
  tf.dispose([mu, product]);
  const covariance = new Float32Array(n * n);
  const denominator = Math.max(rows - 1, 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) covariance[i * n + j] = scatter[i * n + j] / denominator + (i === j ? ridge : 0);
  return { mean: Float32Array.from(mean), covariance };
}

/**
 * `count` draws from N(scale·mean, L·Lᵀ) as a [count × n] tensor (the caller disposes it); z from `rng`.
 */
export function sampleGaussian(mean: ArrayLike<number>, lower: Float64Array, n: number, count: number, scale: number, rng: Rng): tf.Tensor2D {
  const z = new Float32Array(count * n);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  // x = z·Lᵀ row by row; Lᵀ is built here so the product needs no transpose flag
  const lowerT = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) lowerT[j * n + i] = lower[i * n + j];
  const shifted = Float32Array.from(mean, (m) => m * scale);
  return tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(z, [count, n]), tf.tensor2d(lowerT, [n, n])), tf.tensor1d(shifted)) as tf.Tensor2D);
}
