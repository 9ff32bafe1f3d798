/**
 * How close a leaderboard row's average accuracy is to the published value the suite gives for it: the
 * difference (ours − published) and whether it lies within two combined standard deviations,
 * 2·√(s_ours² + s_published²), the test of the reproduction tables in docs/reproducing.md.
 *
 * Undecided (`within` null) when a side has no spread — ours from fewer than two seeds, or a published
 * value given without a std: taking the missing spread as 0 would call every small gap a miss, and one
 * seed that happens to land near the paper a match.
 */
import type { LeaderboardRow } from './leaderboard.js';

export interface PublishedComparison {
  /** ours − published (fractions) */
  difference: number;
  /** 2·√(s_ours² + s_published²), or null when a side has no std */
  twoSd: number | null;
  /** |difference| ≤ twoSd, or null when undecided */
  within: boolean | null;
}

export function comparePublished(row: Pick<LeaderboardRow, 'metrics' | 'published'>): PublishedComparison | null {
  const ours = row.metrics.average_accuracy;
  if (!row.published || ours?.mean == null) return null;
  const difference = ours.mean - row.published.mean;
  const spreads = [ours.std, row.published.std];
  if (spreads.some((s) => s == null)) return { difference, twoSd: null, within: null };
  const twoSd = 2 * Math.hypot(ours.std!, row.published.std!);
  return { difference, twoSd, within: Math.abs(difference) <= twoSd };
}

/** The comparison in words, in percentage points: `within 2σ (+0.52 of 1.20)`, `outside 2σ (−4.10 of 1.20)`, `+0.52 (no std: undecided)`. */
export function describeComparison(c: PublishedComparison): string {
  const points = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(2)}`;
  if (c.within === null) return `${points(c.difference)} (no std: undecided)`;
  return `${c.within ? 'within' : 'outside'} 2σ (${points(c.difference)} of ${(100 * c.twoSd!).toFixed(2)})`;
}
