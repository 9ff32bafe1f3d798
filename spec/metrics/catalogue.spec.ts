import { expect } from 'chai';
import {
  METRICS,
  averageAccuracy,
  bwtGem,
  forgettingFromFirst,
  forgettingMax,
  fwtGem,
  intransigence,
  learningAccuracy,
  metricByKey,
} from '../../metrics/index.js';
import type { AccuracyRecord } from '../../metrics/index.js';
import { INITIAL3, JOINT3, M1, M3, M4, expectClose } from './fixtures.js';

const RECORD: AccuracyRecord = {
  matrix: M3,
  initial: INITIAL3,
  newTaskCurves: [
    [0.5, 0.8, 0.92, 0.95],
    [0.85, 0.91, 0.93],
    [0.7, 0.88, 0.89],
  ],
};
const JOINT: AccuracyRecord = { matrix: JOINT3, initial: INITIAL3 };

function value(key: string, record: AccuracyRecord = RECORD, ctx = { joint: JOINT }): number | null {
  return metricByKey(key).compute(record, ctx);
}

describe('metrics: METRICS catalogue', () => {
  it('has the leaderboard columns, unique snake_case keys, and documented entries', () => {
    const keys = METRICS.map((metric) => metric.key);
    expect(keys).to.include.members([
      'average_accuracy',
      'bwt',
      'fwt',
      'forgetting_max',
      'forgetting_first',
      'learning_accuracy',
      'intransigence',
      'first_epoch_accuracy',
      'epochs_to_criterion',
    ]);
    expect(new Set(keys).size).to.equal(keys.length);
    for (const metric of METRICS) {
      expect(metric.key).to.match(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(metric.label).to.not.equal('');
      expect(metric.definition, metric.key).to.match(/\.$/);
      expect(metric.definition.length, metric.key).to.be.greaterThan(40);
    }
  });

  it('computes each column with the named function', () => {
    expectClose(value('average_accuracy'), averageAccuracy(M3));
    expectClose(value('bwt'), bwtGem(M3) as number);
    expectClose(value('fwt'), fwtGem(M3, INITIAL3) as number);
    expectClose(value('forgetting_max'), forgettingMax(M3) as number);
    expectClose(value('forgetting_first'), forgettingFromFirst(M3) as number);
    expectClose(value('learning_accuracy'), learningAccuracy(M3));
    expectClose(value('intransigence'), intransigence(M3, JOINT3) as number);
  });

  it('gives each column its own value on a matrix where the forgetting definitions differ (M4, by hand)', () => {
    const record: AccuracyRecord = { matrix: M4, initial: [0.1, 0.2, 0.05, 0.15] };
    // last row 0.3, 0.8, 0.65, 0.85; diagonal 0.5, 0.6, 0.7, 0.85
    expectClose(value('average_accuracy', record), 2.6 / 4);
    expectClose(value('learning_accuracy', record), 2.65 / 4);
    // from first: (0.5 − 0.3) + (0.6 − 0.8) + (0.7 − 0.65) = 0.05
    expectClose(value('forgetting_first', record), 0.05 / 3);
    expectClose(value('bwt', record), -0.05 / 3);
    // max over rows j..T−2: task 0 peaks at 0.9 (row 1), task 1 at 0.7 (row 2), task 2 at 0.7:
    // (0.9 − 0.3) + (0.7 − 0.8) + (0.7 − 0.65) = 0.55
    expectClose(value('forgetting_max', record), 0.55 / 3);
    // above the diagonal 0.95, 0.99, 0.3 minus initial 0.2, 0.05, 0.15
    expectClose(value('fwt', record), (0.75 + 0.94 + 0.15) / 3);
  });

  it('computes the facilitation columns (values worked out in facilitation.spec.ts)', () => {
    expectClose(value('first_epoch_accuracy'), 2.05 / 3);
    expectClose(value('first_epoch_accuracy_slope'), 0.1);
    expectClose(value('epochs_to_criterion'), 2.5); // [3, 2, null]
    expectClose(value('criterion_not_reached'), 1);
    expectClose(value('epochs_to_criterion_slope'), -1); // points (0, 3), (1, 2)
  });

  it('uses the default criterion without a context', () => {
    expectClose(metricByKey('epochs_to_criterion').compute(RECORD), 2.5);
    expectClose(metricByKey('criterion_not_reached').compute(RECORD), 1);
    expectClose(metricByKey('epochs_to_criterion_slope').compute(RECORD), -1);
  });

  it('passes the criterion from the context', () => {
    // θ = 0.85: [3, 1, 2] → mean 2, none missed, slope (x̄ = 1, ȳ = 2): ((−1)(1) + (1)(0)) / 2 = −0.5
    const ctx = { criterion: 0.85 };
    expectClose(metricByKey('epochs_to_criterion').compute(RECORD, ctx), 2);
    expectClose(metricByKey('criterion_not_reached').compute(RECORD, ctx), 0);
    expectClose(metricByKey('epochs_to_criterion_slope').compute(RECORD, ctx), -0.5);
  });

  it('gives null where the record lacks what a metric needs', () => {
    const bare: AccuracyRecord = { matrix: M3, initial: [] };
    expect(metricByKey('intransigence').compute(bare)).to.equal(null);
    expect(metricByKey('fwt').compute(bare)).to.equal(null);
    for (const key of ['first_epoch_accuracy', 'first_epoch_accuracy_slope', 'epochs_to_criterion', 'criterion_not_reached']) {
      expect(metricByKey(key).compute(bare), key).to.equal(null);
    }
    expectClose(metricByKey('average_accuracy').compute(bare), 2.05 / 3);
  });

  it('every column is a number or null for a one-task record', () => {
    const single: AccuracyRecord = { matrix: M1, initial: [0.1], newTaskCurves: [[0.6, 0.95]] };
    const ctx = { joint: { matrix: [[0.8]], initial: [0.1] } };
    const values = Object.fromEntries(METRICS.map((metric) => [metric.key, metric.compute(single, ctx)]));
    expect(values).to.deep.equal({
      average_accuracy: 0.7,
      bwt: null,
      fwt: null,
      forgetting_max: null,
      forgetting_first: null,
      learning_accuracy: 0.7,
      intransigence: null,
      first_epoch_accuracy: 0.6,
      first_epoch_accuracy_slope: null,
      epochs_to_criterion: 2,
      criterion_not_reached: 0,
      epochs_to_criterion_slope: null,
      new_task_accuracy_at_steps: null,
      new_task_accuracy_at_steps_slope: null,
      new_task_curve_area: null,
      new_task_curve_area_slope: null,
    });
  });

  it('metricByKey rejects an unknown key, listing the known ones', () => {
    expect(() => metricByKey('acc')).to.throw(/unknown metric 'acc'; known: average_accuracy, bwt, fwt, forgetting_max/);
  });

  it('says which direction is better', () => {
    expect(metricByKey('average_accuracy').higherIsBetter).to.equal(true);
    expect(metricByKey('bwt').higherIsBetter).to.equal(true);
    expect(metricByKey('forgetting_max').higherIsBetter).to.equal(false);
    expect(metricByKey('intransigence').higherIsBetter).to.equal(false);
    expect(metricByKey('epochs_to_criterion').higherIsBetter).to.equal(false);
  });
});
