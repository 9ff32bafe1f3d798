import { expect } from 'chai';
import {
  DEFAULT_CRITERION,
  MetricInputError,
  epochsToCriterion,
  epochsToCriterionPerTask,
  facilitationSlope,
  firstEpochAccuracyPerTask,
  meanEpochsToCriterion,
  meanFirstEpochAccuracy,
} from '../../metrics/index.js';
import type { AccuracyRecord } from '../../metrics/index.js';
import { M3, expectClose } from './fixtures.js';

/**
 * Curves of the 3 new tasks of M3 (per epoch of their phase):
 * task 0 reaches 0.9 at epoch 3, task 1 at epoch 2, task 2 never (peaks at 0.89).
 * First-epoch accuracies: 0.50, 0.85, 0.70.
 */
const RECORD: AccuracyRecord = {
  matrix: M3,
  initial: [0.1, 0.12, 0.08],
  newTaskCurves: [
    [0.5, 0.8, 0.92, 0.95],
    [0.85, 0.91, 0.93],
    [0.7, 0.88, 0.89],
  ],
};
const NO_CURVES: AccuracyRecord = { matrix: M3, initial: [0.1, 0.12, 0.08] };

describe('metrics: epochsToCriterion', () => {
  it('is the first 1-based epoch at or above the criterion', () => {
    expect(DEFAULT_CRITERION).to.equal(0.9);
    expect(epochsToCriterion([0.5, 0.8, 0.92, 0.95])).to.equal(3);
    expect(epochsToCriterion([0.95])).to.equal(1);
    // reaching exactly θ counts (≥, not >)
    expect(epochsToCriterion([0.5, 0.9, 0.95], 0.9)).to.equal(2);
  });

  it('is the FIRST crossing even if accuracy drops afterwards', () => {
    expect(epochsToCriterion([0.5, 0.91, 0.7, 0.95])).to.equal(2);
  });

  it('is null when the criterion is never reached', () => {
    expect(epochsToCriterion([0.7, 0.88, 0.89])).to.equal(null);
  });

  it('rejects an empty curve or a criterion outside (0, 1]', () => {
    expect(() => epochsToCriterion([])).to.throw(MetricInputError, /non-empty/);
    expect(() => epochsToCriterion([0.5], 90)).to.throw(MetricInputError, /criterion/);
    expect(() => epochsToCriterion([0.5], 0)).to.throw(MetricInputError, /criterion/);
    expect(() => epochsToCriterion([0.5], NaN)).to.throw(MetricInputError, /criterion must be an accuracy in \(0, 1\], got NaN/);
    // θ = 1 is allowed: reached only at a perfect score
    expect(epochsToCriterion([0.5, 0.99, 1], 1)).to.equal(3);
    expect(() => epochsToCriterion([0.5, 1.2])).to.throw(MetricInputError, /curve\[1\]/);
  });
});

describe('metrics: per-task facilitation', () => {
  it('epochs to criterion per task at θ = 0.9 → [3, 2, null]', () => {
    expect(epochsToCriterionPerTask(RECORD)).to.deep.equal([3, 2, null]);
  });

  it('uses the given criterion: θ = 0.85 → [3, 1, 2]', () => {
    expect(epochsToCriterionPerTask(RECORD, 0.85)).to.deep.equal([3, 1, 2]);
  });

  it('first-epoch accuracy per task → [0.50, 0.85, 0.70]', () => {
    expect(firstEpochAccuracyPerTask(RECORD)).to.deep.equal([0.5, 0.85, 0.7]);
  });

  it('are null for a record without curves', () => {
    expect(epochsToCriterionPerTask(NO_CURVES)).to.equal(null);
    expect(firstEpochAccuracyPerTask(NO_CURVES)).to.equal(null);
    expect(meanEpochsToCriterion(NO_CURVES)).to.equal(null);
    expect(meanFirstEpochAccuracy(NO_CURVES)).to.equal(null);
    // a record read back from JSON may carry null for "no curves"
    const nullCurves = { ...NO_CURVES, newTaskCurves: null } as unknown as AccuracyRecord;
    expect(epochsToCriterionPerTask(nullCurves)).to.equal(null);
    expect(firstEpochAccuracyPerTask(nullCurves)).to.equal(null);
  });

  it('checks the criterion even when there are no curves to apply it to', () => {
    expect(() => epochsToCriterionPerTask(NO_CURVES, 0)).to.throw(MetricInputError, /criterion/);
  });

  it('rejects curves that do not match the tasks', () => {
    const short = { ...RECORD, newTaskCurves: [[0.5], [0.6]] };
    expect(() => firstEpochAccuracyPerTask(short)).to.throw(MetricInputError, /one curve per task \(3\).*2 curves/);
    const empty = { ...RECORD, newTaskCurves: [[0.5], [], [0.6]] };
    expect(() => epochsToCriterionPerTask(empty)).to.throw(MetricInputError, /newTaskCurves\[1\]/);
  });
});

describe('metrics: facilitation summaries', () => {
  it('meanEpochsToCriterion at θ = 0.9: mean of [3, 2] = 2.5, 2 reached, 1 not', () => {
    expect(meanEpochsToCriterion(RECORD)).to.deep.equal({ meanEpochs: 2.5, reached: 2, notReached: 1 });
  });

  it('meanEpochsToCriterion at θ = 0.85: mean of [3, 1, 2] = 2, all reached', () => {
    expect(meanEpochsToCriterion(RECORD, 0.85)).to.deep.equal({ meanEpochs: 2, reached: 3, notReached: 0 });
  });

  it('meanEpochsToCriterion when no task reaches θ = 0.99: mean null, 0 reached, 3 not', () => {
    expect(meanEpochsToCriterion(RECORD, 0.99)).to.deep.equal({ meanEpochs: null, reached: 0, notReached: 3 });
  });

  it('meanFirstEpochAccuracy → (0.50 + 0.85 + 0.70) / 3 = 0.683333', () => {
    expectClose(meanFirstEpochAccuracy(RECORD), 2.05 / 3);
  });
});

describe('metrics: facilitationSlope', () => {
  it('[4, 3, 1] → Σ(x−1)(y−8/3) / Σ(x−1)² = −3 / 2 = −1.5', () => {
    expectClose(facilitationSlope([4, 3, 1]), -1.5);
  });

  it('a rising series has a positive slope: [0.5, 0.85, 0.70] → 0.1', () => {
    // x̄ = 1, ȳ = 0.683333: (−1)(−0.183333) + (1)(0.016667) = 0.2; / 2 = 0.1
    expectClose(facilitationSlope([0.5, 0.85, 0.7]), 0.1);
  });

  it('skips nulls but keeps task indices: [4, null, 1] → (1 − 4) / (2 − 0) = −1.5', () => {
    // Re-indexing the non-null values as 0, 1 would give −3.
    expectClose(facilitationSlope([4, null, 1]), -1.5);
  });

  it('is 0 for a flat series', () => {
    expectClose(facilitationSlope([2, 2, 2, 2]), 0);
  });

  it('is null with fewer than two values', () => {
    expect(facilitationSlope([])).to.equal(null);
    expect(facilitationSlope([3])).to.equal(null);
    expect(facilitationSlope([null, 3, null])).to.equal(null);
  });

  it('rejects NaN', () => {
    expect(() => facilitationSlope([1, NaN])).to.throw(MetricInputError, /values\[1\]/);
  });
});
