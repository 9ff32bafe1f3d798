/**
 * Diagonal Fisher information of a task (EWC, Kirkpatrick et al. 2017; online EWC, Schwarz et al. 2018),
 * estimated on the task's training data with the model in evaluation mode:
 *
 *   F_i = (1/N) Σ_x E_y[(∂ log p_θ(y|x) / ∂θ_i)²]
 *
 * where the label y is, by `kind`:
 *   'true'      — every label, weighted by p_θ(y|x) (the exact Fisher; van de Ven et al. 2022),
 *   'sampled'   — one label drawn from p_θ(·|x) (Kirkpatrick et al.'s Monte-Carlo estimate),
 *   'predicted' — argmax p_θ(y|x) (Hsu et al. 2018, van de Ven & Tolias 2019),
 *   'empirical' — the true label (the "empirical Fisher").
 * p_θ is restricted to the example's active outputs (its head in task-IL). Two estimators (`estimator`):
 *   'per-example' — the formula above: per-example squared gradients, in one batched pass
 *                   (models/perExampleGradients.ts). Hsu et al.'s EWC_mnist / EWC_online_mnist (split MNIST).
 *   'batch-mean'  — Hsu et al.'s plain EWC / EWC_online (agents/regularization.py without n_fisher_sample; their
 *                   permuted-MNIST scripts): for each mini-batch b of the training batch size (seeded shuffled
 *                   order) the gradient of the batch's mean loss, squared and weighted by |b|, averaged over the
 *                   batches: F_i = (1/n_b) Σ_b |b| (∂ mean_{x∈b} −log p_θ(y|x) / ∂θ_i)². Not the same quantity:
 *                   per-example gradients cancel inside a batch, so it is near |b|·(mean gradient)² + variance;
 *                   Hsu's permuted coefficients (EWC 150, online EWC 250) are tuned for it. 'true' has no
 *                   batch-mean form (the expectation over labels does not pass through the square of a sum).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';
import { squaredGradientSums } from '../../models/perExampleGradients.js';
import type { Model } from '../../models/types.js';
import { selectExamples, shuffledBatches } from '../../scenarios/examples.js';
import type { ExampleSet } from '../../scenarios/types.js';
import type { LearnerContext, PairingProblem } from '../contract.js';
import { applyMask, estimateMask } from './losses.js';

/** Which label the Fisher's squared gradients are taken for (see `fisherDiagonal`). */
export type FisherKind = 'true' | 'sampled' | 'predicted' | 'empirical';
export const FISHER_KINDS: readonly FisherKind[] = ['true', 'sampled', 'predicted', 'empirical'];

/** Whose squared gradients: each example's, or each mini-batch mean's (see the module comment). */
export type FisherEstimator = 'per-example' | 'batch-mean';
export const FISHER_ESTIMATORS: readonly FisherEstimator[] = ['per-example', 'batch-mean'];

/** The `fisherEstimator` option of EWC and online EWC. */
export const FISHER_ESTIMATOR_SCHEMA = {
  enum: [...FISHER_ESTIMATORS],
  default: 'per-example',
  description:
    "'per-example' squared gradients (the definition; Hsu et al.'s EWC_mnist, split MNIST) or 'batch-mean': squared gradients of each training mini-batch's mean loss, × batch size, averaged over batches (Hsu et al.'s plain EWC / EWC_online, permuted MNIST)",
} as const;

/**
 * Run keys: EWC and online EWC runs are keyed and recorded without `fisherEstimator` when it is 'per-example',
 * the only estimator before the option existed, so the keys of earlier records still hold.
 */
export function fisherEstimatorKeyOptions<O extends { fisherEstimator?: FisherEstimator }>(options: O): O {
  const { fisherEstimator, ...rest } = options;
  return (fisherEstimator === 'batch-mean' ? options : rest) as O;
}

/** A suite entry's Fisher options that cannot go together, said for the suite reader (null: fine). */
export function fisherOptionsProblem(options: { fisher: FisherKind; fisherEstimator?: FisherEstimator }): PairingProblem | null {
  return options.fisherEstimator === 'batch-mean' && options.fisher === 'true'
    ? {
        message: "the 'batch-mean' Fisher estimator takes one label an example, and fisher 'true' weighs every label",
        field: 'options.fisher',
        fix: "use fisher 'predicted' (Hsu et al.), 'sampled' or 'empirical' with 'batch-mean', or fisherEstimator 'per-example' with 'true'",
      }
    : null;
}

const CHUNK = 256;

/**
 * The diagonal Fisher information of `model` on `examples`, one tensor per model variable (owned by the caller),
 * F_i = (1/N) Σ_x E_y[(∂ log p_θ(y|x) / ∂θ_i)²] with y chosen by `kind` (see the module comment), in evaluation
 * mode, from per-example squared gradients (or, `estimator` 'batch-mean', from those of each mini-batch of
 * `ctx.training.batchSize` examples' mean loss). `samples` examples drawn from `rng` without replacement (null:
 * all of them). The probabilities that choose the labels are read asynchronously (a synchronous read fails on
 * the WebGPU backend).
 */
export async function fisherDiagonal(
  model: Model,
  ctx: LearnerContext,
  examples: ExampleSet,
  kind: FisherKind,
  rng: Rng,
  samples: number | null,
  estimator: FisherEstimator = 'per-example',
): Promise<tf.Tensor[]> {
  if (estimator === 'batch-mean') return batchMeanFisher(model, ctx, examples, kind, rng, samples);
  const count = examples.indices.length;
  const chosen = samples !== null && samples < count ? rng.sample(rangeOf(count), samples) : rangeOf(count);
  let sums = model.variables.map((v) => tf.keep(tf.zerosLike(v) as tf.Tensor));
  for (let start = 0; start < chosen.length; start += CHUNK) {
    const batch = ctx.data.batch(examples, chosen.subarray(start, start + CHUNK));
    const [x, probs, maxima] = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [batch.size, ctx.scenario.inputSize]);
      const mask = estimateMask(ctx.scenario, ctx.training, batch.taskIds);
      const probs = tf.softmax(applyMask(model.forward(x, false), mask)) as tf.Tensor2D;
      // the exact Fisher skips outputs no example can produce: it needs each output's largest probability
      return [x, probs, kind === 'true' ? tf.max(probs, 0) : null];
    });
    const read = { p: (await probs.data()) as Float32Array, maxima: maxima ? ((await maxima.data()) as Float32Array) : null };
    const next = tf.tidy(() => {
      let acc = sums;
      for (const g of logitGradients(probs, read, batch.targets, kind, rng)) {
        const sq = squaredGradientSums(model, x, g);
        acc = acc.map((a, k) => tf.add(a, sq[k]));
      }
      return acc;
    });
    tf.dispose([x, probs, ...(maxima ? [maxima] : []), ...sums]);
    sums = next.map((t) => tf.keep(t));
  }
  const fisher = sums.map((s) => tf.keep(tf.div(s, chosen.length)));
  tf.dispose(sums);
  return fisher;
}

/** The 'batch-mean' estimator: (1/n_b) Σ_b |b| · (∂ mean_{x∈b} −log p(y|x) / ∂θ)² over seeded shuffled mini-batches. */
async function batchMeanFisher(model: Model, ctx: LearnerContext, examples: ExampleSet, kind: FisherKind, rng: Rng, samples: number | null): Promise<tf.Tensor[]> {
  if (kind === 'true') throw new Error("the 'batch-mean' Fisher needs one label an example ('predicted', 'sampled' or 'empirical'), not 'true'");
  const count = examples.indices.length;
  const chosen = samples !== null && samples < count ? selectExamples(examples, rng.sample(rangeOf(count), samples)) : examples;
  const batches = shuffledBatches(chosen.indices.length, ctx.training.batchSize, rng);
  let sums = model.variables.map((v) => tf.keep(tf.zerosLike(v) as tf.Tensor));
  for (const positions of batches) {
    const batch = ctx.data.batch(chosen, positions);
    const n = batch.size;
    const [x, probs] = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [n, ctx.scenario.inputSize]);
      const mask = estimateMask(ctx.scenario, ctx.training, batch.taskIds);
      return [x, tf.softmax(applyMask(model.forward(x, false), mask)) as tf.Tensor2D];
    });
    const read = { p: (await probs.data()) as Float32Array, maxima: null };
    const next = tf.tidy(() => {
      // ∂ mean loss / ∂ logits = (p − onehot(y)) / n; the variables' gradient is its product with the network's Jacobian
      const dLogits = tf.div(logitGradients(probs, read, batch.targets, kind, rng)[0], n);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(x, false), dLogits)) as tf.Scalar, model.variables);
      // a parameter evaluation mode does not use (AdaB²N's θ) has Fisher 0
      return sums.map((s, k) => {
        const g = grads[model.variables[k].name];
        return tf.keep(g ? tf.add(s, tf.mul(tf.square(g), n)) : s.clone());
      });
    });
    tf.dispose([x, probs, ...sums]);
    sums = next;
  }
  const fisher = sums.map((s) => tf.keep(tf.div(s, Math.max(batches.length, 1))));
  tf.dispose(sums);
  return fisher;
}

/**
 * Per-example gradients of −log p(y|x) with respect to the logits, p − onehot(y), for the label choice of
 * `kind`; for the exact Fisher one matrix per class c, scaled by √p_c so that squares carry the weight p_c.
 */
function logitGradients(probs: tf.Tensor2D, read: { p: Float32Array; maxima: Float32Array | null }, targets: Int32Array, kind: FisherKind, rng: Rng): tf.Tensor2D[] {
  const { p, maxima } = read;
  const [n, width] = probs.shape;
  const labelsOf = (pick: (row: number) => number) => {
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = pick(i);
    return tf.sub(probs, tf.oneHot(tf.tensor1d(labels, 'int32'), width)) as tf.Tensor2D;
  };
  switch (kind) {
    case 'empirical':
      return [labelsOf((i) => targets[i])];
    case 'predicted':
      return [labelsOf((i) => argmax(p, i * width, width))];
    case 'sampled':
      return [labelsOf((i) => sampleIndex(p, i * width, width, rng.next()))];
    case 'true': {
      const out: tf.Tensor2D[] = [];
      for (let c = 0; c < width; c++) {
        // Skip outputs no example can produce (masked heads): their weight p_c is exactly 0.
        if (maxima![c] === 0) continue;
        const column = tf.slice(probs, [0, c], [n, 1]);
        const oneHot = tf.oneHot(tf.fill([n], c, 'int32') as tf.Tensor1D, width);
        out.push(tf.mul(tf.sqrt(column), tf.sub(probs, oneHot)) as tf.Tensor2D);
      }
      return out;
    }
  }
}

function argmax(p: Float32Array, offset: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (p[offset + k] > p[offset + best]) best = k;
  return best;
}

function sampleIndex(p: Float32Array, offset: number, width: number, u: number): number {
  let cumulative = 0;
  for (let k = 0; k < width; k++) {
    cumulative += p[offset + k];
    if (u < cumulative) return k;
  }
  return argmax(p, offset, width);
}

function rangeOf(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
