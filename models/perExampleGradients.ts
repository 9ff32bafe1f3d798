/**
 * Sums over a batch of per-example gradient magnitudes, Σ_i f(∂(g_i·z_i)/∂θ) with f = square (Fisher, EWC)
 * or f = abs (MAS), for every variable of a model; z_i are example i's logits and g_i = `logitGrads[i]`
 * (held constant). Per-example, never the gradient of a batch sum, whose square or absolute value would let
 * examples interact. Uses the model's batched implementation when it has one (models/mlp.ts), otherwise one
 * backward pass per example.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from './types.js';

export function squaredGradientSums(model: Model, x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
  return model.squaredGradientSums ? model.squaredGradientSums(x, logitGrads) : loopOverExamples(model, x, logitGrads, tf.square);
}

export function absoluteGradientSums(model: Model, x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
  return model.absoluteGradientSums ? model.absoluteGradientSums(x, logitGrads) : loopOverExamples(model, x, logitGrads, tf.abs);
}

function loopOverExamples(model: Model, x: tf.Tensor2D, logitGrads: tf.Tensor2D, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    let sums = model.variables.map((v) => tf.zerosLike(v) as tf.Tensor);
    for (let i = 0; i < x.shape[0]; i++) {
      const xi = tf.slice(x, [i, 0], [1, -1]);
      const gi = tf.slice(logitGrads, [i, 0], [1, -1]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi, false), gi)) as tf.Scalar, model.variables);
      const next = model.variables.map((v, k) => tf.add(sums[k], f(grads[v.name])));
      tf.dispose([...sums, ...Object.values(grads)]);
      sums = next;
    }
    return sums;
  });
}
