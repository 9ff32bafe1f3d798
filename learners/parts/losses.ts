/** Losses and masks shared by learners. */
import * as tf from '@tensorflow/tfjs';
import type { ScenarioInfo, TrainingConfig } from '../contract.js';

/**
 * What every mask adds to a logit it hides, in every learner and in evaluation: exp(z − 1e9) underflows to 0
 * in float32 (so does exp((z − 1e9)/T) for a distillation temperature T up to ~1e6), so softmax, loss,
 * gradient and argmax ignore the output, and the logit stays finite (−Infinity would give 0·∞ = NaN in a
 * gradient). The official codes fill with the lowest float or slice the columns out: the same results.
 */
export const MASKED_LOGIT = -1e9;

/**
 * Additive logit mask for the task-incremental setting: 0 on the outputs of each example's task (its head),
 * −1e9 elsewhere, so softmax, loss and argmax only see that head. Null in the other settings.
 */
export function taskMask(scenario: ScenarioInfo, taskIds: ArrayLike<number>): Float32Array | null {
  if (scenario.setting !== 'task') return null;
  const width = scenario.outputs;
  const mask = new Float32Array(taskIds.length * width).fill(MASKED_LOGIT);
  for (let i = 0; i < taskIds.length; i++) {
    for (const o of scenario.tasks[taskIds[i]].outputs) mask[i * width + o] = 0;
  }
  return mask;
}

/**
 * One row of the additive logit mask over the outputs of tasks 0..`lastTask` (0 there, −1e9 elsewhere): the
 * class-IL loss over the classes seen so far (training.lossOutputs 'seen'; Hsu et al.'s `valid_out_dim`).
 */
export function seenOutputsMask(scenario: ScenarioInfo, lastTask: number): Float32Array {
  const row = new Float32Array(scenario.outputs).fill(MASKED_LOGIT);
  for (const task of scenario.tasks.slice(0, lastTask + 1)) for (const o of task.outputs) row[o] = 0;
  return row;
}

/** `row` repeated for `rows` examples (a batch's mask); null for no row. */
export function repeatRows(row: Float32Array | null, rows: number): Float32Array | null {
  if (!row) return null;
  const mask = new Float32Array(rows * row.length);
  for (let i = 0; i < rows; i++) mask.set(row, i * row.length);
  return mask;
}

/**
 * The additive mask of the outputs an estimate on task data sees (EWC's Fisher, MAS's importance): each
 * example's head in task-IL; with class-IL `lossOutputs: 'seen'` the outputs of tasks up to the latest task of
 * the batch (the estimate runs on the task just learned, so those are the classes seen so far, as Hsu et al.'s
 * `valid_out_dim`); null (all outputs) otherwise.
 */
export function estimateMask(scenario: ScenarioInfo, training: Pick<TrainingConfig, 'lossOutputs'>, taskIds: ArrayLike<number>): Float32Array | null {
  const heads = taskMask(scenario, taskIds);
  if (heads || scenario.setting !== 'class' || training.lossOutputs !== 'seen' || taskIds.length === 0) return heads;
  return repeatRows(seenOutputsMask(scenario, Math.max(...Array.from(taskIds))), taskIds.length);
}

/** `logits` plus an additive mask of the same shape (row-major, as `taskMask` makes it); unchanged for null. */
export function applyMask(logits: tf.Tensor2D, mask: Float32Array | null): tf.Tensor2D {
  return mask ? tf.add(logits, tf.tensor2d(mask, logits.shape)) : logits;
}

/** Mean softmax cross-entropy of integer targets; optional per-example weights (mean of weight·loss). */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, logits.shape[1])), 1);
    return tf.neg(tf.mean(weights ? tf.mul(picked, weights) : picked)) as tf.Scalar;
  });
}
