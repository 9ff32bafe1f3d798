import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext } from '../../learners/contract.js';
import { fisherDiagonal } from '../../learners/parts/importance.js';
import type { OnlineEwcOptions } from '../../learners/methods/onlineEwc.js';
import { getLearner } from '../../learners/registry.js';
import type { Model } from '../../models/types.js';
import { taskExamples } from '../../scenarios/examples.js';
import type { Scenario } from '../../scenarios/types.js';
import { penaltyAndGradient, perturb, phaseOf, snapshot, weightedQuadratic } from '../helpers/learners.js';
import { contextFor, expectClose, maxAbs, syntheticScenario, useWasm, values } from '../helpers/tf.js';

describe('online EWC learner', () => {
  useWasm();

  const BASE: OnlineEwcOptions = { lambda: 5, gamma: 0.5, fisher: 'empirical', fisherSamples: null, halfFactor: false, gammaInPenalty: false };
  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=4,features=16,trainPerClass=10,testPerClass=2', { kind: 'split', setting: 'task' });
  });

  function create(options: Partial<OnlineEwcOptions> = {}): { learner: Learner; ctx: LearnerContext; internals: any } {
    const ctx = contextFor(scenario, { hidden: [8] }, 4);
    const learner = getLearner('online-ewc').create({ ...BASE, ...options }, ctx);
    return { learner, ctx, internals: learner as any };
  }

  /** The empirical Fisher of task t at the model's current parameters (deterministic: no label draws). */
  async function fisherNow(model: Model, ctx: LearnerContext, t: number): Promise<number[][]> {
    const f = await fisherDiagonal(model, ctx, taskExamples(scenario, t), 'empirical', new Rng(0), null);
    const out = f.map(values);
    tf.dispose(f);
    return out;
  }

  function expectPenalty(internals: any, expected: { value: number; grad: number[][] }): void {
    const got = penaltyAndGradient(internals);
    expect(got.value).to.be.closeTo(expected.value, 1e-3 * expected.value + 1e-7);
    const scale = Math.max(...expected.grad.map(maxAbs));
    got.grad.forEach((g, k) => expectClose(g, expected.grad[k], 1e-4 * scale, 1e-3, `gradient of variable ${k}`));
  }

  /** Trains two phases; returns F_0 at θ*_0, F_1 at θ*_1 and θ*_1. */
  async function twoPhases(learner: Learner, ctx: LearnerContext, internals: any) {
    await learner.train(phaseOf(scenario, 0), {});
    const f0 = await fisherNow(internals.model, ctx, 0);
    await learner.train(phaseOf(scenario, 1), {});
    return { f0, f1: await fisherNow(internals.model, ctx, 1), anchor: snapshot(internals.model) };
  }

  const combine = (a: number[][], b: number[][], ga: number) => a.map((x, k) => x.map((v, i) => ga * v + b[k][i]));

  it('after phase 0: λ Σ F_0 (θ − θ*_0)²', async () => {
    const { learner, ctx, internals } = create();
    try {
      expect(internals.penalty()).to.equal(null);
      await learner.train(phaseOf(scenario, 0), {});
      const anchor = snapshot(internals.model);
      const f0 = await fisherNow(internals.model, ctx, 0);
      const theta = perturb(internals.model, 1);
      expectPenalty(internals, weightedQuadratic(f0, anchor, theta, 5));
    } finally {
      learner.dispose();
    }
  });

  it("fisherEstimator 'batch-mean': F_0 is the mini-batch Fisher (drawn from the learner's own generator), not the per-example one", async () => {
    const { learner, ctx, internals } = create({ fisher: 'predicted', fisherEstimator: 'batch-mean' });
    try {
      const rngBefore = internals.fisherRng.state();
      await learner.train(phaseOf(scenario, 0), {});
      const examples = taskExamples(scenario, 0);
      const rng = new Rng(0);
      rng.setState(rngBefore);
      const [batchMean, perExample] = [
        await fisherDiagonal(internals.model, ctx, examples, 'predicted', rng, null, 'batch-mean'),
        await fisherDiagonal(internals.model, ctx, examples, 'predicted', new Rng(0), null),
      ];
      const stored: number[][] = internals.runningFisher.map(values);
      stored.forEach((s, k) => expectClose(s, values(batchMean[k]), 1e-7, 1e-5, `F̃ ${k}`));
      expect(maxAbs(values(batchMean[0]).map((v, i) => v - values(perExample[0])[i]))).to.be.above(0.05 * maxAbs(values(perExample[0])));
      tf.dispose([...batchMean, ...perExample]);
    } finally {
      learner.dispose();
    }
  });

  it('keeps F̃ = γ F_0 + F_1 and one anchor θ*_1 after two phases', async () => {
    const { learner, ctx, internals } = create();
    try {
      const { f0, f1, anchor } = await twoPhases(learner, ctx, internals);
      const running = combine(f0, f1, 0.5);
      const stored: number[][] = internals.runningFisher.map(values);
      stored.forEach((s, k) => expectClose(s, running[k], 1e-6 * Math.max(...running.map(maxAbs)), 1e-4, `F̃ ${k}`));
      // the decay matters here: F_0 + F_1 would differ
      expect(maxAbs(combine(f0, f1, 1)[0].map((v, i) => v - running[0][i]))).to.be.above(1e-6);
      expect(Math.abs(penaltyAndGradient(internals).value)).to.be.below(1e-6);
      const theta = perturb(internals.model, 2);
      expectPenalty(internals, weightedQuadratic(running, anchor, theta, 5));
    } finally {
      learner.dispose();
    }
  });

  it('gammaInPenalty weights the penalty by γF̃ (Progress & Compress, van de Ven)', async () => {
    const { learner, ctx, internals } = create({ gammaInPenalty: true, gamma: 0.25 });
    try {
      const { f0, f1, anchor } = await twoPhases(learner, ctx, internals);
      const weights = combine(f0, f1, 0.25).map((x) => x.map((v) => 0.25 * v));
      const theta = perturb(internals.model, 3);
      expectPenalty(internals, weightedQuadratic(weights, anchor, theta, 5));
    } finally {
      learner.dispose();
    }
  });

  it('halfFactor halves the penalty', async () => {
    const { learner, ctx, internals } = create({ halfFactor: true, gamma: 1 });
    try {
      const { f0, f1, anchor } = await twoPhases(learner, ctx, internals);
      const theta = perturb(internals.model, 4);
      expectPenalty(internals, weightedQuadratic(combine(f0, f1, 1), anchor, theta, 2.5));
    } finally {
      learner.dispose();
    }
  });

  it('defaults follow Hsu et al. (γ = 1, predicted-label Fisher, no ½, F̃ not γ-weighted)', () => {
    const props = (getLearner('online-ewc').optionsSchema as any).properties;
    expect([props.gamma.default, props.fisher.default, props.halfFactor.default, props.gammaInPenalty.default]).to.deep.equal([1, 'predicted', false, false]);
  });
});
