/**
 * Aggregation of one metric over repeated runs (seeds): mean, sample standard deviation and a 95%
 * Student-t confidence interval for the mean.
 */
import { MetricInputError, mean } from './matrix.js';

/** Summary of one metric over runs. Statistics that need more runs than given are `null`. */
export interface Aggregate {
  /** Mean of the non-null values; `null` when there are none. */
  mean: number | null;
  /**
   * Sample standard deviation (divisor n−1); `null` for fewer than 2 values: one run says nothing about the
   * spread (it is not a spread of 0).
   */
  std: number | null;
  /** Number of non-null values. */
  n: number;
  /**
   * Half-width of the 95% confidence interval of the mean, t_{0.975, n−1} · std / √n
   * (mean ± ci95). `null` for n < 2: one run says nothing about the spread.
   */
  ci95: number | null;
}

/** t_{0.975, df} for df = 1..30 (two-sided 95%), to 6 decimals (scipy.stats.t.ppf(0.975, df)). */
const T975: readonly number[] = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/** Standard normal 0.975 quantile. */
const Z975 = 1.959963984540054;

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: exact (table) for df ≤ 30, and for
 * larger df the Cornish–Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5), accurate to ~1e-6
 * there. `df = Infinity` gives the normal quantile.
 */
export function tQuantile975(df: number): number {
  if (df === Infinity) return Z975;
  if (!Number.isInteger(df) || df < 1) {
    throw new MetricInputError(`degrees of freedom must be a positive integer, got ${df}`);
  }
  if (df <= T975.length) return T975[df - 1];
  const z = Z975;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/**
 * Mean, sample std (n−1), count and 95% t-interval half-width of `values`, ignoring `null`
 * (runs where the metric is undefined). Any other non-finite value throws: metrics never produce
 * NaN, so one here is a bug upstream.
 */
export function aggregate(values: readonly (number | null)[]): Aggregate {
  const present: number[] = [];
  values.forEach((value, i) => {
    if (value === null) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new MetricInputError(`aggregate: values[${i}] must be a finite number or null, got ${String(value)}`);
    }
    present.push(value);
  });
  const n = present.length;
  if (n === 0) return { mean: null, std: null, n: 0, ci95: null };
  const m = mean(present);
  if (n === 1) return { mean: m, std: null, n: 1, ci95: null };
  let squares = 0;
  for (const v of present) squares += (v - m) ** 2;
  const std = Math.sqrt(squares / (n - 1));
  return { mean: m, std, n, ci95: (tQuantile975(n - 1) * std) / Math.sqrt(n) };
}
