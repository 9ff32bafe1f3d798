/**
 * Forgetting and intransigence (conventions in ./matrix.ts: 0-based, `matrix[i][j]` = accuracy on
 * task j after phase i). Anchors disagree on what "forgetting" subtracts from; both readings are
 * here under separate names. All average over the tasks before the last one and return `null` when
 * T = 1 (no task has been followed by another).
 */
import { MetricInputError, mean, taskCount } from './matrix.js';

/**
 * Per-task RWalk forgetting after the last phase, for tasks j = 0..T−2 (length T−1):
 *
 *   f_j = max_{l = j..T−2} matrix[l][j] − matrix[T−1][j]      (0-based)
 *
 * Chaudhry et al. 2018 (RWalk, ECCV) define f_j^k = max_{l ∈ 1..k−1} a[l][j] − a[k][j] (1-based,
 * k = T here): the best accuracy task j ever had before the last phase minus its final accuracy.
 * Like Continuum's `forgetting`, the max starts at the row where task j was learned (l ≥ j), so
 * accidental accuracy on a task before it was trained does not count, and it stops at the row
 * before the last, so f_j is negative when a task ends at its best (backward transfer).
 * (mammoth includes the last row in the max, which clamps f_j at 0; reference/algorithms.md §6.2, §6.6.)
 */
export function forgettingMaxPerTask(matrix: number[][]): number[] {
  const T = taskCount(matrix);
  const last = matrix[T - 1];
  return Array.from({ length: T - 1 }, (_, j) => {
    let best = matrix[j][j];
    for (let l = j + 1; l <= T - 2; l++) best = Math.max(best, matrix[l][j]);
    return best - last[j];
  });
}

/**
 * RWalk average forgetting after the last phase, F_T = (1/(T−1)) Σ_{j=1..T−1} f_j^T
 * (Chaudhry et al. 2018; per-task term and index ranges in `forgettingMaxPerTask`). `null` when T = 1.
 */
export function forgettingMax(matrix: number[][]): number | null {
  const perTask = forgettingMaxPerTask(matrix);
  return perTask.length === 0 ? null : mean(perTask);
}

/**
 * Per-task Avalanche forgetting after the last phase, for tasks j = 0..T−2 (length T−1):
 *
 *   forgetting_j = matrix[j][j] − matrix[T−1][j]
 *
 * Avalanche `ExperienceForgetting` (avalanche/evaluation/metrics/forgetting_bwt.py): accuracy right
 * after learning task j (not the best ever, unlike RWalk) minus its final accuracy
 * (reference/algorithms.md §6.5).
 */
export function forgettingFromFirstPerTask(matrix: number[][]): number[] {
  const T = taskCount(matrix);
  return Array.from({ length: T - 1 }, (_, j) => matrix[j][j] - matrix[T - 1][j]);
}

/**
 * Avalanche `StreamForgetting` after the last experience: mean_{j = 0..T−2} (matrix[j][j] −
 * matrix[T−1][j]). Equals −bwtGem exactly (reference/algorithms.md §6.5). `null` when T = 1.
 */
export function forgettingFromFirst(matrix: number[][]): number | null {
  const perTask = forgettingFromFirstPerTask(matrix);
  return perTask.length === 0 ? null : mean(perTask);
}

/**
 * Per-task RWalk intransigence, for every task k = 0..T−1 (length T):
 *
 *   I_k = a*_k − matrix[k][k],   a*_k = jointMatrix[k][k]
 *
 * Chaudhry et al. 2018 (RWalk): a*_k is the accuracy on task k of a reference model trained jointly
 * on the data of tasks 1..k (0-based: 0..k), i.e. the diagonal of a joint ("offline") run's matrix
 * with the same task order. Positive = the sequential learner cannot reach what joint training
 * reaches on the new task (reference/algorithms.md §6.2). `jointMatrix` must be T×T like `matrix`.
 */
export function intransigencePerTask(matrix: number[][], jointMatrix: number[][]): number[] {
  const T = taskCount(matrix);
  const jointT = taskCount(jointMatrix, 'jointMatrix');
  if (jointT !== T) {
    throw new MetricInputError(`jointMatrix has ${jointT} tasks but matrix has ${T}; they must come from the same task sequence`);
  }
  return Array.from({ length: T }, (_, k) => jointMatrix[k][k] - matrix[k][k]);
}

/**
 * Average RWalk intransigence over tasks k = 2..T (1-based; 0-based k = 1..T−1), as van de Ven's
 * `compare_all.py` reports it with the offline model as reference: the first task is skipped
 * because on it the sequential and joint learners train on the same data
 * (reference/algorithms.md §6.2). `null` when T = 1.
 */
export function intransigence(matrix: number[][], jointMatrix: number[][]): number | null {
  const perTask = intransigencePerTask(matrix, jointMatrix);
  return perTask.length < 2 ? null : mean(perTask.slice(1));
}
