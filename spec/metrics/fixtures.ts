/**
 * Hand-made accuracy matrices shared by the metric specs. Expected values are worked out by hand in
 * the comments of each spec. 0-based: M[i][j] = accuracy on task j after phase i.
 */
import { expect } from 'chai';

/**
 * 3 tasks, distinct values. Diagonal 0.90, 0.80, 0.95; last row 0.60, 0.50, 0.95;
 * above the diagonal: M[0][1] = 0.20, M[1][2] = 0.30 (forward transfer), M[0][2] = 0.15.
 */
export const M3: number[][] = [
  [0.9, 0.2, 0.15],
  [0.7, 0.8, 0.3],
  [0.6, 0.5, 0.95],
];
export const INITIAL3: number[] = [0.1, 0.12, 0.08];

/**
 * 4 tasks built to catch off-by-one errors in the RWalk max range (rows j..T−2):
 * - task 0 peaks at row 1 (0.90), not at the row it was learned (0.50): max ≠ first;
 * - task 1 is 0.95 at row 0, BEFORE it was learned, and ends at its best (0.80 in the last row):
 *   a range starting before j or including the last row changes f_1;
 * - task 2 is 0.99 at row 1, before it was learned.
 */
export const M4: number[][] = [
  [0.5, 0.95, 0.1, 0.1],
  [0.9, 0.6, 0.99, 0.2],
  [0.4, 0.7, 0.7, 0.3],
  [0.3, 0.8, 0.65, 0.85],
];

/** Joint-training reference for M3: diagonal 0.92, 0.85, 0.97; its last row differs from the diagonal. */
export const JOINT3: number[][] = [
  [0.92, 0.3, 0.2],
  [0.9, 0.85, 0.25],
  [0.88, 0.83, 0.97],
];

/** 2 tasks where the first task improves after the second is trained (positive backward transfer). */
export const M2_IMPROVING: number[][] = [
  [0.5, 0.1],
  [0.7, 0.9],
];

export const M1: number[][] = [[0.7]];

/** Asserts a metric is defined (not null) and equal to `expected` up to rounding. */
export function expectClose(actual: number | null, expected: number, tolerance = 1e-12): void {
  expect(actual).to.not.equal(null);
  expect(actual as number).to.be.closeTo(expected, tolerance);
}

/** Deterministic pseudo-random T×T accuracy matrix (LCG), for identities that must hold on any input. */
export function pseudoRandomMatrix(T: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: T }, () => Array.from({ length: T }, () => next()));
}
