/**
 * The A-GEM projection (Chaudhry et al. 2019, ICLR, "Efficient Lifelong Learning with A-GEM", Eq. 11), over
 * the gradient flattened across all parameters:
 *
 *   g̃ = g                                  if gᵀg_ref ≥ 0
 *   g̃ = g − (gᵀg_ref / g_refᵀg_ref) · g_ref  otherwise
 *
 * so the update never increases the loss on the memory to first order (g̃ᵀg_ref = 0 after projection).
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../../models/sumTensors.js';

/**
 * `g` itself (the same tensors) when no projection is needed, else new tensors. The two sums are read
 * asynchronously (a synchronous read fails on the WebGPU backend).
 */
export async function projectGradient(g: tf.Tensor[], ref: tf.Tensor[]): Promise<tf.Tensor[]> {
  const sums = tf.tidy(() => {
    const dots = g.map((gk, k) => tf.sum(tf.mul(gk, ref[k])));
    const norms = ref.map((rk) => tf.sum(tf.square(rk)));
    return tf.stack([sumTensors(dots), sumTensors(norms)]);
  });
  const [dot, refNorm] = await sums.data();
  sums.dispose();
  if (dot >= 0 || refNorm === 0) return g;
  const scale = dot / refNorm;
  return g.map((gk, k) => tf.sub(gk, tf.mul(ref[k], scale)));
}
