/**
 * The tidy CSVs beside the leaderboard, one observation a row, for pandas and R (docs/csv-formats.md):
 *
 *   runs.csv          one row per run: identity columns, seed, status, every metric of that run
 *   phases-long.csv   one row per (completed run, phase): examples trained, average accuracy so far
 *   options-long.csv  one row per (leaderboard row, learner option): the resolved options, defaults included
 *
 * Each carries `suite` and `config_id`, the columns a leaderboard row is grouped by, so a groupby on them
 * reproduces the leaderboard's means without guessing which runs belong together.
 */
import { averageAccuracyCurve, METRICS } from '../metrics/index.js';
import { canonicalJson } from '../core/canonicalJson.js';
import { csvText, type CsvValue } from './csvText.js';
import { fixed } from './csv.js';
import { recordConfigId, recordKey } from './identity.js';
import { jointReference, type LeaderboardRow } from './leaderboard.js';
import { memoryExamples } from './memoryExamples.js';
import type { RunRecord } from './record.js';
import { dataSummary, modelSummary, trainingSummary } from './summary.js';

/** Suite order: suite, scenario, learner entry, seed — the same file whatever order the runs finished in. */
export function inSuiteOrder(records: RunRecord[]): RunRecord[] {
  return [...records].sort(
    (a, b) => a.suite.localeCompare(b.suite) || a.position[0] - b.position[0] || a.position[1] - b.position[1] || a.seed - b.seed || a.runId.localeCompare(b.runId),
  );
}

export function runsColumns(): string[] {
  return [
    'suite', 'config_id', 'run_id', 'key', 'scenario', 'setting', 'data', 'learner', 'learner_name', 'model', 'training', 'schedule', 'seed', 'status',
    ...METRICS.map((m) => m.key),
    'examples_trained', 'memory_examples', 'train_seconds', 'backend', 'clbench_version', 'error',
  ];
}

/** Every run, one row each; the metrics only for completed runs (a diverged run's matrix stops early). */
export function runsCsv(records: RunRecord[]): string {
  const rows = inSuiteOrder(records).map((r): CsvValue[] => {
    const done = r.status === 'completed';
    const joint = done ? jointReference(records, r) : undefined;
    return [
      r.suite, recordConfigId(r), r.runId, recordKey(r), r.scenario.name, r.scenario.setting, dataSummary(r), r.learner.label, r.learner.name,
      modelSummary(r), trainingSummary(r), r.schedule?.label ?? 'none', r.seed, r.status,
      ...METRICS.map((m) => (done ? fixed(m.compute(r.accuracy, { joint, criterion: r.evaluation.criterion })) : '')),
      r.examplesPerPhase.reduce((a, b) => a + b, 0),
      done ? fixed(memoryExamples(r)) : '',
      fixed(r.timings.trainSeconds, 2), r.backend.name, r.versions.clbench,
      r.error ?? (r.diverged ? `diverged in phase ${r.diverged.phase}, epoch ${r.diverged.epoch}, step ${r.diverged.step}` : ''),
    ];
  });
  return csvText(runsColumns(), rows);
}

export const PHASES_LONG_COLUMNS = ['suite', 'config_id', 'run_id', 'scenario', 'learner', 'seed', 'phase', 'examples_trained', 'average_accuracy'] as const;

/** Per phase of every completed run: examples trained on in it (all epochs) and A_p, the average accuracy over tasks 1..p after it. */
export function phasesLongCsv(records: RunRecord[]): string {
  const rows: CsvValue[][] = [];
  for (const r of inSuiteOrder(records.filter((x) => x.status === 'completed'))) {
    const curve = averageAccuracyCurve(r.accuracy.matrix);
    const configId = recordConfigId(r);
    r.examplesPerPhase.forEach((examples, p) =>
      rows.push([r.suite, configId, r.runId, r.scenario.name, r.learner.label, r.seed, p + 1, examples, p < curve.length ? fixed(curve[p]) : '']),
    );
  }
  return csvText(PHASES_LONG_COLUMNS, rows);
}

export const OPTIONS_LONG_COLUMNS = ['suite', 'config_id', 'scenario', 'learner', 'learner_name', 'option', 'value'] as const;

/** The resolved options of every leaderboard row, one (row, option) a line; the value as JSON (`10`, `"reservoir"`, `[1,2]`). */
export function optionsLongCsv(rows: LeaderboardRow[]): string {
  const lines: CsvValue[][] = [];
  for (const row of rows)
    for (const option of Object.keys(row.options).sort())
      lines.push([row.suite, row.configId, row.scenario, row.learner, row.learnerName, option, canonicalJson(row.options[option])]);
  return csvText(OPTIONS_LONG_COLUMNS, lines);
}
