/**
 * What a training step does for a normalising model (models/normMlp.ts), whatever the learner: AdaB²N
 * (Lyu et al. 2023) weighs its batch statistics by the rows' tasks and adds a statistics loss (its λ
 * term); BatchNorm and AdaB²N both move their running statistics only after the update. A model without
 * normalisation has none of these methods, and each call is then a no-op. The base learner (../base.ts)
 * calls them around every step; learners never need to.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../models/types.js';
import type { Batch } from '../../scenarios/types.js';
import type { Phase } from '../contract.js';

/** Before the step's forward pass: the rows' tasks, and the tasks finished before this phase (= its index). */
export function beginNormalisedStep(model: Model, batch: Batch, phase: Phase): void {
  model.setBatchTasks?.(batch.taskIds, phase.index);
}

/** `loss` plus the model's statistics loss when the learner has it on and the model has one. */
export function withStatisticsLoss(model: Model, loss: tf.Scalar, active: boolean): tf.Scalar {
  const statistics = active ? (model.statisticsLoss?.() ?? null) : null;
  return statistics ? tf.add(loss, statistics) : loss;
}

/**
 * The gradients of every variable, a zero one for a variable the step's graph did not reach (AdaB²N's θ
 * before the first task ends, when its statistics loss has nothing to compare), so that every learner sees
 * one gradient per variable.
 */
export function gradientsOfAll(grads: tf.NamedTensorMap, variables: tf.Variable[]): tf.NamedTensorMap {
  for (const v of variables) grads[v.name] ??= tf.zerosLike(v);
  return grads;
}

/** After the update, outside the gradient tape: the running statistics move. */
export function endNormalisedStep(model: Model): void {
  model.commitStatistics?.();
}
