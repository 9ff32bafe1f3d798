/**
 * Controls that separate a power law's shape from its rate and its amount (issue 20): an exponential
 * schedule whose rate β is fitted to a power law, and budgets that give each phase, in all, the rehearsal of
 * the unrestricted power law. Pure functions of the power law (α, τ) and the stream's task sizes.
 *
 * Reference: reference/algorithms.md §1.2 (the unrestricted curve N·(1 + k/τ)^(−α), α 5.6, τ 10) and §1.5.
 */
import { UserError } from '../core/errors.js';

/** The power law's weight of a task at age k, relative to a new task: (1 + k/τ)^(−α). */
export function powerlawWeight(k: number, alpha: number, tau: number): number {
  return (1 + k / tau) ** -alpha;
}

/**
 * The exponential rate β whose weights e^(−k/β) have the power law's oldest : newest ratio over the ages a
 * stream of `tasks` tasks rehearses at its last phase, k = 1 (the newest past task) to K = tasks − 1 (the
 * oldest): e^(−(K − 1)/β) = ((1 + K/τ)/(1 + 1/τ))^(−α), so β = (K − 1) / (α · ln((τ + K)/(τ + 1))).
 * α 5.6, τ 10, 10 tasks: β = 8 / (5.6 · ln(19/11)) ≈ 2.614.
 */
export function matchedBeta(alpha: number, tau: number, tasks: number, where = 'schedule.beta'): number {
  const K = tasks - 1;
  if (K < 2)
    throw new UserError(
      `"beta": "match-powerlaw" matches the oldest : newest ratio of the rehearsed tasks, and a stream of ${tasks} task(s) rehearses at most one`,
      where,
      'give beta a number, or use a stream of at least 3 tasks',
    );
  return (K - 1) / (alpha * Math.log((tau + K) / (tau + 1)));
}

/**
 * What the unrestricted power law rehearses in each phase p (0-based), in all: R_p = Σ_{j<p} min(round(u_p ·
 * (1 + (p − j)/τ)^(−α)), size_j), with u_p = nNew or task p's size — its counts n[p][j] (capped as
 * ./scheduleCounts.ts caps them) summed over the past tasks. R_0 = 0.
 */
export function unrestrictedRehearsal(alpha: number, tau: number, taskSizes: readonly number[], nNew?: number): number[] {
  return taskSizes.map((size, p) => {
    const unit = nNew ?? size;
    let total = 0;
    for (let j = 0; j < p; j++) total += Math.min(Math.round(unit * powerlawWeight(p - j, alpha, tau)), taskSizes[j]);
    return total;
  });
}
