/**
 * The accuracy matrices of every completed run in long ("tidy") format, one row per (run, phase, task),
 * for pandas and R: RFC 4180 (./csvText.ts), a header, this column order. Phases and tasks count from
 * 1; `after_phase` 0 is the untrained model (the record's `initial` row, when it was measured).
 * Accuracies are fractions in [0, 1]. `suite` and `config_id` say which leaderboard row a run belongs to.
 */
import { csvText } from './csvText.js';
import { recordConfigId } from './identity.js';
import type { RunRecord } from './record.js';
import { modelSummary, trainingSummary } from './summary.js';
import { inSuiteOrder } from './tidy.js';

export const ACCURACY_LONG_COLUMNS = ['suite', 'config_id', 'run_id', 'scenario', 'learner', 'model', 'training', 'seed', 'after_phase', 'eval_task', 'accuracy'] as const;

export interface AccuracyLongRow {
  suite: string;
  config_id: string;
  run_id: string;
  scenario: string;
  learner: string;
  model: string;
  training: string;
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
  for (const r of inSuiteOrder(records.filter((record) => record.status === 'completed'))) {
    const base = { suite: r.suite, config_id: recordConfigId(r), run_id: r.runId, scenario: r.scenario.name, learner: r.learner.label, model: modelSummary(r), training: trainingSummary(r), seed: r.seed };
    const phases = r.accuracy.initial.length > 0 ? [r.accuracy.initial, ...r.accuracy.matrix] : r.accuracy.matrix;
    const firstPhase = r.accuracy.initial.length > 0 ? 0 : 1;
    phases.forEach((row, i) => row.forEach((accuracy, j) => rows.push({ ...base, after_phase: i + firstPhase, eval_task: j + 1, accuracy })));
  }
  return rows;
}

export function accuracyLongCsv(records: RunRecord[]): string {
  const rows = accuracyLongRows(records).map((row) => ACCURACY_LONG_COLUMNS.map((c) => (c === 'accuracy' ? Number(row.accuracy.toFixed(6)) : row[c])));
  return csvText(ACCURACY_LONG_COLUMNS, rows);
}
