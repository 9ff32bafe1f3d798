import { expect } from 'chai';
import {
  forgettingFromFirst,
  forgettingFromFirstPerTask,
  forgettingMax,
  forgettingMaxPerTask,
  intransigence,
  intransigencePerTask,
} from '../../metrics/index.js';
import { JOINT3, M1, M2_IMPROVING, M3, M4, expectClose } from './fixtures.js';

function expectAllClose(actual: number[], expected: number[]): void {
  expect(actual).to.have.length(expected.length);
  actual.forEach((value, i) => expect(value, `entry ${i}`).to.be.closeTo(expected[i], 1e-12));
}

describe('metrics: forgettingMax (RWalk)', () => {
  it('M3 → ((0.90 − 0.60) + (0.80 − 0.50)) / 2 = 0.30', () => {
    expectAllClose(forgettingMaxPerTask(M3), [0.3, 0.3]);
    expectClose(forgettingMax(M3), 0.3);
  });

  it('M4: the max runs over rows j..T−2 only', () => {
    // task 0: max(0.50, 0.90, 0.40) − 0.30 = 0.60      (first instead of max: 0.20)
    // task 1: max(0.60, 0.70) − 0.80 = −0.10          (from row 0: 0.95 − 0.80 = 0.15; incl. last row: 0)
    // task 2: max(0.70) − 0.65 = 0.05                  (from row 0: 0.99 − 0.65 = 0.34)
    expectAllClose(forgettingMaxPerTask(M4), [0.6, -0.1, 0.05]);
    // mean = 0.55 / 3 = 0.183333 (rows 0..T−2: 1.09/3; rows j..T−1: 0.65/3)
    expectClose(forgettingMax(M4), 0.55 / 3);
  });

  it('is negative when the only old task ends at its best', () => {
    // [[0.5, ·], [0.7, 0.9]]: 0.5 − 0.7 = −0.2 (mammoth-style max incl. last row would clamp to 0)
    expectClose(forgettingMax(M2_IMPROVING), -0.2);
  });

  it('is null for T = 1 (no per-task values)', () => {
    expect(forgettingMaxPerTask(M1)).to.deep.equal([]);
    expect(forgettingMax(M1)).to.equal(null);
  });
});

describe('metrics: forgettingFromFirst (Avalanche StreamForgetting)', () => {
  it('M3 → ((0.90 − 0.60) + (0.80 − 0.50)) / 2 = 0.30', () => {
    expectAllClose(forgettingFromFirstPerTask(M3), [0.3, 0.3]);
    expectClose(forgettingFromFirst(M3), 0.3);
  });

  it('M4 → ((0.50 − 0.30) + (0.60 − 0.80) + (0.70 − 0.65)) / 3 = 0.016667 (differs from forgettingMax)', () => {
    expectAllClose(forgettingFromFirstPerTask(M4), [0.2, -0.2, 0.05]);
    expectClose(forgettingFromFirst(M4), 0.05 / 3);
  });

  it('is negative under positive backward transfer: 0.5 − 0.7 = −0.2', () => {
    expectClose(forgettingFromFirst(M2_IMPROVING), -0.2);
  });

  it('is null for T = 1', () => {
    expect(forgettingFromFirst(M1)).to.equal(null);
  });
});

describe('metrics: intransigence (RWalk, joint reference)', () => {
  it('per task: joint diagonal minus own diagonal → [0.02, 0.05, 0.02]', () => {
    // 0.92 − 0.90, 0.85 − 0.80, 0.97 − 0.95
    expectAllClose(intransigencePerTask(M3, JOINT3), [0.02, 0.05, 0.02]);
  });

  it('averages over tasks 2..T: (0.05 + 0.02) / 2 = 0.035', () => {
    // All three tasks would give 0.03; the joint run's last row instead of its diagonal, 0.025.
    expectClose(intransigence(M3, JOINT3), 0.035);
  });

  it('can be negative (the sequential learner beats the reference)', () => {
    // 0.70 − 0.90 = −0.20 on task 2
    expectClose(intransigence(M2_IMPROVING, [[0.6, 0.1], [0.5, 0.7]]), -0.2);
  });

  it('is null for T = 1 but the per-task value exists', () => {
    expectAllClose(intransigencePerTask(M1, [[0.8]]), [0.1]);
    expect(intransigence(M1, [[0.8]])).to.equal(null);
  });
});
