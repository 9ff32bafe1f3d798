/**
 * `clbench schedule`: the phase × task count matrix n[p][j] of every (scenario, schedule) pair of a
 * suite, with phase totals and the training examples the runs will cost, so a user sees the environment
 * before spending compute; and, where a learner's own work adds to them (a memory joined or differentiated
 * every step, a replay batch, a teacher's forward, an importance pass), its example passes (./cost.ts).
 * Builds the scenarios (the counts depend on the tasks' training-set sizes); trains nothing.
 */
import { phaseTotals, rehearsalSchedule } from '../scenarios/schedules.js';
import { runPasses } from './cost.js';
import { cachedScenarios } from './jobInputs.js';
import type { Job } from './suite.js';
import { alignColumns, groupedCount } from '../core/textTable.js';

export interface SchedulePreview {
  scenario: string;
  schedule: string;
  /** learner labels that run under this schedule on this scenario */
  learners: string[];
  /** seeds whose tasks have these sizes (split tasks with a random class order can differ by seed) */
  seeds: number[];
  taskSizes: number[];
  counts: number[][];
  totals: number[];
  warnings: string[];
  /** training examples the schedule hands one run (Σ_p totals[p] × epochs), by learner label */
  examplesPerRun: Map<string, number>;
  /** example passes one run costs with the learner's own work (./cost.ts `runPasses`), by learner label */
  passesPerRun: Map<string, number>;
}

export function previewSchedules(jobs: Job[]): SchedulePreview[] {
  const previews = new Map<string, SchedulePreview>();
  const scenarioOf = cachedScenarios();
  for (const job of jobs) {
    const scenario = scenarioOf(job);
    const schedule = rehearsalSchedule(job.schedule, scenario, `learner '${job.learner.label}': schedule`);
    const key = JSON.stringify([job.scenario.name, job.schedule, schedule.counts]);
    let preview = previews.get(key);
    if (!preview) {
      preview = {
        scenario: job.scenario.name,
        schedule: schedule.label,
        learners: [],
        seeds: [],
        taskSizes: scenario.tasks.map((t) => t.trainIndices.length),
        counts: schedule.counts,
        totals: phaseTotals(schedule.counts),
        warnings: schedule.warnings,
        examplesPerRun: new Map(),
        passesPerRun: new Map(),
      };
      previews.set(key, preview);
    }
    if (!preview.learners.includes(job.learner.label)) preview.learners.push(job.learner.label);
    if (!preview.seeds.includes(job.seed)) preview.seeds.push(job.seed);
    preview.examplesPerRun.set(job.learner.label, preview.totals.reduce((a, b) => a + b, 0) * job.training.epochs);
    preview.passesPerRun.set(job.learner.label, runPasses(job, scenario));
  }
  return [...previews.values()];
}

/** Training examples of every job of the suite together (the cost the previews add up to). */
export function suiteExamples(previews: SchedulePreview[]): number {
  return suiteSum(previews, (p) => p.examplesPerRun);
}

/** Example passes of every job of the suite together, the learners' own work included. */
export function suitePasses(previews: SchedulePreview[]): number {
  return suiteSum(previews, (p) => p.passesPerRun);
}

function suiteSum(previews: SchedulePreview[], perRun: (p: SchedulePreview) => Map<string, number>): number {
  let total = 0;
  for (const p of previews) for (const n of perRun(p).values()) total += n * p.seeds.length;
  return total;
}

/** The last line of `clbench schedule`: runs, training examples and, where they differ, example passes. */
export function formatSuiteCost(name: string, runs: number, previews: SchedulePreview[]): string {
  const examples = suiteExamples(previews);
  const passes = Math.round(suitePasses(previews));
  const ratio = passes / examples;
  const own = passes === examples ? '' : `; about ${groupedCount(passes)} example passes with the learners' own work (forward and backward, ${ratio.toFixed(ratio < 10 ? 2 : 1)}×)`;
  return `suite '${name}': ${runs} runs, ${groupedCount(examples)} training examples in all${own}`;
}

/** One preview as text: the matrix with 1-based phases and tasks, as in reference/algorithms.md §1.2. */
export function formatSchedulePreview(p: SchedulePreview): string {
  const T = p.counts.length;
  const header = ['', ...Array.from({ length: T }, (_, j) => `task ${j + 1}`), 'total'];
  const rows = p.counts.map((row, i) => [`phase ${i + 1}`, ...row.map((n, j) => (j > i ? '' : String(n))), String(p.totals[i])]);
  const out = [
    `scenario '${p.scenario}', schedule ${p.schedule}${p.seeds.length > 1 ? `, seeds ${p.seeds.join(', ')}` : `, seed ${p.seeds[0]}`}`,
    `  learners: ${p.learners.join(', ')}`,
    `  task training sizes: ${compactSizes(p.taskSizes)}`,
    ...alignColumns([header, ...rows], 1).map((line) => `  ${line}`),
    `  examples a run trains on (all phases × epochs): ${[...p.examplesPerRun].map(([label, n]) => `${groupedCount(n)} (${label})`).join(', ')}`,
    ...ownWork(p),
    ...p.warnings.map((w) => `  warning: ${w}`),
  ];
  return out.join('\n');
}

/**
 * The learners whose own work adds to the schedule's examples (a memory joined or differentiated every step,
 * a replay batch, a teacher's forward, an importance pass), with a run's example passes.
 */
function ownWork(p: SchedulePreview): string[] {
  const more = [...p.passesPerRun].filter(([label, n]) => Math.round(n) !== p.examplesPerRun.get(label));
  if (more.length === 0) return [];
  return [`  example passes a run costs with the learner's own work (about): ${more.map(([label, n]) => `${groupedCount(n)} (${label})`).join(', ')}`];
}

/** '6000 ×10' for equal sizes, else the list. */
function compactSizes(sizes: number[]): string {
  return sizes.every((s) => s === sizes[0]) ? `${sizes[0]} ×${sizes.length}` : sizes.join(', ');
}
