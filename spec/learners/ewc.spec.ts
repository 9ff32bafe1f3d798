import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext, Phase } from '../../learners/contract.js';
import type { EwcOptions } from '../../learners/methods/ewc.js';
import { FISHER_ESTIMATORS, FISHER_KINDS, fisherDiagonal, fisherEstimatorKeyOptions, type FisherKind } from '../../learners/parts/importance.js';
import { applyMask, crossEntropy, taskMask } from '../../learners/parts/losses.js';
import { getLearner } from '../../learners/registry.js';
import type { Model } from '../../models/types.js';
import { concatExamples, shuffledBatches, taskExamples } from '../../scenarios/examples.js';
import type { ExampleSet, Scenario } from '../../scenarios/types.js';
import { SGD, contextFor, expectClose, maxAbs, syntheticScenario, uniformArray, useWasm, values } from '../helpers/tf.js';

/** Picks the labels (and their weights) whose squared gradients an example contributes. */
type LabelChoice = (probs: number[], target: number, position: number) => { label: number; weight: number }[];

/**
 * Diagonal Fisher computed one example at a time with tf.variableGrads of −log softmax(masked logits)[y],
 * squared and averaged in plain JS.
 */
function referenceFisher(model: Model, ctx: LearnerContext, set: ExampleSet, positions: number[], choose: LabelChoice): number[][] {
  const sums = model.variables.map((v) => new Array<number>(v.size).fill(0));
  for (const position of positions) {
    const batch = ctx.data.batch(set, [position]);
    const mask = taskMask(ctx.scenario, batch.taskIds);
    const x = tf.tensor2d(batch.x, [1, ctx.scenario.inputSize]);
    const probs = tf.tidy(() => values(tf.softmax(applyMask(model.forward(x, false), mask))));
    for (const { label, weight } of choose(probs, batch.targets[0], position)) {
      const grads = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const logp = tf.logSoftmax(applyMask(model.forward(x, false), mask));
          return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d([label], 'int32'), logp.shape[1])))) as tf.Scalar;
        }, model.variables);
        return model.variables.map((v) => values(grads[v.name]));
      });
      grads.forEach((g, k) => g.forEach((val, j) => (sums[k][j] += weight * val * val)));
    }
    x.dispose();
  }
  return sums.map((s) => s.map((v) => v / positions.length));
}

/**
 * Hsu et al.'s mini-batch Fisher in plain JS: for each batch (positions into `set`), the gradient of the mean
 * over the batch of −log softmax(masked logits)[y] by tf.variableGrads, squared, × the batch's size; the sum over
 * batches divided by their number.
 */
function referenceBatchFisher(model: Model, ctx: LearnerContext, set: ExampleSet, batches: Uint32Array[], choose: LabelChoice): number[][] {
  const sums = model.variables.map((v) => new Array<number>(v.size).fill(0));
  for (const positions of batches) {
    const batch = ctx.data.batch(set, positions);
    const mask = taskMask(ctx.scenario, batch.taskIds);
    const x = tf.tensor2d(batch.x, [batch.size, ctx.scenario.inputSize]);
    const probs = tf.tidy(() => values(tf.softmax(applyMask(model.forward(x, false), mask))));
    const width = probs.length / batch.size;
    const labels = Array.from(positions, (position, i) => choose(probs.slice(i * width, (i + 1) * width), batch.targets[i], position)[0].label);
    const grads = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const logp = tf.logSoftmax(applyMask(model.forward(x, false), mask));
        return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(labels, 'int32'), width)))), batch.size) as tf.Scalar;
      }, model.variables);
      return model.variables.map((v) => values(grads[v.name]));
    });
    grads.forEach((g, k) => g.forEach((val, j) => (sums[k][j] += batch.size * val * val)));
    x.dispose();
  }
  return sums.map((s) => s.map((v) => v / batches.length));
}

const argmax = (p: number[]) => p.reduce((best, v, k) => (v > p[best] ? k : best), 0);

const CHOICES: Record<Exclude<FisherKind, 'sampled'>, LabelChoice> = {
  empirical: (_p, target) => [{ label: target, weight: 1 }],
  predicted: (p) => [{ label: argmax(p), weight: 1 }],
  true: (p) => p.flatMap((pc, c) => (pc > 0 ? [{ label: c, weight: pc }] : [])),
};

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function expectFisherClose(actual: tf.Tensor[], expected: number[][], what: string): void {
  expect(actual.length).to.equal(expected.length);
  const scale = Math.max(...expected.map(maxAbs));
  actual.forEach((t, k) => expectClose(values(t), expected[k], 1e-5 * scale, 2e-3, `${what}, variable ${k}`));
}

describe('fisherDiagonal', () => {
  useWasm();

  // class-IL, one task of 3 classes: a 4-3-3 MLP, 12 examples
  let classScenario: Scenario;
  let classCtx: LearnerContext;
  let classModel: Model;
  let classSet: ExampleSet;
  // task-IL, two tasks of 2 classes: a 4-3-4 MLP whose logits are masked to each example's head
  let taskScenario: Scenario;
  let taskCtx: LearnerContext;
  let taskModel: Model;

  before(() => {
    classScenario = syntheticScenario('classes=3,features=4,trainPerClass=4,testPerClass=2,spread=30', {
      kind: 'split',
      setting: 'class',
      taskClasses: [[0, 1, 2]],
    });
    classCtx = contextFor(classScenario, { hidden: [3] }, 5);
    classModel = classCtx.createModel();
    classSet = taskExamples(classScenario, 0);
    taskScenario = syntheticScenario('classes=4,features=4,trainPerClass=3,testPerClass=2,spread=30', { kind: 'split', setting: 'task' });
    taskCtx = contextFor(taskScenario, { hidden: [3] }, 6);
    taskModel = taskCtx.createModel();
  });
  after(() => {
    classModel.dispose();
    taskModel.dispose();
  });

  it('the test scenario is small and its predicted labels differ from the true ones for some examples', () => {
    expect(classScenario.outputs).to.equal(3);
    expect(classSet.indices.length).to.equal(12);
    const predicted = referenceLabels(classModel, classCtx, classSet);
    const targets = Array.from(classCtx.data.batch(classSet, null).targets);
    expect(predicted).to.not.deep.equal(targets);
  });

  for (const kind of ['empirical', 'predicted', 'true'] as const) {
    it(`'${kind}' equals the per-example reference (class-IL)`, async () => {
      const before = tf.memory().numTensors;
      const fisher = await fisherDiagonal(classModel, classCtx, classSet, kind, new Rng(1, 'fisher'), null);
      expect(tf.memory().numTensors).to.equal(before + classModel.variables.length);
      expect(fisher.map((f) => f.shape)).to.deep.equal(classModel.variables.map((v) => v.shape));
      const expected = referenceFisher(classModel, classCtx, classSet, range(12), CHOICES[kind]);
      for (const e of expected) expect(maxAbs(e)).to.be.above(0);
      expectFisherClose(fisher, expected, kind);
      tf.dispose(fisher);
    });
  }

  it("'empirical' and 'predicted' differ here (so the tests above tell them apart)", async () => {
    const e = referenceFisher(classModel, classCtx, classSet, range(12), CHOICES.empirical);
    const p = referenceFisher(classModel, classCtx, classSet, range(12), CHOICES.predicted);
    expect(maxAbs(e[3].map((v, i) => v - p[3][i]))).to.be.above(1e-3 * maxAbs(e[3]));
  });

  it("'sampled' equals the reference for the same draws (one rng.next() per example, in order)", async () => {
    const fisher = await fisherDiagonal(classModel, classCtx, classSet, 'sampled', new Rng(9, 'fisher'), null);
    const draws = new Rng(9, 'fisher');
    const sampled: LabelChoice = (p) => {
      const u = draws.next();
      let cumulative = 0;
      for (let c = 0; c < p.length; c++) {
        cumulative += p[c];
        if (u < cumulative) return [{ label: c, weight: 1 }];
      }
      return [{ label: argmax(p), weight: 1 }];
    };
    expectFisherClose(fisher, referenceFisher(classModel, classCtx, classSet, range(12), sampled), 'sampled');
    tf.dispose(fisher);
  });

  it("'sampled' averages to the 'true' Fisher over many draws (each example repeated 150 times; > 1 chunk)", async () => {
    const repeated: ExampleSet = concatExamples(Array.from({ length: 150 }, () => classSet));
    const sampled = await fisherDiagonal(classModel, classCtx, repeated, 'sampled', new Rng(10, 'fisher'), null);
    const exact = referenceFisher(classModel, classCtx, classSet, range(12), CHOICES.true);
    const total = (xs: number[][]) => xs.reduce((s, x) => s + x.reduce((a, b) => a + b, 0), 0);
    const got = sampled.map(values);
    expect(total(got) / total(exact)).to.be.within(0.95, 1.05);
    got.forEach((g, k) => {
      const scale = maxAbs(exact[k]);
      g.forEach((v, i) => expect(Math.abs(v - exact[k][i]), `variable ${k}[${i}]`).to.be.at.most(0.1 * scale));
    });
    tf.dispose(sampled);
  });

  it('averages over chunks correctly: a set repeated 25 times (300 examples) gives the same Fisher', async () => {
    const repeated: ExampleSet = concatExamples(Array.from({ length: 25 }, () => classSet));
    const fisher = await fisherDiagonal(classModel, classCtx, repeated, 'empirical', new Rng(1), null);
    expectFisherClose(fisher, referenceFisher(classModel, classCtx, classSet, range(12), CHOICES.empirical), 'repeated');
    tf.dispose(fisher);
  });

  it('samples = k uses k examples drawn by rng.sample and divides by k', async () => {
    const fisher = await fisherDiagonal(classModel, classCtx, classSet, 'empirical', new Rng(12, 'fisher'), 5);
    const chosen = Array.from(new Rng(12, 'fisher').sample(Uint32Array.from(range(12)), 5));
    expectFisherClose(fisher, referenceFisher(classModel, classCtx, classSet, chosen, CHOICES.empirical), 'samples=5');
    tf.dispose(fisher);
    // samples >= count uses everything
    const all = await fisherDiagonal(classModel, classCtx, classSet, 'empirical', new Rng(12), 100);
    expectFisherClose(all, referenceFisher(classModel, classCtx, classSet, range(12), CHOICES.empirical), 'samples=100');
    tf.dispose(all);
  });

  describe('task-IL: the Fisher ignores masked outputs', () => {
    for (const kind of ['empirical', 'predicted', 'true'] as const) {
      it(`'${kind}' equals the masked reference, with zero importance on the other heads' output weights`, async () => {
        // examples of both tasks, so every row has its own mask
        const set = concatExamples([taskExamples(taskScenario, 0), taskExamples(taskScenario, 1)]);
        const n = set.indices.length;
        expect(n).to.equal(12);
        const fisher = await fisherDiagonal(taskModel, taskCtx, set, kind, new Rng(2), null);
        expectFisherClose(fisher, referenceFisher(taskModel, taskCtx, set, range(n), CHOICES[kind]), `${kind} (task-IL)`);
        tf.dispose(fisher);
        // only task 1's examples: outputs 0 and 1 are masked for all of them
        const only1 = taskExamples(taskScenario, 1);
        const f1 = await fisherDiagonal(taskModel, taskCtx, only1, kind, new Rng(2), null);
        const [wOut, bOut] = [values(f1[2]), values(f1[3])];
        for (let k = 0; k < 3; k++) {
          expect(wOut[k * 4 + 0], `W_out[${k}][0]`).to.equal(0);
          expect(wOut[k * 4 + 1], `W_out[${k}][1]`).to.equal(0);
        }
        expect(bOut[0]).to.equal(0);
        expect(bOut[1]).to.equal(0);
        expect(bOut[2]).to.be.above(0);
        expectFisherClose(f1, referenceFisher(taskModel, taskCtx, only1, range(only1.indices.length), CHOICES[kind]), `${kind} (task 1 only)`);
        tf.dispose(f1);
      });
    }

    it("'sampled' never draws a masked output", async () => {
      const only1 = taskExamples(taskScenario, 1);
      const f = await fisherDiagonal(taskModel, taskCtx, concatExamples(Array.from({ length: 20 }, () => only1)), 'sampled', new Rng(3), null);
      expect(values(f[3]).slice(0, 2)).to.deep.equal([0, 0]);
      tf.dispose(f);
    });
  });

  describe("'batch-mean' (Hsu et al.'s EWC without n_fisher_sample)", () => {
    // the training batch size decides the batches: 5, so 12 examples make batches of 5, 5 and 2
    let ctx5: LearnerContext;
    before(() => {
      ctx5 = contextFor(classScenario, { hidden: [3] }, 5, { ...SGD, batchSize: 5 });
    });

    for (const kind of ['predicted', 'empirical'] as const) {
      it(`'${kind}' equals Σ_b |b|·(∇ mean loss of b)² / n_b over the seeded shuffled batches of the training batch size`, async () => {
        const batches = shuffledBatches(12, 5, new Rng(4, 'fisher'));
        expect(batches.map((b) => b.length)).to.deep.equal([5, 5, 2]);
        const before = tf.memory().numTensors;
        const fisher = await fisherDiagonal(classModel, ctx5, classSet, kind, new Rng(4, 'fisher'), null, 'batch-mean');
        expect(tf.memory().numTensors).to.equal(before + classModel.variables.length);
        const expected = referenceBatchFisher(classModel, ctx5, classSet, batches, CHOICES[kind]);
        for (const e of expected) expect(maxAbs(e)).to.be.above(0);
        expectFisherClose(fisher, expected, `batch-mean ${kind}`);
        // not the per-example Fisher: gradients cancel inside a batch
        const perExample = referenceFisher(classModel, ctx5, classSet, range(12), CHOICES[kind]);
        expect(maxAbs(values(fisher[0]).map((v, i) => v - perExample[0][i]))).to.be.above(0.05 * maxAbs(perExample[0]));
        tf.dispose(fisher);
      });
    }

    it('with batches of one example it is the per-example Fisher', async () => {
      const ctx1 = contextFor(classScenario, { hidden: [3] }, 5, { ...SGD, batchSize: 1 });
      const fisher = await fisherDiagonal(classModel, ctx1, classSet, 'predicted', new Rng(4), null, 'batch-mean');
      expectFisherClose(fisher, referenceFisher(classModel, ctx1, classSet, range(12), CHOICES.predicted), 'batch-mean, batches of 1');
      tf.dispose(fisher);
    });

    it('masks other heads in task-IL (zero importance on their output weights)', async () => {
      const only1 = taskExamples(taskScenario, 1);
      const f1 = await fisherDiagonal(taskModel, taskCtx, only1, 'predicted', new Rng(2), null, 'batch-mean');
      const batches = shuffledBatches(only1.indices.length, SGD.batchSize, new Rng(2));
      expectFisherClose(f1, referenceBatchFisher(taskModel, taskCtx, only1, batches, CHOICES.predicted), 'batch-mean task-IL');
      expect(values(f1[3]).slice(0, 2)).to.deep.equal([0, 0]);
      tf.dispose(f1);
    });

    it("refuses 'true' (no one label an example), and both EWC learners' pairing checks refuse the combination", async () => {
      let message = '';
      await fisherDiagonal(classModel, ctx5, classSet, 'true', new Rng(1), null, 'batch-mean').catch((e: Error) => (message = e.message));
      expect(message).to.match(/batch-mean.*'true'/);
      for (const name of ['ewc', 'online-ewc']) {
        const check = getLearner(name).requires!.check!;
        const pairing = (options: object) => ({ options: { lambda: 1, fisher: 'true', fisherSamples: null, ...options }, setting: 'domain', model: {}, training: SGD }) as never;
        const problem = check(pairing({ fisherEstimator: 'batch-mean' }));
        expect(problem?.field, name).to.equal('options.fisher');
        expect(problem?.fix).to.match(/predicted/);
        expect(check(pairing({ fisherEstimator: 'per-example' })), name).to.equal(null);
        expect(check(pairing({ fisher: 'predicted', fisherEstimator: 'batch-mean' })), name).to.equal(null);
      }
    });

    it("run keys leave out 'per-example' (the only estimator before the option: earlier records keep their keys) and keep 'batch-mean'", () => {
      const base = { lambda: 150, fisher: 'predicted' as const, fisherSamples: null, halfFactor: false };
      expect(fisherEstimatorKeyOptions({ ...base, fisherEstimator: 'per-example' as const })).to.deep.equal(base);
      expect(fisherEstimatorKeyOptions({ ...base, fisherEstimator: 'batch-mean' as const })).to.deep.equal({ ...base, fisherEstimator: 'batch-mean' });
      for (const name of ['ewc', 'online-ewc']) {
        const keyOptions = getLearner(name).keyOptions!;
        expect(keyOptions({ ...base, fisherEstimator: 'per-example' }, { hidden: [8] }), name).to.deep.equal(base);
        expect(keyOptions({ ...base, fisherEstimator: 'batch-mean' }, { hidden: [8] }), name).to.deep.equal({ ...base, fisherEstimator: 'batch-mean' });
      }
      expect([...FISHER_ESTIMATORS]).to.deep.equal(['per-example', 'batch-mean']);
    });
  });

  it('FISHER_KINDS lists the four kinds', () => {
    expect([...FISHER_KINDS].sort()).to.deep.equal(['empirical', 'predicted', 'sampled', 'true']);
  });
});

function referenceLabels(model: Model, ctx: LearnerContext, set: ExampleSet): number[] {
  const batch = ctx.data.batch(set, null);
  return tf.tidy(() => values(tf.argMax(model.forward(tf.tensor2d(batch.x, [batch.size, ctx.scenario.inputSize])), 1)));
}

describe('EWC learner', () => {
  useWasm();

  const OPTIONS: EwcOptions = { lambda: 7, fisher: 'empirical', fisherSamples: null, halfFactor: false };
  let scenario: Scenario;

  before(() => {
    scenario = syntheticScenario('classes=4,features=16,trainPerClass=10,testPerClass=2', { kind: 'split', setting: 'class' });
  });

  function create(options: Partial<EwcOptions> = {}): { learner: Learner; ctx: LearnerContext; internals: any } {
    const ctx = contextFor(scenario, { hidden: [8] }, 4);
    const learner = getLearner('ewc').create({ ...OPTIONS, ...options }, ctx);
    return { learner, ctx, internals: learner as any };
  }

  function phase(p: number): Phase {
    return { index: p, taskId: p, examples: taskExamples(scenario, p) };
  }

  function snapshot(model: Model): number[][] {
    return model.variables.map(values);
  }

  /** Moves every parameter by a seeded δ in [−0.1, 0.1); returns the new values. */
  function perturb(model: Model, seed: number): number[][] {
    const rng = new Rng(seed, 'perturb');
    for (const v of model.variables) {
      const delta = tf.tensor(uniformArray(v.size, rng, -0.1, 0.1), v.shape);
      v.assign(tf.add(v, delta));
      delta.dispose();
    }
    return snapshot(model);
  }

  /** λ·c·Σ_t Σ_i F_t,i (θ_i − θ*_t,i)² and its gradient, in plain JS. */
  function referencePenalty(terms: { f: number[][]; anchor: number[][] }[], theta: number[][], scale: number) {
    let value = 0;
    const grad = theta.map((th) => th.map(() => 0));
    for (const { f, anchor } of terms)
      theta.forEach((th, k) =>
        th.forEach((x, i) => {
          const d = x - anchor[k][i];
          value += scale * f[k][i] * d * d;
          grad[k][i] += 2 * scale * f[k][i] * d;
        }),
      );
    return { value, grad };
  }

  function penaltyAndGradient(internals: any): { value: number; grad: number[][] } {
    const model: Model = internals.model;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => internals.penalty() as tf.Scalar, model.variables);
      return { value: value.dataSync()[0], grad: model.variables.map((v) => values(grads[v.name])) };
    });
  }

  function expectPenalty(internals: any, expected: { value: number; grad: number[][] }): void {
    const got = penaltyAndGradient(internals);
    expect(got.value).to.be.closeTo(expected.value, 1e-3 * expected.value + 1e-6);
    const scale = Math.max(...expected.grad.map(maxAbs));
    got.grad.forEach((g, k) => expectClose(g, expected.grad[k], 1e-4 * scale, 1e-3, `penalty gradient, variable ${k}`));
  }

  it("is registered as 'ewc'", () => {
    const d = getLearner('ewc');
    expect(d.name).to.equal('ewc');
    expect((d.optionsSchema as any).properties.lambda.default).to.equal(100);
    expect((d.optionsSchema as any).properties.halfFactor.default).to.equal(false);
  });

  it('has no penalty before the first phase ends', () => {
    const { learner, internals } = create();
    try {
      expect(internals.penalty()).to.equal(null);
    } finally {
      learner.dispose();
    }
  });

  for (const fisher of ['empirical', 'predicted', 'true'] as const) {
    it(`after phase 0 (fisher '${fisher}'): zero at the anchor, λ Σ F (θ − θ*)² with gradient 2λF(θ − θ*) away from it`, async () => {
      const { learner, ctx, internals } = create({ fisher });
      try {
        await learner.train(phase(0), {});
        const model: Model = internals.model;
        const anchor = snapshot(model);
        const f = referenceFisher(model, ctx, taskExamples(scenario, 0), range(scenario.tasks[0].trainIndices.length), CHOICES[fisher]);
        const atAnchor = tf.tidy(() => internals.penalty().dataSync()[0]);
        expect(Math.abs(atAnchor)).to.be.below(1e-5);
        const theta = perturb(model, 1);
        const expected = referencePenalty([{ f, anchor }], theta, 7);
        expect(expected.value).to.be.above(1e-4);
        expectPenalty(internals, expected);
      } finally {
        learner.dispose();
      }
    });
  }

  it("fisherEstimator 'batch-mean': the penalty's F is the mini-batch Fisher (drawn from the learner's own generator)", async () => {
    const { learner, ctx, internals } = create({ fisher: 'predicted', fisherEstimator: 'batch-mean' });
    try {
      const rngBefore = internals.fisherRng.state();
      await learner.train(phase(0), {});
      const model: Model = internals.model;
      const anchor = snapshot(model);
      const rng = new Rng(0);
      rng.setState(rngBefore);
      const fisher = await fisherDiagonal(model, ctx, taskExamples(scenario, 0), 'predicted', rng, null, 'batch-mean');
      const f = fisher.map(values);
      tf.dispose(fisher);
      const perExample = referenceFisher(model, ctx, taskExamples(scenario, 0), range(20), CHOICES.predicted);
      expect(maxAbs(f[0].map((v, i) => v - perExample[0][i]))).to.be.above(0.05 * maxAbs(perExample[0]));
      const theta = perturb(model, 1);
      expectPenalty(internals, referencePenalty([{ f, anchor }], theta, 7));
    } finally {
      learner.dispose();
    }
  });

  it('halfFactor halves the penalty and its gradient', async () => {
    const full = create();
    const half = create({ halfFactor: true });
    try {
      await full.learner.train(phase(0), {});
      await half.learner.train(phase(0), {});
      const anchor = snapshot(half.internals.model);
      expect(snapshot(full.internals.model)).to.deep.equal(anchor); // same seeds, same training
      const f = referenceFisher(half.internals.model, half.ctx, taskExamples(scenario, 0), range(20), CHOICES.empirical);
      const theta = perturb(half.internals.model, 2);
      perturb(full.internals.model, 2);
      expectPenalty(half.internals, referencePenalty([{ f, anchor }], theta, 3.5));
      const a = penaltyAndGradient(full.internals);
      const b = penaltyAndGradient(half.internals);
      expect(b.value / a.value).to.be.closeTo(0.5, 1e-6);
    } finally {
      full.learner.dispose();
      half.learner.dispose();
    }
  });

  it('after two phases: one term per task, F_t taken at θ*_t', async () => {
    const { learner, ctx, internals } = create();
    try {
      const model: Model = internals.model;
      await learner.train(phase(0), {});
      const anchor0 = snapshot(model);
      const f0 = referenceFisher(model, ctx, taskExamples(scenario, 0), range(20), CHOICES.empirical);
      await learner.train(phase(1), {});
      const anchor1 = snapshot(model);
      expect(anchor1).to.not.deep.equal(anchor0);
      const f1 = referenceFisher(model, ctx, taskExamples(scenario, 1), range(20), CHOICES.empirical);
      // at θ*_1 only the first term is left
      const atAnchor1 = tf.tidy(() => internals.penalty().dataSync()[0]);
      expect(atAnchor1).to.be.closeTo(referencePenalty([{ f: f0, anchor: anchor0 }], anchor1, 7).value, 1e-3 * atAnchor1 + 1e-6);
      const theta = perturb(model, 3);
      expectPenalty(internals, referencePenalty([{ f: f0, anchor: anchor0 }, { f: f1, anchor: anchor1 }], theta, 7));
    } finally {
      learner.dispose();
    }
  });

  it('trains on task loss + penalty (the step objective includes λ Σ F (θ − θ*)²)', async () => {
    const { learner, ctx, internals } = create();
    try {
      await learner.train(phase(0), {});
      perturb(internals.model, 4);
      const batch = ctx.data.batch(taskExamples(scenario, 1), [0, 1, 2, 3, 4]);
      const [loss, task, penalty] = tf.tidy(() => {
        const inputs = internals.toTensors(batch);
        const ce = crossEntropy(internals.model.forward(inputs.x), inputs.targets);
        return [internals.loss(inputs, phase(1)).dataSync()[0], ce.dataSync()[0], internals.penalty().dataSync()[0]];
      });
      expect(penalty).to.be.above(1e-4);
      expect(loss).to.be.closeTo(task + penalty, 1e-5 * (task + penalty));
    } finally {
      learner.dispose();
    }
  });

  it('keeps the tensor count flat across phases and releases everything on dispose', async () => {
    const start = tf.memory().numTensors;
    const { learner } = create();
    await learner.train(phase(0), {});
    const afterFirst = tf.memory().numTensors;
    await learner.train(phase(1), {});
    expect(tf.memory().numTensors).to.equal(afterFirst);
    learner.dispose();
    expect(tf.memory().numTensors).to.equal(start);
  });
});
