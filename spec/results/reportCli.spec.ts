import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACCURACY_LONG_COLUMNS } from '../../results/accuracyLong.js';
import { clbench } from '../helpers/cli.js';
import { tinySuite } from '../helpers/suites.js';

describe('clbench run → report, long CSV, --json; clbench report; leaderboard --format', function () {
  this.timeout(300000);
  let dir: string;
  let out: string;
  let run: ReturnType<typeof clbench>;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-report-'));
    const file = path.join(dir, 'suite.json');
    writeFileSync(file, JSON.stringify(tinySuite({ learners: [{ name: 'naive' }, { name: 'joint' }], seeds: [0, 1] })));
    out = path.join(dir, 'out');
    run = clbench(['run', file, '--out', out, '--workers', '1', '--json']);
  });

  it('--json: stdout is one JSON object a line, from suite-start to suite-end', () => {
    expect(run.status, run.stderr).to.equal(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).to.include({ event: 'suite-start', runs: 4, workers: 1 });
    expect(events.at(-1)).to.include({ event: 'suite-end', runs: 4, report: path.join(out, 'report.html'), accuracyLong: path.join(out, 'accuracy-long.csv') });
    const kinds = events.map((e) => e.event);
    expect(kinds.filter((k) => k === 'run-start')).to.have.length(4);
    expect(kinds.filter((k) => k === 'run-end')).to.have.length(4);
    expect(kinds.filter((k) => k === 'phase')).to.have.length(4 * 3);
    expect(kinds.filter((k) => k === 'epoch')).to.have.length(4 * 3 * 2);
    const epoch = events.find((e) => e.event === 'epoch')!;
    expect(epoch).to.include({ run: 1, runs: 4, phase: 1, epoch: 1, epochs: 2 });
    expect(epoch.newTaskAccuracy).to.be.within(0, 1);
    expect(epoch.examplesPerSecond).to.be.greaterThan(0);
    expect(Date.parse(epoch.time as string)).to.not.be.NaN;
    const end = events.find((e) => e.event === 'run-end')!;
    expect(end).to.include({ status: 'completed' });
    expect(end.finalAverageAccuracy).to.be.within(0, 1);
    // the table and the file paths are for people: on stderr (on stdout without --json)
    expect(run.stderr).to.match(/^learner +n +ACC %/m);
    expect(run.stderr).to.contain(`report: ${path.join(out, 'report.html')}\n`);
    expect(run.stderr).to.contain(`long format: ${path.join(out, 'accuracy-long.csv')}\n`);
  });

  it('writes the report (an <svg> per chart) and the long-format CSV beside the leaderboard', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const figures = html.match(/<figure class="chart"/g) ?? [];
    expect(figures.length).to.equal(5); // average accuracy, cost, matrix, task curves, facilitation
    expect((html.match(/<figure class="chart"[^>]*><h3>[^<]*<\/h3><svg/g) ?? []).length).to.equal(figures.length);
    const rows = parse(readFileSync(path.join(out, 'accuracy-long.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).to.deep.equal([...ACCURACY_LONG_COLUMNS]);
    // 4 runs × (untrained + 3 phases) × 3 tasks
    expect(rows).to.have.length(48);
    expect(new Set(rows.map((r) => r.after_phase))).to.deep.equal(new Set(['0', '1', '2', '3']));
    expect(rows.every((r) => Number(r.accuracy) >= 0 && Number(r.accuracy) <= 1)).to.equal(true);
  });

  it('clbench report writes the report of one or more folders where --out says', () => {
    const file = path.join(dir, 'elsewhere', 'r.html');
    const result = clbench(['report', out, '--out', file]);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal(`report: ${file}`);
    expect(readFileSync(file, 'utf8')).to.match(/<svg/);
  });

  it('clbench leaderboard --format md prints a Markdown table; --format csv the CSV', () => {
    const md = clbench(['leaderboard', out, '--format', 'md']);
    expect(md.status, md.stderr).to.equal(0);
    const lines = md.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^\| Scenario \| Learner \| Seeds \| ACC \(%\) \|/);
    expect(lines[1]).to.match(/^\| --- \| --- \| ---: \|/);
    expect(lines.slice(2).map((l) => l.split(' | ')[1])).to.deep.equal(['naive', 'joint']);
    const csv = clbench(['leaderboard', out, '--format', 'csv']);
    expect(csv.stdout).to.equal(readFileSync(path.join(out, 'leaderboard.csv'), 'utf8'));
  });
});
