/**
 * Shared helpers for the tensor specs: backend selection, a tiny synthetic scenario, a LearnerContext
 * built the way the run protocol builds it (run/context.ts), and element-wise comparisons.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { LearnerContext, TrainingConfig } from '../../learners/contract.js';
import { createMlp } from '../../models/mlp.js';
import type { ModelSpec } from '../../models/types.js';
import { useBackend } from '../../backends/backend.js';
import { learnerContext } from '../../run/context.js';
import { buildScenario, type ScenarioSpec } from '../../scenarios/build.js';
import { loadDataset } from '../../scenarios/datasets/index.js';
import type { Scenario } from '../../scenarios/types.js';

/** Registers a mocha before() hook that selects the WASM backend. */
export function useWasm(): void {
  before(async function () {
    this.timeout(60000);
    await useBackend('wasm');
  });
}

/** A small synthetic scenario (`synthetic:<params>` dataset), built with `new Rng(seed, 'scenario')`. */
export function syntheticScenario(
  params: string,
  spec: Omit<ScenarioSpec, 'dataset'>,
  seed = 1,
): Scenario {
  const dataset = `synthetic:${params}`;
  return buildScenario({ dataset, ...spec }, loadDataset(dataset), new Rng(seed, 'scenario'));
}

export const SGD: TrainingConfig = { epochs: 1, batchSize: 16, optimizer: 'sgd', lr: 0.1, momentum: 0, resetOptimizer: false };

/** A LearnerContext wired exactly like runJob's. */
export function contextFor(scenario: Scenario, model: ModelSpec, seed = 3, training: TrainingConfig = SGD): LearnerContext {
  return learnerContext({ scenario, training, createModel: (outputs) => createMlp(model, { inputs: scenario.inputSize, outputs }, new Rng(seed, 'model-init')), seed, backend: tf.getBackend() });
}

/** A Float32Array of `n` draws, uniform in [lo, hi). */
export function uniformArray(n: number, rng: Rng, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Values of a tensor as a plain number array (synchronously). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** |a − e| ≤ atol + rtol·|e| element-wise, with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4, what = 'values'): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`${what}[${i}]: expected ${e}, got ${a} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Largest absolute value of an array. */
export function maxAbs(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
}

/** Runs `fn`, expecting it to throw an instance of `type`; returns the error. */
export function thrown<E extends Error>(fn: () => unknown, type: new (...args: any[]) => E): E {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as E;
  }
  expect.fail(`expected a ${type.name}`);
}
