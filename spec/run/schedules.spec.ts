import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';
import { BaseSgdLearner } from '../../learners/base.js';
import { defineLearner, type Phase } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { recordSchema } from '../../results/record.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { scenarioFor } from '../../suite/jobInputs.js';
import { previewSchedules, suiteExamples } from '../../suite/schedulePreview.js';
import { expandSuite, readSuiteFile } from '../../suite/suite.js';
import { validateWithSchema } from '../../core/schema.js';
import { taskExamples } from '../../scenarios/examples.js';
import { countByTask, phaseTotals, resolveSchedule, scheduleCounts } from '../../scenarios/schedules.js';
import type { ExampleSet } from '../../scenarios/types.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Three permuted tasks of 120 examples in the domain setting: small enough for seconds-long runs. */
const STREAM = { dataset: 'synthetic:classes=3,features=16,trainPerClass=40,testPerClass=20,spread=25', kind: 'permuted', tasks: 3, setting: 'domain' };

/** Every phase handed to a learner, by run label (a naive learner that keeps what it was given). */
const handedOver = new Map<string, ExampleSet[]>();
class SpyLearner extends BaseSgdLearner<{ tag: string }> {
  protected override trainingExamples(phase: Phase): ExampleSet {
    handedOver.set(this.options.tag, [...(handedOver.get(this.options.tag) ?? []), phase.examples]);
    return phase.examples;
  }
}
registerLearner(
  defineLearner<{ tag: string }>({
    name: 'test-spy',
    description: 'naive, remembering the phases it was handed',
    optionsSchema: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] },
    create: (options, ctx) => new SpyLearner(ctx, options),
  }),
  'schedules.spec',
);

describe('rehearsal schedules in suites', () => {
  it('defaults to the none schedule, and leaves labels and ids of such entries as they were', () => {
    const jobs = jobsOf(tinySuite({ learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }] }));
    for (const job of jobs) expect(job.schedule).to.deep.equal(resolveSchedule({ kind: 'none' }));
    expect(jobs.map((j) => j.id.split('__').slice(1, -1).join('__'))).to.deep.equal(['naive__seed0', 'ewc(lambda=10)__seed0']);
  });

  it('takes a suite-level schedule, per-entry overrides, and names the environment in the default label', () => {
    const jobs = jobsOf(
      tinySuite({
        schedule: { kind: 'powerlaw', budgetFraction: 0.5 },
        learners: [{ name: 'naive' }, { name: 'naive', schedule: { kind: 'none' } }, { name: 'naive', label: 'mine', schedule: { kind: 'uniform', budgetFraction: 0.1 } }],
      }),
    );
    expect(jobs.map((j) => j.learner.label)).to.deep.equal(['naive+powerlaw(alpha=5.6,tau=10,r=0.5)', 'naive', 'mine']);
    expect(jobs[0].schedule).to.include({ kind: 'powerlaw', alpha: 5.6, tau: 10, budgetFraction: 0.5 });
    expect(jobs[2].schedule).to.include({ kind: 'uniform', budgetFraction: 0.1 });
  });

  it('runs joint under the full schedule it really trains on, and refuses to give it another', () => {
    const [job] = jobsOf(tinySuite({ schedule: { kind: 'exponential', budgetFraction: 1 }, learners: [{ name: 'joint' }] }));
    expect(job.schedule.kind).to.equal('full');
    expect(job.learner.label).to.equal('joint');
    expect(() => jobsOf(tinySuite({ learners: [{ name: 'joint', schedule: { kind: 'uniform' } }] }))).to.throw(UserError, 'ignores schedules');
  });

  it('reports a wrong schedule parameter with its file and field', () => {
    try {
      jobsOf(tinySuite({ learners: [{ name: 'naive' }, { name: 'naive', schedule: { kind: 'uniform', alpha: 2 } }] }), 'suite.json');
      expect.fail('expected a UserError');
    } catch (error) {
      expect(error).to.be.instanceOf(UserError);
      expect((error as UserError).where).to.equal('suite.json: learners[1].schedule.alpha');
    }
    expect(() => jobsOf(tinySuite({ schedule: { kind: 'zipf' } }))).to.throw(UserError, 'must be one of');
  });

  it('lets an entry override the model (a width sweep in one leaderboard)', () => {
    const jobs = jobsOf(tinySuite({ learners: [{ name: 'naive' }, { name: 'naive', label: 'wide', model: { hidden: [64, 64] } }] }));
    expect(jobs.map((j) => j.model)).to.deep.equal([{ hidden: [32], dense: 'fast' }, { hidden: [64, 64], dense: 'fast' }]);
  });
});

describe('runJob under a rehearsal schedule', function () {
  this.timeout(120000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  it('hands each phase the scheduled examples and records the count matrix it used', async () => {
    const schedule = { kind: 'powerlaw', alpha: 1, tau: 1, budgetFraction: 0.5 };
    const [job] = jobsOf(tinySuite({ scenario: STREAM, learners: [{ name: 'test-spy', options: { tag: 'powerlaw' }, schedule }] }));
    const record = await runJob(job, { backend });
    validateWithSchema(recordSchema, record, 'record');
    expect(record.status).to.equal('completed');
    const expected = scheduleCounts(resolveSchedule(schedule as never), [120, 120, 120]).counts;
    // R = 60 a phase; phase 3 splits it 1/3 : 1/2 over ages 2 and 1
    expect(expected).to.deep.equal([[120, 0, 0], [60, 120, 0], [24, 36, 120]]);
    expect(record.schedule).to.deep.include({ label: 'powerlaw(alpha=1,tau=1,r=0.5)', counts: expected, drawn: null, warnings: [] });
    expect(record.examplesPerPhase).to.deep.equal(phaseTotals(expected).map((n) => n * 2));
    const phases = handedOver.get('powerlaw')!;
    phases.forEach((set, p) => expect(countByTask(set, 3)).to.deep.equal(expected[p]));
  });

  it('none hands over exactly what runs without schedules did: each phase is its task', async () => {
    const [job] = jobsOf(tinySuite({ scenario: STREAM, learners: [{ name: 'test-spy', options: { tag: 'none' } }] }));
    const record = await runJob(job, { backend });
    const scenario = scenarioFor(job);
    const phases = handedOver.get('none')!;
    expect(phases).to.have.length(3);
    phases.forEach((set, p) => expect(set).to.deep.equal(taskExamples(scenario, p)));
    expect(record.schedule!.counts).to.deep.equal([[120, 0, 0], [0, 120, 0], [0, 0, 120]]);
    expect(record.examplesPerPhase).to.deep.equal([240, 240, 240]);
  });

  it('naive under the full schedule trains exactly as joint does', async () => {
    const [naiveFull, joint] = jobsOf(tinySuite({ scenario: STREAM, learners: [{ name: 'naive', schedule: { kind: 'full' } }, { name: 'joint' }] }));
    const a = await runJob(naiveFull, { backend });
    const b = await runJob(joint, { backend });
    expect(a.accuracy).to.deep.equal(b.accuracy);
    expect(a.schedule!.counts).to.deep.equal(b.schedule!.counts);
    expect(a.examplesPerPhase).to.deep.equal([240, 480, 720]);
  });

  it('stochastic sampling records the per-task draws of every phase', async () => {
    const [job] = jobsOf(tinySuite({ scenario: STREAM, learners: [{ name: 'naive', schedule: { kind: 'uniform', sampling: 'stochastic' } }] }));
    const a = await runJob(job, { backend });
    const b = await runJob(job, { backend });
    expect(a.schedule!.counts).to.deep.equal([[120, 0, 0], [120, 120, 0], [120, 120, 120]]);
    const drawn = a.schedule!.drawn!;
    expect(drawn.map((row) => row.reduce((x, y) => x + y, 0))).to.deep.equal([120, 240, 360]);
    expect(drawn[0]).to.deep.equal([120, 0, 0]);
    expect(drawn[2]).not.to.deep.equal([120, 120, 120]);
    expect(b.schedule!.drawn).to.deep.equal(drawn);
    expect(b.accuracy).to.deep.equal(a.accuracy);
    validateWithSchema(recordSchema, a, 'record');
  });

  it('previews the count matrix of every scenario and schedule without training', () => {
    const jobs = jobsOf(tinySuite({ scenario: STREAM, seeds: [0, 1], learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 1 } }, { name: 'naive', schedule: { kind: 'uniform', budgetFraction: 1 } }] }));
    const previews = previewSchedules(jobs);
    expect(previews.map((p) => [p.schedule, p.learners, p.seeds])).to.deep.equal([
      ['none', ['naive', 'ewc(lambda=1)'], [0, 1]],
      ['uniform(r=1)', ['naive+uniform(r=1)'], [0, 1]],
    ]);
    expect(previews[1].counts).to.deep.equal([[120, 0, 0], [120, 120, 0], [60, 60, 120]]);
    expect(previews[1].totals).to.deep.equal([120, 240, 240]);
    expect(previews[1].examplesPerRun.get('naive+uniform(r=1)')).to.equal(1200);
  });
});

describe('the power-law suites', function () {
  this.timeout(120000);
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../suites');
  const names = ['powerlaw-pmnist', 'powerlaw-sweep-tasks', 'powerlaw-sweep-width', 'powerlaw-sweep-amount', 'powerlaw-split-mnist-class'];

  it('are valid, at least 3 seeds, and state their scale and cost truthfully', () => {
    for (const name of names) {
      const file = path.join(dir, `${name}.json`);
      const suite = readSuiteFile(file);
      const jobs = expandSuite(suite, file);
      expect(suite.seeds.length, name).to.be.at.least(3);
      expect(suite.description, name).to.contain('SCALE');
      const stated = /about ([\d.]+)M training examples/.exec(suite.description ?? '');
      expect(stated, `${name}: description states the training examples`).to.not.equal(null);
      const total = suiteExamples(previewSchedules(jobs));
      expect((total / 1e6).toFixed(1), name).to.equal(stated![1]);
    }
  });
});
