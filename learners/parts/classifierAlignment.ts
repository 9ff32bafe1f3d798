/**
 * SLCA's classifier alignment (Zhang et al. 2023, Sec. 3.3; official code models/slca.py
 * `_stage2_compact_classifier`): after a task, re-train the output layer — every head
 * seen so far — on features sampled from stored class Gaussians, the backbone not involved.
 *
 *   for each of `epochs` epochs:
 *     for every seen class c of task t_c (current task t): `samplesPerClass` draws from N(s_c·μ_c, Σ_c),
 *       s_c = 0.9 + 0.1·(t_c + 1)/(t + 1)   (older tasks' means shrink a little; the current task's s_c = 1)
 *     shuffle all draws; one SGD step per `samplesPerClass` of them (as many steps as classes: the code's budget,
 *     `stepsPerEpoch` null); with a fixed `stepsPerEpoch` S, the epoch takes S such steps, drawing and shuffling
 *     a fresh pool of `samplesPerClass` per class whenever the previous pool is used up (S = classes is the code):
 *       z = heads(f);  with logit normalisation (τ > 0): ν = mean over the heads h of (‖z_h‖₂ + 1e-7),
 *       loss = CE(z/ν/τ, y) over the seen outputs (without it: CE(z, y))
 *     SGD with momentum and (coupled) weight decay, learning rate annealed by a cosine over the epochs.
 *
 * The harness's settings map onto it as follows. A "class" is a (task, output) pair. Class-IL: the heads are
 * the seen tasks' output blocks, the CE runs over all seen outputs (the paper's setting). Domain-IL: one
 * shared head. Task-IL: a draw is scored on its own task's head (and normalised by it alone), as the task id
 * is known there.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';
import type { ScenarioInfo } from '../contract.js';
import { cholesky, sampleGaussian } from './gaussian.js';
import { crossEntropy, MASKED_LOGIT } from './losses.js';


/** The stored statistics of one seen class. */
export interface ClassGaussian {
  task: number;
  output: number;
  mean: Float32Array;
  /** n × n, row-major, ridge included */
  covariance: Float32Array;
}

export interface AlignmentOptions {
  epochs: number;
  samplesPerClass: number;
  /** logit-normalisation temperature τ; 0 = plain cross-entropy */
  tau: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** SGD steps an epoch; null = one per seen class (the official rule) */
  stepsPerEpoch?: number | null;
}

export interface Head {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** Mean scaling of a class of task `task` when task `current` has just been learned. */
export function meanScale(task: number, current: number): number {
  return 0.9 + (0.1 * (task + 1)) / (current + 1);
}

/** Learning rate of epoch e of E under cosine annealing to 0 (PyTorch CosineAnnealingLR, one step an epoch). */
export function cosineLr(lr: number, epoch: number, epochs: number): number {
  return (lr * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

/**
 * Re-trains `head` in place on draws from `classes` (every seen class), after task `currentTask`. Cholesky
 * factors are computed here; `rng` gives the draws and their order.
 */
export function alignClassifier(head: Head, classes: readonly ClassGaussian[], currentTask: number, scenario: ScenarioInfo, options: AlignmentOptions, rng: Rng): void {
  if (classes.length === 0 || options.epochs === 0) return;
  const n = head.weight.shape[0];
  const width = head.weight.shape[1];
  const lowers = classes.map((c) => cholesky(c.covariance, n));
  const seenTasks = [...new Set(classes.map((c) => c.task))].sort((a, b) => a - b);
  const layout = headLayout(scenario, seenTasks);
  const velocity = tf.tidy(() => [tf.variable(tf.zerosLike(head.weight), false), tf.variable(tf.zerosLike(head.bias), false)]);
  const columnMask = tf.tensor1d(layout.updated);
  const per = options.samplesPerClass;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const lr = cosineLr(options.lr, epoch, options.epochs);
      for (let left = options.stepsPerEpoch ?? classes.length; left > 0; left -= classes.length) {
        const perClass = classes.map((c, k) => sampleGaussian(c.mean, lowers[k], n, per, meanScale(c.task, currentTask), rng));
        const draws = tf.concat(perClass);
        tf.dispose(perClass);
        const order = rng.permutation(classes.length * per);
        try {
          for (let step = 0; step < Math.min(left, classes.length); step++) {
            const rows = order.subarray(step * per, (step + 1) * per);
            const labels = Int32Array.from(rows, (r) => classes[Math.floor(r / per)].output);
            const tasks = Array.from(rows, (r) => classes[Math.floor(r / per)].task);
            tf.tidy(() => {
              const x = tf.gather(draws, tf.tensor1d(Int32Array.from(rows), 'int32')) as tf.Tensor2D;
              const { grads } = tf.variableGrads(() => alignmentLoss(head, x, labels, tasks, layout, options.tau), [head.weight, head.bias]);
              [head.weight, head.bias].forEach((p, i) => {
                // PyTorch SGD: d = g + wd·p; v ← μ·v + d; p ← p − lr·v (only the seen heads' columns move)
                const d = tf.mul(tf.add(grads[p.name], tf.mul(p, options.weightDecay)), columnMask);
                velocity[i].assign(tf.add(tf.mul(velocity[i], options.momentum), d));
                p.assign(tf.sub(p, tf.mul(velocity[i], lr)));
              });
            });
          }
        } finally {
          draws.dispose();
        }
      }
    }
  } finally {
    tf.dispose([...velocity, columnMask]);
  }
}

/** Which outputs a draw of each task is scored on, and the heads (output blocks) its logit norm averages. */
export interface HeadLayout {
  width: number;
  /** per seen task: additive mask row (0 = scored) */
  allowed: Map<number, Float32Array>;
  /** distinct heads: blocks[b] = its outputs */
  blocks: number[][];
  /** per seen task: 1 for the heads its draws are normalised by */
  activeBlocks: Map<number, Float32Array>;
  /** 1 for the outputs of seen tasks (the columns alignment updates) */
  updated: Float32Array;
}

/** The layout of `alignClassifier`'s loss once `seenTasks` are seen (exported for its tests). */
export function headLayout(scenario: ScenarioInfo, seenTasks: number[]): HeadLayout {
  const width = scenario.outputs;
  const blocks: number[][] = [];
  const blockOf = new Map<number, number>();
  for (const t of seenTasks) {
    const outputs = scenario.tasks[t].outputs;
    let b = blocks.findIndex((block) => block.join() === outputs.join());
    if (b < 0) b = blocks.push([...outputs]) - 1;
    blockOf.set(t, b);
  }
  const seenOutputs = [...new Set(seenTasks.flatMap((t) => scenario.tasks[t].outputs))];
  const updated = new Float32Array(width);
  for (const o of seenOutputs) updated[o] = 1;
  const allowed = new Map<number, Float32Array>();
  const activeBlocks = new Map<number, Float32Array>();
  for (const t of seenTasks) {
    const own = scenario.setting === 'task';
    const mask = new Float32Array(width).fill(MASKED_LOGIT);
    for (const o of own ? scenario.tasks[t].outputs : seenOutputs) mask[o] = 0;
    allowed.set(t, mask);
    const active = new Float32Array(blocks.length);
    if (own) active[blockOf.get(t)!] = 1;
    else active.fill(1);
    activeBlocks.set(t, active);
  }
  return { width, allowed, blocks, activeBlocks, updated };
}

/** The loss of one alignment step on features `x` (rows labelled by output and task), as in the header (exported for its tests). */
export function alignmentLoss(head: Head, x: tf.Tensor2D, labels: Int32Array, tasks: number[], layout: HeadLayout, tau: number): tf.Scalar {
  const rows = labels.length;
  const { width, blocks } = layout;
  let logits = tf.add(tf.matMul(x, head.weight), head.bias) as tf.Tensor2D;
  if (tau > 0) {
    // ‖z_h‖ for every head h: √(z² · B) with B the [outputs × heads] block indicator
    const indicator = new Float32Array(width * blocks.length);
    blocks.forEach((block, b) => block.forEach((o) => (indicator[o * blocks.length + b] = 1)));
    const active = new Float32Array(rows * blocks.length);
    tasks.forEach((t, r) => active.set(layout.activeBlocks.get(t)!, r * blocks.length));
    const activeT = tf.tensor2d(active, [rows, blocks.length]);
    // (+1e-12 under the root keeps the gradient finite for an all-zero head; the code's +1e-7 is outside)
    const norms = tf.add(tf.sqrt(tf.add(tf.matMul(tf.square(logits), tf.tensor2d(indicator, [width, blocks.length])), 1e-12)), 1e-7);
    const nu = tf.div(tf.sum(tf.mul(norms, activeT), 1, true), tf.sum(activeT, 1, true));
    logits = tf.div(tf.div(logits, nu), tau) as tf.Tensor2D;
  }
  const mask = new Float32Array(rows * width);
  tasks.forEach((t, r) => mask.set(layout.allowed.get(t)!, r * width));
  return crossEntropy(tf.add(logits, tf.tensor2d(mask, [rows, width])) as tf.Tensor2D, tf.tensor1d(labels, 'int32'));
}
