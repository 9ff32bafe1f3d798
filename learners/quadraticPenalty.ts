/**
 * A sum of quadratic pulls Σ_t Σ_i F_{t,i} (θ_i − θ*_{t,i})², kept in merged form so that its cost per
 * training step does not grow with the number of tasks:
 *
 *   Σ_t F_t (θ − θ*_t)² = A (θ − M)² + K,   A = Σ_t F_t,  B = Σ_t F_t θ*_t,  M = B / A,  K = Σ_t F_t θ*_t² − B·M
 *
 * Value and gradient (2A(θ − M)) equal those of the per-task sum. Shared by EWC, online EWC, SI, MAS, L2.
 */
import * as tf from '@tensorflow/tfjs';

export class QuadraticPenalty {
  private a: tf.Tensor[] | null = null;
  private b: tf.Tensor[] | null = null;
  private m: tf.Tensor[] | null = null;
  /** Σ_t Σ_i F_t θ*_t², accumulated in float64 */
  private anchorSquares = 0;
  private k = 0;

  /** Add the term Σ_i F_i (θ_i − θ*_i)². Copies what it needs; the caller keeps its tensors. */
  add(importance: tf.Tensor[], anchor: tf.Tensor[]): void {
    this.update(importance, anchor, true);
  }

  /** Replace every term by this one (online EWC, SI, MAS and L2 keep a single anchor). */
  set(importance: tf.Tensor[], anchor: tf.Tensor[]): void {
    this.update(importance, anchor, false);
  }

  /** Σ_t F_t (θ − θ*_t)² at `params`; null while no term was added. */
  value(params: tf.Tensor[]): tf.Scalar | null {
    const { a, m } = this;
    if (!a || !m) return null;
    return tf.tidy(() => {
      const terms = params.map((p, i) => tf.sum(tf.mul(a[i], tf.square(tf.sub(p, m[i])))));
      return tf.add(tf.addN(terms), this.k) as tf.Scalar;
    });
  }

  /** The merged importance A = Σ_t F_t (owned by the penalty), or null. */
  importance(): tf.Tensor[] | null {
    return this.a;
  }

  dispose(): void {
    tf.dispose([...(this.a ?? []), ...(this.b ?? []), ...(this.m ?? [])]);
    this.a = this.b = this.m = null;
    this.anchorSquares = this.k = 0;
  }

  private update(importance: tf.Tensor[], anchor: tf.Tensor[], accumulate: boolean): void {
    const oldA = accumulate ? this.a : null;
    const oldB = accumulate ? this.b : null;
    const total = (ts: tf.Tensor[]) => ts.reduce((s, t) => s + t.dataSync()[0], 0);
    const next = tf.tidy(() => {
      const a = importance.map((f, i) => (oldA ? tf.add(oldA[i], f) : tf.clone(f)));
      const b = importance.map((f, i) => (oldB ? tf.add(oldB[i], tf.mul(f, anchor[i])) : tf.mul(f, anchor[i])));
      const m = a.map((ai, i) => tf.divNoNan(b[i], ai));
      const squares = total(importance.map((f, i) => tf.sum(tf.mul(f, tf.square(anchor[i])))));
      const bm = total(b.map((bi, i) => tf.sum(tf.mul(bi, m[i]))));
      return { a, b, m, squares, bm };
    });
    tf.dispose([...(this.a ?? []), ...(this.b ?? []), ...(this.m ?? [])]);
    this.a = next.a;
    this.b = next.b;
    this.m = next.m;
    this.anchorSquares = (accumulate ? this.anchorSquares : 0) + next.squares;
    this.k = this.anchorSquares - next.bm;
  }
}
