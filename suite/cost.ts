/**
 * What each run costs before it trains, in example passes (one example forward and backward = 1): what
 * `clbench schedule` reports, and what orders the worker pool, longest runs first. With runs of unequal
 * length (joint training costs ~(T + 1)/2 times fine-tuning, GEM ~30 times naive rehearsal once its memory is
 * full, a 2 × 1000 MLP ~4 times a 2 × 400 one), suite order can leave the longest run for last while the
 * other workers sit idle; longest-first order bounds that idle tail by the shortest runs instead.
 *
 * A run's passes: Σ over phases of the learner's `phaseCost` (learners/contract.ts), examples × epochs for a
 * learner that declares none. Its cost: passes × multiply-adds of one forward pass through the MLP.
 */
import { UserError } from '../core/errors.js';
import { plainPhaseCost, type LearnerDefinition, type PhaseCostInput, type TrainingConfig } from '../learners/contract.js';
import { listLearners } from '../learners/registry.js';
import { phaseTotals, rehearsalSchedule } from '../scenarios/schedules.js';
import type { Scenario } from '../scenarios/types.js';
import { cachedScenarios } from './jobInputs.js';
import type { Job } from './suite.js';

/** Example passes of one run: its phases' examples, with the learner's own work where it declares it. */
export function runPasses(job: Job, scenario: Scenario): number {
  return sum(runPhasePasses(job, scenario));
}

/**
 * The examples each phase hands the learner: the schedule's phase totals (a joint learner's runs are under
 * `full`: every seen task). `label` names the schedule in its errors.
 */
export function phaseExamples(job: Job, scenario: Scenario, label?: string): number[] {
  return phaseTotals(rehearsalSchedule(job.schedule, scenario, label).counts);
}

/** The example passes of each phase of a run (`perPhase`: its `phaseExamples`, when already at hand). */
export function runPhasePasses(job: Job, scenario: Scenario, perPhase = phaseExamples(job, scenario)): number[] {
  const sizes = scenario.tasks.map((t) => t.trainIndices.length);
  return phaseCosts(learnerDefinition(job.learner.name), job.learner.options, sizes, perPhase, job.training);
}

/** Multiply-adds of one example's forward pass through the run's MLP (what a pass costs, up to a factor). */
export function forwardMultiplyAdds(job: Job, scenario: Scenario): number {
  const widths = [scenario.inputSize, ...job.model.hidden, scenario.outputs];
  let multiplyAdds = 0;
  for (let i = 1; i < widths.length; i++) multiplyAdds += widths[i - 1] * widths[i];
  return multiplyAdds;
}

/**
 * Each phase's example passes: the learner's `phaseCost` (checked: a finite number ≥ 0) or the plain cost.
 * `sizes`: each task's training examples; `perPhase`: the examples each phase hands the learner.
 */
export function phaseCosts(definition: LearnerDefinition | null, options: Record<string, unknown>, sizes: number[], perPhase: number[], training: TrainingConfig): number[] {
  return perPhase.map((examples, index) => {
    const phase: PhaseCostInput = { index, examples, taskExamples: sizes[index], earlierExamples: sum(sizes.slice(0, index)), training };
    let cost: unknown;
    try {
      cost = definition?.phaseCost ? definition.phaseCost(options, phase) : plainPhaseCost(phase);
    } catch (error) {
      throw new UserError(`phaseCost threw for phase ${index + 1}: ${(error as Error)?.message ?? String(error)}`, `learner '${definition?.name}'`, 'fix phaseCost or leave it out (clbench check-plugin calls it)');
    }
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)
      throw new UserError(
        `phaseCost returned ${typeof cost === 'number' ? cost : JSON.stringify(cost) ?? String(cost)} for phase ${index + 1}`,
        `learner '${definition?.name}'`,
        'return the example passes of the phase, a finite number ≥ 0 (or leave phaseCost out)',
      );
    return cost;
  });
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function estimateJobCosts(jobs: Job[]): Map<Job, number> {
  const costs = new Map<Job, number>();
  const scenarioOf = cachedScenarios();
  for (const job of jobs) {
    const scenario = scenarioOf(job);
    costs.set(job, runPasses(job, scenario) * forwardMultiplyAdds(job, scenario));
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

/** The learner's definition; null for one not registered in this thread (its cost is then the plain one). */
function learnerDefinition(name: string): LearnerDefinition | null {
  return listLearners().find((d) => d.name === name) ?? null;
}
