/**
 * Merging results (issue 16): folders read together count each run once, runs of different settings never
 * share a row whatever their labels, every row says which suite and config it is, and a reader of the
 * table is told when folders of several suites were merged. Plus the CSV and Markdown safety of issue 17.
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { accuracyLongCsv } from '../../results/accuracyLong.js';
import { leaderboardCsv } from '../../results/csv.js';
import { csvCell } from '../../results/csvText.js';
import { buildLeaderboard, mixNote } from '../../results/leaderboard.js';
import { leaderboardMarkdown } from '../../results/markdown.js';
import type { RunRecord } from '../../results/record.js';
import { buildReport } from '../../results/report/index.js';
import { leaderboardTable } from '../../results/table.js';
import { optionsLongCsv, runsCsv } from '../../results/tidy.js';
import { METRICS } from '../../metrics/index.js';
import { collectRecords } from '../../store/records.js';
import { clbench } from '../helpers/cli.js';
import { makeRecord } from './records.js';

const diag = (a: number, b: number) => [[a, 0.1], [0.5, b]];
const folder = (records: RunRecord[], names = records.map((r) => `${r.runId}.json`)) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clbench-merge-'));
  mkdirSync(path.join(dir, 'runs'));
  records.forEach((r, i) => writeFileSync(path.join(dir, 'runs', names[i]), JSON.stringify(r)));
  return dir;
};
const twoSeeds = () => [makeRecord({ seed: 0, matrix: diag(0.9, 0.8) }), makeRecord({ seed: 1, matrix: diag(0.7, 0.6) })];
/** The same default-named scenario and label in another suite, with another model and more epochs. */
const otherSuite = (r: RunRecord): RunRecord => ({ ...r, suite: 'wide', model: { hidden: [400, 400], dense: 'fast' }, training: { ...r.training, epochs: 5 }, accuracy: { ...r.accuracy, matrix: diag(0.2, 0.3) } });

describe('merging results folders', () => {
  it('`clbench leaderboard ref ref` counts each run once (it raised n and shrank the std)', () => {
    const ref = folder(twoSeeds());
    const result = clbench(['leaderboard', ref, ref, '--format', 'csv']);
    expect(result.status, result.stderr).to.equal(0);
    const [row] = parse(result.stdout, { columns: true }) as Record<string, string>[];
    expect(row.seeds).to.equal('2');
    expect(row.average_accuracy_n).to.equal('2');
    expect(result.stderr).to.contain('2 record file(s) hold runs already read from another file');
  });

  it('two shard folders with the same runs, and a stray "(copy).json", count each run once', () => {
    const records = twoSeeds();
    const a = folder(records);
    const b = folder([...records, records[0]], [...records.map((r) => `${r.runId}.json`), `${records[0].runId} (copy).json`]);
    const { records: read, duplicates } = collectRecords([a, b]);
    expect(read).to.have.length(2);
    expect(duplicates).to.have.length(3);
    expect(buildLeaderboard(read)[0].seeds).to.equal(2);
  });

  it('keeps the finished copy of a run over a failed one', () => {
    const done = makeRecord({ seed: 0, matrix: diag(0.9, 0.8) });
    const failed = { ...done, status: 'failed', error: 'x' } as RunRecord;
    const { records } = collectRecords([folder([failed]), folder([done])]);
    expect(records.map((r) => r.status)).to.deep.equal(['completed']);
  });

  it('two different records claiming one run id are an error naming both files', () => {
    const [r] = twoSeeds();
    const a = folder([r]);
    const b = folder([{ ...r, training: { ...r.training, lr: 0.5 } }]);
    let error: unknown;
    try {
      collectRecords([a, b]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(UserError);
    expect((error as Error).message).to.contain(path.join(a, 'runs', `${r.runId}.json`)).and.contain(path.join(b, 'runs', `${r.runId}.json`));
  });

  it('folders of two suites with the same scenario and label: two rows that say suite, config, model and training, and one line that says so', () => {
    const records = [...twoSeeds(), ...twoSeeds().map(otherSuite)];
    const rows = buildLeaderboard(records);
    expect(rows).to.have.length(2);
    expect(rows.map((r) => [r.suite, r.model, r.training])).to.deep.equal([
      ['toy', 'mlp 16', 'adam lr 0.01, batch 16, 3 epochs'],
      ['wide', 'mlp 400-400', 'adam lr 0.01, batch 16, 5 epochs'],
    ]);
    expect(rows[0].configId).to.not.equal(rows[1].configId);
    expect(mixNote(rows)).to.match(/^note: rows of 2 suites \(toy, wide\) are kept apart/);
    const csv = parse(leaderboardCsv(rows), { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r.suite, r.config_id, r.model])).to.deep.equal(rows.map((r) => [r.suite, r.configId, r.model]));
    // the long CSV: every row names its suite and config, so a groupby on them never averages two runs into one
    const long = parse(accuracyLongCsv(records), { columns: true }) as Record<string, string>[];
    expect(new Set(long.map((r) => `${r.suite}/${r.config_id}/${r.seed}`)).size).to.equal(4);
    expect(new Set(long.map((r) => r.model))).to.deep.equal(new Set(['mlp 16', 'mlp 400-400']));
    // the terminal and Markdown tables name the suite
    expect(leaderboardTable(rows)).to.contain('toy / split-toy-task:').and.contain('wide / split-toy-task:');
    expect(leaderboardMarkdown(rows).split('\n')[0]).to.match(/^\| Suite \| Scenario \|/);
  });

  it('runs of one suite and label with different settings never share a row, and the tables tell them apart', () => {
    const narrow = twoSeeds();
    const wide = twoSeeds().map((r) => ({ ...r, model: { hidden: [64], dense: 'fast' } }) as RunRecord);
    const rows = buildLeaderboard([...narrow, ...wide]);
    expect(rows.map((r) => r.seeds)).to.deep.equal([2, 2]);
    expect(mixNote(rows)).to.contain('1 label(s) stand for runs of different settings');
    const names = leaderboardMarkdown(rows).split('\n').slice(2).map((line) => line.split(' | ')[1]);
    expect(names[0]).to.not.equal(names[1]);
  });

  it('the report: one section per suite, each heading with its own model', async () => {
    const html = await buildReport([...twoSeeds(), ...twoSeeds().map(otherSuite)], { sources: ['a', 'b'], generatedAt: new Date(0) });
    expect(html).to.contain('<h2>split-toy-task (suite toy)</h2>').and.contain('<h2>split-toy-task (suite wide)</h2>');
    expect(html).to.contain('MLP 16').and.contain('MLP 400-400');
    const mixed = await buildReport([...twoSeeds(), ...twoSeeds().map((r) => ({ ...r, model: { hidden: [64], dense: 'fast' } }) as RunRecord)], { sources: ['a'], generatedAt: new Date(0) });
    expect(mixed).to.match(/model differs by learner: mlp (16 \| mlp 64|64 \| mlp 16)</);
  });
});

describe('tidy CSVs', () => {
  it('runs.csv: one row per run with identity columns, seed, status and every metric', () => {
    const records = [...twoSeeds(), makeRecord({ seed: 2, matrix: [[0.9, 0.1]], status: 'diverged' })];
    const rows = parse(runsCsv(records), { columns: true }) as Record<string, string>[];
    expect(rows).to.have.length(3);
    for (const column of ['suite', 'config_id', 'run_id', 'key', 'seed', 'status', ...METRICS.map((m) => m.key)]) expect(rows[0], column).to.have.property(column);
    expect(rows.map((r) => r.status)).to.deep.equal(['completed', 'completed', 'diverged']);
    expect(Number(rows[0].average_accuracy)).to.be.closeTo(0.65, 1e-9);
    expect(rows[2].average_accuracy, 'no metric from a diverged run').to.equal('');
    expect(rows[2].error).to.match(/diverged in phase/);
    // the leaderboard's mean is the mean of these rows
    const [row] = buildLeaderboard(records);
    expect(row.metrics.average_accuracy.mean).to.be.closeTo((0.65 + 0.55) / 2, 1e-9);
  });

  it('options-long.csv: the resolved options, one (row, option) a line, values as JSON', () => {
    const r = { ...makeRecord({ matrix: diag(0.9, 0.8), learner: 'ewc' }), learner: { name: 'ewc', label: 'ewc', options: { lambda: 10, fisher: 'predicted' } } } as RunRecord;
    const rows = parse(optionsLongCsv(buildLeaderboard([r])), { columns: true }) as Record<string, string>[];
    expect(rows.map((o) => [o.option, o.value])).to.deep.equal([['fisher', '"predicted"'], ['lambda', '10']]);
  });
});

describe('CSV formula injection (OWASP)', () => {
  it('text cells starting with = + - @ tab or CR get a leading quote; numbers, negative ones too, stay numbers', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad)).to.equal(`'${bad}`);
    expect(csvCell(-0.03)).to.equal(-0.03);
    expect(csvCell('naive')).to.equal('naive');
    const evil = makeRecord({ learner: '=cmd|" /C calc"!A0', scenario: '@evil', matrix: diag(0.9, 0.8), published: { mean: 0.5, source: '-x' } as never });
    const slightly = { ...makeRecord({ learner: 'bwt', matrix: [[0.9, 0.1], [0.1, 0.8]] }) };
    for (const text of [leaderboardCsv(buildLeaderboard([evil, slightly])), accuracyLongCsv([evil]), runsCsv([evil])]) {
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      const cells = rows.flatMap((r) => Object.values(r));
      expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-\d/.test(c)), 'no formula cell').to.deep.equal([]);
      expect(cells).to.include("'=cmd|\" /C calc\"!A0");
    }
    const bwt = parse(leaderboardCsv(buildLeaderboard([slightly])), { columns: true }) as Record<string, string>[];
    expect(bwt[0].bwt_mean, 'a negative number is written as a number').to.equal('-0.8');
  });
});

describe('Markdown and terminal tables', () => {
  it('Markdown escapes HTML in labels, not only pipes and newlines', () => {
    const md = leaderboardMarkdown(buildLeaderboard([makeRecord({ learner: '<img src=x onerror=alert(1)> & |co', scenario: '<b>s</b>', matrix: diag(0.9, 0.8) })]));
    expect(md).to.not.contain('<img').and.not.contain('<b>');
    expect(md).to.contain('&lt;img src=x onerror=alert(1)&gt; &amp; \\|co').and.contain('&lt;b&gt;s&lt;/b&gt;');
  });

  it('say n where fewer seeds define a shown metric than the row averages', () => {
    const one = makeRecord({ seed: 0, matrix: diag(0.9, 0.8) });
    const [row] = buildLeaderboard([one, makeRecord({ seed: 1, matrix: diag(0.7, 0.6) })]);
    row.metrics.bwt = { ...row.metrics.bwt, n: 1, std: null };
    expect(leaderboardTable([row])).to.contain('(n=1)');
    expect(leaderboardMarkdown([row])).to.contain('(n=1)');
  });
});
