/**
 * `clbench run --reuse DIR` (store/reuse.ts): a suite that contains another's runs copies their records
 * instead of running them again — only records of exactly the same settings (run key recomputed from the
 * record), never failed ones, each naming its original; disagreeing copies of one run are an error.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { createProgress } from '../../exec/progress.js';
import { runSuite, type SuiteRunResult } from '../../exec/runSuite.js';
import { readRecord, writeRecord } from '../../store/records.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const SCENARIO = { dataset: 'synthetic:classes=6,features=16,trainPerClass=20,testPerClass=10,spread=25', kind: 'split', tasks: 3, setting: 'task' };
const TRAINING = { epochs: 1, batchSize: 16, optimizer: 'adam', lr: 0.01 };
const small = (overrides: Record<string, unknown> = {}) => tinySuite({ scenario: SCENARIO, training: TRAINING, ...overrides });
const temp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `clbench-reuse-${prefix}-`));

// the smaller suite, and a larger one of another name holding its two runs (one under another label) and one more
const CORE = small({ name: 'core', learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }] });
const GRID = small({ name: 'grid', learners: [{ name: 'naive', label: 'fine-tune' }, { name: 'ewc', options: { lambda: 10 } }, { name: 'ewc', label: 'ewc 100', options: { lambda: 100 } }] });

describe('run --reuse: records of identical runs copied from another suite', function () {
  this.timeout(300000);
  let log: string[];
  beforeEach(() => {
    log = [];
  });
  const run = (suite: Record<string, unknown>, out: string, reuse: string[] = []): Promise<SuiteRunResult> =>
    runSuite(jobsOf(suite), { outDir: out, backend: 'wasm', progress: createProgress('quiet'), workers: 1, plugins: [], reuse, log: (line) => log.push(line) });
  const records = (out: string) =>
    readdirSync(path.join(out, 'runs'))
      .filter((n) => n.endsWith('.json'))
      .map((n) => readRecord(path.join(out, 'runs', n)));

  let core: string;
  before(async () => {
    core = temp('core');
    await run(CORE, core);
  });

  it('copies the shared runs under the new ids and labels, naming the original, and runs only the others', async () => {
    const out = temp('grid');
    const result = await run(GRID, out, [core]);
    expect(result.ran).to.equal(1);
    expect(log.join('\n')).to.contain(`--reuse ${core}: 2 record(s)`);
    const jobs = jobsOf(GRID);
    const original = new Map(records(core).map((r) => [r.key, r]));
    for (const record of records(out)) {
      const job = jobs.find((j) => j.id === record.runId)!;
      expect(record.suite).to.equal('grid');
      expect(record.learner.label).to.equal(job.learner.label);
      const from = original.get(record.key!);
      if (job.learner.label === 'ewc 100') {
        expect(from, 'λ 100 is not in the core suite').to.equal(undefined);
        expect(record).to.not.have.property('reusedFrom');
        continue;
      }
      expect(record.reusedFrom).to.deep.equal({ suite: 'core', runId: from!.runId });
      expect(record.accuracy).to.deep.equal(from!.accuracy);
      expect(record.startedAt).to.equal(from!.startedAt);
    }
    // a copy of a copy names the first original: the two core runs say 'core', the run made by 'grid' says 'grid'
    const again = temp('grid-again');
    expect((await run(small({ ...GRID, name: 'grid2' }), again, [out])).ran).to.equal(0);
    expect(records(again).map((r) => r.reusedFrom!.suite).sort()).to.deep.equal(['core', 'core', 'grid']);
  });

  it('takes no record whose settings differ from its key field, and no failed record', async () => {
    const source = temp('edited');
    await run(CORE, source);
    const [naive, ewc] = records(source).sort((a, b) => a.learner.name.localeCompare(b.learner.name));
    writeRecord(source, { ...naive, training: { ...naive.training, lr: 0.5 } }); // key field kept: the settings no longer match it
    writeRecord(source, { ...ewc, status: 'failed', error: 'boom' });
    const out = temp('edited-out');
    const result = await run(CORE, out, [source]);
    expect(result.ran).to.equal(2);
    expect(records(out).some((r) => r.reusedFrom)).to.equal(false);
  });

  it('refuses two sources whose records of one run disagree, naming both files', async () => {
    const other = temp('other');
    await run(CORE, other);
    const [record] = records(other);
    const changed = record.accuracy.matrix.map((row) => row.map((a) => a / 2));
    writeRecord(other, { ...record, accuracy: { ...record.accuracy, matrix: changed } });
    let error: unknown;
    try {
      await run(GRID, temp('conflict'), [core, other]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(UserError);
    expect((error as Error).message).to.match(/two records of the same run settings disagree/);
    expect((error as Error).message).to.contain(path.join(core, 'runs')).and.to.contain(path.join(other, 'runs'));
  });

  it('refuses a folder that is not a results folder, and the results folder itself', async () => {
    const empty = temp('empty');
    await expectReject(run(CORE, temp('x'), [empty]), /is not a results folder/);
    await expectReject(run(CORE, core, [core]), /this run's own results folder/);
  });
});

async function expectReject(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a rejection matching ${pattern}`).to.be.instanceOf(UserError);
  expect((error as UserError).describe()).to.match(pattern);
}
