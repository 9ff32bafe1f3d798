/** The leaderboard as a plain-text table that fits a 100-column terminal. */
import type { LeaderboardRow } from './leaderboard.js';

export function leaderboardTable(rows: LeaderboardRow[]): string {
  const pct = (m?: { mean: number | null; std: number | null }) =>
    m?.mean === null || m?.mean === undefined ? '—' : `${(100 * m.mean).toFixed(2)}±${(100 * (m.std ?? 0)).toFixed(2)}`;
  const header = ['scenario', 'learner', 'n', 'ACC %', 'BWT %', 'forget %', 'LA %', 'pub. %', 'train s'];
  const body = rows.map((r) => [
    r.scenario,
    r.learner + (r.diverged ? ` [${r.diverged} diverged]` : '') + (r.failed ? ` [${r.failed} failed]` : ''),
    String(r.seeds),
    pct(r.metrics.average_accuracy),
    pct(r.metrics.bwt),
    pct(r.metrics.forgetting_max),
    pct(r.metrics.learning_accuracy),
    r.published ? (100 * r.published.mean).toFixed(2) : '',
    r.trainSeconds === null ? '—' : r.trainSeconds.toFixed(1),
  ]);
  const limits = [24, 26, 3, 12, 12, 12, 12, 7, 8];
  const cells = [header, ...body].map((row) => row.map((c, i) => (c.length > limits[i] ? `${c.slice(0, limits[i] - 1)}…` : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
