/**
 * Accuracy summaries of the accuracy matrix (conventions in ./matrix.ts: 0-based,
 * `matrix[i][j]` = accuracy on task j after phase i).
 */
import { MetricInputError, mean, taskCount } from './matrix.js';

/**
 * Average accuracy over the tasks seen so far, after phase `afterPhase` (0-based row index,
 * default the last row T−1):
 *
 *   A_k = (1/k) Σ_{j=1..k} R[k][j]    (1-based, k = afterPhase + 1)
 *       = mean_{j ≤ afterPhase} matrix[afterPhase][j]
 *
 * Chaudhry et al. 2018 (RWalk, ECCV), "average accuracy A_k". After the last phase it is
 * Lopez-Paz & Ranzato 2017 (GEM), Sec. 2: ACC = (1/T) Σ_{j=1..T} R[T][j], and the power-law paper's
 * A_p (reference/algorithms.md §1.4, §6.1, §6.2). Unseen tasks (columns > afterPhase) are ignored.
 */
export function averageAccuracy(matrix: number[][], afterPhase?: number): number {
  const T = taskCount(matrix);
  const i = afterPhase ?? T - 1;
  if (!Number.isInteger(i) || i < 0 || i >= T) {
    throw new MetricInputError(`afterPhase must be a 0-based row index in 0..${T - 1}, got ${afterPhase}`);
  }
  return mean(matrix[i].slice(0, i + 1));
}

/**
 * `[A_1, …, A_T]`: `averageAccuracy(matrix, i)` for every phase i = 0..T−1 (RWalk's A_k for every
 * k; the power-law paper plots A_p against p).
 */
export function averageAccuracyCurve(matrix: number[][]): number[] {
  const T = taskCount(matrix);
  return Array.from({ length: T }, (_, i) => averageAccuracy(matrix, i));
}

/**
 * Learning accuracy, the accuracy on each task right after learning it (plasticity):
 *
 *   LA = (1/T) Σ_{j=1..T} R[j][j] = mean_j matrix[j][j]
 *
 * Riemer et al. 2019 (ICLR, "Learning to Learn without Forgetting by Maximizing Transfer and
 * Minimizing Interference"), reference/algorithms.md §6.3. With GEM's ACC and BWT,
 * ACC = LA + BWT·(T−1)/T holds exactly.
 */
export function learningAccuracy(matrix: number[][]): number {
  const T = taskCount(matrix);
  return mean(Array.from({ length: T }, (_, j) => matrix[j][j]));
}

/**
 * Díaz-Rodríguez et al. 2018 ("Don't forget, there is more than forgetting", NeurIPS CL workshop)
 * accuracy A: the mean over the whole lower triangle, so every phase counts, not just the last:
 *
 *   A = Σ_{i ≥ j} R[i][j] / (T(T+1)/2)    (diagonal included; reference/algorithms.md §6.4)
 */
export function accuracyLowerTriangle(matrix: number[][]): number {
  const T = taskCount(matrix);
  const cells: number[] = [];
  for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) cells.push(matrix[i][j]);
  return mean(cells);
}
