/**
 * The leaderboard as a plain-text table that fits a 100-column terminal: each scenario's name on a line
 * of its own above its learners (names such as `split-synthetic:classes=8,…-class` would take half the
 * width as a column), and the learner column gets whatever width the numbers leave, long labels cut
 * with '…'. Accuracies in percent, mean±std over seeds. Labels and names are shown without control
 * characters or escape sequences (core/terminal.ts): the table is for a terminal.
 */
import { rowName, type LeaderboardRow } from './leaderboard.js';
import { printable } from '../core/terminal.js';

export const TABLE_WIDTH = 100;
const GAP = '  ';

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function leaderboardTable(rows: LeaderboardRow[]): string {
  // `(n=2)`: fewer seeds define the metric than the row averages
  const pct = (m: { mean: number | null; std: number | null; n: number } | undefined, seeds: number) =>
    m?.mean === null || m?.mean === undefined
      ? '—'
      : `${(100 * m.mean).toFixed(2)}±${m.std === null ? '—' : (100 * m.std).toFixed(2)}${m.n < seeds ? ` (n=${m.n})` : ''}`;
  const published = rows.some((r) => r.published);
  const suites = new Set(rows.map((r) => r.suite)).size > 1;
  const header = ['learner', 'n', 'ACC %', 'BWT %', 'forget %', 'LA %', ...(published ? ['pub. %'] : []), 'train s'];
  const body = rows.map((r) => [
    printable(rowName(r, rows)) + (r.diverged ? ` [${r.diverged} diverged]` : '') + (r.failed ? ` [${r.failed} failed]` : ''),
    String(r.seeds),
    pct(r.metrics.average_accuracy, r.seeds),
    pct(r.metrics.bwt, r.seeds),
    pct(r.metrics.forgetting_max, r.seeds),
    pct(r.metrics.learning_accuracy, r.seeds),
    ...(published ? [r.published ? (100 * r.published.mean).toFixed(2) : ''] : []),
    r.trainSeconds === null ? '—' : r.trainSeconds.toFixed(1),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const numbers = widths.slice(1).reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  widths[0] = Math.max(12, Math.min(widths[0], TABLE_WIDTH - numbers));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === 0 ? cut(c, widths[0]).padEnd(widths[0]) : c.padStart(widths[i])))
      .join(GAP)
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join(GAP)];
  rows.forEach((r, i) => {
    // several suites: each scenario heading names its suite, so rows of two suites never sit under one heading
    const heading = suites ? `${printable(r.suite)} / ${printable(r.scenario)}:` : `${printable(r.scenario)}:`;
    if (i === 0 || rows[i - 1].scenario !== r.scenario || rows[i - 1].suite !== r.suite) out.push(cut(heading, TABLE_WIDTH));
    out.push(line(body[i]));
  });
  return out.join('\n');
}

/**
 * What the table's columns mean, for a reader who has not read the docs: a few lines under the table,
 * wrapped at the terminal width.
 */
export function leaderboardLegend(rows: LeaderboardRow[]): string {
  const parts = [
    'n: seeds completed',
    'ACC: average accuracy after the last task',
    'BWT: backward transfer (< 0: forgetting)',
    'forget: best minus final accuracy of earlier tasks',
    'LA: accuracy on each task right after learning it',
    ...(rows.some((r) => r.published) ? ['pub.: the published ACC'] : []),
    'train s: training seconds per run',
    'mean±std over seeds (±—: one seed, no spread)',
  ];
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const next = line ? `${line} · ${part}` : part;
    if (next.length <= TABLE_WIDTH) line = next;
    else {
      lines.push(`${line} ·`);
      line = part;
    }
  }
  return [...lines, line].join('\n');
}
