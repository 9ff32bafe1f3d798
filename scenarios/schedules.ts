/**
 * Rehearsal schedules: a schedule turns a task stream into phases. Phase p trains on n[p][j] examples of
 * every task j ≤ p — the new task p plus rehearsal of the past ones — and the learner receives them as
 * one example set with task ids; it decides nothing about the schedule (its batch loop shuffles the set).
 *
 *   sampling 'phase'       a fresh seeded draw every phase, without replacement within the phase
 *                          (reference/algorithms.md §1.2: D_p = ⋃_j Sample(D_j, n[p][j]));
 *   sampling 'stochastic'  the streaming form of §1.5: every example independently picks task j with
 *                          probability n[p][j] / Σ_i n[p][i], then an example of that task uniformly
 *                          (with replacement). The stream is materialised as a set of Σ_i n[p][i]
 *                          draws, so learners stay unaware of schedules; with one epoch a phase it is
 *                          exactly the online stream, with more the same draws are re-presented.
 *
 * Kinds, parameters and the count rules are in ./scheduleSpec.ts and ./scheduleCounts.ts.
 */
import { Rng } from '../core/random.js';
import { concatExamples, taskExamples } from './examples.js';
import { scheduleCounts } from './scheduleCounts.js';
import { scheduleLabel, type ResolvedSchedule } from './scheduleSpec.js';
import type { ExampleSet, Scenario } from './types.js';

export { PRECURSOR_TABLE, phaseTotals, rehearsalWeight, scheduleCounts } from './scheduleCounts.js';
export { PRECURSOR_N, SCHEDULE_KINDS, isDefaultSchedule, resolveSchedule, scheduleLabel } from './scheduleSpec.js';
export type { ResolvedSchedule, ScheduleKind, ScheduleSampling, ScheduleSpec } from './scheduleSpec.js';

export interface RehearsalSchedule {
  spec: ResolvedSchedule;
  label: string;
  /** n[p][j]: examples of task j in phase p (T × T, zero above the diagonal) */
  counts: number[][];
  warnings: string[];
  /**
   * The examples phase p trains on, drawn (when the phase subsamples) from a generator of its own made
   * from the run's seed: each phase's draw is fresh, reproducible, independent of the learner's random
   * stream and of the other phases, so a run resumed at phase p draws what an uninterrupted one would.
   */
  phaseExamples(p: number, seed: number): ExampleSet;
}

/** The schedule of a built scenario: its counts follow from the tasks' training-set sizes. */
export function rehearsalSchedule(spec: ResolvedSchedule, scenario: Scenario, where = 'schedule'): RehearsalSchedule {
  const { counts, warnings } = scheduleCounts(spec, scenario.tasks.map((t) => t.trainIndices.length), where);
  return {
    spec,
    label: scheduleLabel(spec),
    counts,
    warnings,
    phaseExamples: (p, seed) => {
      const rng = () => new Rng(seed, `schedule phase ${p}`);
      return spec.sampling === 'stochastic' ? streamDraws(scenario, counts[p], p, rng()) : phaseDraw(scenario, counts[p], p, rng);
    },
  };
}

/**
 * n[p][j] distinct examples of each task j ≤ p. A task taken whole is used as it is, without a draw
 * (its order does not matter, the learner shuffles), so the default schedule hands over exactly the
 * new task's examples and consumes no randomness: runs without rehearsal are unchanged by schedules.
 */
function phaseDraw(scenario: Scenario, row: readonly number[], p: number, makeRng: () => Rng): ExampleSet {
  const parts: ExampleSet[] = [];
  let rng: Rng | null = null;
  for (let j = 0; j <= p; j++) {
    const n = row[j];
    if (n === 0) continue;
    const all = scenario.tasks[j].trainIndices;
    if (n >= all.length) {
      parts.push(taskExamples(scenario, j));
      continue;
    }
    rng ??= makeRng();
    parts.push({ taskIds: new Uint16Array(n).fill(j), indices: rng.sample(all, n) });
  }
  return parts.length === 1 ? parts[0] : concatExamples(parts);
}

/** Σ_j n[p][j] independent draws: task j with probability ∝ n[p][j], then one of its examples. */
function streamDraws(scenario: Scenario, row: readonly number[], p: number, rng: Rng): ExampleSet {
  const cumulative: number[] = [];
  let total = 0;
  for (let j = 0; j <= p; j++) cumulative.push((total += row[j]));
  const taskIds = new Uint16Array(total);
  const indices = new Uint32Array(total);
  for (let i = 0; i < total; i++) {
    const u = rng.int(total);
    let j = 0;
    while (u >= cumulative[j]) j++;
    const pool = scenario.tasks[j].trainIndices;
    taskIds[i] = j;
    indices[i] = pool[rng.int(pool.length)];
  }
  return { taskIds, indices };
}

/** How many examples of each of `tasks` tasks an example set holds (a stochastic phase's realised counts). */
export function countByTask(set: ExampleSet, tasks: number): number[] {
  const counts = new Array<number>(tasks).fill(0);
  for (const t of set.taskIds) counts[t]++;
  return counts;
}
