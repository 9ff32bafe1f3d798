/**
 * Leaderboard CSV (RFC 4180 via csv-stringify): a header and a fixed column order. Accuracies and every
 * accuracy-based metric are fractions in [0, 1]; the README documents each column.
 */
import { stringify } from 'csv-stringify/sync';
import { METRICS } from '../metrics/index.js';
import type { LeaderboardRow } from './leaderboard.js';

export function leaderboardColumns(): string[] {
  return [
    'scenario', 'setting', 'learner', 'learner_name', 'options', 'schedule', 'seeds', 'diverged', 'failed',
    ...METRICS.flatMap((m) => [`${m.key}_mean`, `${m.key}_std`, `${m.key}_n`]),
    'average_accuracy_curve', 'examples_trained', 'memory_examples', 'examples_per_phase', 'train_seconds', 'backend',
    'published_average_accuracy_mean', 'published_average_accuracy_std', 'published_source',
  ];
}

export function leaderboardCsv(rows: LeaderboardRow[]): string {
  const records = rows.map((row) => [
    row.scenario, row.setting, row.learner, row.learnerName, JSON.stringify(row.options), row.schedule, row.seeds, row.diverged, row.failed,
    ...METRICS.flatMap((m) => [fixed(row.metrics[m.key]?.mean), fixed(row.metrics[m.key]?.std), row.metrics[m.key]?.n ?? 0]),
    series(row.averageAccuracyCurve, (v) => fixed(v)),
    row.examplesTrained === null ? '' : Math.round(row.examplesTrained),
    row.memoryExamples === null ? '' : Math.round(row.memoryExamples),
    series(row.examplesPerPhase, Math.round),
    fixed(row.trainSeconds, 2), row.backend,
    fixed(row.published?.mean), fixed(row.published?.std), row.published?.source ?? '',
  ]);
  return stringify(records, { header: true, columns: leaderboardColumns() });
}

/** A per-phase series as a JSON array in one cell ('[0.98,0.95,…]'); empty when undefined. */
function series(values: number[] | null, format: (v: number) => string | number): string {
  return values === null ? '' : JSON.stringify(values.map(format));
}

/** Empty cell for undefined values; otherwise a number rounded to `digits` decimals. */
function fixed(value: number | null | undefined, digits = 6): string | number {
  return value === null || value === undefined ? '' : Number(value.toFixed(digits));
}
