/**
 * The network a model spec describes: the plain `Mlp` (fused dense + ReLU, the fast path) without
 * normalisation, the `NormMlp` with BatchNorm or AdaB²N layers otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import { Mlp, type MlpShape } from './mlp.js';
import { NormMlp } from './normMlp.js';
import type { Model, ModelCapability, ModelSpec } from './types.js';

export function createNetwork(spec: ModelSpec, shape: MlpShape, rng: Rng): Mlp | NormMlp {
  return spec.norm === undefined || spec.norm === 'none' ? new Mlp(spec, shape, rng) : new NormMlp(spec, shape, rng);
}

/**
 * What the network of `spec` offers a learner, known before it is built (a suite is checked before
 * anything trains): both the plain and the normalising MLP have a linear head and expose its features.
 */
export function networkCapabilities(_spec: ModelSpec): ModelCapability[] {
  return ['head', 'features'];
}

/** Copies `from`'s parameters and buffers into `to` (same spec and shape), e.g. a frozen teacher. */
export async function copyModelState(from: Model, to: Model): Promise<void> {
  // clones: tensors never change, variables and buffers only by assign (learners/parts/parameterCopies.ts);
  // a clone keeps the dtype too (an int32 count)
  tf.tidy(() => to.variables.forEach((v, i) => v.assign(tf.clone(from.variables[i]))));
  if (!from.buffers || !to.loadBuffers) return;
  const copies = from.buffers.map((b) => tf.clone(b));
  try {
    await to.loadBuffers(copies);
  } finally {
    tf.dispose(copies);
  }
}
