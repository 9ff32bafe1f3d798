/**
 * A sum of quadratic pulls Σ_t Σ_i F_{t,i} (θ_i − θ*_{t,i})², kept in merged form so that its cost per
 * training step does not grow with the number of tasks:
 *
 *   Σ_t F_t (θ − θ*_t)² = A (θ − M)² + K
 *
 * Adding a term F (θ − θ*)² to A (θ − M)² + K gives A' = A + F, M' = M + (F / A')(θ* − M) and
 * K' = K + Σ_i (A_i F_i / A'_i)(M_i − θ*_i)². Updating K this way (rather than as a difference of large
 * sums) keeps it accurate and never negative when anchors are close. Value and gradient (2A(θ − M))
 * equal those of the per-task sum. Shared by EWC, online EWC, SI, MAS and L2.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../../models/sumTensors.js';
import type { LearnerState } from '../contract.js';
import type { Stateful } from '../state.js';
import { copyTensor, copyValues } from './parameterCopies.js';

/**
 * Σ_t Σ_i F_{t,i} (θ_i − θ*_{t,i})², merged as A (θ − M)² + K so that a step costs the same after any number of
 * tasks (see the module comment). `add` a term per task (EWC) or `set` one (online EWC, SI, MAS, L2); `value`
 * inside the training step; a learner declares it as part of its state (`this.remember(name, penalty)`), which
 * checkpoints through `saveState` / `loadState`; `dispose` at the end.
 */
export class QuadraticPenalty implements Stateful {
  private a: tf.Tensor[] | null = null;
  private m: tf.Tensor[] | null = null;
  private k = 0;

  /**
   * Add the term Σ_i F_i (θ_i − θ*_i)². Copies what it needs; the caller keeps its tensors. Async: the
   * constant K is read from the device (a synchronous read fails on the WebGPU backend).
   */
  async add(importance: tf.Tensor[], anchor: tf.Tensor[]): Promise<void> {
    const { a, m } = this;
    if (!a || !m) return this.set(importance, anchor);
    const next = tf.tidy(() => {
      const a2 = importance.map((f, i) => tf.add(a[i], f));
      const m2 = importance.map((f, i) => tf.add(m[i], tf.mul(tf.divNoNan(f, a2[i]), tf.sub(anchor[i], m[i]))));
      const extra = importance.map((f, i) => tf.sum(tf.mul(tf.divNoNan(tf.mul(a[i], f), a2[i]), tf.square(tf.sub(m[i], anchor[i])))));
      return { a2, m2, extra: sumTensors(extra) };
    });
    this.k += (await next.extra.data())[0];
    next.extra.dispose();
    this.replace(next.a2, next.m2);
  }

  /** Replace every term by this one (online EWC, SI, MAS and L2 keep a single anchor). */
  set(importance: tf.Tensor[], anchor: tf.Tensor[]): void {
    this.replace(
      copyValues(importance),
      copyValues(anchor),
    );
    this.k = 0;
  }

  /** Σ_t F_t (θ − θ*_t)² at `params`; null while no term was added. */
  value(params: tf.Tensor[]): tf.Scalar | null {
    const { a, m } = this;
    if (!a || !m) return null;
    return tf.tidy(() => {
      const terms = params.map((p, i) => pull(p, a[i], m[i]));
      return tf.add(sumTensors(terms), this.k) as tf.Scalar;
    });
  }

  /**
   * The merged terms for a checkpoint (`Stateful`): copies of A and M (`a/<i>`, `m/<i>`, owned by the caller)
   * and the constant K; no tensors while no term was added. K is also given as `k`, the shape plugins written
   * before declared state read.
   */
  saveState(): LearnerState & { k: number } {
    const tensors: Record<string, tf.Tensor> = {};
    this.a?.forEach((t, i) => (tensors[`a/${i}`] = copyTensor(t)));
    this.m?.forEach((t, i) => (tensors[`m/${i}`] = copyTensor(t)));
    return { tensors, json: { k: this.k }, k: this.k };
  }

  /** Replace the terms by saved ones (copied; the caller keeps its tensors); K from `json.k`, or `k` as plugins written before declared state pass it. */
  loadState(saved: { tensors: Record<string, tf.Tensor>; json?: unknown; k?: number }): void {
    const count = Object.keys(saved.tensors).filter((n) => n.startsWith('a/')).length;
    if (count === 0) return this.dispose();
    const pick = (prefix: string) =>
      Array.from({ length: count }, (_, i) => {
        const t = saved.tensors[`${prefix}/${i}`];
        if (!t) throw new Error(`the saved penalty has no tensor '${prefix}/${i}'`);
        return tf.keep(copyTensor(t));
      });
    this.replace(pick('a'), pick('m'));
    this.k = saved.k ?? (saved.json as { k: number }).k;
  }

  /** The merged importance A = Σ_t F_t (owned by the penalty), or null. */
  importance(): tf.Tensor[] | null {
    return this.a;
  }

  /** Frees the merged terms; the penalty is then empty (`value` returns null) until the next `add` or `set`. */
  dispose(): void {
    tf.dispose([...(this.a ?? []), ...(this.m ?? [])]);
    this.a = this.m = null;
    this.k = 0;
  }

  private replace(a: tf.Tensor[], m: tf.Tensor[]): void {
    tf.dispose([...(this.a ?? []), ...(this.m ?? [])]);
    this.a = a;
    this.m = m;
  }
}

/**
 * Σ_i a_i (θ_i − m_i)² with its gradient written out, dy·a · 2(θ − m): the same operations, in the same
 * order, as tfjs's automatic gradient (so the same bits), without the tensor of ones the size of θ that
 * the gradient of tf.sum fills in JavaScript at every step (~1 ms a step for a 784-400-400-10 MLP).
 */
function pull(theta: tf.Tensor, a: tf.Tensor, m: tf.Tensor): tf.Scalar {
  return tf.customGrad((p, save) => {
    const diff = tf.sub(p as tf.Tensor, m);
    (save as tf.GradSaveFunc)([diff]);
    return {
      value: tf.sum(tf.mul(a, tf.square(diff))) as tf.Scalar,
      gradFunc: (dy, saved) => tf.mul(tf.mul(dy, a), tf.mul((saved as tf.Tensor[])[0], 2)),
    };
  })(theta) as tf.Scalar;
}
