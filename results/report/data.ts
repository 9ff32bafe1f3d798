/**
 * What the report plots, computed from run records alone: pure functions, no I/O, no charts. Every
 * summary over seeds uses the completed runs only (diverged and failed runs are counted in the table,
 * never averaged), as the leaderboard does. Phases and tasks are numbered from 1 here, the way the
 * charts label them; phase 0 is the untrained model.
 */
import { UserError } from '../../core/errors.js';
import { aggregate, averageAccuracy, epochsToCriterionPerTask, firstEpochAccuracyPerTask } from '../../metrics/index.js';
import { buildLeaderboard, rowName, type LeaderboardRow } from '../leaderboard.js';
import { recordConfigId } from '../identity.js';
import type { RunRecord } from '../record.js';

/** One leaderboard row with the runs behind it. */
export interface LearnerGroup {
  /** the name the charts use: the learner label, plus the config id when the label has rows of other settings */
  name: string;
  row: LeaderboardRow;
  /** completed runs (one per seed) */
  runs: RunRecord[];
}

export interface ScenarioGroup {
  scenario: string;
  /** the section's heading and anchor: the scenario, and its suite when the report holds several suites */
  title: string;
  /** scenario, tasks, training and evaluation settings, as the first run recorded them */
  first: RunRecord;
  learners: LearnerGroup[];
}

/**
 * Scenarios in leaderboard order, each with its learners in leaderboard order. Records of several suites
 * make one section per (suite, scenario): the best value of a column is only marked among runs of one suite.
 */
export function groupByScenario(records: RunRecord[]): ScenarioGroup[] {
  const scenarios = new Map<string, ScenarioGroup>();
  const rows = buildLeaderboard(records);
  const suites = new Set(rows.map((r) => r.suite)).size > 1;
  const configOf = new Map(records.map((r) => [r, recordConfigId(r)]));
  for (const row of rows) {
    const all = records.filter((r) => r.suite === row.suite && configOf.get(r) === row.configId && r.learner.label === row.learner);
    const title = suites ? `${row.scenario} (suite ${row.suite})` : row.scenario;
    let group = scenarios.get(title);
    if (!group) {
      group = { scenario: row.scenario, title, first: all[0], learners: [] };
      scenarios.set(title, group);
    }
    group.learners.push({ name: rowName(row, rows), row, runs: all.filter((r) => r.status === 'completed') });
  }
  return [...scenarios.values()];
}

/**
 * Throws unless every run has a full T × T matrix with the same T; returns T. Different T under one
 * scenario name happens when folders of different suite versions are reported together.
 */
export function commonTaskCount(runs: RunRecord[]): number {
  if (runs.length === 0) throw new Error('no completed runs to summarise');
  const T = runs[0].accuracy.matrix.length;
  for (const r of runs) {
    if (r.accuracy.matrix.length !== T || r.accuracy.matrix.some((row) => row.length !== T)) {
      throw new UserError(
        `accuracy matrix is not ${T} × ${T} like run ${runs[0].runId}'s`,
        `run ${r.runId}`,
        'report folders whose scenarios of the same name have the same number of tasks (or give the scenarios different names)',
      );
    }
  }
  return T;
}

/** Cell-wise mean over runs of equally sized matrices. */
export function meanOfMatrices(matrices: number[][][]): number[][] {
  if (matrices.length === 0) throw new Error('no matrices to average');
  const [rows, cols] = [matrices[0].length, matrices[0][0]?.length ?? 0];
  if (matrices.some((m) => m.length !== rows || m.some((row) => row.length !== cols))) throw new Error('matrices of different sizes cannot be averaged');
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => matrices.reduce((sum, m) => sum + m[i][j], 0) / matrices.length));
}

/** One cell of the accuracy heat map. */
export interface HeatCell {
  /** 0 = the untrained model (the `initial` row), 1..T = after training phase i */
  afterPhase: number;
  /** 1..T */
  task: number;
  /** mean over seeds, a fraction in [0, 1] */
  accuracy: number;
}

/**
 * The accuracy matrix averaged over seeds, with the untrained row as phase 0 when every run measured
 * it (it is what forward transfer compares against).
 */
export function accuracyHeatMap(runs: RunRecord[]): HeatCell[] {
  const T = commonTaskCount(runs);
  const mean = meanOfMatrices(runs.map((r) => r.accuracy.matrix));
  const hasInitial = runs.every((r) => r.accuracy.initial.length === T);
  const rows = hasInitial ? [meanOfMatrices(runs.map((r) => [r.accuracy.initial]))[0], ...mean] : mean;
  const offset = hasInitial ? 0 : 1;
  return rows.flatMap((row, i) => row.map((accuracy, j) => ({ afterPhase: i + offset, task: j + 1, accuracy })));
}

/** Average accuracy over the tasks seen so far after one phase, summarised over seeds. */
export interface BandPoint {
  /** 1..T */
  phase: number;
  mean: number;
  /** the band: the lowest and highest seed */
  min: number;
  max: number;
  /** sample standard deviation over seeds (null for one seed: no spread measured) */
  std: number | null;
  seeds: number;
}

/** A_k = mean_{j ≤ k} R[k][j] after every phase k (Chaudhry et al. 2018), mean and min–max over seeds. */
export function averageAccuracyBand(runs: RunRecord[]): BandPoint[] {
  const T = commonTaskCount(runs);
  return Array.from({ length: T }, (_, i) => {
    const values = runs.map((r) => averageAccuracy(r.accuracy.matrix, i));
    const { mean, std } = aggregate(values);
    return { phase: i + 1, mean: mean!, min: Math.min(...values), max: Math.max(...values), std, seeds: values.length };
  });
}

/** Accuracy on one task after one phase, mean over seeds. */
export interface TaskCurvePoint {
  afterPhase: number;
  task: number;
  accuracy: number;
}

/**
 * Each task's accuracy from the phase that trained it to the end (mean over seeds): a falling line
 * is forgetting. Phases before a task was trained are left out; the heat map shows them.
 */
export function taskAccuracyCurves(runs: RunRecord[]): TaskCurvePoint[] {
  const T = commonTaskCount(runs);
  const mean = meanOfMatrices(runs.map((r) => r.accuracy.matrix));
  const points: TaskCurvePoint[] = [];
  for (let j = 0; j < T; j++) for (let i = j; i < T; i++) points.push({ afterPhase: i + 1, task: j + 1, accuracy: mean[i][j] });
  return points;
}

/** How fast each new task was learned, over seeds. */
export interface FacilitationPoint {
  task: number;
  /** mean over seeds of the new task's accuracy after the first epoch of its phase */
  firstEpochAccuracy: number;
  /** mean over the seeds that reached the criterion; null when none did */
  epochsToCriterion: number | null;
  /** seeds that never reached the criterion on this task (left out of the mean) */
  notReached: number;
  seeds: number;
}

/**
 * First-epoch accuracy and epochs to criterion θ per task (Davidson & Mozer 2020), or null when a run
 * did not record its new-task curves.
 */
export function facilitationPerTask(runs: RunRecord[], criterion: number): FacilitationPoint[] | null {
  const T = commonTaskCount(runs);
  const first = runs.map((r) => firstEpochAccuracyPerTask(r.accuracy));
  const epochs = runs.map((r) => epochsToCriterionPerTask(r.accuracy, criterion));
  if (first.some((f) => f === null) || epochs.some((e) => e === null)) return null;
  return Array.from({ length: T }, (_, j) => {
    const reached = epochs.map((e) => e![j]).filter((e): e is number => e !== null);
    return {
      task: j + 1,
      firstEpochAccuracy: aggregate(first.map((f) => f![j])).mean!,
      epochsToCriterion: aggregate(reached).mean,
      notReached: runs.length - reached.length,
      seeds: runs.length,
    };
  });
}

/**
 * The rehearsal schedule's phase × task counts (`schedule.counts[p][j]`: examples of task j the schedule
 * puts in phase p; the diagonal is the new task) when the record carries them; records written before
 * schedules existed have none.
 */
export function rehearsalCounts(record: RunRecord): number[][] | null {
  const counts = record.schedule?.counts;
  return Array.isArray(counts) && counts.length > 0 ? counts : null;
}

/** One panel of the rehearsal-count chart. */
export interface CountPanel {
  /** the learner, or 'all learners' when every learner rehearsed the same counts */
  name: string;
  cells: { phase: number; task: number; count: number }[];
}

/**
 * Only a suite that uses a rehearsal schedule gets the chart: without one, learners train on the new
 * task alone ('none', a bare diagonal) and joint on everything ('full'), which says nothing new.
 */
const SCHEDULE_FREE_KINDS = new Set(['none', 'full']);

/**
 * Mean rehearsal counts per learner (over seeds), one panel each; a single panel when they all agree.
 * Learners without counts are left out; [] when no run used a rehearsal schedule.
 */
export function rehearsalCountPanels(learners: { name: string; runs: RunRecord[] }[]): CountPanel[] {
  const scheduled = learners.some((l) => l.runs.some((r) => r.schedule !== undefined && !SCHEDULE_FREE_KINDS.has(r.schedule.spec.kind)));
  if (!scheduled) return [];
  const means: { name: string; matrix: number[][] }[] = [];
  for (const l of learners) {
    const counts = l.runs.map(rehearsalCounts);
    if (counts.length === 0 || counts.some((c) => c === null)) continue;
    means.push({ name: l.name, matrix: meanOfMatrices(counts as number[][][]) });
  }
  const toCells = (m: number[][]) => m.flatMap((row, i) => row.map((count, j) => ({ phase: i + 1, task: j + 1, count })));
  const same = means.length > 1 && means.every((m) => JSON.stringify(m.matrix) === JSON.stringify(means[0].matrix));
  return same ? [{ name: 'all learners', cells: toCells(means[0].matrix) }] : means.map((m) => ({ name: m.name, cells: toCells(m.matrix) }));
}

/** Final average accuracy beside what it cost, one point per learner. */
export interface CostPoint {
  learner: string;
  accuracyMean: number;
  accuracyStd: number;
  examplesTrained: number;
  trainSeconds: number;
}

/** Learners with completed runs; accuracy from the leaderboard row (mean and std over seeds). */
export function costPoints(learners: LearnerGroup[]): CostPoint[] {
  return learners
    .filter((l) => l.row.metrics.average_accuracy?.mean != null && l.row.examplesTrained !== null && l.row.trainSeconds !== null)
    .map((l) => ({
      learner: l.name,
      accuracyMean: l.row.metrics.average_accuracy.mean!,
      accuracyStd: l.row.metrics.average_accuracy.std ?? 0,
      examplesTrained: l.row.examplesTrained!,
      trainSeconds: l.row.trainSeconds!,
    }));
}
