import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Learner } from '../../learners/contract.js';
import type { L2Options } from '../../learners/methods/l2.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { getLearner } from '../../learners/registry.js';
import { taskExamples } from '../../scenarios/examples.js';
import type { Scenario } from '../../scenarios/types.js';
import { penaltyAndGradient, perturb, phaseOf, snapshot, weightedQuadratic } from '../helpers/learners.js';
import { contextFor, expectClose, maxAbs, syntheticScenario, useWasm } from '../helpers/tf.js';

describe('L2 learner', () => {
  useWasm();

  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=4,features=16,trainPerClass=10,testPerClass=2', { kind: 'split', setting: 'class' });
  });

  function create(options: Partial<L2Options> = {}): { learner: Learner; internals: any } {
    const learner = getLearner('l2').create({ lambda: 0.3, ...options }, contextFor(scenario, { hidden: [8] }, 4));
    return { learner, internals: learner as any };
  }

  function expectPenalty(internals: any, expected: { value: number; grad: number[][] }): void {
    const got = penaltyAndGradient(internals);
    expect(got.value).to.be.closeTo(expected.value, 1e-4 * expected.value + 1e-7);
    const scale = Math.max(...expected.grad.map(maxAbs));
    got.grad.forEach((g, k) => expectClose(g, expected.grad[k], 1e-5 * scale, 1e-4, `gradient of variable ${k}`));
  }

  const ones = (theta: number[][]) => theta.map((t) => t.map(() => 1));

  it('has no penalty before the first phase ends', () => {
    const { learner, internals } = create();
    try {
      expect(internals.penalty()).to.equal(null);
    } finally {
      learner.dispose();
    }
  });

  it('after phase 0: λ Σ (θ − θ*)² with gradient 2λ(θ − θ*), zero at the anchor', async () => {
    const { learner, internals } = create();
    try {
      await learner.train(phaseOf(scenario, 0), {});
      const anchor = snapshot(internals.model);
      expect(Math.abs(penaltyAndGradient(internals).value)).to.be.below(1e-7);
      const theta = perturb(internals.model, 1);
      const expected = weightedQuadratic(ones(theta), anchor, theta, 0.3);
      expect(expected.value).to.be.above(1e-3);
      expectPenalty(internals, expected);
    } finally {
      learner.dispose();
    }
  });

  it('keeps only the latest anchor: after phase 1 the pull is towards θ*_1 alone', async () => {
    const { learner, internals } = create();
    try {
      await learner.train(phaseOf(scenario, 0), {});
      const anchor0 = snapshot(internals.model);
      await learner.train(phaseOf(scenario, 1), {});
      const anchor1 = snapshot(internals.model);
      // a second term towards θ*_0 would make the penalty at θ*_1 positive
      expect(weightedQuadratic(ones(anchor1), anchor0, anchor1, 0.3).value).to.be.above(1e-4);
      expect(Math.abs(penaltyAndGradient(internals).value)).to.be.below(1e-7);
      const theta = perturb(internals.model, 2);
      expectPenalty(internals, weightedQuadratic(ones(theta), anchor1, theta, 0.3));
    } finally {
      learner.dispose();
    }
  });

  it('trains on task loss + penalty', async () => {
    const ctx = contextFor(scenario, { hidden: [8] }, 4);
    const learner = getLearner('l2').create({ lambda: 0.3 }, ctx);
    const internals = learner as any;
    try {
      await learner.train(phaseOf(scenario, 0), {});
      perturb(internals.model, 3);
      const batch = ctx.data.batch(taskExamples(scenario, 1), [0, 1, 2, 3]);
      const [loss, task, penalty] = tf.tidy(() => {
        const inputs = internals.toTensors(batch);
        const ce = crossEntropy(internals.model.forward(inputs.x), inputs.targets);
        return [internals.loss(inputs, phaseOf(scenario, 1)).dataSync()[0], ce.dataSync()[0], internals.penalty().dataSync()[0]];
      });
      expect(penalty).to.be.above(1e-3);
      expect(loss).to.be.closeTo(task + penalty, 1e-5 * (task + penalty));
    } finally {
      learner.dispose();
    }
  });
});
