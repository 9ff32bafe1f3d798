import type * as tf from '@tensorflow/tfjs';

/** What a suite says about the network. */
export interface ModelSpec {
  /** widths of the hidden layers, e.g. [400, 400] */
  hidden: number[];
  /** 'fast' = dense op without transposed matMul in the backward pass; 'plain' = tfjs autograd (baseline) */
  dense?: 'fast' | 'plain';
}

/**
 * A network as plain variables. Learners train `variables` and call `forward`; nothing here knows about
 * tasks or schedules.
 */
export interface Model {
  /** trainable variables in a fixed order (the order of checkpoints and importance estimates) */
  readonly variables: tf.Variable[];
  /** logits for a batch */
  forward(x: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /**
   * Per-example squared gradients summed over the batch, Σ_i (∂(g_i·z_i)/∂θ)², for every variable, where
   * z_i are example i's logits and g_i = `logitGrads[i]` (held constant). With g_i = ∂L_i/∂z_i this is the
   * sum of squared per-example gradients of the loss: the diagonal Fisher / importance estimators need it
   * and it costs one batched backward pass instead of one pass per example. Optional: learners fall
   * back to a per-example loop when a model lacks it.
   */
  squaredGradientSums?(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[];
  /**
   * The same with absolute values, Σ_i |∂(g_i·z_i)/∂θ| (MAS importance, Aljundi et al. 2018). Optional, with
   * the same per-example fallback.
   */
  absoluteGradientSums?(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[];
  dispose(): void;
}
