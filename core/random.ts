/**
 * Seeded randomness. Every random choice in clbench (permutations, class order, weight init, batch
 * order, replay sampling, schedule draws) comes from an `Rng` derived from the run's root seed, so the
 * same suite + seed + backend gives the same record.
 *
 * Generator: xoshiro128** (Blackman & Vigna), seeded through splitmix32. Its 128-bit state can be saved
 * and restored, which checkpoints need.
 */

/** 32-bit FNV-1a hash of a string, used to turn labels like "init" into seed material. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** The generator's 128-bit state as four unsigned 32-bit words (JSON-safe, for checkpoints). */
export type RngState = [number, number, number, number];

/**
 * A seeded xoshiro128** generator (see the module comment). Draw every random choice from one, `derive` an
 * independent one per purpose, and save `state()` in checkpoints (`setState` continues from it).
 */
export class Rng {
  private s: Uint32Array;

  /** `seed` is any integer; `label` separates independent streams drawn from the same seed. */
  constructor(seed: number, label = '') {
    const mix = splitmix32((Math.trunc(seed) >>> 0) ^ hashString(label));
    this.s = new Uint32Array([mix(), mix(), mix(), mix()]);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** A generator that continues from a saved `state()`. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.s.set(state);
    return rng;
  }

  /** The current state, to save (a copy). */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** Continue from a saved `state()` (a learner restoring its checkpoint keeps its generator objects). */
  setState(state: RngState): void {
    if (state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= 0 && v < 4294967296) || state.every((v) => v === 0))
      throw new RangeError(`not an Rng state: ${JSON.stringify(state)}`);
    this.s.set(state);
  }

  /** An independent generator for a named sub-purpose, drawn from this one's stream. */
  derive(label: string): Rng {
    return new Rng(this.uint32(), label);
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int needs n > 0, got ${n}`);
    // Rejection sampling keeps the draw exactly uniform for any n.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: any }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** `k` distinct items of `pool`, uniformly without replacement (partial Fisher–Yates on a copy). */
  sample(pool: ArrayLike<number>, k: number): Uint32Array {
    if (k > pool.length) throw new RangeError(`cannot draw ${k} items without replacement from ${pool.length}`);
    const copy = Uint32Array.from(pool as ArrayLike<number>);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(copy.length - i);
      const tmp = copy[i];
      copy[i] = copy[j];
      copy[j] = tmp;
    }
    return copy.slice(0, k);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
