import * as tf from '@tensorflow/tfjs';
import type { Model } from './types.js';

/**
 * Σ_i |∂(g_i·z_i)/∂θ| for every variable of `model` (see Model.absoluteGradientSums): per-example gradients,
 * never the gradient of a batch sum, whose absolute value would let examples cancel. Uses the model's
 * batched implementation when it has one, otherwise one backward pass per example.
 */
export function absoluteGradientSums(model: Model, x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
  if (model.absoluteGradientSums) return model.absoluteGradientSums(x, logitGrads);
  return tf.tidy(() => {
    let sums = model.variables.map((v) => tf.zerosLike(v) as tf.Tensor);
    for (let i = 0; i < x.shape[0]; i++) {
      const xi = tf.slice(x, [i, 0], [1, -1]);
      const gi = tf.slice(logitGrads, [i, 0], [1, -1]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi, false), gi)) as tf.Scalar, model.variables);
      const next = model.variables.map((v, k) => tf.add(sums[k], tf.abs(grads[v.name])));
      tf.dispose([...sums, ...Object.values(grads)]);
      sums = next;
    }
    return sums;
  });
}
