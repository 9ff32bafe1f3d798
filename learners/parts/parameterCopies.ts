import * as tf from '@tensorflow/tfjs';

/**
 * Deep copies of tensors (parameter values), kept outside any tf.tidy; the caller disposes them.
 * tf.add(t, 0), not t.clone(): a clone shares the variable's buffer, which an optimizer may overwrite in place.
 */
export function copyValues(values: readonly tf.Tensor[]): tf.Tensor[] {
  return values.map((t) => tf.keep(tf.add(t, 0)));
}

/** Replaces `old` (disposed) by `next`; returns `next`. For state tensors updated once a step or phase. */
export function replaceValues(old: tf.Tensor[] | null, next: tf.Tensor[]): tf.Tensor[] {
  if (old) tf.dispose(old);
  return next;
}
