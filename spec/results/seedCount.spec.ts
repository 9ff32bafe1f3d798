/**
 * A metric that fewer than two seeds define has no measured spread: its std is empty in the CSV and '—' in the
 * terminal, Markdown and HTML tables (not 0), and every metric publishes how many seeds defined it (`_n`).
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { leaderboardColumns, leaderboardCsv } from '../../results/csv.js';
import { buildLeaderboard } from '../../results/leaderboard.js';
import { leaderboardMarkdown } from '../../results/markdown.js';
import { leaderboardHtmlTables } from '../../results/report/leaderboardTable.js';
import { leaderboardTable } from '../../results/table.js';
import { METRICS } from '../../metrics/index.js';
import { makeRecord } from './records.js';

/**
 * Two seeds of one learner, three tasks. Seed 0 brings every task to the criterion 0.9 (epochs 2, 1, 1:
 * a slope), seed 1 only task 1 (no slope): epochs_to_criterion_slope is defined by one seed of two.
 */
function twoSeeds() {
  const matrix = [[0.9, 0.5, 0.4], [0.3, 0.95, 0.5], [0.1, 0.2, 0.9]];
  return [
    makeRecord({ seed: 0, matrix, newTaskCurves: [[0.6, 0.95], [0.92, 0.95], [0.91, 0.93]], epochs: 2 }),
    makeRecord({ seed: 1, matrix: [[0.8, 0.5, 0.5], [0.5, 0.85, 0.5], [0.3, 0.4, 0.7]], newTaskCurves: [[0.95, 0.95], [0.5, 0.6], [0.5, 0.6]], epochs: 2 }),
  ];
}

describe('metrics defined by fewer than two seeds', () => {
  it('leaderboard rows carry n per metric and a null std below two values', () => {
    const [row] = buildLeaderboard(twoSeeds());
    expect(row.seeds).to.equal(2);
    expect(row.metrics.epochs_to_criterion_slope.n).to.equal(1);
    expect(row.metrics.epochs_to_criterion_slope.mean).to.be.closeTo(-0.5, 1e-12);
    expect(row.metrics.epochs_to_criterion_slope.std).to.equal(null);
    expect(row.metrics.average_accuracy.n).to.equal(2);
    expect(row.metrics.average_accuracy.std).to.be.greaterThan(0);
    expect(row.metrics.intransigence).to.deep.equal({ mean: null, std: null, n: 0 });
  });

  it('CSV: a _n column after every _std, the std cell empty when one seed defines the metric', () => {
    const columns = leaderboardColumns();
    for (const m of METRICS) expect(columns.indexOf(`${m.key}_n`)).to.equal(columns.indexOf(`${m.key}_std`) + 1);
    const [cells] = parse(leaderboardCsv(buildLeaderboard(twoSeeds())), { columns: true }) as Record<string, string>[];
    expect(cells.epochs_to_criterion_slope_mean).to.equal('-0.5');
    expect(cells.epochs_to_criterion_slope_std).to.equal('');
    expect(cells.epochs_to_criterion_slope_n).to.equal('1');
    expect(cells.average_accuracy_n).to.equal('2');
    expect(cells.intransigence_std).to.equal('');
    expect(cells.intransigence_n).to.equal('0');
  });

  it("one seed: terminal and Markdown say '± —', never '± 0.00'", () => {
    const rows = buildLeaderboard([twoSeeds()[0]]);
    const table = leaderboardTable(rows);
    expect(table).to.match(/40\.00±—/);
    expect(table).to.not.contain('±0.00');
    const md = leaderboardMarkdown(rows);
    expect(md).to.contain('40.00 ± —');
    expect(md).to.not.contain('± 0.00');
  });

  it("HTML: a metric one seed defines shows '± —'", () => {
    const rows = buildLeaderboard(twoSeeds());
    const html = leaderboardHtmlTables(rows, rows.map((r) => r.learner));
    // epochs_to_criterion_slope: −0.5 epochs a task from seed 0 alone
    expect(html).to.match(/<span class="mean">-0\.50<\/span><span class="std">± —<\/span>/);
  });
});
