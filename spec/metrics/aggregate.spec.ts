import { expect } from 'chai';
import { MetricInputError, aggregate, tQuantile975 } from '../../metrics/index.js';
import { expectClose } from './fixtures.js';

describe('metrics: tQuantile975', () => {
  it('matches Student t 0.975 quantiles (scipy.stats.t.ppf) for small df from the table', () => {
    expectClose(tQuantile975(1), 12.706205, 1e-6);
    expectClose(tQuantile975(2), 4.302653, 1e-6);
    expectClose(tQuantile975(4), 2.776445, 1e-6);
    expectClose(tQuantile975(9), 2.262157, 1e-6);
    expectClose(tQuantile975(30), 2.042272, 1e-6);
  });

  it('matches them for large df through the expansion', () => {
    expectClose(tQuantile975(31), 2.039513, 1e-5);
    expectClose(tQuantile975(40), 2.021075, 1e-5);
    expectClose(tQuantile975(100), 1.983972, 1e-5);
    expectClose(tQuantile975(1000), 1.962339, 1e-5);
    expectClose(tQuantile975(Infinity), 1.959964, 1e-6);
  });

  it('decreases with df', () => {
    for (let df = 1; df < 60; df++) expect(tQuantile975(df + 1)).to.be.lessThan(tQuantile975(df));
  });

  it('past the table the expansion is as close as its own truncation allows (scipy.stats.t.ppf, float64)', () => {
    // the expansion's error is 2.6e-8 at df = 31 and below 1e-9 from df = 40; scipy's quantiles in full
    const exact: [number, number][] = [[31, 2.0395134463964077], [40, 2.0210753829953374], [60, 2.0002978210582616], [120, 1.9799304050527766], [1000, 1.9623390808264074]];
    for (const [df, q] of exact) expect(tQuantile975(df), `df ${df}`).to.be.closeTo(q, 5e-8);
    // the table ends at df = 30 and is used there (its 6 decimals, not the expansion)
    expect(tQuantile975(30)).to.equal(2.042272);
  });

  it('rejects df < 1 or fractional df', () => {
    expect(() => tQuantile975(0)).to.throw(MetricInputError, /degrees of freedom must be a positive integer, got 0/);
    expect(() => tQuantile975(2.5)).to.throw(MetricInputError);
  });
});

describe('metrics: aggregate', () => {
  it('rejects a value that is neither a finite number nor null, naming it', () => {
    expect(() => aggregate([0.5, NaN])).to.throw(MetricInputError, /values\[1\] must be a finite number or null, got NaN/);
    expect(() => aggregate([Infinity])).to.throw(MetricInputError, /values\[0\]/);
  });

  it('[0.5, 0.7, null, 0.9] → mean 0.7, sample std 0.2, n 3, ci95 = 4.302653 · 0.2 / √3', () => {
    // deviations −0.2, 0, 0.2 → Σ² = 0.08 → /(n−1) = 0.04 → std 0.2 (population std: 0.1633)
    const result = aggregate([0.5, 0.7, null, 0.9]);
    expect(result.n).to.equal(3);
    expectClose(result.mean, 0.7);
    expectClose(result.std, 0.2);
    expectClose(result.ci95, (4.302653 * 0.2) / Math.sqrt(3), 1e-6); // 0.496827
  });

  it('two values use t with 1 degree of freedom: [1, 3] → std √2, ci95 = 12.706205 · √2 / √2', () => {
    const result = aggregate([1, 3]);
    expectClose(result.mean, 2);
    expectClose(result.std, Math.SQRT2);
    expectClose(result.ci95, 12.706205, 1e-6);
  });

  it('one value: no std (null, not 0), no interval', () => {
    expect(aggregate([null, 0.4])).to.deep.equal({ mean: 0.4, std: null, n: 1, ci95: null });
  });

  it('no values: everything null, n 0', () => {
    expect(aggregate([])).to.deep.equal({ mean: null, std: null, n: 0, ci95: null });
    expect(aggregate([null, null])).to.deep.equal({ mean: null, std: null, n: 0, ci95: null });
  });

  it('rejects NaN and infinities', () => {
    expect(() => aggregate([0.5, NaN])).to.throw(MetricInputError, /values\[1\]/);
    expect(() => aggregate([Infinity])).to.throw(MetricInputError);
  });
});
