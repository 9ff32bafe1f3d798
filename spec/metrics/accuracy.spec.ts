import { expect } from 'chai';
import {
  MetricInputError,
  accuracyLowerTriangle,
  averageAccuracy,
  averageAccuracyCurve,
  bwtGem,
  learningAccuracy,
} from '../../metrics/index.js';
import { M1, M3, M4, expectClose, pseudoRandomMatrix } from './fixtures.js';

describe('metrics: averageAccuracy (GEM ACC / RWalk A_k)', () => {
  it('defaults to the last row: M3 → (0.60 + 0.50 + 0.95) / 3 = 0.683333…', () => {
    expectClose(averageAccuracy(M3), 2.05 / 3);
  });

  it('after a given phase reads only the tasks seen so far', () => {
    // A_1 = M3[0][0] = 0.90 (all columns would give (0.9+0.2+0.15)/3 = 0.4167)
    expectClose(averageAccuracy(M3, 0), 0.9);
    // A_2 = (0.70 + 0.80) / 2 = 0.75 (all columns would give 0.6)
    expectClose(averageAccuracy(M3, 1), 0.75);
    expectClose(averageAccuracy(M3, 2), 2.05 / 3);
  });

  it('M4 → (0.30 + 0.80 + 0.65 + 0.85) / 4 = 0.65', () => {
    expectClose(averageAccuracy(M4), 0.65);
  });

  it('T = 1 is the single entry', () => {
    expectClose(averageAccuracy(M1), 0.7);
  });

  it('rejects a phase outside the matrix or not an integer', () => {
    expect(() => averageAccuracy(M3, 3)).to.throw(MetricInputError, /0\.\.2/);
    expect(() => averageAccuracy(M3, -1)).to.throw(MetricInputError);
    expect(() => averageAccuracy(M3, 1.5)).to.throw(MetricInputError);
  });
});

describe('metrics: averageAccuracyCurve', () => {
  it('M3 → [0.90, 0.75, 0.683333…]', () => {
    const curve = averageAccuracyCurve(M3);
    expect(curve).to.have.length(3);
    expectClose(curve[0], 0.9);
    expectClose(curve[1], 0.75);
    expectClose(curve[2], 2.05 / 3);
  });

  it('T = 1 → [0.7]', () => {
    expect(averageAccuracyCurve(M1)).to.deep.equal([0.7]);
  });
});

describe('metrics: learningAccuracy (Riemer et al. 2019)', () => {
  it('M3 → mean of the diagonal (0.90 + 0.80 + 0.95) / 3 = 0.883333…', () => {
    expectClose(learningAccuracy(M3), 2.65 / 3);
  });

  it('M4 → (0.50 + 0.60 + 0.70 + 0.85) / 4 = 0.6625', () => {
    expectClose(learningAccuracy(M4), 0.6625);
  });

  it('T = 1 → 0.7', () => {
    expectClose(learningAccuracy(M1), 0.7);
  });

  it('satisfies ACC = LA + BWT·(T−1)/T', () => {
    // M3: 0.883333 + (−0.3)·2/3 = 0.683333 = ACC; M4: 0.6625 + (−0.05/3)·3/4 = 0.65 = ACC
    for (const m of [M3, M4, ...[2, 5, 8].map((T) => pseudoRandomMatrix(T, T * 7 + 1))]) {
      const T = m.length;
      expectClose(averageAccuracy(m), learningAccuracy(m) + (bwtGem(m) as number) * ((T - 1) / T));
    }
  });
});

describe('metrics: accuracyLowerTriangle (Díaz-Rodríguez et al. 2018 A)', () => {
  it('M3 → (0.90 + 0.70 + 0.80 + 0.60 + 0.50 + 0.95) / 6 = 0.741666…', () => {
    // Upper-triangle entries (0.20, 0.15, 0.30) must not count; the diagonal must.
    expectClose(accuracyLowerTriangle(M3), 4.45 / 6);
  });

  it('T = 1 → 0.7', () => {
    expectClose(accuracyLowerTriangle(M1), 0.7);
  });
});
