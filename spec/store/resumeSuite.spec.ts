/**
 * Resuming a suite in a results folder that already holds records (in process, one thread): what is kept,
 * what runs again, what is reported; and numerical safety (a run whose weights stop being finite).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaseSgdLearner, type BatchTensors } from '../../learners/base.js';
import { defineLearner, type Phase } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { recordPath } from '../../store/records.js';
import { createProgress } from '../../exec/progress.js';
import { runSuite, type SuiteRunResult } from '../../exec/runSuite.js';
import { validRecords } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Fails while `flaky.failing` is set (a learner bug fixed between two runs of a suite). */
const flaky = { failing: true };
registerLearner(
  defineLearner({
    name: 'test-flaky',
    description: 'throws in train while flaky.failing',
    optionsSchema: { type: 'object' },
    create: (o, ctx) =>
      new (class extends BaseSgdLearner {
        override async train(phase: Phase, hooks: Parameters<BaseSgdLearner['train']>[1]) {
          if (flaky.failing) throw new Error('flaky failure');
          return super.train(phase, hooks);
        }
      })(ctx, o),
  }),
  'resumeSuite.spec',
);

/** Its loss stays finite, but the last update of phase 2's first epoch makes a weight infinite. */
class InfiniteWeightLearner extends BaseSgdLearner {
  private steps = 0;
  protected override afterStep(_grads: tf.NamedTensorMap, _inputs: BatchTensors, phase: Phase): void {
    this.steps++;
    const stepsPerEpoch = Math.ceil(this.ctx.data.taskExamples(phase.taskId).indices.length / this.ctx.training.batchSize);
    if (phase.index === 1 && this.steps === 2 * stepsPerEpoch + stepsPerEpoch) {
      const w = this.model.variables[0];
      w.assign(tf.mul(w, Infinity));
    }
  }
}
registerLearner(
  defineLearner({ name: 'test-infinite-weights', description: 'weights overflow in phase 2', optionsSchema: { type: 'object' }, create: (o, ctx) => new InfiniteWeightLearner(ctx, o) }),
  'resumeSuite.spec',
);

const SCENARIO = { dataset: 'synthetic:classes=6,features=16,trainPerClass=20,testPerClass=10,spread=25', kind: 'split', tasks: 3, setting: 'task' };
const TRAINING = { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01 };

describe('resuming a suite in a results folder', function () {
  this.timeout(300000);
  let log: string[];
  let out: string;
  beforeEach(() => {
    log = [];
    out = mkdtempSync(path.join(tmpdir(), 'clbench-resume-'));
  });

  function run(suite: Record<string, unknown>, fresh = false): Promise<SuiteRunResult> {
    const jobs = jobsOf({ ...tinySuite({ scenario: SCENARIO, training: TRAINING }), ...suite });
    return runSuite(jobs, { outDir: out, backend: 'wasm', progress: createProgress('quiet'), workers: 1, plugins: [], fresh, log: (line) => log.push(line) });
  }

  const files = () => Object.fromEntries(readdirSync(path.join(out, 'runs')).filter((n) => n.endsWith('.json')).map((n) => [n, readFileSync(path.join(out, 'runs', n), 'utf8')]));
  const stale = () => readdirSync(path.join(out, 'runs', 'stale'));
  const two = { learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }] };

  it('keeps every valid record and runs nothing when nothing changed', async () => {
    expect((await run(two)).ran).to.equal(2);
    const before = files();
    const again = await run(two);
    expect(again.ran).to.equal(0);
    expect(again.records).to.have.length(2);
    expect(files()).to.deep.equal(before);
    expect(log.join('\n')).to.contain('resume: 2 of 2 runs already have records').and.contain('--fresh redoes them');
  });

  it('runs again only the runs whose settings changed, says what changed, and moves their old records to runs/stale/', async () => {
    await run(two);
    const before = files();
    const changed = { ...two, learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 }, training: { lr: 0.02 } }] };
    const result = await run(changed);
    expect(result.ran).to.equal(1);
    const report = log.join('\n');
    expect(report).to.match(/ewc\(lambda=10\)__seed0__[0-9a-f]{8}: the suite changed since its record was written: training\.lr: 0\.01 → 0\.02; it runs again and its old record moves to runs\/stale\//);
    expect(report).to.contain('resume: 1 of 2 runs already have records');
    expect(stale()).to.have.length(1);
    const staleText = readFileSync(path.join(out, 'runs', 'stale', stale()[0]), 'utf8');
    expect(Object.values(before)).to.include(staleText);
    const after = files();
    for (const [name, text] of Object.entries(before)) expect(after[name] === text, name).to.equal(name.includes('naive'));
    expect((await run(changed)).ran, 'the new records are valid for the changed suite').to.equal(0);
  });

  it('--fresh runs everything again and keeps the old records in runs/stale/', async () => {
    await run(two);
    expect((await run(two, true)).ran).to.equal(2);
    expect(stale()).to.have.length(2);
    expect(log.join('\n')).to.contain('--fresh: 2 existing record(s) of this suite moved to');
  });

  it('retries failed runs and keeps diverged ones (a divergence repeats: runs are deterministic)', async () => {
    const mixed = { learners: [{ name: 'test-flaky' }, { name: 'naive', training: { optimizer: 'sgd', lr: 1e30 } }] };
    flaky.failing = true;
    const first = await run(mixed);
    expect(first.records.map((r) => r.status)).to.deep.equal(['failed', 'diverged']);
    const diverged = files();
    flaky.failing = false;
    const second = await run(mixed);
    expect(second.ran).to.equal(1);
    expect(second.records.map((r) => r.status)).to.deep.equal(['completed', 'diverged']);
    expect(log.join('\n')).to.contain('(1 failed before and run again)');
    const name = Object.keys(diverged).find((n) => n.includes('naive'))!;
    expect(files()[name]).to.equal(diverged[name]);
  });

  it('applies display-only changes (order, published values) to kept records without running them again', async () => {
    await run(two);
    const reordered = { ...two, learners: [{ name: 'ewc', options: { lambda: 10 }, published: { [jobsOf(tinySuite({ scenario: SCENARIO })).at(0)!.scenario.name]: { mean: 0.9 } } }, { name: 'naive' }] };
    const result = await run(reordered);
    expect(result.ran).to.equal(0);
    expect(result.leaderboard.map((r) => r.learner)).to.deep.equal(['ewc(lambda=10)', 'naive']);
    expect(result.leaderboard[0].published).to.include({ mean: 0.9 });
    expect([...validRecords(out).values()].find((r) => r.learner.name === 'ewc')!.position).to.deep.equal([0, 0]);
  });

  it('sets a damaged record aside and runs it again', async () => {
    const [job] = jobsOf({ ...tinySuite({ scenario: SCENARIO, training: TRAINING }) });
    await run({});
    writeFileSync(recordPath(out, job.id), '{"schemaVersion": 1, "runId": ');
    expect((await run({})).ran).to.equal(1);
    expect(log.join('\n')).to.match(/its record is unreadable \(not a readable run record/);
    expect(stale()).to.have.length(1);
    expect(validRecords(out).get(job.id)!.status).to.equal('completed');
  });

  it('records a run whose weights stop being finite as diverged, with phase, epoch and step; the suite goes on', async () => {
    const result = await run({ learners: [{ name: 'test-infinite-weights' }, { name: 'naive' }] });
    const [bad, good] = result.records;
    expect(bad.status).to.equal('diverged');
    // 40 examples a task in batches of 16: 3 steps an epoch; the weights overflow in the last step of epoch 1
    expect(bad.diverged).to.deep.include({ phase: 1, epoch: 0, step: 2, nonFinite: 'weights' });
    expect(Number(bad.diverged!.loss)).to.be.finite;
    expect(bad.accuracy.matrix).to.have.length(1);
    expect(good.status).to.equal('completed');
    expect(result.leaderboard.map((r) => [r.learner, r.diverged, r.seeds])).to.deep.equal([
      ['test-infinite-weights', 1, 0],
      ['naive', 0, 1],
    ]);
  });
});
