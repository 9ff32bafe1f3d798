/**
 * The sum of tensors of one shape, as `tf.addN` computes it but at most 7 inputs a kernel: on WebGPU one
 * addN over n tensors binds n + 1 storage buffers, a device gives 8 a shader stage unless more are asked
 * for, and tfjs does not split the kernel (measured on an H200: 15 inputs → a Dawn validation error and
 * NaN weights). Chunks add in order, the running sum first, so the float32 result equals one addN's
 * (which also adds its inputs in order) on every backend.
 */
import * as tf from '@tensorflow/tfjs';

/** Inputs of one addN kernel: 7 tensors and the output fill the default 8 storage buffers. */
export const ADD_N_MAX_INPUTS = 7;

export function sumTensors<T extends tf.Tensor>(terms: readonly T[]): T {
  if (terms.length === 0) throw new Error('sumTensors: nothing to add');
  return tf.tidy(() => {
    let sum: tf.Tensor = terms.length === 1 ? terms[0].clone() : tf.addN(terms.slice(0, ADD_N_MAX_INPUTS));
    for (let start = ADD_N_MAX_INPUTS; start < terms.length; start += ADD_N_MAX_INPUTS - 1) {
      sum = tf.addN([sum, ...terms.slice(start, start + ADD_N_MAX_INPUTS - 1)]);
    }
    return sum as T;
  });
}
