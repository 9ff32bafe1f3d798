import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { createMlp, Mlp } from '../../models/mlp.js';
import { squaredGradientSums } from '../../models/perExampleGradients.js';
import type { Model } from '../../models/types.js';
import { expectClose, maxAbs, uniformArray, useWasm, values } from '../helpers/tf.js';

/** Plain-JS forward pass of a ReLU MLP given its weights (row-major [in, out]) and biases. */
function referenceForward(model: Mlp, x: Float32Array, n: number): number[] {
  let h = Array.from(x);
  let width = model.weights[0].shape[0];
  model.weights.forEach((wv, l) => {
    const w = values(wv);
    const b = values(model.biases[l]);
    const out = wv.shape[1];
    const next: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < out; j++) {
        let s = b[j];
        for (let k = 0; k < width; k++) s += h[i * width + k] * w[k * out + j];
        next.push(l < model.weights.length - 1 ? Math.max(0, s) : s);
      }
    h = next;
    width = out;
  });
  return h;
}

/** Σ_i (∂(g_i·z_i)/∂θ)², one tf.variableGrads call per example, squared and summed in plain JS. */
function referenceSquaredSums(model: Model, x: Float32Array, g: Float32Array, n: number, inputs: number, outputs: number): number[][] {
  const sums = model.variables.map((v) => new Array(v.size).fill(0));
  for (let i = 0; i < n; i++) {
    const grads = tf.tidy(() => {
      const xi = tf.tensor2d(x.subarray(i * inputs, (i + 1) * inputs), [1, inputs]);
      const gi = tf.tensor2d(g.subarray(i * outputs, (i + 1) * outputs), [1, outputs]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi), gi)) as tf.Scalar, model.variables);
      return model.variables.map((v) => values(grads[v.name]));
    });
    grads.forEach((gv, k) => gv.forEach((val, j) => (sums[k][j] += val * val)));
  }
  return sums;
}

describe('Mlp', () => {
  useWasm();

  it('has one weight matrix and bias a layer, shaped by inputs, hidden widths and outputs', () => {
    const m = createMlp({ hidden: [5, 3] }, { inputs: 4, outputs: 2 }, new Rng(1, 'model-init'));
    try {
      expect(m).to.be.instanceOf(Mlp);
      expect(m.variables.map((v) => v.shape)).to.deep.equal([[4, 5], [5], [5, 3], [3], [3, 2], [2]]);
      expect(m.variables.every((v) => v.trainable)).to.equal(true);
      expect(new Set(m.variables.map((v) => v.name)).size).to.equal(6);
    } finally {
      m.dispose();
    }
  });

  it('initialises W and b uniformly in ±1/√fan_in (PyTorch nn.Linear default)', () => {
    const m = new Mlp({ hidden: [100] }, { inputs: 64, outputs: 10 }, new Rng(2, 'model-init'));
    try {
      const fanIns = [64, 64, 100, 100];
      m.variables.forEach((v, i) => {
        const bound = 1 / Math.sqrt(fanIns[i]);
        const xs = values(v);
        expect(maxAbs(xs), `variable ${i} within the bound`).to.be.at.most(bound);
        if (xs.length >= 100) {
          // spread over the whole interval: max close to the bound, mean ≈ 0, variance ≈ bound²/3
          expect(maxAbs(xs)).to.be.above(0.9 * bound);
          const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
          const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
          expect(Math.abs(mean)).to.be.below((5 * bound) / Math.sqrt(3 * xs.length));
          expect(variance / (bound * bound / 3)).to.be.within(0.85, 1.15);
        }
      });
    } finally {
      m.dispose();
    }
  });

  it('is deterministic in the seed', () => {
    const make = (seed: number) => new Mlp({ hidden: [6] }, { inputs: 5, outputs: 3 }, new Rng(seed, 'model-init'));
    const [a, b, c] = [make(7), make(7), make(8)];
    try {
      a.variables.forEach((v, i) => {
        expect(values(v)).to.deep.equal(values(b.variables[i]));
        expect(values(v)).to.not.deep.equal(values(c.variables[i]));
      });
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('forward computes ReLU hidden layers and a linear output (plain-JS reference), without leaking', () => {
    const m = new Mlp({ hidden: [6, 4] }, { inputs: 5, outputs: 3 }, new Rng(3, 'model-init'));
    try {
      const x = uniformArray(8 * 5, new Rng(4, 'x'), -2, 2);
      const input = tf.tensor2d(x, [8, 5]);
      const before = tf.memory().numTensors;
      const out = m.forward(input);
      expect(tf.memory().numTensors).to.equal(before + 1);
      expect(out.shape).to.deep.equal([8, 3]);
      expectClose(values(out), referenceForward(m, x, 8), 1e-5, 1e-5, 'logits');
      tf.dispose([out, input]);
    } finally {
      m.dispose();
    }
  });

  describe('squaredGradientSums', () => {
    const N = 9;
    const IN = 6;
    const OUT = 4;
    let model: Mlp;
    let x: Float32Array;
    let g: Float32Array;
    let reference: number[][];

    before(() => {
      model = new Mlp({ hidden: [7, 5] }, { inputs: IN, outputs: OUT }, new Rng(10, 'model-init'));
      const rng = new Rng(11, 'data');
      // inputs of both signs so that some ReLUs are off for some examples and on for others
      x = uniformArray(N * IN, rng, -2, 2);
      g = uniformArray(N * OUT, rng, -1, 1);
      reference = referenceSquaredSums(model, x, g, N, IN, OUT);
    });
    after(() => model.dispose());

    it('the reference is not trivial (some hidden units are dead for some examples only)', () => {
      const dead = tf.tidy(() => {
        const h = tf.relu(tf.add(tf.matMul(tf.tensor2d(x, [N, IN]), model.weights[0]), model.biases[0]));
        return values(tf.sum(tf.cast(tf.equal(h, 0), 'float32'), 0));
      });
      expect(dead.some((d) => d > 0 && d < N)).to.equal(true);
      for (const r of reference) expect(maxAbs(r)).to.be.above(0);
    });

    it("Mlp's batched version equals the per-example loop", () => {
      const before = tf.memory().numTensors;
      const sums = tf.tidy(() => model.squaredGradientSums(tf.tensor2d(x, [N, IN]), tf.tensor2d(g, [N, OUT])));
      expect(tf.memory().numTensors).to.equal(before + model.variables.length);
      expect(sums.map((s) => s.shape)).to.deep.equal(model.variables.map((v) => v.shape));
      sums.forEach((s, k) => expectClose(values(s), reference[k], 1e-6, 1e-4, `variable ${k}`));
      tf.dispose(sums);
    });

    it("models/perExampleGradients: the per-example fallback (model without the method) equals it too", () => {
      const bare: Model = { variables: model.variables, forward: (xx) => model.forward(xx), dispose: () => {} };
      const before = tf.memory().numTensors;
      const sums = tf.tidy(() => squaredGradientSums(bare, tf.tensor2d(x, [N, IN]), tf.tensor2d(g, [N, OUT])));
      expect(tf.memory().numTensors).to.equal(before + model.variables.length);
      sums.forEach((s, k) => expectClose(values(s), reference[k], 1e-6, 1e-4, `variable ${k}`));
      tf.dispose(sums);
    });

    it("models/perExampleGradients dispatches to the model's batched method", () => {
      const sums = tf.tidy(() => squaredGradientSums(model, tf.tensor2d(x, [N, IN]), tf.tensor2d(g, [N, OUT])));
      sums.forEach((s, k) => expectClose(values(s), reference[k], 1e-6, 1e-4, `variable ${k}`));
      tf.dispose(sums);
    });

    it("is not the square of the batch gradient (per-example squares, then the sum)", () => {
      const batchGrad = tf.tidy(() => {
        const xs = tf.tensor2d(x, [N, IN]);
        const gs = tf.tensor2d(g, [N, OUT]);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xs), gs)) as tf.Scalar, model.variables);
        return model.variables.map((v) => values(grads[v.name]).map((q) => q * q));
      });
      // output-layer bias: Σ_i g_i² versus (Σ_i g_i)²
      const last = model.variables.length - 1;
      const perExample = Array.from({ length: OUT }, (_, j) => {
        let s = 0;
        for (let i = 0; i < N; i++) s += g[i * OUT + j] ** 2;
        return s;
      });
      expectClose(reference[last], perExample, 1e-6, 1e-5, 'output bias');
      expect(batchGrad[last]).to.not.deep.equal(reference[last]);
    });
  });
});
