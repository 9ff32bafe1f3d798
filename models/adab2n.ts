/**
 * AdaB²N — Lyu et al. 2023, "Overcoming Recency Bias of Normalization Statistics in Continual Learning:
 * Balance and Adaptation" (NeurIPS), as its official code does it (lvyilin/AdaB2N, models/utils/adab2n.py), for
 * 1-D features (a row's "channel mean" is the row itself).
 *
 * Training forward, given the batch's task composition (n_t rows of task t, t = 0..c, c = tasks finished):
 *   from the second task on (c > 0), Dirichlet posterior-mean task weights
 *     w_t = (exp θ_t + n_t) / Σ_s (exp θ_s + n_s),   θ ∈ R^{T_max} learnable, initially 0,
 *   per-row weights a_i = w_{t_i} / n_{t_i}, and the weighted statistics
 *     μ_B = Σ_i a_i·x_i,   σ²_B = Σ_i a_i·(x_i − μ_B)²            (biased);
 *   in the first task, or without a composition, the plain batch mean and biased variance.
 *   y = γ·(x − μ_B)/√(σ²_B + ε) + β.
 *   Running statistics (outside the gradient tape, see ./normalization.ts):
 *     running_mean ← running_mean + η_n·(μ_B − running_mean),  running_var ← (1 − η_n)·running_var + η_n·σ²_B
 *   with the modified momentum η_n of the n-th training forward (`MomentumSchedule`), and the alignment term
 *     L = MSE(μ_B, running_mean') + MSE(σ²_B, running_var')   (the just-updated values, as constants)
 *   which the model weighs by λ from task ada_t0 on (./normMlp.ts).
 * Evaluation forward: standard BN with the running statistics.
 *
 * The official weights leave the mass w_t of a seen task with no row in the batch unassigned, so Σ a_i < 1 and
 * the statistics shrink toward 0 for that batch (a quirk of the official code). `compat: true` keeps that; `compat: false`
 * divides a by Σ a_i (a proper weighted mean). A one-row batch is normalised with its own statistics and updates
 * nothing (its variance is 0; see ./batchNorm.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from './sumTensors.js';
import { batchMoments, normalize, normParameters, PendingStatistics, stopGradient, type NormLayer } from './normalization.js';

/**
 * The running-statistics rate η_n of the n-th training forward (n ≥ 1, counted over all tasks) for base momentum
 * m and κ ∈ [0, 1]:  κ = 1: η_n = m (BN's EMA);  κ = 0: η_n = 1/n (a cumulative average of all batches);
 * otherwise η_1 = m^κ, η_n = η_{n−1}/(η_{n−1} + (1 − m)^κ), which tends to 1 − (1 − m)^κ.
 */
export class MomentumSchedule {
  private lastN = 0;
  private lastEta = 0;

  constructor(
    readonly momentum: number,
    readonly kappa: number,
  ) {}

  eta(n: number): number {
    const { momentum: m, kappa } = this;
    if (kappa === 0) return 1 / n;
    if (kappa === 1) return m;
    // the recursion from the start whenever n is not the next step (a restored layer continues at any n)
    if (n !== this.lastN + 1 && n !== this.lastN) {
      this.lastN = 0;
      while (this.lastN + 1 < n) this.eta(this.lastN + 1);
    }
    if (n === this.lastN) return this.lastEta;
    this.lastEta = n === 1 ? m ** kappa : this.lastEta / (this.lastEta + (1 - m) ** kappa);
    this.lastN = n;
    return this.lastEta;
  }

  /** the limit of η_n for n → ∞ */
  get limit(): number {
    return this.kappa === 0 ? 0 : 1 - (1 - this.momentum) ** this.kappa;
  }
}

/** The rows' task composition a training forward weighs its statistics by. */
interface Composition {
  rows: number;
  /** tasks finished, c: weights over tasks 0..c */
  tasksDone: number;
  /** [rows × (c + 1)]: 1/n_t in row i's column t_i, 0 elsewhere (so a = matrix · w) */
  matrix: Float32Array;
  /** n_t, t = 0..c */
  counts: Float32Array;
}

export interface AdaB2NOptions {
  momentum: number;
  eps: number;
  kappa: number;
  compat: boolean;
  /** T_max: length of θ (the stream's number of tasks) */
  maxTasks: number;
}

export class AdaB2N implements NormLayer {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  /** θ: log prior concentrations of the tasks' weights (the code's task_weight, initialised to 0) */
  readonly theta: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;
  /** training forwards so far (the code's num_batches_tracked), as a checkpointable buffer */
  readonly forwardCount: tf.Variable<tf.Rank.R0>;
  readonly variables: tf.Variable[];
  readonly buffers: tf.Variable[];
  readonly schedule: MomentumSchedule;
  private forwards = 0;
  private composition: Composition | null = null;
  private readonly pending: PendingStatistics;
  /** alignment terms of the training forwards since the last commit */
  private terms: tf.Scalar[] = [];

  constructor(
    readonly features: number,
    readonly options: AdaB2NOptions,
  ) {
    ({ gamma: this.gamma, beta: this.beta, runningMean: this.runningMean, runningVar: this.runningVar } = normParameters(features));
    this.theta = tf.tidy(() => tf.variable(tf.zeros([options.maxTasks]) as tf.Tensor1D, true));
    this.forwardCount = tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false));
    this.variables = [this.gamma, this.beta, this.theta];
    this.buffers = [this.runningMean, this.runningVar, this.forwardCount];
    this.schedule = new MomentumSchedule(options.momentum, options.kappa);
    this.pending = new PendingStatistics(this.runningMean, this.runningVar);
  }

  setBatchTasks(taskIds: ArrayLike<number>, tasksDone: number): void {
    const width = tasksDone + 1;
    if (!(Number.isInteger(tasksDone) && tasksDone >= 0 && tasksDone < this.options.maxTasks))
      throw new Error(`AdaB2N: ${tasksDone} tasks finished, but θ has ${this.options.maxTasks} entries`);
    const counts = new Float32Array(width);
    for (let i = 0; i < taskIds.length; i++) {
      const t = taskIds[i];
      if (!(t >= 0 && t < width)) throw new Error(`AdaB2N: row ${i} is of task ${t}, but only tasks 0..${tasksDone} have started`);
      counts[t]++;
    }
    const matrix = new Float32Array(taskIds.length * width);
    for (let i = 0; i < taskIds.length; i++) matrix[i * width + taskIds[i]] = 1 / counts[taskIds[i]];
    this.composition = { rows: taskIds.length, tasksDone, matrix, counts };
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!training) return normalize(x, this.runningMean, this.runningVar, this.gamma, this.beta, this.eps);
    const rows = x.shape[0];
    const composition = this.composition;
    this.composition = null;
    if (composition && composition.rows !== rows) throw new Error(`AdaB2N: the task composition has ${composition.rows} rows, the batch ${rows}`);
    const { mean, variance } = batchMoments(x, composition && composition.tasksDone > 0 ? this.rowWeights(composition) : null);
    if (rows > 1) this.recordUpdate(mean, variance);
    return normalize(x, mean, variance, this.gamma, this.beta, this.eps);
  }

  private get eps(): number {
    return this.options.eps;
  }

  /** a_i = w_{t_i}/n_{t_i}, w = posterior-mean task weights; divided by Σ a outside compat mode */
  private rowWeights({ rows, tasksDone, matrix, counts }: Composition): tf.Tensor2D {
    const width = tasksDone + 1;
    const concentration = tf.add(tf.exp(tf.slice(this.theta, [0], [width])), tf.tensor1d(counts));
    const w = tf.div(concentration, tf.sum(concentration));
    const a = tf.matMul(tf.tensor2d(matrix, [rows, width]), tf.reshape(w, [width, 1])) as tf.Tensor2D;
    return this.options.compat ? a : (tf.div(a, tf.sum(a)) as tf.Tensor2D);
  }

  private recordUpdate(mean: tf.Tensor1D, variance: tf.Tensor1D): void {
    this.forwards++;
    const eta = this.schedule.eta(this.forwards);
    const from = this.pending.current();
    const nextMean = tf.add(from.mean, tf.mul(tf.sub(stopGradient(mean), from.mean), eta)) as tf.Tensor1D;
    const nextVar = tf.add(tf.mul(from.variance, 1 - eta), tf.mul(stopGradient(variance), eta)) as tf.Tensor1D;
    this.pending.set(nextMean, nextVar);
    // MSE against the just-updated running statistics, which carry no gradient (buffers in the official code)
    const term = tf.add(tf.mean(tf.square(tf.sub(mean, nextMean))), tf.mean(tf.square(tf.sub(variance, nextVar)))) as tf.Scalar;
    this.terms.push(this.pending.keep(term));
  }

  alignmentLoss(): tf.Scalar | null {
    if (this.terms.length === 0) return null;
    return this.terms.length === 1 ? this.terms[0] : (sumTensors(this.terms) as tf.Scalar);
  }

  commit(): void {
    if (this.pending.waiting) {
      this.pending.commit();
      tf.tidy(() => this.forwardCount.assign(tf.scalar(this.forwards, 'int32')));
    } else this.pending.discard();
    this.terms = [];
  }

  async buffersLoaded(): Promise<void> {
    this.forwards = (await this.forwardCount.data())[0];
    this.pending.discard();
    this.terms = [];
    this.composition = null;
  }

  dispose(): void {
    this.pending.discard();
    this.terms = [];
    tf.dispose([...this.variables, ...this.buffers]);
  }
}
