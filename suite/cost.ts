/**
 * A rough relative cost of each run, so the worker pool can start the longest runs first. With runs of
 * unequal length (joint training costs ~(T + 1)/2 times fine-tuning, a 2 × 1000 MLP ~4 times a 2 × 400
 * one), suite order can leave the longest run for last while the other workers sit idle; longest-first
 * order bounds that idle tail by the shortest runs instead.
 *
 * cost = training examples of the run (schedule counts × epochs; cumulative for `joint`)
 *      × multiply-adds of one forward pass through the MLP.
 * Only the order matters, so learner overheads (a teacher's forward, a Fisher pass) are left out.
 */
import { phaseTotals, rehearsalSchedule } from '../scenarios/schedules.js';
import { cachedScenarios } from './jobInputs.js';
import type { Job } from './suite.js';

export function estimateJobCosts(jobs: Job[]): Map<Job, number> {
  const costs = new Map<Job, number>();
  const scenarioOf = cachedScenarios();
  for (const job of jobs) {
    const scenario = scenarioOf(job);
    const sizes = scenario.tasks.map((t) => t.trainIndices.length);
    const perPhase =
      job.learner.name === 'joint'
        ? sizes.map((_, p) => sizes.slice(0, p + 1).reduce((a, b) => a + b, 0))
        : phaseTotals(rehearsalSchedule(job.schedule, scenario).counts);
    const examples = perPhase.reduce((a, b) => a + b, 0) * job.training.epochs;
    const widths = [scenario.inputSize, ...job.model.hidden, scenario.outputs];
    let multiplyAdds = 0;
    for (let i = 1; i < widths.length; i++) multiplyAdds += widths[i - 1] * widths[i];
    costs.set(job, examples * multiplyAdds);
  }
  return costs;
}

/** The jobs, longest estimated first; equal costs keep suite order. */
export function longestFirst(jobs: Job[]): Job[] {
  const costs = estimateJobCosts(jobs);
  return jobs
    .map((job, i) => ({ job, i }))
    .sort((a, b) => costs.get(b.job)! - costs.get(a.job)! || a.i - b.i)
    .map(({ job }) => job);
}
