/**
 * The "balanced statistics" diagnostic of issue 21, the `testStatistics` option of DER++ and ER-ACE: at
 * prediction, each normalisation layer's running statistics are replaced by perfectly task-balanced ones, and
 * put back afterwards (training never sees them). For the tasks started so far, layer by layer from the input:
 *
 *   μ_t, σ²_t = mean and (biased) variance of the layer's input over *all* training examples of task t, the
 *               layers before it normalising with their balanced statistics already;
 *   μ = (1/T)·Σ_t μ_t,   σ² = (1/T)·Σ_t (σ²_t + μ_t²) − μ²   (the statistics of an equal mixture of the tasks).
 *
 * It reads every past task's training data, which no continual learner may: it is a diagnostic, not a method. It
 * asks whether the running statistics carry a recency bias that hurts accuracy (the bias AdaB²N is built to
 * remove): if balanced statistics do not raise accuracy over the running ones, there is no such bias to fix.
 * Without a normalising model it changes nothing. The balanced values are computed at the first prediction
 * after training moved on, and kept until the next training step.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../../models/sumTensors.js';
import { NormMlp } from '../../models/normMlp.js';
import type { Model } from '../../models/types.js';
import type { DataAccess, LearnerState } from '../contract.js';
import type { Stateful } from '../state.js';
import { copyTensor } from './parameterCopies.js';

export type TestStatistics = 'running' | 'task-balanced';

export const TEST_STATISTICS_SCHEMA = {
  enum: ['running', 'task-balanced'],
  default: 'running',
  description:
    "statistics the normalisation layers predict with: 'running' (the layers' own) or 'task-balanced' (a diagnostic: recomputed with every started task's training data weighed equally; not a continual method)",
} as const;

/** Run-key options: 'running' is left out, the behaviour before the option existed (see ./replayForward.ts). */
export function testStatisticsKeyOptions<O extends { testStatistics?: TestStatistics }>(options: O): O {
  const { testStatistics, ...rest } = options;
  return (testStatistics === 'task-balanced' ? options : rest) as O;
}

/** Examples gathered a forward. */
const CHUNK = 1024;

export class BalancedStatistics implements Stateful {
  /** per norm layer: balanced mean and variance; null until computed for the current weights */
  private balanced: tf.Tensor1D[][] | null = null;
  /** tasks started so far */
  tasks = 0;

  constructor(
    private readonly model: Model,
    private readonly data: DataAccess,
    private readonly inputSize: number,
  ) {}

  /** Declared learner state (../state.ts): the tasks started; the balanced values are recomputed when asked for. */
  saveState(): LearnerState {
    return { tensors: {}, json: { tasks: this.tasks } };
  }

  loadState(state: LearnerState): void {
    this.invalidate((state.json as { tasks: number }).tasks);
  }

  /** training moved on (`tasks` started): forget the balanced values */
  invalidate(tasks: number): void {
    this.tasks = tasks;
    this.dispose();
  }

  /** evaluation-mode logits with the balanced statistics in place of the running ones */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    const net = this.model;
    if (!(net instanceof NormMlp) || this.tasks === 0) return net.forward(x, false);
    const saved = net.norms.map((n) => n.buffers.slice(0, 2).map((b) => copyTensor(b)));
    try {
      if (!this.balanced) this.balanced = this.compute(net);
      this.balanced.forEach((stats, l) => stats.forEach((v, i) => net.norms[l].buffers[i].assign(v)));
      return net.forward(x, false);
    } finally {
      saved.forEach((stats, l) => stats.forEach((v, i) => net.norms[l].buffers[i].assign(v)));
      tf.dispose(saved.flat());
    }
  }

  /** layer by layer, each assigned before the next is measured (the caller restores the running ones) */
  private compute(net: NormMlp): tf.Tensor1D[][] {
    return net.norms.map((norm, l) => {
      const stats = tf.tidy(() => {
        const perTask = range(this.tasks).map((t) => this.taskMoments(net, l, t));
        const mean = tf.div(sumTensors(perTask.map((m) => m.mean)), this.tasks) as tf.Tensor1D;
        const second = tf.div(sumTensors(perTask.map((m) => tf.add(m.variance, tf.square(m.mean)))), this.tasks);
        return [mean, tf.relu(tf.sub(second, tf.square(mean))) as tf.Tensor1D];
      });
      // kept: a caller's tidy (the evaluator's) must not take them
      stats.forEach((v) => tf.keep(v));
      stats.forEach((v, i) => norm.buffers[i].assign(v));
      return stats;
    });
  }

  /** mean and biased variance of layer `layer`'s input over all training examples of task `task` */
  private taskMoments(net: NormMlp, layer: number, task: number): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
    const set = this.data.taskExamples(task);
    const n = set.indices.length;
    let sum: tf.Tensor1D | null = null;
    let squares: tf.Tensor1D | null = null;
    for (let start = 0; start < n; start += CHUNK) {
      const batch = this.data.batch(set, Uint32Array.from(range(Math.min(CHUNK, n - start)), (k) => start + k));
      const z = net.normInput(tf.tensor2d(batch.x, [batch.size, this.inputSize]), layer);
      const s = tf.sum(z, 0) as tf.Tensor1D;
      const q = tf.sum(tf.square(z), 0) as tf.Tensor1D;
      sum = sum ? (tf.add(sum, s) as tf.Tensor1D) : s;
      squares = squares ? (tf.add(squares, q) as tf.Tensor1D) : q;
    }
    const mean = tf.div(sum!, n) as tf.Tensor1D;
    return { mean, variance: tf.sub(tf.div(squares!, n), tf.square(mean)) as tf.Tensor1D };
  }

  dispose(): void {
    if (this.balanced) tf.dispose(this.balanced.flat());
    this.balanced = null;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
