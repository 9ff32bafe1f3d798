/**
 * Conventions and shape checks shared by every metric.
 *
 * Index convention (all of clbench, 0-based): `matrix[i][j]` is the test accuracy on task j right
 * after training phase i, so row i is "after task i+1" and the papers' 1-based `R[i][j]` is our
 * `matrix[i-1][j-1]`. A full record has T rows of T entries (every task is evaluated after every
 * phase, including tasks not trained yet). `initial[j]` is the accuracy of the randomly initialised
 * model on task j (GEM's `b_j`, the papers' row `R[0][·]`). Accuracies are fractions in [0, 1].
 *
 * Metrics that a record cannot define (a transfer or forgetting metric when T = 1, a facilitation
 * metric without learning curves, intransigence without a joint reference) return `null`, never NaN,
 * so CSV columns stay empty instead of holding "NaN". Malformed input throws a `MetricInputError`.
 */
import type { AccuracyRecord } from './types.js';

/** Thrown when a metric is given a matrix, vector or option it cannot be computed from. */
export class MetricInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricInputError';
  }
}

/** Throws unless `value` is a finite accuracy in [0, 1]; `where` names it in the message. */
export function checkAccuracy(value: unknown, where: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricInputError(`${where} must be a finite number, got ${String(value)}`);
  }
  if (value < 0 || value > 1) {
    throw new MetricInputError(`${where} = ${value} is outside [0, 1] (accuracies are fractions, not percentages)`);
  }
}

/**
 * Checks that `matrix` is rectangular (every row has as many entries as row 0) with at least one
 * row and one column, and that every entry is an accuracy. Returns its size.
 */
export function checkRectangular(matrix: unknown, name = 'matrix'): { rows: number; cols: number } {
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw new MetricInputError(`${name} must be a non-empty array of rows`);
  }
  const firstRow: unknown = matrix[0];
  if (!Array.isArray(firstRow) || firstRow.length === 0) {
    throw new MetricInputError(`${name}[0] must be a non-empty array of accuracies`);
  }
  const cols = firstRow.length;
  matrix.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) throw new MetricInputError(`${name}[${i}] must be an array, got ${typeof row}`);
    if (row.length !== cols) {
      throw new MetricInputError(`${name} is ragged: row 0 has ${cols} entries but row ${i} has ${row.length}`);
    }
    row.forEach((value: unknown, j) => checkAccuracy(value, `${name}[${i}][${j}]`));
  });
  return { rows: matrix.length, cols };
}

/**
 * Checks a full record's matrix: T ≥ 1 rows, each with T accuracies (square, not ragged).
 * Returns T, the number of tasks.
 */
export function taskCount(matrix: number[][], name = 'matrix'): number {
  const { rows, cols } = checkRectangular(matrix, name);
  if (rows !== cols) {
    throw new MetricInputError(
      `${name} must be square (T rows of T entries, one row per training phase and one column per task): ` +
        `it has ${rows} rows of ${cols} entries`,
    );
  }
  return rows;
}

/** Checks a per-task vector (e.g. `initial`) of accuracies with exactly `length` entries. */
export function checkAccuracyVector(values: number[], length: number, name: string): void {
  if (!Array.isArray(values) || values.length !== length) {
    const got = Array.isArray(values) ? `${values.length} entries` : typeof values;
    throw new MetricInputError(`${name} must have one accuracy per task (${length}), got ${got}`);
  }
  values.forEach((value, j) => checkAccuracy(value, `${name}[${j}]`));
}

/** Arithmetic mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The record as it stood after `phases` phases: the leading `phases`×`phases` block of the matrix,
 * the first `phases` entries of `initial` and `newTaskCurves`. Every metric applied to the prefix is
 * the "after task k" version of that metric (RWalk's A_k, F_k, I_k; the tracker in
 * reference/algorithms.md §6.7), because a metric over tasks 1..k only reads rows and columns < k.
 * Accepts a partially filled record (fewer rows than tasks, as during a run): rows ≤ columns.
 */
export function prefixRecord(record: AccuracyRecord, phases: number): AccuracyRecord {
  const { rows, cols } = checkRectangular(record.matrix);
  if (rows > cols) {
    throw new MetricInputError(`matrix has ${rows} rows (phases) but only ${cols} columns (tasks)`);
  }
  if (!Number.isInteger(phases) || phases < 1 || phases > rows) {
    throw new MetricInputError(`phases must be an integer in 1..${rows} (rows recorded), got ${phases}`);
  }
  const prefix: AccuracyRecord = {
    matrix: record.matrix.slice(0, phases).map((row) => row.slice(0, phases)),
    initial: record.initial.slice(0, phases),
  };
  if (record.newTaskCurves !== undefined) prefix.newTaskCurves = record.newTaskCurves.slice(0, phases);
  return prefix;
}
