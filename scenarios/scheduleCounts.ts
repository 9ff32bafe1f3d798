/**
 * The count matrix of a rehearsal schedule: n[p][j] = examples of task j in phase p (0-based; zero for
 * j > p). It depends only on the schedule and the tasks' training-set sizes, so it can be shown before
 * anything trains (`clbench schedule`) and recorded with every run.
 *
 * Reference: reference/algorithms.md §1.2 (the precursor code's environments and tables) and §1.5
 * (`phaseCounts`, the generalised rule implemented here). Age k = p − j.
 */
import { UserError } from '../core/errors.js';
import { matchedBeta, powerlawWeight, unrestrictedRehearsal } from './scheduleMatch.js';
import { MATCH_POWERLAW, PRECURSOR_N, type ResolvedSchedule } from './scheduleSpec.js';

/**
 * The precursor code's hard-coded unrestricted power-law counts f(20 + 2k) for ages k = 0..10, where
 * f(x) ≈ 1.116e12 · x^(−5.6): the table in archana53/power-law-for-CI's environments.py keeps every other
 * value of f(20..40).
 */
export const PRECURSOR_TABLE: readonly number[] = [57927, 33969, 20867, 13329, 8802, 5981, 4167, 2968, 2155, 1592, 1195];

export interface ScheduleCounts {
  /** counts[p][j], a T × T matrix, zero above the diagonal */
  counts: number[][];
  /** things the user should know before spending compute (counts below minPerTask, nNew capped) */
  warnings: string[];
}

/**
 * Relative weight of past task j (0-based) at phase p, age k = p − j ≥ 1; 1 is a full new task's worth.
 * Unrestricted schedules multiply it by nNew; budgeted ones only use the ratios.
 */
export function rehearsalWeight(s: ResolvedSchedule, p: number, j: number, where = 'schedule'): number {
  const k = p - j;
  switch (s.kind) {
    case 'uniform':
      return 1;
    case 'exponential':
      // The precursor writes e^(−k/β)/β; the 1/β cancels in a budget split, and without it an
      // unrestricted exponential schedule starts at one new task's worth at age 0, like the power law.
      if (typeof s.beta !== 'number') throw new Error(`beta '${String(s.beta)}' must be fitted (numericBeta) before weights are computed`);
      return Math.exp(-k / s.beta);
    case 'powerlaw':
      return powerlawWeight(k, s.alpha!, s.tau!);
    case 'powerlaw-compat':
      // The precursor's budgeted "powerlaw": a Beta(α,1) density at x_j = 0.10 + 0.01·(j−1) (1-based j),
      // i.e. it depends on the task's index, not its age (environments.py's budgeted rule; issue 20's audit).
      return s.alpha! * (0.1 + 0.01 * j) ** (s.alpha! - 1);
    case 'powerlaw-table': {
      if (k >= PRECURSOR_TABLE.length)
        throw new UserError(
          `the precursor table covers ages 0..${PRECURSOR_TABLE.length - 1} (streams of at most ${PRECURSOR_TABLE.length} tasks); phase ${p + 1} rehearses task ${j + 1} at age ${k}`,
          `${where}.kind`,
          'use kind "powerlaw" (its formula, alpha 5.6, tau 10) for longer streams',
        );
      return PRECURSOR_TABLE[k] / PRECURSOR_N;
    }
    case 'none':
    case 'full':
      return 0;
  }
}

/** n[p][j] for every phase and task of a stream whose tasks have `taskSizes` training examples. */
export function scheduleCounts(spec: ResolvedSchedule, taskSizes: readonly number[], where = 'schedule'): ScheduleCounts {
  const T = taskSizes.length;
  const s = numericBeta(spec, T, where);
  const matchedBudgets = s.budget === undefined ? null : unrestrictedRehearsal(s.alpha!, s.tau!, taskSizes, s.nNew);
  const counts = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  const belowMin: { p: number; j: number; n: number }[] = [];
  const cappedNew: number[] = [];
  for (let p = 0; p < T; p++) {
    // The unit of every relative count and budget: the requested new-task count, before any cap.
    const unit = s.nNew ?? taskSizes[p];
    if (unit > taskSizes[p]) cappedNew.push(p);
    counts[p][p] = Math.min(unit, taskSizes[p]);
    for (let j = 0; j < p; j++) {
      let n = pastTaskCount(s, p, j, unit, taskSizes, matchedBudgets, where);
      if (s.kind !== 'full' && s.kind !== 'none' && s.minPerTask > 0 && n < s.minPerTask) {
        if (s.minPerTaskMode === 'clamp') n = s.minPerTask;
        else belowMin.push({ p, j, n });
      }
      counts[p][j] = Math.min(n, taskSizes[j]);
    }
  }
  const warnings: string[] = [];
  if (spec.beta === MATCH_POWERLAW)
    warnings.push(`beta ${Number((s.beta as number).toFixed(4))}: fitted to the power law (alpha ${s.alpha}, tau ${s.tau}) over ${T} tasks (the same oldest : newest ratio)`);
  if (cappedNew.length) {
    const sizes = cappedNew.map((p) => taskSizes[p]);
    warnings.push(
      `nNew ${s.nNew} is more than the training set of ${cappedNew.length} task(s) (smallest ${Math.min(...sizes)}): their new-task count is capped at their size, and relative counts stay relative to ${s.nNew}`,
    );
  }
  if (belowMin.length) {
    const least = belowMin.reduce((a, b) => (b.n < a.n ? b : a));
    warnings.push(
      `${belowMin.length} rehearsal count(s) are below minPerTask ${s.minPerTask} (least: ${least.n} of task ${least.j + 1} in phase ${least.p + 1}); "minPerTaskMode": "clamp" raises them`,
    );
  }
  return { counts, warnings };
}

/** Count of past task j at phase p (before the minPerTask floor and the task-size cap). */
function pastTaskCount(
  s: ResolvedSchedule,
  p: number,
  j: number,
  unit: number,
  taskSizes: readonly number[],
  matchedBudgets: number[] | null,
  where: string,
): number {
  if (s.kind === 'none') return 0;
  if (s.kind === 'full') return taskSizes[j];
  const r = s.budgetFraction;
  if (r === undefined && matchedBudgets === null) return Math.round(unit * rehearsalWeight(s, p, j, where));
  // Budgeted: R = floor(r · nNew) (or the unrestricted power law's phase total) split over the p past tasks
  // by their weights (the generalised schedule of docs/schedules.md).
  const budget = matchedBudgets === null ? Math.floor(r! * unit) : matchedBudgets[p];
  if (s.kind === 'uniform') return Math.floor(budget / p);
  let total = 0;
  for (let i = 0; i < p; i++) total += rehearsalWeight(s, p, i);
  const w = rehearsalWeight(s, p, j);
  // The compat rule keeps the precursor's two truncations, floor(floor(R/Σw)·w); the others split
  // exactly, floor(R·w/Σw). spec/scenarios pins both against the precursor's phase-10 counts.
  return s.kind === 'powerlaw-compat' ? Math.floor(Math.floor(budget / total) * w) : Math.floor((budget * w) / total);
}

/** `s` with a fitted β in place of 'match-powerlaw' (./scheduleMatch.ts); other schedules as they are. */
export function numericBeta(s: ResolvedSchedule, tasks: number, where = 'schedule'): ResolvedSchedule {
  return s.beta === MATCH_POWERLAW ? { ...s, beta: matchedBeta(s.alpha!, s.tau!, tasks, `${where}.beta`) } : s;
}

/** Examples in each phase: Σ_j n[p][j]. */
export function phaseTotals(counts: number[][]): number[] {
  return counts.map((row) => row.reduce((a, b) => a + b, 0));
}
