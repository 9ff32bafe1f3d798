import { expect } from 'chai';
import {
  MetricInputError,
  averageAccuracy,
  bwtGem,
  fwtGem,
  forgettingMax,
  intransigence,
  learningAccuracy,
  prefixRecord,
  taskCount,
} from '../../metrics/index.js';
import { M3 } from './fixtures.js';

describe('metrics: shape validation', () => {
  it('returns T for a square matrix', () => {
    expect(taskCount(M3)).to.equal(3);
    expect(taskCount([[0.5]])).to.equal(1);
  });

  it('rejects an empty matrix', () => {
    expect(() => taskCount([])).to.throw(MetricInputError, /non-empty/);
    expect(() => averageAccuracy([[]])).to.throw(MetricInputError, /non-empty/);
  });

  it('rejects a ragged matrix, naming the row', () => {
    const ragged = [
      [0.9, 0.2, 0.1],
      [0.7, 0.8],
      [0.6, 0.5, 0.9],
    ];
    expect(() => bwtGem(ragged)).to.throw(MetricInputError, /ragged.*row 1 has 2/);
  });

  it('rejects a non-square matrix (a partial run), naming both sizes', () => {
    const partial = [
      [0.9, 0.2, 0.1],
      [0.7, 0.8, 0.3],
    ];
    expect(() => forgettingMax(partial)).to.throw(MetricInputError, /square.*2 rows of 3 entries/);
    expect(() => learningAccuracy([[0.1, 0.2]])).to.throw(MetricInputError, /square/);
  });

  it('rejects non-finite entries and percentages, naming the cell', () => {
    expect(() => averageAccuracy([[0.5, 0.1], [NaN, 0.9]])).to.throw(MetricInputError, /matrix\[1\]\[0\].*finite/);
    expect(() => averageAccuracy([[85, 10], [70, 90]])).to.throw(MetricInputError, /matrix\[0\]\[0\] = 85.*\[0, 1\]/);
    expect(() => averageAccuracy([[0.5, -0.1], [0.7, 0.9]])).to.throw(MetricInputError, /outside \[0, 1\]/);
  });

  it('says what is wrong with a matrix that is not an array of arrays (MetricInputError, named)', () => {
    expect(new MetricInputError('x').name).to.equal('MetricInputError');
    expect(() => taskCount('ab' as never)).to.throw(MetricInputError, /^matrix must be a non-empty array of rows$/);
    expect(() => taskCount([] as never)).to.throw(MetricInputError, /^matrix must be a non-empty array of rows$/);
    expect(() => prefixRecord({ matrix: [], initial: [] }, 1)).to.throw(MetricInputError, /^matrix must be a non-empty array of rows$/);
    expect(() => taskCount([[0.5, 0.5], 'ab'] as never)).to.throw(MetricInputError, /^matrix\[1\] must be an array, got string$/);
    expect(() => taskCount([[0.5, Infinity], [0.5, 0.5]])).to.throw(MetricInputError, /matrix\[0\]\[1\] must be a finite number, got Infinity/);
  });

  it('checks every entry of the initial vector', () => {
    expect(() => fwtGem(M3, [0.1, 1.5, 0.1])).to.throw(MetricInputError, /^initial\[1\] = 1\.5 is outside/);
  });

  it('rejects an initial vector of the wrong length', () => {
    expect(() => fwtGem(M3, [0.1, 0.1])).to.throw(MetricInputError, /initial.*\(3\).*2 entries/);
  });

  it('rejects a joint matrix of another size', () => {
    expect(() => intransigence(M3, [[0.9, 0.1], [0.8, 0.9]])).to.throw(MetricInputError, /jointMatrix has 2 tasks.*3/);
    expect(() => intransigence(M3, [])).to.throw(MetricInputError, /^jointMatrix must be a non-empty array of rows$/);
  });
});

describe('metrics: prefixRecord', () => {
  it('takes the leading block of a partial run (2 phases of 3 tasks)', () => {
    const partial = {
      matrix: [
        [0.9, 0.2, 0.15],
        [0.7, 0.8, 0.3],
      ],
      initial: [0.1, 0.12, 0.08],
      newTaskCurves: [[0.5, 0.9], [0.6, 0.8]],
    };
    const prefix = prefixRecord(partial, 2);
    expect(prefix.matrix).to.deep.equal([
      [0.9, 0.2],
      [0.7, 0.8],
    ]);
    expect(prefix.initial).to.deep.equal([0.1, 0.12]);
    expect(prefix.newTaskCurves).to.deep.equal([[0.5, 0.9], [0.6, 0.8]]);
    expect(prefixRecord(partial, 1).newTaskCurves).to.deep.equal([[0.5, 0.9]]);
    // BWT after phase 2 = 0.7 − 0.9 = −0.2
    expect(bwtGem(prefix.matrix)).to.be.closeTo(-0.2, 1e-12);
  });

  it('agrees with averageAccuracy(matrix, afterPhase) on every prefix', () => {
    const record = { matrix: M3, initial: [0.1, 0.12, 0.08] };
    for (let p = 1; p <= 3; p++) {
      expect(averageAccuracy(prefixRecord(record, p).matrix)).to.equal(averageAccuracy(M3, p - 1));
    }
  });

  it('leaves newTaskCurves absent when the record has none', () => {
    expect(prefixRecord({ matrix: M3, initial: [0.1, 0.1, 0.1] }, 1)).to.not.have.property('newTaskCurves');
  });

  it('rejects a prefix longer than the rows recorded, and more rows than tasks', () => {
    expect(() => prefixRecord({ matrix: M3, initial: [] }, 4)).to.throw(MetricInputError, /1\.\.3/);
    expect(() => prefixRecord({ matrix: M3, initial: [] }, 0)).to.throw(MetricInputError);
    expect(() => prefixRecord({ matrix: [[0.1], [0.2]], initial: [] }, 1)).to.throw(MetricInputError, /2 rows.*1 columns/);
  });
});
