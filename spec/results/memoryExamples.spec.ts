/** memory_examples: the past-task examples each method keeps at the last phase (results/memoryExamples.ts). */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { leaderboardCsv } from '../../results/csv.js';
import { buildLeaderboard } from '../../results/leaderboard.js';
import { memoryExamples } from '../../results/memoryExamples.js';
import type { ScheduleRecord } from '../../results/record.js';
import { makeRecord } from './records.js';

/** Three tasks of 100, 200 and 300 training examples (past tasks at the last phase: 100 + 200). */
const TASKS = [100, 200, 300].map((train, j) => ({ name: `t${j}`, classes: [j], train, test: 10 }));

function schedule(counts: number[][]): ScheduleRecord {
  return { label: 'x', spec: { kind: 'uniform', budgetFraction: 0.1, minPerTask: 0, minPerTaskMode: 'warn', sampling: 'phase' }, counts, drawn: null, warnings: [] };
}
const NONE = schedule([
  [100, 0, 0],
  [0, 200, 0],
  [0, 0, 300],
]);
const REHEARSING = schedule([
  [100, 0, 0],
  [10, 200, 0],
  [5, 5, 300],
]);

function memory(name: string, options: Record<string, unknown> = {}, sched: ScheduleRecord | undefined = NONE): number | null {
  return memoryExamples({ tasks: TASKS, schedule: sched, learner: { name, options } });
}

describe('memory_examples (results/memoryExamples.ts)', () => {
  it('an environment that rehearses keeps all past data: 100 + 200 examples, whatever the learner', () => {
    expect(memory('naive', {}, REHEARSING)).to.equal(300);
    expect(memory('lwf', {}, REHEARSING)).to.equal(300);
    expect(memory('replay', { capacity: 50 }, REHEARSING)).to.equal(300);
    expect(memory('joint', {}, undefined)).to.equal(300);
  });

  it('replay memories keep their capacity; A-GEM memoryPerTask for each of the T − 1 finished tasks', () => {
    expect(memory('replay', { capacity: 1100 })).to.equal(1100);
    expect(memory('derpp', { capacity: 500 })).to.equal(500);
    expect(memory('er-ace', { capacity: 200 })).to.equal(200);
    expect(memory('gem', { memorySize: 256 })).to.equal(256);
    expect(memory('agem', { memoryPerTask: 250 })).to.equal(500);
  });

  it('regularisers, LwF and fine-tuning keep no examples; a plugin is unknown', () => {
    for (const name of ['naive', 'ewc', 'online-ewc', 'si', 'mas', 'l2', 'lwf']) expect(memory(name), name).to.equal(0);
    expect(memory('my-plugin')).to.equal(null);
    // records written before schedules existed count as the fine-tune stream
    expect(memory('ewc', {}, undefined)).to.equal(0);
  });

  it('is a leaderboard column', () => {
    const record = makeRecord({ learner: 'replay', matrix: [[0.9, 0.1], [0.8, 0.9]] });
    record.learner.options = { capacity: 40 };
    const [row] = buildLeaderboard([record]);
    expect(row.memoryExamples).to.equal(40);
    const [cells] = parse(leaderboardCsv([row]), { columns: true }) as Record<string, string>[];
    expect(cells.memory_examples).to.equal('40');
  });
});
