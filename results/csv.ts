/**
 * Leaderboard CSV: one row per leaderboard row (suite, config, learner label), a fixed column order,
 * every value a scalar. Accuracies and every accuracy-based metric are fractions in [0, 1];
 * docs/csv-formats.md documents each column. What is a list per row — per-phase curves, options — lives in
 * the tidy files beside it (./tidy.ts).
 */
import { METRICS } from '../metrics/index.js';
import { csvText } from './csvText.js';
import type { LeaderboardRow } from './leaderboard.js';
import { comparePublished } from './publishedComparison.js';

export function leaderboardColumns(): string[] {
  return [
    'suite', 'config_id', 'scenario', 'setting', 'data', 'learner', 'learner_name', 'model', 'training', 'schedule', 'seeds', 'diverged', 'failed',
    ...METRICS.flatMap((m) => [`${m.key}_mean`, `${m.key}_std`, `${m.key}_n`]),
    'examples_trained', 'memory_examples', 'train_seconds', 'backend',
    'published_average_accuracy_mean', 'published_average_accuracy_std', 'published_source',
    'published_difference', 'published_two_sd', 'published_within_2sd',
  ];
}

export function leaderboardCsv(rows: LeaderboardRow[]): string {
  const records = rows.map((row) => {
    const vs = comparePublished(row);
    return [
    row.suite, row.configId, row.scenario, row.setting, row.data, row.learner, row.learnerName, row.model, row.training, row.schedule,
    row.seeds, row.diverged, row.failed,
    ...METRICS.flatMap((m) => [fixed(row.metrics[m.key]?.mean), fixed(row.metrics[m.key]?.std), row.metrics[m.key]?.n ?? 0]),
    row.examplesTrained === null ? '' : Math.round(row.examplesTrained),
    row.memoryExamples === null ? '' : Math.round(row.memoryExamples),
    fixed(row.trainSeconds, 2), row.backend,
    fixed(row.published?.mean), fixed(row.published?.std), row.published?.source ?? '',
    fixed(vs?.difference), fixed(vs?.twoSd), vs?.within == null ? '' : String(vs.within),
    ];
  });
  return csvText(leaderboardColumns(), records);
}

/** Empty cell for undefined values; otherwise a number rounded to `digits` decimals. */
export function fixed(value: number | null | undefined, digits = 6): string | number {
  return value === null || value === undefined ? '' : Number(value.toFixed(digits));
}
