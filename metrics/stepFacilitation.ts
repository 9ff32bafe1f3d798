/**
 * Forward facilitation per unit of learning (issue 20): the new task's accuracy against the gradient steps of
 * its phase, not its epochs — an epoch of a phase that rehearses more is more steps, so first-epoch accuracy
 * and epochs to criterion credit rehearsal-heavy schedules with extra training.
 *
 * Input: `record.newTaskSteps` = the step counts S_1 < S_2 < … < S_m at which the run measured the new task,
 * and `record.newTaskStepCurves[i][k]` = accuracy on the task introduced in phase i after S_{k+1} gradient
 * steps of phase i (shorter when the phase had fewer steps). The accuracy at step 0 is the task's accuracy
 * just before its phase: R[i−1][i] (b_i, the untrained model's, for the first task).
 *
 * Measures, each for the largest recorded step count S = S_m:
 * - accuracy after S steps, a[i](S);
 * - the learning-curve area over the first S steps, (1/S) ∫_0^S a(s) ds by the trapezoid rule between the
 *   recorded points: A-GEM's learning curve area LCA_β (Chaudhry et al. 2019, reference/algorithms.md §6.3),
 *   (1/(β+1)) Σ_{b≤β} Z_b, sampled at the recorded steps instead of every mini-batch.
 * Their trends across tasks use `facilitationSlope` (./facilitation.ts).
 */
import type { AccuracyRecord } from './types.js';
import { facilitationSlope } from './facilitation.js';
import { MetricInputError, checkAccuracy, mean, taskCount } from './matrix.js';

/**
 * (1/S) ∫_0^S a(s) ds for the piecewise-linear curve through (0, start) and (steps[k], accuracy[k]), where S is
 * `steps[steps.length − 1]`. `steps` strictly increasing positive integers, as long as `accuracy`.
 * Example: start 0, steps [10, 20], accuracy [0.5, 1]: (10·0.25 + 10·0.75)/20 = 0.5.
 */
export function learningCurveArea(start: number, steps: readonly number[], accuracy: readonly number[]): number {
  checkAccuracy(start, 'start');
  checkSteps(steps);
  if (accuracy.length !== steps.length) throw new MetricInputError(`learningCurveArea: ${steps.length} steps but ${accuracy.length} accuracies`);
  accuracy.forEach((a, k) => checkAccuracy(a, `accuracy[${k}]`));
  let area = 0;
  let [s0, a0] = [0, start];
  steps.forEach((s, k) => {
    area += ((s - s0) * (a0 + accuracy[k])) / 2;
    [s0, a0] = [s, accuracy[k]];
  });
  return area / s0;
}

function checkSteps(steps: readonly number[]): void {
  if (!Array.isArray(steps) || steps.length === 0) throw new MetricInputError('newTaskSteps must be a non-empty list of step counts');
  steps.forEach((s, k) => {
    if (!Number.isInteger(s) || s < 1 || (k > 0 && s <= steps[k - 1]))
      throw new MetricInputError(`newTaskSteps must be strictly increasing positive integers, got ${JSON.stringify(steps)}`);
  });
}

/** The record's step curves, checked; null when the run did not measure them. */
function stepCurvesOf(record: AccuracyRecord): { steps: number[]; curves: number[][] } | null {
  const { newTaskSteps: steps, newTaskStepCurves: curves } = record;
  if (steps === undefined || steps === null || curves === undefined || curves === null) return null;
  checkSteps(steps);
  const T = taskCount(record.matrix);
  if (!Array.isArray(curves) || curves.length !== T) throw new MetricInputError(`newTaskStepCurves must have one curve per task (${T})`);
  curves.forEach((curve, i) => {
    if (!Array.isArray(curve) || curve.length > steps.length) throw new MetricInputError(`newTaskStepCurves[${i}] must have at most one accuracy per step count`);
    curve.forEach((a, k) => checkAccuracy(a, `newTaskStepCurves[${i}][${k}]`));
  });
  return { steps, curves };
}

/**
 * Accuracy on each new task after S = the largest recorded step count of its phase; null entries for tasks
 * whose phase ended before S steps. Null when the record has no step curves.
 */
export function accuracyAfterStepsPerTask(record: AccuracyRecord): (number | null)[] | null {
  const measured = stepCurvesOf(record);
  if (measured === null) return null;
  const last = measured.steps.length - 1;
  return measured.curves.map((curve) => (curve.length > last ? curve[last] : null));
}

/**
 * `learningCurveArea` of each new task over the first S steps of its phase (start: R[i−1][i], or b_0 for the
 * first task); null entries for phases shorter than S. Null when the record has no step curves.
 */
export function learningCurveAreaPerTask(record: AccuracyRecord): (number | null)[] | null {
  const measured = stepCurvesOf(record);
  if (measured === null) return null;
  const { steps, curves } = measured;
  return curves.map((curve, i) => {
    if (curve.length < steps.length) return null;
    const start = i === 0 ? record.initial[0] : record.matrix[i - 1][i];
    if (start === undefined) throw new MetricInputError(`the accuracy of task ${i + 1} before its phase is missing (initial or matrix)`);
    return learningCurveArea(start, steps, curve);
  });
}

/** Mean over tasks of a per-task series; null when the series is absent or any task lacks a value (a phase shorter than S). */
export function meanOverTasks(perTask: (number | null)[] | null): number | null {
  if (perTask === null || perTask.some((v) => v === null)) return null;
  return mean(perTask as number[]);
}

/** `facilitationSlope` of a per-task series across tasks; null when the series is absent or any task lacks a value. */
export function slopeOverTasks(perTask: (number | null)[] | null): number | null {
  if (perTask === null || perTask.some((v) => v === null)) return null;
  return facilitationSlope(perTask);
}
