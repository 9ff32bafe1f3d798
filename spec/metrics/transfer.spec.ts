import { expect } from 'chai';
import { bwtAllPairs, bwtGem, forgettingFromFirst, fwtGem, remembering } from '../../metrics/index.js';
import { INITIAL3, M1, M2_IMPROVING, M3, M4, expectClose, pseudoRandomMatrix } from './fixtures.js';

describe('metrics: bwtGem (GEM BWT)', () => {
  it('M3 → ((0.60 − 0.90) + (0.50 − 0.80)) / 2 = −0.30', () => {
    expectClose(bwtGem(M3), -0.3);
  });

  it('M4 → ((0.30 − 0.50) + (0.80 − 0.60) + (0.65 − 0.70)) / 3 = −0.016667', () => {
    // Including the last task (0.85 − 0.85 = 0) or dividing by T would give −0.0125.
    expectClose(bwtGem(M4), -0.05 / 3);
  });

  it('is positive when an old task improves: [[0.5, ·], [0.7, 0.9]] → 0.2', () => {
    expectClose(bwtGem(M2_IMPROVING), 0.2);
  });

  it('is null for T = 1', () => {
    expect(bwtGem(M1)).to.equal(null);
  });

  it('is exactly −forgettingFromFirst', () => {
    for (const m of [M3, M4, pseudoRandomMatrix(6, 3)]) {
      expectClose(bwtGem(m), -(forgettingFromFirst(m) as number));
    }
  });
});

describe('metrics: fwtGem (GEM FWT)', () => {
  it('M3 → ((0.20 − 0.12) + (0.30 − 0.08)) / 2 = 0.15', () => {
    // Uses the super-diagonal M[j−1][j] and b_j of the same task j:
    // without b: 0.25; row 0 for every task: 0.075; b_{j−1}: 0.14.
    expectClose(fwtGem(M3, INITIAL3), 0.15);
  });

  it('M4 with b = 0.1 → (0.85 + 0.89 + 0.20) / 3 = 0.646667', () => {
    expectClose(fwtGem(M4, [0.1, 0.1, 0.1, 0.1]), 1.94 / 3);
  });

  it('is negative when previous training hurts a future task below chance', () => {
    // (0.05 − 0.10) / 1 = −0.05
    expectClose(fwtGem([[0.9, 0.05], [0.4, 0.8]], [0.5, 0.1]), -0.05);
  });

  it('is null for T = 1', () => {
    expect(fwtGem(M1, [0.1])).to.equal(null);
  });
});

describe('metrics: bwtAllPairs and remembering (Díaz-Rodríguez et al. 2018)', () => {
  it('M3 → ((0.70 − 0.90) + (0.60 − 0.90) + (0.50 − 0.80)) / 3 = −0.266667', () => {
    // GEM BWT (last row only) would be −0.30.
    expectClose(bwtAllPairs(M3), -0.8 / 3);
  });

  it('M3 remembering → 1 − 0.266667 = 0.733333', () => {
    expectClose(remembering(M3), 1 - 0.8 / 3);
  });

  it('remembering is 1 when backward transfer is positive', () => {
    // bwtAllPairs = 0.7 − 0.5 = 0.2 > 0 → REM = 1 (not 1 − 0.2)
    expectClose(bwtAllPairs(M2_IMPROVING), 0.2);
    expectClose(remembering(M2_IMPROVING), 1);
  });

  it('are null for T = 1', () => {
    expect(bwtAllPairs(M1)).to.equal(null);
    expect(remembering(M1)).to.equal(null);
  });
});
