/**
 * MAS importance — Aljundi et al. 2018 (ECCV, "Memory Aware Synapses", Eq. 4): how sensitive the squared L2
 * norm of the network's output is to each parameter, on a task's training data (no labels needed):
 *
 *   Ω_i = (1/N) Σ_k | ∂ ‖z(x_k)‖²₂ / ∂θ_i |
 *
 * with z the logits over the example's active outputs (its head in task-IL, every output otherwise, as for
 * the Fisher in ./importance.ts). Two estimators:
 *   'per-example' — the formula above: absolute per-example gradients, in one batched pass
 *                   (models/perExampleGradients.ts); ∂‖z‖²/∂z = 2z.
 *   'batch-mean'  — Hsu et al. 2018's code (agents/regularization.py, MAS): for each mini-batch B of
 *                   `batchSize` examples (seeded shuffled order) the gradient of mean_{k∈B, o active} z_k,o²,
 *                   absolute value, averaged over the batches. A different (smaller) quantity: per-batch
 *                   gradients can cancel between examples and the square is a mean over outputs, so Hsu's
 *                   coefficients (λ = 1 / 10000 / 1 on split MNIST) are tuned for it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';
import { absoluteGradientSums } from '../../models/perExampleGradients.js';
import type { Model } from '../../models/types.js';
import { selectExamples, shuffledBatches } from '../../scenarios/examples.js';
import type { ExampleSet } from '../../scenarios/types.js';
import type { LearnerContext } from '../contract.js';
import { estimateMask } from './losses.js';

export type MasEstimator = 'per-example' | 'batch-mean';
export const MAS_ESTIMATORS: readonly MasEstimator[] = ['per-example', 'batch-mean'];

const CHUNK = 256;

/**
 * Ω of `examples` (or of `samples` of them, drawn with `rng`). Returns kept tensors shaped like the model's
 * variables; the caller disposes them.
 */
export function outputSensitivity(
  model: Model,
  ctx: LearnerContext,
  examples: ExampleSet,
  estimator: MasEstimator,
  rng: Rng,
  samples: number | null,
  batchSize: number,
): tf.Tensor[] {
  const count = examples.indices.length;
  const chosen = samples !== null && samples < count ? selectExamples(examples, rng.sample(rangeOf(count), samples)) : examples;
  const chunks = estimator === 'per-example' ? consecutive(chosen.indices.length, CHUNK) : shuffledBatches(chosen.indices.length, batchSize, rng);
  let sums = model.variables.map((v) => tf.keep(tf.zerosLike(v) as tf.Tensor));
  for (const positions of chunks) {
    const batch = ctx.data.batch(chosen, positions);
    const next = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [batch.size, ctx.scenario.inputSize]);
      const active = activeOutputs(ctx, batch.taskIds, batch.size);
      const part = estimator === 'per-example' ? perExample(model, x, active) : batchMean(model, x, active);
      return sums.map((s, k) => tf.keep(tf.add(s, part[k])));
    });
    tf.dispose(sums);
    sums = next;
  }
  const divisor = estimator === 'per-example' ? chosen.indices.length : chunks.length;
  const importance = sums.map((s) => tf.keep(tf.div(s, Math.max(divisor, 1))));
  tf.dispose(sums);
  return importance;
}

/** Σ_k |∂‖z_k ⊙ m_k‖²/∂θ|: per-example gradients with ∂/∂z = 2 z ⊙ m. */
function perExample(model: Model, x: tf.Tensor2D, active: tf.Tensor2D): tf.Tensor[] {
  const z = model.forward(x, false);
  return absoluteGradientSums(model, x, tf.mul(tf.mul(z, active), 2) as tf.Tensor2D);
}

/** |∂/∂θ of Σ_k Σ_o (m z)² / Σ m| (the mean over the batch's active logits), for one mini-batch. */
function batchMean(model: Model, x: tf.Tensor2D, active: tf.Tensor2D): tf.Tensor[] {
  const { grads } = tf.variableGrads(() => {
    const z = tf.mul(model.forward(x, false), active);
    return tf.div(tf.sum(tf.square(z)), tf.sum(active)) as tf.Scalar;
  }, model.variables);
  // a parameter evaluation mode does not use (AdaB²N's θ) has importance 0
  return model.variables.map((v) => (grads[v.name] ? tf.abs(grads[v.name]) : tf.zerosLike(v)));
}

/** 1 on each example's active outputs, 0 elsewhere. */
function activeOutputs(ctx: LearnerContext, taskIds: Uint16Array, size: number): tf.Tensor2D {
  const mask = estimateMask(ctx.scenario, ctx.training, taskIds);
  const width = ctx.scenario.outputs;
  if (!mask) return tf.ones([size, width]);
  return tf.tensor2d(mask.map((m) => (m === 0 ? 1 : 0)), [size, width]);
}

function consecutive(count: number, size: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let start = 0; start < count; start += size) out.push(rangeOf(Math.min(size, count - start), start));
  return out;
}

function rangeOf(n: number, from = 0): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => from + i);
}
