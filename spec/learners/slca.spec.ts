import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { alignClassifier, alignmentLoss, cosineLr, headLayout, meanScale, type ClassGaussian } from '../../learners/parts/classifierAlignment.js';
import type { ScenarioInfo, TrainingConfig } from '../../learners/contract.js';
import { cholesky, featureMoments, sampleGaussian } from '../../learners/parts/gaussian.js';
import { getLearner } from '../../learners/registry.js';
import type { SlcaOptions } from '../../learners/methods/slca.js';
import type { Mlp } from '../../models/mlp.js';
import { gatherBatch, taskTestExamples } from '../../scenarios/examples.js';
import type { Scenario } from '../../scenarios/types.js';
import { phaseOf, snapshot } from '../helpers/learners.js';
import { contextFor, expectClose, syntheticScenario, useWasm, values } from '../helpers/tf.js';

const TRAINING: TrainingConfig = { epochs: 3, batchSize: 16, optimizer: 'momentum', lr: 0.05, momentum: 0.9, resetOptimizer: false };
const DEFAULTS: SlcaOptions = { backboneLrScale: 0.01, weightDecay: 5e-4, headInitStd: 0.02, caEpochs: 5, caSamplesPerClass: 256, caLr: 0.01, caMomentum: 0.9, tau: 0.1, covarianceRidge: 1e-4 };

/** Class-IL accuracy over all test examples of the scenario. */
function accuracy(predict: (x: tf.Tensor2D) => tf.Tensor2D, scenario: Scenario): number {
  let correct = 0;
  let total = 0;
  for (const task of scenario.tasks) {
    const b = gatherBatch(scenario, 'test', taskTestExamples(scenario, task.id), null);
    const predicted = tf.tidy(() => tf.argMax(predict(tf.tensor2d(b.x, [b.size, scenario.inputSize])), 1));
    predicted.dataSync().forEach((p, k) => (correct += p === b.targets[k] ? 1 : 0));
    predicted.dispose();
    total += b.size;
  }
  return correct / total;
}

describe('SLCA', () => {
  useWasm();

  describe('Gaussian class statistics', () => {
    it('Cholesky: L·Lᵀ reproduces a positive definite matrix; a singular one is refused', () => {
      const a = [4, 2, 0.6, 2, 5, 1.5, 0.6, 1.5, 3];
      const l = cholesky(a, 3);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += l[i * 3 + k] * l[j * 3 + k];
          expect(s).to.be.closeTo(a[i * 3 + j], 1e-12);
        }
      expect(l[1]).to.equal(0);
      expect(() => cholesky([1, 2, 2, 1], 2)).to.throw(/not positive definite/);
    });

    it('draws from N(s·μ, Σ) reproduce the stored mean (scaled) and covariance', async () => {
      const n = 4;
      const mean = [1, -2, 0.5, 3];
      const covariance = [2, 0.8, 0, -0.3, 0.8, 1, 0.2, 0, 0, 0.2, 0.5, 0.1, -0.3, 0, 0.1, 1.5];
      const draws = sampleGaussian(mean, cholesky(covariance, n), n, 40000, 0.9, new Rng(5));
      const { mean: m, covariance: c } = await featureMoments(draws, 0);
      draws.dispose();
      expectClose(Array.from(m), mean.map((v) => 0.9 * v), 0.03, 0, 'mean');
      expectClose(Array.from(c), covariance, 0.04, 0.03, 'covariance');
    });

    it('feature moments: mean, unbiased covariance plus the ridge', async () => {
      const rows = [
        [1, 2],
        [3, 0],
        [2, 4],
      ];
      const { mean, covariance } = await featureMoments(tf.tensor2d(rows), 1e-4);
      expectClose(Array.from(mean), [2, 2], 1e-6, 0, 'mean');
      // deviations (−1, 0), (1, −2), (0, 2): Σ = [[2, −2], [−2, 8]] / 2
      expectClose(Array.from(covariance), [1 + 1e-4, -1, -1, 4 + 1e-4], 1e-6, 1e-6, 'covariance');
    });

    it('mean scaling and the cosine learning rate follow the code', () => {
      expect(meanScale(2, 2)).to.equal(1);
      expect(meanScale(0, 4)).to.be.closeTo(0.92, 1e-12);
      expect([0, 1, 2, 3, 4].map((e) => cosineLr(0.01, e, 5))).to.deep.equal([0.01, 0.01 * (1 + Math.cos(Math.PI / 5)) / 2, 0.01 * (1 + Math.cos((2 * Math.PI) / 5)) / 2, 0.01 * (1 + Math.cos((3 * Math.PI) / 5)) / 2, 0.01 * (1 + Math.cos((4 * Math.PI) / 5)) / 2]);
    });
  });

  describe('alignment loss, computed by hand (float64)', () => {
    // 3 tasks × 2 outputs; tasks 0 and 1 seen; 2-D features, 3 draws labelled (output, task)
    const W = [
      [1.5, -0.5, 2, 0.3, -1, 0.7],
      [0.2, 1.1, -0.8, 1.4, 0.5, -0.6],
    ];
    const b = [0.1, -0.2, 0.3, 0, 0.5, -0.4];
    const X = [
      [1, 2],
      [-0.5, 1.5],
      [2, -1],
    ];
    const labels = [0, 3, 1];
    const tasks = [0, 1, 0];
    const blocks = [
      [0, 1],
      [2, 3],
    ];
    const z = X.map((x) => b.map((bo, o) => bo + x[0] * W[0][o] + x[1] * W[1][o]));
    const norm = (row: number[], block: number[]) => Math.sqrt(block.reduce((s, o) => s + row[o] ** 2, 0) + 1e-12) + 1e-7;
    /** mean over rows of −log softmax(l)[y] over the outputs `scored(r)` */
    const ce = (logits: number[][], scored: (r: number) => number[]) =>
      logits.reduce((s, l, r) => s + Math.log(scored(r).reduce((t, o) => t + Math.exp(l[o]), 0)) - l[labels[r]], 0) / logits.length;
    const lossOf = (setting: 'class' | 'task', tau: number) => {
      const info: ScenarioInfo = { name: 's', setting, outputs: 6, inputSize: 2, tasks: [0, 1, 2].map((t) => ({ id: t, classes: [2 * t, 2 * t + 1], outputs: [2 * t, 2 * t + 1] })) };
      const weight = tf.variable(tf.tensor2d(W.flat(), [2, 6]));
      const bias = tf.variable(tf.tensor1d(b));
      try {
        return tf.tidy(() => alignmentLoss({ weight, bias }, tf.tensor2d(X.flat(), [3, 2]), Int32Array.from(labels), tasks, headLayout(info, [0, 1]), tau).dataSync()[0]);
      } finally {
        tf.dispose([weight, bias]);
      }
    };

    it('class-IL: ν is the mean norm of the seen heads, CE over all seen outputs of z/ν/τ', () => {
      const tau = 0.1;
      const scaled = z.map((row) => {
        const nu = (norm(row, blocks[0]) + norm(row, blocks[1])) / 2;
        return row.map((v) => v / nu / tau);
      });
      const expected = ce(scaled, () => [0, 1, 2, 3]);
      expect(lossOf('class', tau)).to.be.closeTo(expected, 1e-4 * expected);
      // without the normalisation the number would be far off (guards the test's own sensitivity)
      expect(Math.abs(ce(z.map((row) => row.map((v) => v / tau)), () => [0, 1, 2, 3]) - expected)).to.be.above(1);
    });

    it("task-IL: each draw is normalised by its own head's norm and scored on its own head", () => {
      const tau = 0.5;
      const own = (r: number) => blocks[tasks[r]];
      const scaled = z.map((row, r) => row.map((v) => v / norm(row, own(r)) / tau));
      const expected = ce(scaled, own);
      expect(lossOf('task', tau)).to.be.closeTo(expected, 1e-4 * expected);
    });

    it('τ = 0: plain cross-entropy over the seen outputs', () => {
      const expected = ce(z, () => [0, 1, 2, 3]);
      expect(lossOf('class', 0)).to.be.closeTo(expected, 1e-4 * expected);
    });
  });

  it('classifier alignment repairs heads that are mis-calibrated by construction (class-IL)', () => {
    // four classes in two tasks, well separated in a 2-D feature space; each head separates its own task's
    // classes, but the second head's logits are offset by +12, so class-IL prediction always picks task 2
    const centres = [
      [3, 0],
      [0, 3],
      [-3, 0],
      [0, -3],
    ];
    const info: ScenarioInfo = { name: 's', setting: 'class', outputs: 4, inputSize: 2, tasks: [ { id: 0, classes: [0, 1], outputs: [0, 1] }, { id: 1, classes: [2, 3], outputs: [2, 3] } ] };
    const weight = tf.variable(tf.tensor2d([3, 0, -3, 0, 0, 3, 0, -3], [2, 4]));
    const bias = tf.variable(tf.tensor1d([0, 0, 12, 12]));
    const classes: ClassGaussian[] = centres.map((c, k) => ({ task: k < 2 ? 0 : 1, output: k, mean: Float32Array.from(c), covariance: Float32Array.from([0.5, 0, 0, 0.5]) }));
    const test = sampleGaussianSet(centres, new Rng(9));
    const accuracyOf = () =>
      tf.tidy(() => {
        const predicted = tf.argMax(tf.add(tf.matMul(test.x, weight), bias), 1).dataSync();
        return Array.from(predicted).filter((p, k) => p === test.labels[k]).length / test.labels.length;
      });
    try {
      const before = accuracyOf();
      expect(before).to.be.below(0.6);
      // the code's constants but 20 epochs: with 4 classes an epoch is only 4 steps (CIFAR-100's has 100)
      alignClassifier({ weight, bias }, classes, 1, info, { epochs: 20, samplesPerClass: 256, tau: 0.1, lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }, new Rng(3));
      expect(accuracyOf()).to.be.above(0.9);
    } finally {
      tf.dispose([weight, bias, test.x]);
    }
  });

  describe('the learner', () => {
    const scenario = syntheticScenario('classes=6,features=16,trainPerClass=40,testPerClass=20,spread=12', { kind: 'split', tasks: 3, setting: 'class' });

    it('with backboneLrScale 0 leaves the backbone as it was; the current head learns, the earlier heads do not', async () => {
      const learner = getLearner('slca').create({ ...DEFAULTS, backboneLrScale: 0, caEpochs: 0 }, contextFor(scenario, { hidden: [10] }, 3, TRAINING)) as any;
      try {
        const mlp = learner.model as Mlp;
        const before = snapshot(mlp);
        await learner.train(phaseOf(scenario, 0), {});
        const afterFirst = snapshot(mlp);
        expect(afterFirst.slice(0, 2)).to.deep.equal(before.slice(0, 2));
        expect(afterFirst[2]).to.not.deep.equal(before[2]);
        await learner.train(phaseOf(scenario, 1), {});
        const afterSecond = snapshot(mlp);
        expect(afterSecond.slice(0, 2)).to.deep.equal(before.slice(0, 2));
        // head columns: weight [10 × 6] row-major; task 1 owns outputs 0, 1
        const columns = (w: number[], outputs: number[]) => w.filter((_, i) => outputs.includes(i % 6));
        expect(columns(afterSecond[2], [0, 1])).to.deep.equal(columns(afterFirst[2], [0, 1]));
        expect(columns(afterSecond[2], [2, 3])).to.not.deep.equal(columns(afterFirst[2], [2, 3]));
        expect(columns(afterSecond[2], [4, 5])).to.deep.equal(columns(before[2], [4, 5]));
      } finally {
        learner.dispose();
      }
    });

    it('with a slow backbone the backbone moves, by less than a fully trained one', async () => {
      const moved = async (backboneLrScale: number) => {
        const learner = getLearner('slca').create({ ...DEFAULTS, backboneLrScale, caEpochs: 0 }, contextFor(scenario, { hidden: [10] }, 3, TRAINING)) as any;
        const before = snapshot(learner.model);
        await learner.train(phaseOf(scenario, 0), {});
        const after = snapshot(learner.model);
        learner.dispose();
        return Math.max(...after[0].map((v, i) => Math.abs(v - before[0][i])));
      };
      const slow = await moved(0.01);
      expect(slow).to.be.above(0);
      expect(slow).to.be.below((await moved(1)) / 5);
    });

    it('evaluates with aligned heads, restores the unaligned ones when the next task starts, and hides unseen heads', async () => {
      const learner = getLearner('slca').create({ ...DEFAULTS, backboneLrScale: 0 }, contextFor(scenario, { hidden: [10] }, 3, TRAINING)) as any;
      try {
        await learner.train(phaseOf(scenario, 0), {});
        await learner.train(phaseOf(scenario, 1), {});
        const aligned = values(learner.model.head.weight);
        const unaligned = values(learner.backup[0]);
        expect(aligned).to.not.deep.equal(unaligned);
        // the next task starts from the backed-up heads: tasks 1–2 columns equal them after it (it touches only its own)
        await learner.train(phaseOf(scenario, 2), {});
        const after = values(learner.model.head.weight);
        const backupOfThird = values(learner.backup[0]);
        const columns = (w: number[], outputs: number[]) => w.filter((_, i) => outputs.includes(i % 6));
        expect(columns(backupOfThird, [0, 1, 2, 3])).to.deep.equal(columns(unaligned, [0, 1, 2, 3]));
        expect(columns(after, [0, 1, 2, 3])).to.not.deep.equal(columns(unaligned, [0, 1, 2, 3]));
        // after the first task only its head predicts
        const first = getLearner('slca').create({ ...DEFAULTS, backboneLrScale: 0 }, contextFor(scenario, { hidden: [10] }, 3, TRAINING)) as any;
        await first.train(phaseOf(scenario, 0), {});
        const logits = tf.tidy(() => values(first.predict(tf.ones([1, 16]))));
        expect(logits.slice(2).every((v) => v < -1e8)).to.equal(true);
        first.dispose();
      } finally {
        learner.dispose();
      }
    });

    it('alignment raises class-IL accuracy over the slow learner alone (frozen random backbone, synthetic stream)', async () => {
      const finalAccuracy = async (caEpochs: number) => {
        const learner = getLearner('slca').create({ ...DEFAULTS, backboneLrScale: 0, caEpochs }, contextFor(scenario, { hidden: [32] }, 4, TRAINING));
        for (let p = 0; p < 3; p++) await learner.train(phaseOf(scenario, p), {});
        const acc = accuracy((x) => learner.predict(x), scenario);
        learner.dispose();
        return acc;
      };
      const slowOnly = await finalAccuracy(0);
      const aligned = await finalAccuracy(5);
      expect(aligned).to.be.above(slowOnly + 0.05);
    });
  });
});

/** 200 draws around each centre (σ² = 0.5), labels = centre index. */
function sampleGaussianSet(centres: number[][], rng: Rng): { x: tf.Tensor2D; labels: number[] } {
  const data: number[] = [];
  const labels: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < 200; i++) {
      data.push(c[0] + Math.sqrt(0.5) * rng.normal(), c[1] + Math.sqrt(0.5) * rng.normal());
      labels.push(k);
    }
  });
  return { x: tf.tensor2d(data, [labels.length, 2]), labels };
}
