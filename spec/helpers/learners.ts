/** Helpers for the learner specs: phases of a scenario, parameter snapshots and perturbations, penalty gradients. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext, Phase, TrainingConfig } from '../../learners/contract.js';
import { createNetwork } from '../../models/network.js';
import type { Model, ModelSpec } from '../../models/types.js';
import { learnerContext } from '../../run/context.js';
import { taskExamples } from '../../scenarios/examples.js';
import type { Scenario } from '../../scenarios/types.js';
import { uniformArray, values } from './tf.js';

/** The online protocol of the rehearsal specs: one epoch of SGD in batches of 8. */
export const ONLINE: TrainingConfig = { epochs: 1, batchSize: 8, optimizer: 'sgd', lr: 0.05, momentum: 0, resetOptimizer: false };

/** A context as the run protocol makes one (run/context.ts), with a normalising model when `model.norm` says so. */
export function context(scenario: Scenario, model: ModelSpec, training = ONLINE, seed = 3): LearnerContext {
  const shape = (outputs: number) => ({ inputs: scenario.inputSize, outputs, tasks: scenario.tasks.length });
  return learnerContext({ scenario, training, createModel: (outputs) => createNetwork(model, shape(outputs), new Rng(seed, 'model-init')), seed, backend: tf.getBackend() });
}

/** Phase p of a scenario, training exactly task p's examples (as runJob does). */
export function phaseOf(scenario: Scenario, p: number): Phase {
  return { index: p, taskId: p, examples: taskExamples(scenario, p) };
}

/** Parameter values as plain arrays. */
export function snapshot(model: Model): number[][] {
  return model.variables.map(values);
}

/** Moves every parameter by a seeded δ in [−size, size); returns the new values. */
export function perturb(model: Model, seed: number, size = 0.1): number[][] {
  const rng = new Rng(seed, 'perturb');
  for (const v of model.variables) {
    const delta = tf.tensor(uniformArray(v.size, rng, -size, size), v.shape);
    v.assign(tf.add(v, delta));
    delta.dispose();
  }
  return snapshot(model);
}

/** Value of a learner's `penalty()` and its gradient with respect to the model's variables. */
export function penaltyAndGradient(internals: any): { value: number; grad: number[][] } {
  const model: Model = internals.model;
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => internals.penalty() as tf.Scalar, model.variables);
    return { value: value.dataSync()[0], grad: model.variables.map((v) => values(grads[v.name])) };
  });
}

/** Σ_i w_i (θ_i − a_i)² and its gradient 2w(θ − a), scaled, for every variable, in plain JS. */
export function weightedQuadratic(weights: number[][], anchor: number[][], theta: number[][], scale: number): { value: number; grad: number[][] } {
  let value = 0;
  const grad = theta.map((th, k) =>
    th.map((x, i) => {
      const d = x - anchor[k][i];
      value += scale * weights[k][i] * d * d;
      return 2 * scale * weights[k][i] * d;
    }),
  );
  return { value, grad };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Trains `phase` with `check(grads, used, inputs)` called at every step after the learner's adjustGradients
 * (the gradients of the batch and the ones the optimizer gets); returns the number of steps.
 */
export async function watchAdjustedGradients(
  learner: Learner,
  phase: Phase,
  check: (grads: tf.NamedTensorMap, used: tf.NamedTensorMap, inputs: any) => void,
): Promise<number> {
  const internals = learner as any;
  const adjust = internals.adjustGradients.bind(internals);
  let steps = 0;
  internals.adjustGradients = async (grads: tf.NamedTensorMap, inputs: any, p: Phase) => {
    const used = await adjust(grads, inputs, p);
    check(grads, used, inputs);
    steps++;
    return used;
  };
  await learner.train(phase, {});
  return steps;
}

/** A learner made by `create` keeps its tensor count flat from phase 2 to 3 and frees everything on dispose. */
export async function expectFlatTensorCount(create: () => Learner, scenario: Scenario): Promise<void> {
  const start = tf.memory().numTensors;
  const learner = create();
  await learner.train(phaseOf(scenario, 0), {});
  await learner.train(phaseOf(scenario, 1), {});
  const after1 = tf.memory().numTensors;
  await learner.train(phaseOf(scenario, 2), {});
  expect(tf.memory().numTensors).to.equal(after1);
  learner.dispose();
  expect(tf.memory().numTensors).to.equal(start);
}
