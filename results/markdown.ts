/**
 * The leaderboard as a GitHub-flavoured Markdown table, for a README (`clbench leaderboard --format md`):
 * the headline columns only, accuracies in percent with mean ± sample std over seeds. The CSV keeps
 * every column at full precision.
 */
import type { LeaderboardRow } from './leaderboard.js';

type Metric = { mean: number | null; std: number | null } | undefined;

/** `12.34 ± 0.56` in percent; an em dash when undefined for these runs, `12.34 ± —` when one run defines it. */
function percent(m: Metric): string {
  return m?.mean == null ? '—' : `${(100 * m.mean).toFixed(2)} ± ${m.std == null ? '—' : (100 * m.std).toFixed(2)}`;
}

/** A cell's text with the characters that would end the cell or break the row escaped. */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function leaderboardMarkdown(rows: LeaderboardRow[]): string {
  const published = rows.some((r) => r.published);
  const header = ['Scenario', 'Learner', 'Seeds', 'ACC (%)', 'BWT (%)', 'Forgetting (%)', 'LA (%)', ...(published ? ['Published ACC (%)'] : []), 'Train (s)'];
  const numeric = header.map((_, i) => i >= 2);
  const body = rows.map((r) => [
    markdownCell(r.scenario),
    markdownCell(r.learner) + (r.diverged ? ` (${r.diverged} diverged)` : '') + (r.failed ? ` (${r.failed} failed)` : ''),
    String(r.seeds),
    percent(r.metrics.average_accuracy),
    percent(r.metrics.bwt),
    percent(r.metrics.forgetting_max),
    percent(r.metrics.learning_accuracy),
    ...(published ? [r.published ? percent(r.published) : ''] : []),
    r.trainSeconds === null ? '—' : r.trainSeconds.toFixed(1),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(numeric.map((n) => (n ? '---:' : '---'))), ...body.map(line)].join('\n');
}
