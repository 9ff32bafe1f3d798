/** Forward facilitation per gradient step (metrics/stepFacilitation.ts); every expected value worked out by hand. */
import { expect } from 'chai';
import { metricByKey } from '../../metrics/catalogue.js';
import { MetricInputError } from '../../metrics/matrix.js';
import { accuracyAfterStepsPerTask, learningCurveArea, learningCurveAreaPerTask, meanOverTasks } from '../../metrics/stepFacilitation.js';
import type { AccuracyRecord } from '../../metrics/types.js';

/**
 * Two tasks. Task 1 starts at b_0 = 0.1, task 2 at R[0][1] = 0.3; both measured after 10 and 30 steps.
 */
const RECORD: AccuracyRecord = {
  initial: [0.1, 0.2],
  matrix: [
    [0.9, 0.3],
    [0.8, 0.95],
  ],
  newTaskSteps: [10, 30],
  newTaskStepCurves: [
    [0.5, 0.9],
    [0.7, 0.9],
  ],
};

describe('step facilitation (metrics/stepFacilitation.ts)', () => {
  it('learning-curve area: trapezoids from (0, start) through the measured steps, over S', () => {
    // (10·(0 + 0.5)/2 + 10·(0.5 + 1)/2) / 20 = (2.5 + 7.5) / 20 = 0.5
    expect(learningCurveArea(0, [10, 20], [0.5, 1])).to.be.closeTo(0.5, 1e-12);
    // uneven spacing: (10·(0.1 + 0.5)/2 + 20·(0.5 + 0.9)/2) / 30 = (3 + 14) / 30 = 0.566667
    expect(learningCurveArea(0.1, [10, 30], [0.5, 0.9])).to.be.closeTo(17 / 30, 1e-12);
    // a flat curve has its own height
    expect(learningCurveArea(0.4, [5, 7, 50], [0.4, 0.4, 0.4])).to.be.closeTo(0.4, 1e-12);
  });

  it('per task: accuracy after S and the area from the accuracy before the phase', () => {
    expect(accuracyAfterStepsPerTask(RECORD)).to.deep.equal([0.9, 0.9]);
    const areas = learningCurveAreaPerTask(RECORD)!;
    // task 1 from b_0 = 0.1: 17/30; task 2 from R[0][1] = 0.3: (10·(0.3 + 0.7)/2 + 20·(0.7 + 0.9)/2)/30 = 21/30
    expect(areas[0]).to.be.closeTo(17 / 30, 1e-12);
    expect(areas[1]).to.be.closeTo(21 / 30, 1e-12);
  });

  it('leaderboard columns: means over tasks and slopes across them', () => {
    expect(metricByKey('new_task_accuracy_at_steps').compute(RECORD)).to.be.closeTo(0.9, 1e-12);
    expect(metricByKey('new_task_accuracy_at_steps_slope').compute(RECORD)).to.be.closeTo(0, 1e-12);
    expect(metricByKey('new_task_curve_area').compute(RECORD)).to.be.closeTo(19 / 30, 1e-12);
    // slope of (17/30, 21/30) against task index 0, 1: 4/30
    expect(metricByKey('new_task_curve_area_slope').compute(RECORD)).to.be.closeTo(4 / 30, 1e-12);
  });

  it('a phase shorter than S leaves the run undefined; records without step curves give null', () => {
    const short: AccuracyRecord = { ...RECORD, newTaskStepCurves: [[0.5, 0.9], [0.7]] };
    expect(accuracyAfterStepsPerTask(short)).to.deep.equal([0.9, null]);
    expect(meanOverTasks(accuracyAfterStepsPerTask(short))).to.equal(null);
    expect(metricByKey('new_task_curve_area').compute(short)).to.equal(null);
    const old: AccuracyRecord = { initial: RECORD.initial, matrix: RECORD.matrix, newTaskCurves: [[0.9], [0.95]] };
    for (const key of ['new_task_accuracy_at_steps', 'new_task_accuracy_at_steps_slope', 'new_task_curve_area', 'new_task_curve_area_slope'])
      expect(metricByKey(key).compute(old), key).to.equal(null);
  });

  it('rejects unordered step counts and curves longer than the steps', () => {
    expect(() => learningCurveArea(0, [20, 10], [0.5, 1])).to.throw(MetricInputError);
    expect(() => learningCurveArea(0, [10], [0.5, 1])).to.throw(MetricInputError);
    expect(() => accuracyAfterStepsPerTask({ ...RECORD, newTaskStepCurves: [[0.5, 0.9, 0.9], [0.7, 0.9]] })).to.throw(MetricInputError);
  });
});
