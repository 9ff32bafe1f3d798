import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { QuadraticPenalty } from '../../learners/parts/quadraticPenalty.js';
import { expectClose, uniformArray, useWasm, values } from '../helpers/tf.js';

const SHAPES: number[][] = [[2, 3], [4]];

interface Term {
  f: Float32Array[];
  anchor: Float32Array[];
}

/** Importance in [0, 2) with a few exact zeros, anchors in [−1, 1). */
function randomTerm(rng: Rng): Term {
  return {
    f: SHAPES.map((s) => {
      const a = uniformArray(s.reduce((x, y) => x * y, 1), rng, 0, 2);
      a[0] = 0;
      return a;
    }),
    anchor: SHAPES.map((s) => uniformArray(s.reduce((x, y) => x * y, 1), rng)),
  };
}

function tensors(arrays: Float32Array[]): tf.Tensor[] {
  return arrays.map((a, i) => tf.tensor(a, SHAPES[i]));
}

/** Σ_t Σ_i F_t,i (θ_i − θ*_t,i)², in float64. */
function referenceValue(terms: Term[], theta: Float32Array[]): number {
  let s = 0;
  for (const t of terms)
    theta.forEach((th, v) => th.forEach((x, i) => (s += t.f[v][i] * (x - t.anchor[v][i]) ** 2)));
  return s;
}

/** 2 Σ_t F_t (θ − θ*_t), per variable. */
function referenceGradient(terms: Term[], theta: Float32Array[]): number[][] {
  return theta.map((th, v) => Array.from(th, (x, i) => terms.reduce((s, t) => s + 2 * t.f[v][i] * (x - t.anchor[v][i]), 0)));
}

describe('QuadraticPenalty', () => {
  useWasm();

  let t1: Term, t2: Term, t3: Term;
  let theta: Float32Array[];
  before(() => {
    const rng = new Rng(31, 'penalty');
    t1 = randomTerm(rng);
    t2 = randomTerm(rng);
    t3 = randomTerm(rng);
    theta = SHAPES.map((s) => uniformArray(s.reduce((x, y) => x * y, 1), rng, -2, 2));
    // an entry where both terms have zero importance: the merged mean is 0/0 there
    t1.f[1][2] = 0;
    t2.f[1][2] = 0;
  });

  /** Adds the terms with `add`, then runs `check` with the penalty and θ as tensors; disposes everything. */
  async function withPenalty(terms: Term[], check: (p: QuadraticPenalty, params: tf.Tensor[]) => void | Promise<void>): Promise<void> {
    const p = new QuadraticPenalty();
    for (const t of terms) {
      const f = tensors(t.f);
      const a = tensors(t.anchor);
      await p.add(f, a);
      tf.dispose([...f, ...a]); // the penalty keeps its own copies
    }
    const params = tensors(theta);
    try {
      await check(p, params);
    } finally {
      tf.dispose(params);
      p.dispose();
    }
  }

  it('has no value before a term is added', async () => {
    const p = new QuadraticPenalty();
    const params = tensors(theta);
    expect(p.value(params)).to.equal(null);
    expect(p.importance()).to.equal(null);
    tf.dispose(params);
  });

  it('one term: value = Σ F (θ − θ*)², and zero at the anchor', async () => {
    await withPenalty([t1], async (p, params) => {
      const v = p.value(params)!;
      expect(v.dataSync()[0]).to.be.closeTo(referenceValue([t1], theta), 1e-4 * referenceValue([t1], theta));
      v.dispose();
      const anchor = tensors(t1.anchor);
      const zero = p.value(anchor)!;
      expect(Math.abs(zero.dataSync()[0])).to.be.below(1e-5);
      tf.dispose([zero, ...anchor]);
    });
  });

  it('two terms: value(θ) = Σ_t Σ_i F_t,i (θ_i − θ*_t,i)²', async () => {
    await withPenalty([t1, t2], async (p, params) => {
      const expected = referenceValue([t1, t2], theta);
      const v = p.value(params)!;
      expect(v.rank).to.equal(0);
      expect(v.dataSync()[0]).to.be.closeTo(expected, 1e-5 * expected + 1e-5);
      v.dispose();
      // at another point too (the constant K matters away from the merged mean)
      const other = tensors(t2.anchor);
      const w = p.value(other)!;
      const atAnchor2 = referenceValue([t1, t2], t2.anchor);
      expect(w.dataSync()[0]).to.be.closeTo(atAnchor2, 1e-4 * atAnchor2 + 1e-5);
      expect(atAnchor2).to.be.above(0.1);
      tf.dispose([w, ...other]);
    });
  });

  it('two terms: the gradient (tf.grad) is 2 Σ_t F_t (θ − θ*_t)', async () => {
    await withPenalty([t1, t2], async (p, params) => {
      const expected = referenceGradient([t1, t2], theta);
      const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => p.value(ps)!)(params).map(values));
      grads.forEach((g, v) => expectClose(g, expected[v], 1e-5, 1e-4, `gradient of variable ${v}`));
      // the zero-importance entry contributes nothing
      expect(grads[1][2]).to.equal(0);
    });
  });

  it('importance() is the merged Σ_t F_t', async () => {
    await withPenalty([t1, t2], (p) => {
      const a = p.importance()!;
      a.forEach((t, v) => expectClose(values(t), Array.from(t1.f[v], (x, i) => x + t2.f[v][i]), 1e-6, 1e-6, `A[${v}]`));
    });
  });

  it('set() replaces every term; a later add() accumulates on top of it', async () => {
    await withPenalty([t1, t2], async (p, params) => {
      const f3 = tensors(t3.f);
      const a3 = tensors(t3.anchor);
      p.set(f3, a3);
      let v = p.value(params)!;
      const only3 = referenceValue([t3], theta);
      expect(v.dataSync()[0]).to.be.closeTo(only3, 1e-5 * only3 + 1e-5);
      v.dispose();
      const g = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => p.value(ps)!)(params).map(values));
      const expected = referenceGradient([t3], theta);
      g.forEach((gv, k) => expectClose(gv, expected[k], 1e-5, 1e-4, `gradient after set, variable ${k}`));
      const f1 = tensors(t1.f);
      const a1 = tensors(t1.anchor);
      await p.add(f1, a1);
      v = p.value(params)!;
      const both = referenceValue([t3, t1], theta);
      expect(v.dataSync()[0]).to.be.closeTo(both, 1e-5 * both + 1e-5);
      tf.dispose([v, ...f3, ...a3, ...f1, ...a1]);
    });
  });

  it('accepts tf.Variables as the anchor and copies them (later assignments do not move the anchor)', async () => {
    const p = new QuadraticPenalty();
    const vars = tensors(t1.anchor).map((t) => tf.variable(t));
    const f = tensors(t1.f);
    await p.add(f, vars);
    const params = tensors(theta);
    vars.forEach((v, i) => v.assign(params[i]));
    const value = p.value(params)!;
    const expected = referenceValue([t1], theta);
    expect(value.dataSync()[0]).to.be.closeTo(expected, 1e-4 * expected);
    tf.dispose([value, ...vars, ...f, ...params]);
    p.dispose();
  });

  // Regression: K was once a difference of two nearly equal float32 sums and lost every digit (even went
  // negative) when anchors were close, as they are under a strong EWC penalty.
  it('value stays accurate and non-negative when the anchors are close', async () => {
    for (const [drift, expectedRel] of [[1e-3, 0.01], [1e-4, 0.05]]) {
      const p = new QuadraticPenalty();
      const th2 = Math.fround(1 + drift);
      const f = [tf.tensor1d([1]), tf.tensor1d([1])];
      const a = [tf.tensor1d([1]), tf.tensor1d([th2])];
      await p.add([f[0]], [a[0]]);
      await p.add([f[1]], [a[1]]);
      const v = p.value([a[1]])!;
      const got = v.dataSync()[0];
      const expected = (th2 - 1) ** 2;
      tf.dispose([v, ...f, ...a]);
      p.dispose();
      expect(got, `drift ${drift}`).to.be.at.least(0);
      expect(Math.abs(got - expected) / expected, `drift ${drift}: expected ${expected}, got ${got}`).to.be.below(expectedRel);
    }
  });

  it('leaks no tensors: add, add, set, value and dispose leave the count where it started', async () => {
    const start = tf.memory().numTensors;
    const p = new QuadraticPenalty();
    const inputs = [t1, t2, t3].map((t) => ({ f: tensors(t.f), a: tensors(t.anchor) }));
    const params = tensors(theta);
    const afterInputs = tf.memory().numTensors;
    await p.add(inputs[0].f, inputs[0].a);
    const held = tf.memory().numTensors - afterInputs;
    await p.add(inputs[1].f, inputs[1].a);
    expect(tf.memory().numTensors - afterInputs, 'a second add holds no more tensors than the first').to.equal(held);
    p.set(inputs[2].f, inputs[2].a);
    expect(tf.memory().numTensors - afterInputs, 'set holds no more tensors than add').to.equal(held);
    const v = p.value(params)!;
    expect(tf.memory().numTensors - afterInputs).to.equal(held + 1);
    v.dispose();
    p.dispose();
    expect(p.value(params)).to.equal(null);
    tf.dispose([...inputs.flatMap((i) => [...i.f, ...i.a]), ...params]);
    expect(tf.memory().numTensors).to.equal(start);
  });

  it('saves nothing while empty; loading an empty save clears it; a save missing a tensor is refused', async () => {
    const p = new QuadraticPenalty();
    expect(p.saveState()).to.deep.equal({ tensors: {}, json: { k: 0 }, k: 0 });
    const [f, a] = [[tf.tensor1d([1, 2])], [tf.tensor1d([0.5, 0.5])]];
    await p.add(f, a);
    const saved = p.saveState();
    expect(Object.keys(saved.tensors).sort()).to.deep.equal(['a/0', 'm/0']);
    p.loadState({ tensors: {}, json: { k: 0 } });
    expect(p.importance()).to.equal(null);
    const theta = [tf.tensor1d([3, 4])];
    expect(p.value(theta)).to.equal(null);
    expect(() => p.loadState({ tensors: { 'a/0': saved.tensors['a/0'] }, json: saved.json })).to.throw(/the saved penalty has no tensor 'm\/0'/);
    // the shape plugins written before declared state pass: { tensors, k }
    p.loadState({ tensors: saved.tensors, k: saved.k });
    expect(Array.from(p.importance()![0].dataSync())).to.deep.equal([1, 2]);
    p.dispose();
    tf.dispose([...f, ...a, ...theta, ...Object.values(saved.tensors)]);
  });
});
