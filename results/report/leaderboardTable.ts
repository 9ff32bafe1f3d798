/**
 * One scenario's leaderboard as sortable HTML tables: mean ± std over seeds, the best value of each
 * column marked (by the metric's higherIsBetter; fewer examples and seconds are better). Two tables
 * keep each readable without scrolling: accuracy, forgetting and cost; then learning speed (forward
 * facilitation). Columns that no learner of the scenario defines (intransigence without a joint run,
 * facilitation without curves) are left out. Each cell carries its raw value in `data-value` for the
 * sorting script.
 */
import { METRICS } from '../../metrics/index.js';
import type { LeaderboardRow } from '../leaderboard.js';
import { comparePublished, describeComparison } from '../publishedComparison.js';
import { escapeHtml } from './html.js';
import { displayValue, METRIC_UNITS, unitLabel } from './units.js';

/** The learning-speed metrics (second table); every other metric of the catalogue goes in the first. */
export const SPEED_METRICS: readonly string[] = ['first_epoch_accuracy', 'first_epoch_accuracy_slope', 'epochs_to_criterion', 'criterion_not_reached', 'epochs_to_criterion_slope'];

interface Cell {
  value: number | null;
  html: string;
}

interface Column {
  header: string;
  title: string;
  /** true: larger is better; false: smaller; null: not ranked */
  higherIsBetter: boolean | null;
  cell(row: LeaderboardRow): Cell;
}

function metricColumns(rows: LeaderboardRow[], keys: (key: string) => boolean): Column[] {
  return METRICS.filter((m) => keys(m.key) && rows.some((r) => r.metrics[m.key]?.mean != null)).map((m) => {
    const unit = METRIC_UNITS[m.key];
    return {
      header: `${m.label} (${unitLabel(unit)})`,
      title: m.definition,
      higherIsBetter: m.higherIsBetter,
      cell: (row) => {
        const { mean, std, n } = row.metrics[m.key] ?? { mean: null, std: null, n: 0 };
        if (mean === null) return { value: null, html: '—' };
        // a metric fewer seeds define than the row averages says so: its mean stands on those alone
        const count = n < row.seeds ? `<span class="warn" title="seeds that define this metric">n = ${n}</span>` : '';
        // one run defines no spread: '± —', never '± 0'
        return { value: mean, html: `<span class="mean">${displayValue(mean, unit)}</span><span class="std">± ${std === null ? '—' : displayValue(std, unit)}</span>${count}` };
      },
    };
  });
}

const number = (value: number | null, digits: number): Cell =>
  value === null ? { value: null, html: '—' } : { value, html: `<span class="mean">${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}</span>` };

const runsColumn: Column = {
  header: 'Runs',
  title: 'completed runs (seeds) averaged; diverged and failed runs are counted, not averaged',
  higherIsBetter: null,
  cell: (row) => {
    const notes = [row.diverged ? `${row.diverged} diverged` : '', row.failed ? `${row.failed} failed` : ''].filter(Boolean).join(', ');
    return { value: row.seeds, html: `<span class="mean">${row.seeds}</span>${notes ? `<span class="warn">${notes}</span>` : ''}` };
  },
};

function accuracyColumns(rows: LeaderboardRow[]): Column[] {
  const cols: Column[] = [
    runsColumn,
    ...metricColumns(rows, (key) => !SPEED_METRICS.includes(key)),
    { header: 'Examples trained', title: 'examples trained on per run, summed over phases and epochs (mean over seeds)', higherIsBetter: false, cell: (row) => number(row.examplesTrained, 0) },
    { header: 'Memory (examples)', title: 'past-task training examples the method keeps at the last phase: all past data for an environment that rehearses, a replay memory its capacity, 0 for regularisers', higherIsBetter: null, cell: (row) => number(row.memoryExamples, 0) },
    { header: 'Train time (s)', title: 'training wall time per run in seconds, evaluation excluded (mean over seeds)', higherIsBetter: false, cell: (row) => number(row.trainSeconds, 1) },
  ];
  if (rows.some((r) => r.published)) {
    cols.push({
      header: 'Published ACC (%)',
      title: 'the published average accuracy the suite gives for this row',
      higherIsBetter: null,
      cell: (row) =>
        row.published
          ? { value: row.published.mean, html: `<span class="mean">${displayValue(row.published.mean, 'accuracy')}</span>${row.published.std !== null ? `<span class="std">± ${displayValue(row.published.std, 'accuracy')}</span>` : ''}` }
          : { value: null, html: '—' },
    });
    cols.push({
      header: 'vs published',
      title: 'ours − published ACC, and whether it lies within two combined standard deviations 2·√(s_ours² + s_published²) (undecided without a std on both sides)',
      higherIsBetter: null,
      cell: (row) => {
        const vs = comparePublished(row);
        return vs ? { value: vs.difference, html: escapeHtml(describeComparison(vs)) } : { value: null, html: '—' };
      },
    });
  }
  return cols;
}

/**
 * The best value of a column (ties all marked), or null when the column is not ranked or does not
 * separate the learners (fewer than two values, or all equal).
 */
export function bestValue(values: (number | null)[], higherIsBetter: boolean | null): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (higherIsBetter === null || present.length < 2) return null;
  const best = higherIsBetter ? Math.max(...present) : Math.min(...present);
  return present.every((v) => sameValue(v, best)) ? null : best;
}

/** Equal up to float noise (means of the same accuracies summed in another order). */
const sameValue = (a: number, b: number) => Math.abs(a - b) <= 1e-12;

function htmlTable(rows: LeaderboardRow[], names: string[], cols: Column[], caption: string): string {
  const cells = rows.map((row) => cols.map((c) => c.cell(row)));
  const best = cols.map((c, k) => bestValue(cells.map((r) => r[k].value), c.higherIsBetter));
  const head = [
    '<th scope="col" title="learner label: name and the options written in the suite">Learner</th>',
    ...cols.map((c) => `<th scope="col" title="${escapeHtml(c.title)}">${escapeHtml(c.header)}${c.higherIsBetter === null ? '' : c.higherIsBetter ? ' ↑' : ' ↓'}</th>`),
  ].join('');
  const body = rows
    .map((row, i) => {
      const tds = cells[i].map((cell, k) => {
        const isBest = best[k] !== null && cell.value !== null && sameValue(cell.value, best[k]!);
        return `<td data-value="${cell.value ?? ''}"${isBest ? ' class="best"' : ''}>${cell.html}</td>`;
      });
      return `<tr><th scope="row" data-value="${escapeHtml(names[i])}">${escapeHtml(names[i])}</th>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="leaderboard sortable">\n<caption>${escapeHtml(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/**
 * The scenario's tables: accuracy, forgetting and cost; then learning speed when any run recorded its
 * new-task curves. `names[i]` is the name shown for `rows[i]` (the label, or label and suite).
 */
export function leaderboardHtmlTables(rows: LeaderboardRow[], names: string[]): string {
  const tables = [htmlTable(rows, names, accuracyColumns(rows), 'Accuracy, forgetting and training cost')];
  const speed = metricColumns(rows, (key) => SPEED_METRICS.includes(key));
  if (speed.length > 0) tables.push(htmlTable(rows, names, [runsColumn, ...speed], 'Learning speed (forward facilitation)'));
  return tables.join('\n');
}
