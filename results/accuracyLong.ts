/**
 * The accuracy matrices of every completed run in long ("tidy") format, one row per (run, phase, task),
 * for pandas and R: RFC 4180 via csv-stringify, a header, this column order. Phases and tasks count from
 * 1; `after_phase` 0 is the untrained model (the record's `initial` row, when it was measured).
 * Accuracies are fractions in [0, 1].
 */
import { stringify } from 'csv-stringify/sync';
import type { RunRecord } from './record.js';

export const ACCURACY_LONG_COLUMNS = ['run_id', 'scenario', 'learner', 'seed', 'after_phase', 'eval_task', 'accuracy'] as const;

export interface AccuracyLongRow {
  run_id: string;
  scenario: string;
  learner: string;
  seed: number;
  after_phase: number;
  eval_task: number;
  accuracy: number;
}

/**
 * Rows of the completed runs only, the ones the leaderboard averages (a diverged run's matrix stops at
 * the phase that diverged and would bias a mean taken over this file), in suite order.
 */
export function accuracyLongRows(records: RunRecord[]): AccuracyLongRow[] {
  const rows: AccuracyLongRow[] = [];
  // the suite's order (scenario, then learner entry), then seed: the same file whatever order the runs finished in
  const completed = records
    .filter((record) => record.status === 'completed')
    .sort((a, b) => a.suite.localeCompare(b.suite) || a.position[0] - b.position[0] || a.position[1] - b.position[1] || a.seed - b.seed);
  for (const r of completed) {
    const base = { run_id: r.runId, scenario: r.scenario.name, learner: r.learner.label, seed: r.seed };
    const phases = r.accuracy.initial.length > 0 ? [r.accuracy.initial, ...r.accuracy.matrix] : r.accuracy.matrix;
    const firstPhase = r.accuracy.initial.length > 0 ? 0 : 1;
    phases.forEach((row, i) => row.forEach((accuracy, j) => rows.push({ ...base, after_phase: i + firstPhase, eval_task: j + 1, accuracy })));
  }
  return rows;
}

export function accuracyLongCsv(records: RunRecord[]): string {
  const rows = accuracyLongRows(records).map((row) => ACCURACY_LONG_COLUMNS.map((c) => (c === 'accuracy' ? Number(row.accuracy.toFixed(6)) : row[c])));
  return stringify(rows, { header: true, columns: [...ACCURACY_LONG_COLUMNS] });
}
