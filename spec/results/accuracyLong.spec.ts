import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCURACY_LONG_COLUMNS, accuracyLongCsv, accuracyLongRows } from '../../results/accuracyLong.js';
import { makeRecord, toyRecords } from './records.js';

describe('long-format accuracy CSV', () => {
  it('has one row per completed run, phase and task, the untrained model as phase 0', () => {
    const rows = accuracyLongRows(toyRecords());
    // 6 completed runs × (1 untrained row + 3 phases) × 3 tasks; the diverged run is left out
    expect(rows).to.have.length(72);
    expect(rows.some((r) => r.run_id.endsWith('seed2'))).to.equal(false);
    // every row also says which leaderboard row its run belongs to (suite, config id) and what model and training it had
    expect(rows[0]).to.include({ suite: 'toy', model: 'mlp 16', training: 'adam lr 0.01, batch 16, 3 epochs' });
    expect(rows[0].config_id).to.match(/^[0-9a-f]{12}$/);
    const shown = ({ run_id, scenario, learner, seed, after_phase, eval_task, accuracy }: (typeof rows)[number]) => ({ run_id, scenario, learner, seed, after_phase, eval_task, accuracy });
    expect(rows.slice(0, 4).map(shown)).to.deep.equal([
      { run_id: 'split-toy-task__naive__seed0', scenario: 'split-toy-task', learner: 'naive', seed: 0, after_phase: 0, eval_task: 1, accuracy: 0.5 },
      { run_id: 'split-toy-task__naive__seed0', scenario: 'split-toy-task', learner: 'naive', seed: 0, after_phase: 0, eval_task: 2, accuracy: 0.4 },
      { run_id: 'split-toy-task__naive__seed0', scenario: 'split-toy-task', learner: 'naive', seed: 0, after_phase: 0, eval_task: 3, accuracy: 0.6 },
      { run_id: 'split-toy-task__naive__seed0', scenario: 'split-toy-task', learner: 'naive', seed: 0, after_phase: 1, eval_task: 1, accuracy: 0.9 },
    ]);
    // R[3][2] of naive seed 1 (1-based) is matrix[2][1]
    expect(rows.find((r) => r.run_id === 'split-toy-task__naive__seed1' && r.after_phase === 3 && r.eval_task === 2)!.accuracy).to.equal(0.4);
  });

  it('keeps the suite order (scenario, learner entry, seed) whatever order the records come in', () => {
    const order = (records: ReturnType<typeof toyRecords>) => [...new Set(accuracyLongRows(records).map((r) => r.run_id))];
    expect(order(toyRecords().reverse())).to.deep.equal(order(toyRecords()));
    expect(order(toyRecords())[0]).to.equal('split-toy-task__naive__seed0');
    expect(order(toyRecords()).at(-1)).to.equal('split-toy-task__joint__seed1');
  });

  it('starts at phase 1 when the untrained model was not measured', () => {
    const rows = accuracyLongRows([makeRecord({ matrix: [[0.9, 0.2], [0.6, 0.8]] })]);
    expect(rows.map((r) => [r.after_phase, r.eval_task, r.accuracy])).to.deep.equal([
      [1, 1, 0.9],
      [1, 2, 0.2],
      [2, 1, 0.6],
      [2, 2, 0.8],
    ]);
  });

  it('is RFC 4180 CSV with the documented header, and reads back to the same numbers', () => {
    const records = [makeRecord({ scenario: 'split, "quoted"', learner: 'ewc(lambda=1)', matrix: [[1 / 3]] })];
    const csv = accuracyLongCsv(records);
    expect(csv.split('\n')[0]).to.equal('suite,config_id,run_id,scenario,learner,model,training,seed,after_phase,eval_task,accuracy');
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0])).to.deep.equal([...ACCURACY_LONG_COLUMNS]);
    expect(parsed[0]).to.include({ scenario: 'split, "quoted"', learner: 'ewc(lambda=1)', seed: '0', after_phase: '1', eval_task: '1', accuracy: '0.333333' });
  });

  it('is documented in docs/csv-formats.md, every column in the table', () => {
    const page = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/csv-formats.md'), 'utf8');
    const start = page.indexOf('\n## Long-format accuracy CSV\n');
    expect(start).to.be.greaterThan(-1);
    const section = page.slice(start, page.indexOf('\n## ', start + 1));
    expect(ACCURACY_LONG_COLUMNS.filter((c) => !section.includes(`| \`${c}\` |`))).to.deep.equal([]);
  });
});
