/**
 * Backward and forward transfer (conventions in ./matrix.ts: 0-based, `matrix[i][j]` = accuracy on
 * task j after phase i, `initial[j]` = random-init accuracy). All return `null` when T = 1: with one
 * task there is nothing to transfer to or from.
 */
import { checkAccuracyVector, mean, taskCount } from './matrix.js';

/**
 * GEM backward transfer, Lopez-Paz & Ranzato 2017, Sec. 2:
 *
 *   BWT = (1/(T−1)) Σ_{j=1..T−1} (R[T][j] − R[j][j])
 *       = mean_{j = 0..T−2} (matrix[T−1][j] − matrix[j][j])        (0-based)
 *
 * Negative = forgetting. Equals −forgettingFromFirst (Avalanche's StreamForgetting after the last
 * experience) and mammoth's `backward_transfer` (reference/algorithms.md §6.1, §6.5, §6.6).
 * `null` when T = 1.
 */
export function bwtGem(matrix: number[][]): number | null {
  const T = taskCount(matrix);
  if (T < 2) return null;
  const last = matrix[T - 1];
  return mean(Array.from({ length: T - 1 }, (_, j) => last[j] - matrix[j][j]));
}

/**
 * GEM forward transfer, Lopez-Paz & Ranzato 2017, Sec. 2: how much training on tasks before j
 * helps task j before it is trained, relative to a random model:
 *
 *   FWT = (1/(T−1)) Σ_{j=2..T} (R[j−1][j] − b_j)
 *       = mean_{j = 1..T−1} (matrix[j−1][j] − initial[j])           (0-based)
 *
 * Same as Avalanche's ForwardTransfer and mammoth's `forward_transfer` (reference/algorithms.md §6.5,
 * §6.6). Needs the above-diagonal entries, i.e. evaluating future tasks. `initial` must hold one
 * accuracy per task (`initial[0]` is read for the check only). `null` when T = 1.
 */
export function fwtGem(matrix: number[][], initial: number[]): number | null {
  const T = taskCount(matrix);
  checkAccuracyVector(initial, T, 'initial');
  if (T < 2) return null;
  return mean(Array.from({ length: T - 1 }, (_, k) => matrix[k][k + 1] - initial[k + 1]));
}

/**
 * Díaz-Rodríguez et al. 2018 backward transfer over all pairs (every later phase, not just the last):
 *
 *   BWT_all = Σ_{i=2..T} Σ_{j=1..i−1} (R[i][j] − R[j][j]) / (T(T−1)/2)
 *           = mean over 0-based pairs j < i of (matrix[i][j] − matrix[j][j])
 *
 * As implemented in Continuum's `backward_transfer` (reference/algorithms.md §6.4). `null` when T = 1.
 */
export function bwtAllPairs(matrix: number[][]): number | null {
  const T = taskCount(matrix);
  if (T < 2) return null;
  const diffs: number[] = [];
  for (let i = 1; i < T; i++) for (let j = 0; j < i; j++) diffs.push(matrix[i][j] - matrix[j][j]);
  return mean(diffs);
}

/**
 * Díaz-Rodríguez et al. 2018 "remembering": REM = 1 − |min(BWT_all, 0)|, with BWT_all from
 * `bwtAllPairs`; 1 when there is no net forgetting, whatever the positive transfer
 * (reference/algorithms.md §6.4). `null` when T = 1.
 */
export function remembering(matrix: number[][]): number | null {
  const bwt = bwtAllPairs(matrix);
  return bwt === null ? null : 1 - Math.abs(Math.min(bwt, 0));
}
