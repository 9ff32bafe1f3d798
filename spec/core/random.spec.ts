import { expect } from 'chai';
import { Rng } from '../../core/random.js';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.uint32());
}

/** Pearson χ² statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe('Rng', () => {
  it('gives the same stream for the same seed and label', () => {
    expect(draws(new Rng(42, 'init'), 200)).to.deep.equal(draws(new Rng(42, 'init'), 200));
    expect(draws(new Rng(42), 50)).to.deep.equal(draws(new Rng(42, ''), 50));
  });

  it('gives different streams for different labels and different seeds', () => {
    const base = draws(new Rng(42, 'init'), 20);
    expect(draws(new Rng(42, 'batch-order'), 20)).to.not.deep.equal(base);
    expect(draws(new Rng(43, 'init'), 20)).to.not.deep.equal(base);
    // not merely shifted copies of each other: the first 20 draws share no value
    const other = new Set(draws(new Rng(42, 'batch-order'), 20));
    expect(base.filter((x) => other.has(x))).to.have.length(0);
  });

  it('draws uint32 in [0, 2^32) and next() in [0, 1)', () => {
    const rng = new Rng(5, 'range');
    for (let i = 0; i < 2000; i++) {
      const u = rng.uint32();
      expect(Number.isInteger(u) && u >= 0 && u < 4294967296).to.equal(true);
      const x = rng.next();
      expect(x >= 0 && x < 1).to.equal(true);
    }
  });

  it('int(10) is uniform (χ² over 10 bins, 20,000 draws, below the p = 0.001 critical value 27.88)', () => {
    const rng = new Rng(2024, 'chi-square');
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) {
      const k = rng.int(10);
      expect(Number.isInteger(k) && k >= 0 && k < 10, `int(10) gave ${k}`).to.equal(true);
      counts[k]++;
    }
    expect(chiSquare(counts)).to.be.below(27.88);
  });

  it('int(n) stays in range for n that are not powers of two, and int(1) is 0', () => {
    const rng = new Rng(9, 'odd');
    const seen = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const k = rng.int(3);
      expect(k === 0 || k === 1 || k === 2).to.equal(true);
      seen.add(k);
      expect(rng.int(1)).to.equal(0);
      const big = rng.int(3_000_000_019);
      expect(big >= 0 && big < 3_000_000_019 && Number.isInteger(big)).to.equal(true);
    }
    expect([...seen].sort()).to.deep.equal([0, 1, 2]);
  });

  it('int rejects n <= 0', () => {
    expect(() => new Rng(1).int(0)).to.throw(RangeError);
    expect(() => new Rng(1).int(-3)).to.throw(RangeError);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const rng = new Rng(11, 'normal');
    const n = 20000;
    const xs = Array.from({ length: n }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).to.be.below(0.04); // 5.6 standard errors
    expect(Math.abs(variance - 1)).to.be.below(0.06);
    expect(xs.every(Number.isFinite)).to.equal(true);
  });

  it('permutation(n) is a permutation of 0..n-1 and is seeded', () => {
    for (const n of [0, 1, 2, 17, 784]) {
      const p = new Rng(n, 'perm').permutation(n);
      expect(p).to.be.instanceOf(Uint32Array);
      expect(Array.from(p).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
      expect(Array.from(new Rng(n, 'perm').permutation(n))).to.deep.equal(Array.from(p));
    }
    const a = Array.from(new Rng(1, 'perm').permutation(50));
    const b = Array.from(new Rng(2, 'perm').permutation(50));
    expect(a).to.not.deep.equal(b);
    expect(a).to.not.deep.equal(Array.from({ length: 50 }, (_, i) => i));
  });

  it('shuffle gives every ordering of 3 items equally often (χ², 5 dof, 12,000 shuffles, critical 20.52)', () => {
    const rng = new Rng(77, 'shuffle');
    const counts = new Map<string, number>();
    for (let i = 0; i < 12000; i++) {
      const key = rng.shuffle([0, 1, 2]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).to.equal(6);
    expect(chiSquare([...counts.values()])).to.be.below(20.52);
  });

  it('sample(pool, k) draws k distinct items of the pool', () => {
    const pool = [3, 8, 15, 16, 23, 42, 99, 100, 7, 1];
    const rng = new Rng(3, 'sample');
    for (let k = 0; k <= pool.length; k++) {
      const s = Array.from(rng.sample(pool, k));
      expect(s).to.have.length(k);
      expect(new Set(s).size).to.equal(k);
      for (const x of s) expect(pool).to.include(x);
    }
    expect(Array.from(rng.sample(pool, pool.length)).sort((a, b) => a - b)).to.deep.equal([...pool].sort((a, b) => a - b));
    // the pool itself is left untouched
    expect(pool).to.deep.equal([3, 8, 15, 16, 23, 42, 99, 100, 7, 1]);
  });

  it('sample draws every item with probability k/n', () => {
    const rng = new Rng(8, 'sample-freq');
    const counts = new Array(10).fill(0);
    for (let r = 0; r < 6000; r++) for (const x of rng.sample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3)) counts[x]++;
    expect(chiSquare(counts)).to.be.below(27.88);
  });

  it('sample refuses k larger than the pool', () => {
    expect(() => new Rng(1).sample([1, 2, 3], 4)).to.throw(RangeError);
  });

  it('state() / fromState() continue the stream identically', () => {
    const rng = new Rng(123, 'checkpoint');
    draws(rng, 37);
    rng.normal();
    const saved = rng.state();
    expect(saved).to.have.length(4);
    const continued = draws(rng, 100);
    const restored = Rng.fromState(saved);
    expect(draws(restored, 100)).to.deep.equal(continued);
    expect(restored.state()).to.deep.equal(rng.state());
    // the saved state is a copy, not a live view
    const copy = [...saved];
    draws(rng, 5);
    expect(saved).to.deep.equal(copy);
  });

  it('derive(label) is deterministic and label-dependent', () => {
    const a = new Rng(5).derive('x');
    const b = new Rng(5).derive('x');
    const c = new Rng(5).derive('y');
    const da = draws(a, 20);
    expect(draws(b, 20)).to.deep.equal(da);
    expect(draws(c, 20)).to.not.deep.equal(da);
    // two successive derivations with the same label differ (each consumes a draw of the parent)
    const parent = new Rng(5);
    expect(draws(parent.derive('x'), 10)).to.not.deep.equal(draws(parent.derive('x'), 10));
  });
});
