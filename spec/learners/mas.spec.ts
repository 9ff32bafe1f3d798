import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext } from '../../learners/contract.js';
import { taskMask } from '../../learners/parts/losses.js';
import type { MasOptions } from '../../learners/methods/mas.js';
import { outputSensitivity, type MasEstimator } from '../../learners/parts/outputSensitivity.js';
import { getLearner } from '../../learners/registry.js';
import { absoluteGradientSums } from '../../models/perExampleGradients.js';
import type { Mlp } from '../../models/mlp.js';
import type { Model } from '../../models/types.js';
import { concatExamples, selectExamples, shuffledBatches, taskExamples } from '../../scenarios/examples.js';
import type { ExampleSet, Scenario } from '../../scenarios/types.js';
import { penaltyAndGradient, perturb, phaseOf, range, snapshot, weightedQuadratic } from '../helpers/learners.js';
import { contextFor, expectClose, maxAbs, syntheticScenario, useWasm, values } from '../helpers/tf.js';

function importanceOf(model: Model, ctx: LearnerContext, set: ExampleSet, estimator: MasEstimator, seed = 0, samples: number | null = null, batchSize = 5): number[][] {
  const omega = outputSensitivity(model, ctx, set, estimator, new Rng(seed), samples, batchSize);
  const out = omega.map(values);
  tf.dispose(omega);
  return out;
}

function expectArraysClose(actual: number[][], expected: number[][], what: string, rtol = 1e-4): void {
  expect(actual.length).to.equal(expected.length);
  const scale = Math.max(...expected.map(maxAbs));
  expect(scale, `${what}: a non-zero reference`).to.be.above(0);
  actual.forEach((a, k) => expectClose(a, expected[k], rtol * scale, rtol, `${what}, variable ${k}`));
}

/** Inputs and logits z = xW + b of a linear model (no hidden layer), by hand. */
function linearForward(model: Mlp, ctx: LearnerContext, set: ExampleSet, positions: number[]) {
  const [inputs, outputs] = model.weights[0].shape;
  const w = values(model.weights[0]);
  const b = values(model.biases[0]);
  const batch = ctx.data.batch(set, positions);
  const x = Array.from(batch.x);
  const z = positions.map((_, i) => range(outputs).map((o) => b[o] + range(inputs).reduce((s, j) => s + x[i * inputs + j] * w[j * outputs + o], 0)));
  return { x, z, inputs, outputs, taskIds: batch.taskIds };
}

/**
 * Per-example reference: one tf.variableGrads of ‖z ⊙ m‖² per example (m = the example's active outputs),
 * absolute values summed in plain JS, divided by N.
 */
function referencePerExample(model: Model, ctx: LearnerContext, set: ExampleSet): number[][] {
  const sums = model.variables.map((v) => new Array<number>(v.size).fill(0));
  const n = set.indices.length;
  for (let p = 0; p < n; p++) {
    const batch = ctx.data.batch(set, [p]);
    const grads = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [1, ctx.scenario.inputSize]);
      const mask = taskMask(ctx.scenario, batch.taskIds);
      const active = mask ? tf.tensor2d(Array.from(mask, (m) => (m === 0 ? 1 : 0)), [1, ctx.scenario.outputs]) : tf.ones([1, ctx.scenario.outputs]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.mul(model.forward(x, false), active))) as tf.Scalar, model.variables);
      return model.variables.map((v) => values(grads[v.name]));
    });
    grads.forEach((g, k) => g.forEach((v, j) => (sums[k][j] += Math.abs(v))));
  }
  return sums.map((s) => s.map((v) => v / n));
}

describe('MAS importance (output sensitivity)', () => {
  useWasm();

  let scenario: Scenario;
  let ctx: LearnerContext;
  let set: ExampleSet;
  before(() => {
    scenario = syntheticScenario('classes=3,features=4,trainPerClass=4,testPerClass=2,spread=5', { kind: 'split', setting: 'class', taskClasses: [[0, 1, 2]] });
    ctx = contextFor(scenario, { hidden: [] }, 5);
    set = taskExamples(scenario, 0);
  });

  it("'per-example' on a linear model: Ω_W[j][o] = mean_k 2|x_kj||z_ko|, Ω_b[o] = mean_k 2|z_ko|", () => {
    const model = ctx.createModel() as Mlp;
    try {
      expect(model.variables.map((v) => v.shape)).to.deep.equal([[4, 3], [3]]);
      const n = set.indices.length;
      const { x, z, inputs, outputs } = linearForward(model, ctx, set, range(n));
      const w = range(inputs * outputs).map((e) => {
        const [j, o] = [Math.floor(e / outputs), e % outputs];
        return range(n).reduce((s, k) => s + 2 * Math.abs(x[k * inputs + j]) * Math.abs(z[k][o]), 0) / n;
      });
      const b = range(outputs).map((o) => range(n).reduce((s, k) => s + 2 * Math.abs(z[k][o]), 0) / n);
      expectArraysClose(importanceOf(model, ctx, set, 'per-example'), [w, b], 'linear per-example');
    } finally {
      model.dispose();
    }
  });

  it("'batch-mean' on a linear model (Hsu et al.): mean over batches of |∂ mean_{k,o} z_ko² / ∂θ|, differing from 'per-example'", () => {
    const model = ctx.createModel() as Mlp;
    try {
      const n = set.indices.length;
      const batches = shuffledBatches(n, 5, new Rng(8));
      expect(batches.map((b) => b.length)).to.deep.equal([5, 5, 2]);
      const { x, z, inputs, outputs } = linearForward(model, ctx, set, range(n));
      const w = new Array<number>(inputs * outputs).fill(0);
      const b = new Array<number>(outputs).fill(0);
      for (const batch of batches) {
        const scale = 2 / (batch.length * outputs);
        for (let e = 0; e < w.length; e++) {
          const [j, o] = [Math.floor(e / outputs), e % outputs];
          w[e] += Math.abs(scale * Array.from(batch).reduce((s, k) => s + x[k * inputs + j] * z[k][o], 0)) / batches.length;
        }
        for (let o = 0; o < outputs; o++) b[o] += Math.abs(scale * Array.from(batch).reduce((s, k) => s + z[k][o], 0)) / batches.length;
      }
      const got = importanceOf(model, ctx, set, 'batch-mean', 8);
      expectArraysClose(got, [w, b], 'linear batch-mean');
      const perExample = importanceOf(model, ctx, set, 'per-example');
      expect(maxAbs(got[0].map((v, i) => v - perExample[0][i]))).to.be.above(0.1 * maxAbs(perExample[0]));
    } finally {
      model.dispose();
    }
  });

  it("'per-example' on an MLP equals one backward pass per example; so does the fallback for models without the batched method", () => {
    const mlpCtx = contextFor(scenario, { hidden: [6, 5] }, 6);
    const model = mlpCtx.createModel();
    try {
      const repeated = concatExamples([set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set, set]); // 264 > one chunk
      const expected = referencePerExample(model, mlpCtx, set);
      expectArraysClose(importanceOf(model, mlpCtx, repeated, 'per-example'), expected, 'MLP per-example');
      const bare: Model = { variables: model.variables, forward: (x, training) => model.forward(x, training), dispose: () => {} };
      expectArraysClose(importanceOf(bare, mlpCtx, set, 'per-example'), expected, 'fallback');
      // and the batched and looped absolute sums agree directly on arbitrary inputs (negative ones too: the
      // first layer's |x| matters then) and logit gradients
      const [direct, looped] = tf.tidy(() => {
        const x = tf.randomNormal([12, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
        const g = tf.randomNormal([12, 3], 0, 1, 'float32', 3) as tf.Tensor2D;
        return [absoluteGradientSums(model, x, g).map(values), absoluteGradientSums(bare, x, g).map(values)];
      });
      expectArraysClose(direct, looped, 'batched vs looped |gradient| sums');
    } finally {
      model.dispose();
    }
  });

  it('samples = k uses the k examples rng.sample draws', () => {
    const model = ctx.createModel();
    try {
      const chosen = selectExamples(set, new Rng(11).sample(Uint32Array.from(range(12)), 5));
      expectArraysClose(importanceOf(model, ctx, set, 'per-example', 11, 5), referencePerExample(model, ctx, chosen), 'samples=5');
    } finally {
      model.dispose();
    }
  });

  it("'batch-mean' in task-IL (linear model, batches mixing both tasks): the mean runs over each example's own head only", () => {
    const taskScenario = syntheticScenario('classes=4,features=4,trainPerClass=3,testPerClass=2', { kind: 'split', setting: 'task' });
    const taskCtx = contextFor(taskScenario, { hidden: [] }, 6);
    const model = taskCtx.createModel() as Mlp;
    try {
      const both = concatExamples([taskExamples(taskScenario, 0), taskExamples(taskScenario, 1)]);
      const n = both.indices.length;
      const batches = shuffledBatches(n, 5, new Rng(9));
      const { x, z, inputs, outputs, taskIds } = linearForward(model, taskCtx, both, range(n));
      const head = (k: number) => taskScenario.tasks[taskIds[k]].outputs;
      const w = new Array<number>(inputs * outputs).fill(0);
      const b = new Array<number>(outputs).fill(0);
      for (const batch of batches) {
        const rows = Array.from(batch);
        const scale = 2 / rows.reduce((s, k) => s + head(k).length, 0);
        const active = (k: number, o: number) => (head(k).includes(o) ? 1 : 0);
        for (let e = 0; e < w.length; e++) {
          const [j, o] = [Math.floor(e / outputs), e % outputs];
          w[e] += Math.abs(scale * rows.reduce((s, k) => s + active(k, o) * x[k * inputs + j] * z[k][o], 0)) / batches.length;
        }
        for (let o = 0; o < outputs; o++) b[o] += Math.abs(scale * rows.reduce((s, k) => s + active(k, o) * z[k][o], 0)) / batches.length;
      }
      expectArraysClose(importanceOf(model, taskCtx, both, 'batch-mean', 9), [w, b], 'task-IL batch-mean');
    } finally {
      model.dispose();
    }
  });

  it('task-IL: only the example\'s own head counts; the other head\'s output weights get no importance', () => {
    const taskScenario = syntheticScenario('classes=4,features=4,trainPerClass=3,testPerClass=2', { kind: 'split', setting: 'task' });
    const taskCtx = contextFor(taskScenario, { hidden: [3] }, 6);
    const model = taskCtx.createModel();
    try {
      const task1 = taskExamples(taskScenario, 1);
      const got = importanceOf(model, taskCtx, task1, 'per-example');
      expectArraysClose(got, referencePerExample(model, taskCtx, task1), 'task-IL');
      const [wOut, bOut] = [got[2], got[3]];
      for (let k = 0; k < 3; k++) expect([wOut[k * 4], wOut[k * 4 + 1]]).to.deep.equal([0, 0]);
      expect([bOut[0], bOut[1]]).to.deep.equal([0, 0]);
      expect(bOut[2]).to.be.above(0);
    } finally {
      model.dispose();
    }
  });
});

describe('MAS learner', () => {
  useWasm();

  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=4,features=16,trainPerClass=10,testPerClass=2', { kind: 'split', setting: 'class' });
  });

  function create(options: Partial<MasOptions>): { learner: Learner; ctx: LearnerContext; internals: any } {
    const ctx = contextFor(scenario, { hidden: [8] }, 4);
    const base: MasOptions = { lambda: 2, estimator: 'per-example', samples: null, accumulation: 'sum', alpha: 0.5 };
    const learner = getLearner('mas').create({ ...base, ...options }, ctx);
    return { learner, ctx, internals: learner as any };
  }

  for (const accumulation of ['sum', 'average'] as const) {
    it(`'${accumulation}': Ω combines the tasks' importances, penalty λ Σ Ω (θ − θ*_1)²`, async () => {
      const { learner, ctx, internals } = create({ accumulation, alpha: 0.3 });
      try {
        expect(internals.penalty()).to.equal(null);
        await learner.train(phaseOf(scenario, 0), {});
        const omega0 = importanceOf(internals.model, ctx, taskExamples(scenario, 0), 'per-example');
        await learner.train(phaseOf(scenario, 1), {});
        const omega1 = importanceOf(internals.model, ctx, taskExamples(scenario, 1), 'per-example');
        const anchor = snapshot(internals.model);
        const combined = omega0.map((w, k) => w.map((v, i) => (accumulation === 'sum' ? v + omega1[k][i] : 0.3 * v + 0.7 * omega1[k][i])));
        expectArraysClose(internals.importance.map(values), combined, 'Ω');
        const theta = perturb(internals.model, 1);
        const expected = weightedQuadratic(combined, anchor, theta, 2);
        const got = penaltyAndGradient(internals);
        expect(got.value).to.be.closeTo(expected.value, 1e-3 * expected.value);
        got.grad.forEach((g, k) => expectClose(g, expected.grad[k], 1e-4 * Math.max(...expected.grad.map(maxAbs)), 1e-3, `gradient ${k}`));
      } finally {
        learner.dispose();
      }
    });
  }

  it('defaults: the paper\'s per-example estimator, summed over tasks, λ = 1', () => {
    const props = (getLearner('mas').optionsSchema as any).properties;
    expect([props.lambda.default, props.estimator.default, props.accumulation.default]).to.deep.equal([1, 'per-example', 'sum']);
  });
});
