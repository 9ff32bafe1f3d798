import * as tf from '@tensorflow/tfjs';

/**
 * The one rule for copying tensors in clbench: `tf.clone`. A tfjs tensor never changes once made, and a
 * variable changes only by `assign`, which gives it new data (tfjs's optimizers, fused Adam and the native
 * backend's kernels all write new outputs and assign them): so a clone keeps the values it was taken with,
 * and costs no copy of the data. spec/learners/parameterCopies.spec.ts holds every optimizer to it.
 */
export function copyTensor<T extends tf.Tensor>(t: T): T {
  return tf.clone(t);
}

/** Copies of tensors (parameter values), kept outside any tf.tidy; the caller disposes them. */
export function copyValues(values: readonly tf.Tensor[]): tf.Tensor[] {
  return values.map((t) => tf.keep(copyTensor(t)));
}

/** Replaces `old` (disposed) by `next`; returns `next`. For state tensors updated once a step or phase. */
export function replaceValues(old: tf.Tensor[] | null, next: tf.Tensor[]): tf.Tensor[] {
  if (old) tf.dispose(old);
  return next;
}
