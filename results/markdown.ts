/**
 * The leaderboard as a GitHub-flavoured Markdown table, for a README (`clbench leaderboard --format md`):
 * the headline columns only, accuracies in percent with mean ± sample std over seeds. The CSV keeps
 * every column at full precision.
 */
import { rowName, type LeaderboardRow } from './leaderboard.js';
import { comparePublished, describeComparison } from './publishedComparison.js';

type Metric = { mean: number | null; std: number | null; n?: number } | undefined;

/**
 * `12.34 ± 0.56` in percent; an em dash when undefined for these runs, `12.34 ± —` when one run defines it,
 * and `(n=2)` after it when fewer seeds define it than the row averages.
 */
function percent(m: Metric, seeds?: number): string {
  if (m?.mean == null) return '—';
  const count = seeds !== undefined && m.n !== undefined && m.n < seeds ? ` (n=${m.n})` : '';
  return `${(100 * m.mean).toFixed(2)} ± ${m.std == null ? '—' : (100 * m.std).toFixed(2)}${count}`;
}

/**
 * A cell's text with the characters that would end the cell or break the row escaped, and HTML's special
 * characters as entities: GitHub renders inline HTML in a table, so a label `<img src=x onerror=…>` would
 * otherwise become an element.
 */
export function markdownCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function comparisonCell(row: LeaderboardRow): string {
  const vs = comparePublished(row);
  return vs ? describeComparison(vs) : '';
}

export function leaderboardMarkdown(rows: LeaderboardRow[]): string {
  const published = rows.some((r) => r.published);
  const suites = new Set(rows.map((r) => r.suite)).size > 1;
  const header = [...(suites ? ['Suite'] : []), 'Scenario', 'Learner', 'Seeds', 'ACC (%)', 'BWT (%)', 'Forgetting (%)', 'LA (%)', ...(published ? ['Published ACC (%)', 'vs published'] : []), 'Train (s)'];
  const numeric = header.map((_, i) => i >= (suites ? 3 : 2));
  const body = rows.map((r) => [
    ...(suites ? [markdownCell(r.suite)] : []),
    markdownCell(r.scenario),
    markdownCell(rowName(r, rows)) + (r.diverged ? ` (${r.diverged} diverged)` : '') + (r.failed ? ` (${r.failed} failed)` : ''),
    String(r.seeds),
    percent(r.metrics.average_accuracy, r.seeds),
    percent(r.metrics.bwt, r.seeds),
    percent(r.metrics.forgetting_max, r.seeds),
    percent(r.metrics.learning_accuracy, r.seeds),
    ...(published ? [r.published ? percent(r.published) : '', comparisonCell(r)] : []),
    r.trainSeconds === null ? '—' : r.trainSeconds.toFixed(1),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(numeric.map((n) => (n ? '---:' : '---'))), ...body.map(line)].join('\n');
}

/**
 * Ours against the published values, one row per learner and, for each scenario, three columns: ours
 * (mean ± std over seeds, with the seed count when it is below the table's most), the published value, and
 * the verdict of ./publishedComparison.ts (within or outside two combined standard deviations). Only
 * learners with a published value in some scenario are listed — the table a README's "reproducing"
 * section shows (`clbench leaderboard DIR --format published`).
 */
export function publishedMarkdown(rows: LeaderboardRow[]): string {
  const suites = new Set(rows.map((r) => r.suite)).size > 1;
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const learnerOf = (r: LeaderboardRow) => `${suites ? `${r.suite}: ` : ''}${rowName(r, rows)}`;
  const learners = [...new Set(rows.filter((r) => r.published).map(learnerOf))];
  const most = Math.max(0, ...rows.map((r) => r.seeds));
  const cell = new Map(rows.map((r) => [`${learnerOf(r)}\u0000${r.scenario}`, r]));
  const header = ['Learner', ...scenarios.flatMap((s) => [`${markdownCell(s)}: ours (%)`, 'published (%)', 'ours − published (2σ)'])];
  const body = learners.map((learner) => [
    markdownCell(learner),
    ...scenarios.flatMap((scenario) => {
      const r = cell.get(`${learner}\u0000${scenario}`);
      if (!r) return ['', '', ''];
      const seeds = r.seeds < most ? ` (${r.seeds} seed${r.seeds === 1 ? '' : 's'})` : '';
      const vs = comparePublished(r);
      const verdict = !vs ? '' : vs.within === false ? `**${describeComparison(vs)}**` : describeComparison(vs);
      return [`${percent(r.metrics.average_accuracy, r.seeds)}${seeds}`, r.published ? percent(r.published) : '', verdict];
    }),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(line)].join('\n');
}
