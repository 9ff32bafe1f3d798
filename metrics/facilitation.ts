/**
 * Forward facilitation: does each new task get learned faster than the one before?
 *
 * Davidson & Mozer 2020 ("Sequential mastery of multiple visual tasks: networks naturally learn to
 * learn and forget to forget", CVPR) measure it as the training needed to reach a criterion on task
 * n+1 after n tasks; the power-law rehearsal paper (arXiv:2401.10393) uses the term, but its exact
 * measure could not be read. Following reference/algorithms.md §1.4 and §6.3 we report (a) epochs to
 * criterion and (b) accuracy after the first epoch on each new task, and facilitation as the trend of
 * either against the task index (`facilitationSlope`).
 *
 * Input: `record.newTaskCurves[i][e]` = accuracy on the task introduced in phase i after epoch e
 * (0-based) of phase i. Records without curves give `null`.
 */
import type { AccuracyRecord } from './types.js';
import { MetricInputError, checkAccuracy, mean, taskCount } from './matrix.js';

/** Default criterion θ for epochs-to-criterion (reference/algorithms.md §1.4). */
export const DEFAULT_CRITERION = 0.9;

function checkCriterion(theta: number): void {
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta <= 0 || theta > 1) {
    throw new MetricInputError(`criterion must be an accuracy in (0, 1], got ${String(theta)}`);
  }
}

function checkCurve(curve: number[], name: string): void {
  if (!Array.isArray(curve) || curve.length === 0) {
    throw new MetricInputError(`${name} must be a non-empty array of per-epoch accuracies`);
  }
  curve.forEach((value, e) => checkAccuracy(value, `${name}[${e}]`));
}

/** The record's curves, checked to hold one non-empty curve per task; `null` when absent. */
function curvesOf(record: AccuracyRecord): number[][] | null {
  const T = taskCount(record.matrix);
  const curves = record.newTaskCurves;
  if (curves === undefined || curves === null) return null;
  if (!Array.isArray(curves) || curves.length !== T) {
    const got = Array.isArray(curves) ? `${curves.length} curves` : typeof curves;
    throw new MetricInputError(`newTaskCurves must have one curve per task (${T}), got ${got}`);
  }
  curves.forEach((curve, i) => checkCurve(curve, `newTaskCurves[${i}]`));
  return curves;
}

/**
 * Epochs to criterion (Davidson & Mozer 2020): the first epoch, counted from 1, after which the
 * accuracy reaches `theta` (≥, not >), or `null` if it never does within the epochs trained.
 * `curve[e]` is the accuracy after epoch e+1, so `curve = [0.5, 0.95]` gives 2.
 */
export function epochsToCriterion(curve: number[], theta = DEFAULT_CRITERION): number | null {
  checkCriterion(theta);
  checkCurve(curve, 'curve');
  const index = curve.findIndex((accuracy) => accuracy >= theta);
  return index === -1 ? null : index + 1;
}

/**
 * `epochsToCriterion` of each task's new-task curve, one entry per task (`null` entries: never
 * reached). `null` when the record has no curves.
 */
export function epochsToCriterionPerTask(record: AccuracyRecord, theta = DEFAULT_CRITERION): (number | null)[] | null {
  checkCriterion(theta);
  const curves = curvesOf(record);
  return curves === null ? null : curves.map((curve) => epochsToCriterion(curve, theta));
}

/** Accuracy on each new task after the first epoch of its phase (`curve[0]`); `null` without curves. */
export function firstEpochAccuracyPerTask(record: AccuracyRecord): number[] | null {
  const curves = curvesOf(record);
  return curves === null ? null : curves.map((curve) => curve[0]);
}

/** Summary of epochs to criterion over the tasks of one run. */
export interface CriterionSummary {
  /** Mean epochs to criterion over the tasks that reached it; `null` if none did. */
  meanEpochs: number | null;
  /** Tasks that reached the criterion. */
  reached: number;
  /**
   * Tasks that never reached it. Reported next to the mean because the mean alone looks better
   * when the slowest tasks drop out of it (they are censored, not fast).
   */
  notReached: number;
}

/** Mean epochs to criterion over the tasks that reached it, with counts; `null` without curves. */
export function meanEpochsToCriterion(record: AccuracyRecord, theta = DEFAULT_CRITERION): CriterionSummary | null {
  const perTask = epochsToCriterionPerTask(record, theta);
  if (perTask === null) return null;
  const reached = perTask.filter((epochs): epochs is number => epochs !== null);
  return {
    meanEpochs: reached.length === 0 ? null : mean(reached),
    reached: reached.length,
    notReached: perTask.length - reached.length,
  };
}

/** Mean over tasks of the accuracy after the first epoch on the new task; `null` without curves. */
export function meanFirstEpochAccuracy(record: AccuracyRecord): number | null {
  const perTask = firstEpochAccuracyPerTask(record);
  return perTask === null ? null : mean(perTask);
}

/**
 * Least-squares slope of a per-task series against its 0-based task index: the trend that shows
 * facilitation (negative for epochs to criterion, positive for first-epoch accuracy).
 * `null` entries (e.g. tasks that never reached criterion) are left out but the others keep their
 * task index, so `[4, null, 1]` has slope −1.5. `null` when fewer than 2 values remain.
 */
export function facilitationSlope(values: readonly (number | null)[]): number | null {
  const points: [number, number][] = [];
  values.forEach((y, x) => {
    if (y === null) return;
    if (typeof y !== 'number' || !Number.isFinite(y)) {
      throw new MetricInputError(`facilitationSlope: values[${x}] must be a finite number or null, got ${String(y)}`);
    }
    points.push([x, y]);
  });
  if (points.length < 2) return null;
  const meanX = mean(points.map(([x]) => x));
  const meanY = mean(points.map(([, y]) => y));
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  return sxy / sxx;
}
