import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { dense, plainDense, type DenseOp, type DenseOptions } from '../../models/dense.js';
import { Mlp } from '../../models/mlp.js';
import { expectClose, uniformArray, useWasm, values } from '../helpers/tf.js';

const N = 5;
const IN = 7;
const OUT = 4;

const ALL_OPTIONS: DenseOptions[] = [
  { relu: false, inputGradient: true },
  { relu: true, inputGradient: true },
  { relu: false, inputGradient: false },
  { relu: true, inputGradient: false },
];

/** Gradients of Σ dy ⊙ op(x, W, b) with respect to x, W and b. */
function gradsOf(op: DenseOp, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, dy: tf.Tensor2D, options: DenseOptions): number[][] {
  return tf.tidy(() => {
    const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(op(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, options), dy)),
    )([x, w, b]);
    return g.map(values);
  });
}

/** x·W + b (and ReLU) in plain JS. */
function referenceForward(xs: Float32Array, ws: Float32Array, bs: Float32Array, relu: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++)
    for (let j = 0; j < OUT; j++) {
      let s = bs[j];
      for (let k = 0; k < IN; k++) s += xs[i * IN + k] * ws[k * OUT + j];
      out.push(relu ? Math.max(0, s) : s);
    }
  return out;
}

/** dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz with dz = dy ⊙ [z > 0] under ReLU, in plain JS. */
function referenceGrads(xs: Float32Array, ws: Float32Array, bs: Float32Array, dys: Float32Array, relu: boolean): number[][] {
  const z = referenceForward(xs, ws, bs, false);
  const dz = Array.from(dys, (d, i) => (relu && !(z[i] > 0) ? 0 : d));
  const dx: number[] = [];
  for (let i = 0; i < N; i++)
    for (let k = 0; k < IN; k++) {
      let s = 0;
      for (let j = 0; j < OUT; j++) s += dz[i * OUT + j] * ws[k * OUT + j];
      dx.push(s);
    }
  const dw: number[] = [];
  for (let k = 0; k < IN; k++)
    for (let j = 0; j < OUT; j++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += xs[i * IN + k] * dz[i * OUT + j];
      dw.push(s);
    }
  const db = Array.from({ length: OUT }, (_, j) => {
    let s = 0;
    for (let i = 0; i < N; i++) s += dz[i * OUT + j];
    return s;
  });
  return [dx, dw, db];
}

describe('dense op', () => {
  useWasm();

  let xs: Float32Array, ws: Float32Array, bs: Float32Array, dys: Float32Array;
  let x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, dy: tf.Tensor2D;
  before(() => {
    const rng = new Rng(21, 'dense');
    xs = uniformArray(N * IN, rng);
    ws = uniformArray(IN * OUT, rng);
    bs = uniformArray(OUT, rng);
    dys = uniformArray(N * OUT, rng);
    x = tf.tensor2d(xs, [N, IN]);
    w = tf.tensor2d(ws, [IN, OUT]);
    b = tf.tensor1d(bs);
    dy = tf.tensor2d(dys, [N, OUT]);
  });
  after(() => tf.dispose([x, w, b, dy]));

  it('the test inputs make some pre-activations negative and some positive', () => {
    const z = referenceForward(xs, ws, bs, false);
    expect(z.some((v) => v < 0) && z.some((v) => v > 0)).to.equal(true);
  });

  for (const options of ALL_OPTIONS) {
    const label = `relu ${options.relu}, inputGradient ${options.inputGradient}`;

    it(`forward (${label}): dense = plainDense = act(x·W + b) (plain-JS reference)`, () => {
      const ref = referenceForward(xs, ws, bs, options.relu);
      const fast = tf.tidy(() => values(dense(x, w, b, options)));
      const plain = tf.tidy(() => values(plainDense(x, w, b, options)));
      expectClose(fast, ref, 1e-5, 1e-5, 'dense');
      expectClose(plain, ref, 1e-5, 1e-5, 'plainDense');
    });

    it(`gradients (${label}) with respect to W and b equal plainDense and the hand formulas; x ${options.inputGradient ? 'too' : 'gets zeros'}`, () => {
      const [fx, fw, fb] = gradsOf(dense, x, w, b, dy, options);
      const [px, pw, pb] = gradsOf(plainDense, x, w, b, dy, options);
      const [rx, rw, rb] = referenceGrads(xs, ws, bs, dys, options.relu);
      expectClose(fw, pw, 1e-5, 0, 'dW vs plainDense');
      expectClose(fb, pb, 1e-5, 0, 'db vs plainDense');
      expectClose(fw, rw, 1e-5, 1e-5, 'dW (hand)');
      expectClose(fb, rb, 1e-5, 1e-5, 'db (hand)');
      expectClose(px, rx, 1e-5, 1e-5, 'plainDense dx (hand)');
      if (options.inputGradient) expectClose(fx, px, 1e-5, 0, 'dx vs plainDense');
      else expect(fx).to.deep.equal(new Array(N * IN).fill(0));
    });
  }

  it('works under tf.variableGrads (variables W, b; x a constant) and leaks no tensors', () => {
    const wv = tf.variable(w.clone(), true, 'dense-spec-w');
    const bv = tf.variable(b.clone(), true, 'dense-spec-b');
    try {
      const before = tf.memory().numTensors;
      const [fast, plain] = [dense, plainDense].map((op) =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.sum(tf.mul(op(x, wv, bv, { relu: true, inputGradient: false }), dy)) as tf.Scalar, [wv, bv]);
          return [values(grads[wv.name]), values(grads[bv.name])];
        }),
      );
      expectClose(fast[0], plain[0], 1e-5, 0, 'dW');
      expectClose(fast[1], plain[1], 1e-5, 0, 'db');
      expect(tf.memory().numTensors).to.equal(before);
    } finally {
      tf.dispose([wv, bv]);
    }
  });

  it("an Mlp with dense 'fast' and one with 'plain' from the same seed give equal logits and gradients", () => {
    const shape = { inputs: 6, outputs: 3 };
    const fast = new Mlp({ hidden: [8, 5], dense: 'fast' }, shape, new Rng(13, 'model-init'));
    const plain = new Mlp({ hidden: [8, 5], dense: 'plain' }, shape, new Rng(13, 'model-init'));
    try {
      fast.variables.forEach((v, i) => expect(values(v)).to.deep.equal(values(plain.variables[i])));
      const rng = new Rng(14, 'inputs');
      const input = tf.tensor2d(uniformArray(10 * 6, rng), [10, 6]);
      const targets = tf.tensor1d(Int32Array.from({ length: 10 }, () => rng.int(3)), 'int32');
      const run = (m: Mlp) =>
        tf.tidy(() => {
          const logits = values(m.forward(input));
          const { grads } = tf.variableGrads(() => crossEntropy(m.forward(input), targets), m.variables);
          return { logits, grads: m.variables.map((v) => values(grads[v.name])) };
        });
      const a = run(fast);
      const b = run(plain);
      expectClose(a.logits, b.logits, 1e-5, 0, 'logits');
      a.grads.forEach((g, i) => {
        expect(Math.max(...g.map(Math.abs)), `gradient ${i} is not all zero`).to.be.above(0);
        expectClose(g, b.grads[i], 1e-5, 1e-4, `gradient of variable ${i}`);
      });
      tf.dispose([input, targets]);
    } finally {
      fast.dispose();
      plain.dispose();
    }
  });
});
