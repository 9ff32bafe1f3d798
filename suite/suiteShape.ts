/** How a suite's runs come about, in words: `6 runs (2 scenarios × 3 learners × 1 seed)`. */
import type { Job } from './suite.js';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The runs of `jobs` as scenarios × learners × seeds, with the real counts: learner entries limited to
 * some scenarios make the learners per scenario differ, and then each scenario's count is given.
 */
export function suiteShape(jobs: readonly Job[]): string {
  const scenarios = [...new Set(jobs.map((j) => j.scenario.name))];
  const learners = scenarios.map((s) => new Set(jobs.filter((j) => j.scenario.name === s).map((j) => j.learner.label)).size);
  const seeds = new Set(jobs.map((j) => j.seed)).size;
  const even = learners.every((n) => n === learners[0]);
  const middle = even ? count(learners[0] ?? 0, 'learner') : `${learners.slice(0, -1).join(', ')} and ${learners[learners.length - 1]} learners`;
  return `${count(jobs.length, 'run')} (${count(scenarios.length, 'scenario')} × ${middle} × ${count(seeds, 'seed')})`;
}
