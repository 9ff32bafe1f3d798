import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { UserError } from '../../core/errors.js';
import { AdaB2N, MomentumSchedule, type AdaB2NOptions } from '../../models/adab2n.js';
import { BatchNorm1d } from '../../models/batchNorm.js';
import { resolveNormOptions, stopGradient } from '../../models/normalization.js';
import { expectClose, thrown, uniformArray, useWasm, values } from '../helpers/tf.js';

const C = 3;
const ADA: AdaB2NOptions = { momentum: 0.1, eps: 1e-5, kappa: 1, compat: true, maxTasks: 4 };

/** Per-feature mean and biased variance of rows x (n × C), weighted by a (default 1/n each), in plain JS. */
function moments(x: ArrayLike<number>, n: number, a?: number[]): { mean: number[]; variance: number[] } {
  const w = a ?? new Array(n).fill(1 / n);
  const mean = Array.from({ length: C }, (_, c) => w.reduce((s, wi, i) => s + wi * x[i * C + c], 0));
  const variance = Array.from({ length: C }, (_, c) => w.reduce((s, wi, i) => s + wi * (x[i * C + c] - mean[c]) ** 2, 0));
  return { mean, variance };
}

function batch(rng: Rng, n: number, shift = 0): { data: Float32Array; x: tf.Tensor2D } {
  const data = uniformArray(n * C, rng, -2 + shift, 3 + shift);
  return { data, x: tf.tensor2d(data, [n, C]) };
}

/** One training forward and commit; returns the output values. */
function trainForward(layer: BatchNorm1d | AdaB2N, x: tf.Tensor2D): number[] {
  const out = tf.tidy(() => values(layer.apply(x, true)));
  layer.commit();
  return out;
}

describe('normalisation layers', () => {
  useWasm();

  describe('BatchNorm1d (PyTorch semantics)', () => {
    it('normalises with the batch mean and biased variance; running variance gets the unbiased one after commit', () => {
      const bn = new BatchNorm1d(C, 0.1, 1e-5);
      const { data, x } = batch(new Rng(1), 6);
      const expected = moments(data, 6);
      const before = values(bn.runningMean);
      const out = tf.tidy(() => values(bn.apply(x, true)));
      // nothing moves until the learner commits (after its optimizer step)
      expect(values(bn.runningMean)).to.deep.equal(before);
      bn.commit();
      const normalised = Array.from(data, (v, k) => (v - expected.mean[k % C]) / Math.sqrt(expected.variance[k % C] + 1e-5));
      expectClose(out, normalised, 1e-5, 1e-4, 'output');
      expectClose(values(bn.runningMean), expected.mean.map((m) => 0.1 * m), 1e-6, 1e-5, 'running mean');
      expectClose(values(bn.runningVar), expected.variance.map((v) => 0.9 + 0.1 * v * (6 / 5)), 1e-6, 1e-5, 'running var');
      // evaluation uses the running statistics
      const evalOut = tf.tidy(() => values(bn.apply(x, false)));
      const rm = values(bn.runningMean);
      const rv = values(bn.runningVar);
      expectClose(evalOut, Array.from(data, (v, k) => (v - rm[k % C]) / Math.sqrt(rv[k % C] + 1e-5)), 1e-5, 1e-4, 'eval output');
      tf.dispose(x);
      bn.dispose();
    });

    it('a one-row batch leaves the running statistics alone', () => {
      const bn = new BatchNorm1d(C);
      const { x } = batch(new Rng(2), 1);
      trainForward(bn, x);
      expect(values(bn.runningMean)).to.deep.equal([0, 0, 0]);
      expect(values(bn.runningVar)).to.deep.equal([1, 1, 1]);
      tf.dispose(x);
      bn.dispose();
    });
  });

  describe('AdaB2N', () => {
    it('with κ = 1 and no task composition equals BatchNorm: outputs and running mean; running var without Bessel', () => {
      const bn = new BatchNorm1d(C, 0.1, 1e-5);
      const ada = new AdaB2N(C, ADA);
      const rng = new Rng(3);
      let expectedAdaVar = [1, 1, 1];
      for (let step = 0; step < 5; step++) {
        const n = 4 + step;
        const { data, x } = batch(rng, n, step);
        expectClose(trainForward(ada, x), trainForward(bn, x), 1e-6, 1e-5, `output, step ${step}`);
        expectClose(values(ada.runningMean), values(bn.runningMean), 1e-6, 1e-5, `running mean, step ${step}`);
        // BN: (1 − m)·rv + m·σ²·n/(n − 1); AdaB²N (the official code): (1 − m)·rv + m·σ², the biased variance
        const { variance } = moments(data, n);
        expectedAdaVar = expectedAdaVar.map((rv, c) => 0.9 * rv + 0.1 * variance[c]);
        expectClose(values(ada.runningVar), expectedAdaVar, 1e-5, 1e-4, `AdaB2N running var, step ${step}`);
        tf.dispose(x);
      }
      expect(Math.abs(values(ada.runningVar)[0] - values(bn.runningVar)[0])).to.be.greaterThan(1e-3);
      bn.dispose();
      ada.dispose();
    });

    it('with κ = 0 keeps the cumulative average of the batch statistics', () => {
      const ada = new AdaB2N(C, { ...ADA, kappa: 0 });
      const rng = new Rng(4);
      const means: number[][] = [];
      const vars: number[][] = [];
      for (let step = 0; step < 6; step++) {
        const { data, x } = batch(rng, 5, 2 * step);
        trainForward(ada, x);
        const m = moments(data, 5);
        means.push(m.mean);
        vars.push(m.variance);
        tf.dispose(x);
      }
      const average = (rows: number[][]) => rows[0].map((_, c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
      expectClose(values(ada.runningMean), average(means), 1e-5, 1e-4, 'running mean');
      expectClose(values(ada.runningVar), average(vars), 1e-5, 1e-4, 'running var');
      expect(values(ada.forwardCount)).to.deep.equal([6]);
      ada.dispose();
    });

    it('η follows the recursion and its limits (Lyu et al. 2023, the adaptive momentum)', () => {
      const s = new MomentumSchedule(0.1, 0.4);
      expect(s.eta(1)).to.be.closeTo(0.398, 5e-4);
      expect(s.limit).to.be.closeTo(0.0413, 5e-5);
      let eta = 0.1 ** 0.4;
      for (let n = 2; n <= 300; n++) {
        eta = eta / (eta + 0.9 ** 0.4);
        expect(s.eta(n)).to.equal(eta);
      }
      expect(s.eta(300)).to.be.closeTo(s.limit, 1e-6);
      // a restored layer asks for step n directly: the same value as stepping there
      expect(new MomentumSchedule(0.1, 0.4).eta(300)).to.equal(eta);
      expect(new MomentumSchedule(0.1, 0.7).limit).to.be.closeTo(0.071, 5e-4);
      expect(new MomentumSchedule(0.1, 0.1).limit).to.be.closeTo(0.0105, 5e-5);
      expect([1, 2, 10].map((n) => new MomentumSchedule(0.1, 1).eta(n))).to.deep.equal([0.1, 0.1, 0.1]);
      expect([1, 2, 10].map((n) => new MomentumSchedule(0.1, 0).eta(n))).to.deep.equal([1, 0.5, 0.1]);
    });

    it('weighs the batch statistics by posterior-mean task weights from the second task on; compat keeps the lost mass', () => {
      // tasks 0 and 2 in the batch, task 1 seen but absent; θ = 0 so w_t ∝ 1 + n_t over t = 0..2
      const taskIds = [0, 0, 0, 2];
      const counts = [3, 0, 1];
      const total = counts.reduce((s, k) => s + 1 + k, 0);
      const w = counts.map((k) => (1 + k) / total);
      const a = taskIds.map((t) => w[t] / counts[t]);
      const { data, x } = batch(new Rng(5), 4);
      for (const compat of [true, false]) {
        const ada = new AdaB2N(C, { ...ADA, compat });
        ada.setBatchTasks(taskIds, 2);
        const weights = compat ? a : a.map((ai) => ai / a.reduce((s, v) => s + v, 0));
        const { mean, variance } = moments(data, 4, weights);
        const out = trainForward(ada, x);
        expectClose(out, Array.from(data, (v, k) => (v - mean[k % C]) / Math.sqrt(variance[k % C] + 1e-5)), 1e-5, 1e-4, `output, compat ${compat}`);
        expectClose(values(ada.runningMean), mean.map((m) => 0.1 * m), 1e-6, 1e-5, `running mean, compat ${compat}`);
        ada.dispose();
      }
      // in the first task the statistics are plain, composition or not
      const first = new AdaB2N(C, ADA);
      first.setBatchTasks([0, 0, 0, 0], 0);
      const plain = moments(data, 4);
      expectClose(trainForward(first, x), Array.from(data, (v, k) => (v - plain.mean[k % C]) / Math.sqrt(plain.variance[k % C] + 1e-5)), 1e-5, 1e-4, 'first task');
      first.dispose();
      tf.dispose(x);
    });

    it('passes gradients to θ for the tasks in the weights, none to the others', () => {
      const ada = new AdaB2N(C, ADA);
      const { x } = batch(new Rng(6), 6);
      const probe = tf.tensor2d(uniformArray(6 * C, new Rng(7)), [6, C]);
      ada.setBatchTasks([0, 1, 1, 0, 1, 1], 1);
      const g = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ada.apply(x, true), probe)) as tf.Scalar, [ada.theta]);
        return values(grads[ada.theta.name]);
      });
      ada.commit();
      expect(g).to.have.length(4);
      expect(Math.abs(g[0]) + Math.abs(g[1])).to.be.greaterThan(1e-4);
      expect(g.slice(2)).to.deep.equal([0, 0]);
      tf.dispose([x, probe]);
      ada.dispose();
    });

    it('its alignment loss is MSE(μ_B, running mean′) + MSE(σ²_B, running var′), differentiated through the batch statistics only', () => {
      const ada = new AdaB2N(C, { ...ADA, kappa: 0.4 });
      const { data, x } = batch(new Rng(8), 5, 1);
      const loss = tf.tidy(() => {
        ada.apply(x, true);
        return ada.alignmentLoss()!.dataSync()[0];
      });
      ada.commit();
      const eta = 0.1 ** 0.4;
      const { mean, variance } = moments(data, 5);
      const mse = (xs: number[], ys: number[]) => xs.reduce((s, v, c) => s + (v - ys[c]) ** 2, 0) / xs.length;
      const rm = mean.map((m) => eta * m);
      const rv = variance.map((v) => (1 - eta) + eta * v);
      expect(loss).to.be.closeTo(mse(mean, rm) + mse(variance, rv), 1e-5);
      expectClose(values(ada.runningMean), rm, 1e-6, 1e-5, 'running mean');
      // ∂L/∂x: the running statistics are constants, so it is the gradient of MSE(μ(x), rm′) + MSE(σ²(x), rv′)
      const rmT = tf.tensor1d(rm);
      const rvT = tf.tensor1d(rv);
      const viaLayer = tf.tidy(() => {
        const fresh = new AdaB2N(C, { ...ADA, kappa: 0.4 });
        const g = values(tf.grad((xx: tf.Tensor) => {
          fresh.apply(xx as tf.Tensor2D, true);
          return fresh.alignmentLoss()!;
        })(x));
        fresh.dispose();
        return g;
      });
      const direct = tf.tidy(() => values(tf.grad((xx: tf.Tensor) => {
        const mu = tf.mean(xx, 0);
        const v = tf.mean(tf.square(tf.sub(xx, mu)), 0);
        return tf.add(tf.mean(tf.square(tf.sub(mu, rmT))), tf.mean(tf.square(tf.sub(v, rvT))));
      })(x)));
      expectClose(viaLayer, direct, 1e-6, 1e-4, '∂L/∂x');
      tf.dispose([x, rmT, rvT]);
      ada.dispose();
    });

    it('checks the composition against the batch and the tasks started', () => {
      const ada = new AdaB2N(C, ADA);
      const { x } = batch(new Rng(9), 3);
      ada.setBatchTasks([0, 1], 1);
      expect(() => tf.tidy(() => ada.apply(x, true))).to.throw(/composition has 2 rows, the batch 3/);
      expect(() => ada.setBatchTasks([0, 2], 1)).to.throw(/task 2, but only tasks 0..1/);
      expect(() => ada.setBatchTasks([0], 4)).to.throw(/θ has 4 entries/);
      ada.commit();
      tf.dispose(x);
      ada.dispose();
    });

    it('frees everything a training forward kept at commit', () => {
      const ada = new AdaB2N(C, { ...ADA, kappa: 0.4 });
      const { x } = batch(new Rng(10), 4);
      trainForward(ada, x);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        ada.setBatchTasks([0, 1, 1, 0], 1);
        tf.tidy(() => {
          tf.variableGrads(() => tf.add(tf.sum(ada.apply(x, true)), ada.alignmentLoss()!) as tf.Scalar, ada.variables);
        });
        ada.commit();
      }
      expect(tf.memory().numTensors).to.equal(before);
      tf.dispose(x);
      ada.dispose();
    });
  });

  it('stopGradient passes values and blocks gradients', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.tidy(() => values(tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(v), v), stopGradient(v))))(x)));
    // d/dx Σ (sg(x)·x + sg(x)) = sg(x) = x
    expect(g).to.deep.equal([1, 2, 3]);
    x.dispose();
  });

  it('normalisation options: defaults, and a UserError for options of the other layer', () => {
    expect(resolveNormOptions('adab2n', { kappa: 0.4 })).to.deep.equal({ momentum: 0.1, eps: 1e-5, kappa: 0.4, lambda: 0.1, adaT0: 0, compat: true });
    const e = thrown(() => resolveNormOptions('batchnorm', { kappa: 0.4, lambda: 1 }, 'suite.json: model.normOptions'), UserError);
    expect(e.describe()).to.match(/^suite\.json: model\.normOptions: kappa, lambda are options of AdaB²N, not of BatchNorm\n {2}fix: set model\.norm to "adab2n"/);
    expect(thrown(() => resolveNormOptions('none', { eps: 1e-3 }), UserError).message).to.match(/no normalisation/);
  });
});
