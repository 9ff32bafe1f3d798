import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { defineLearner, type PhaseCostInput } from '../../learners/contract.js';
import { naive } from '../../learners/methods/naive.js';
import { registerLearner } from '../../learners/registry.js';
import { useBackend } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { estimateJobCosts, longestFirst, runPasses } from '../../suite/cost.js';
import { scenarioFor } from '../../suite/jobInputs.js';
import { preflight } from '../../suite/preflight.js';
import { formatSchedulePreview, formatSuiteCost, previewSchedules } from '../../suite/schedulePreview.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

// 3 tasks of 2 classes × 60 examples: 120 examples a task, 16 features, 6 outputs (class setting); batch 16, 2 epochs
const scenario = { dataset: 'synthetic:classes=6,features=16,trainPerClass=60,testPerClass=20,spread=25', kind: 'split', tasks: 3, setting: 'class' };
const suite = tinySuite({
  scenario,
  learners: [
    { name: 'naive', label: 'narrow' },
    { name: 'naive', label: 'wide', model: { hidden: [96] } },
    { name: 'joint', label: 'joint' },
    { name: 'naive', label: 'full', schedule: { kind: 'full' } },
  ],
});

/** The example passes of the one run of a learner entry on the tiny stream. */
function passesOf(learner: Record<string, unknown>): number {
  const [job] = jobsOf(tinySuite({ scenario, learners: [learner] }));
  return runPasses(job, scenarioFor(job));
}

describe('job cost estimate (longest runs start first on a worker pool)', () => {
  it('is example passes × multiply-adds of one forward pass', () => {
    const jobs = jobsOf(suite);
    const costs = estimateJobCosts(jobs);
    const cost = (label: string) => costs.get(jobs.find((j) => j.learner.label === label)!)!;
    const epochs = 2;
    // fine-tuning: 3 phases of 120 examples; joint and full rehearsal: 120 + 240 + 360
    expect(cost('narrow')).to.equal(360 * epochs * (16 * 32 + 32 * 6));
    expect(cost('wide')).to.equal(360 * epochs * (16 * 96 + 96 * 6));
    expect(cost('joint')).to.equal(720 * epochs * (16 * 32 + 32 * 6));
    expect(cost('full')).to.equal(cost('joint'));
  });

  it('orders longest first and keeps suite order among equals', () => {
    const order = longestFirst(jobsOf(suite)).map((j) => j.learner.label);
    expect(order).to.deep.equal(['wide', 'joint', 'full', 'narrow']);
  });

  it("adds the learner's own work as it declares it (phaseCost)", () => {
    // every phase: 120 examples, ⌈120 / 16⌉ = 8 steps an epoch, 2 epochs; the first phase is plain for all of these
    const first = 120 * 2;
    // GEM, memory 50 (full from phase 2): each step also differentiates the 50
    expect(passesOf({ name: 'gem', options: { memorySize: 50 } })).to.equal(first + 2 * (120 + 8 * 50) * 2);
    // ... and rehearsing it: 120 + ⌊120 / 50⌋ × 50 = 220 trained, 14 steps
    expect(passesOf({ name: 'gem', options: { memorySize: 50, rehearse: true } })).to.equal(first + 2 * (220 + 14 * 50) * 2);
    // A-GEM: a reference sample of min(S = 64, 10 a task × tasks so far)
    expect(passesOf({ name: 'agem', options: { memoryPerTask: 10, sampleSize: 64 } })).to.equal(first + (120 + 8 * 10) * 2 + (120 + 8 * 20) * 2);
    // replay mixing the memory into the data set; concat: a replay batch of 16 every step
    expect(passesOf({ name: 'replay', options: { capacity: 50 } })).to.equal(first + 2 * 220 * 2);
    expect(passesOf({ name: 'replay', options: { capacity: 50, mix: 'concat' } })).to.equal(first + 2 * (120 + 8 * 16) * 2);
    // a reservoir fills during the first phase: replay from it too
    expect(passesOf({ name: 'replay', options: { capacity: 50, mix: 'concat', policy: 'reservoir' } })).to.equal(3 * (120 + 8 * 16) * 2);
    // DER++: two replay batches a step, from the first phase; ER-ACE: one, from the second
    expect(passesOf({ name: 'derpp', options: { replayBatchSize: 4 } })).to.equal(3 * (120 + 8 * 8) * 2);
    expect(passesOf({ name: 'er-ace', options: { replayBatchSize: 4 } })).to.equal(first + 2 * (120 + 8 * 4) * 2);
    // LwF: the teacher's forward, a third of a pass, from the second phase
    expect(passesOf({ name: 'lwf' })).to.be.closeTo(first + 2 * (120 + (8 * 16) / 3) * 2, 1e-9);
    // EWC, online EWC, MAS: an importance pass over the task (or its sample) at each phase's end
    expect(passesOf({ name: 'ewc' })).to.equal(3 * (240 + 120));
    expect(passesOf({ name: 'online-ewc', options: { fisherSamples: 30 } })).to.equal(3 * (240 + 30));
    expect(passesOf({ name: 'mas', options: { samples: 500 } })).to.equal(3 * (240 + 120));
    // a learner that declares nothing: examples × epochs
    expect(passesOf({ name: 'si' })).to.equal(3 * 240);
  });

  it("matches what replay and GEM really train on (the memory joined to each phase)", async function () {
    this.timeout(120000);
    const backend = await useBackend('wasm');
    // GEM's memory gradients: phases 2 and 3, 14 steps an epoch, 2 epochs, 50 examples each
    const memoryGradients = { replay: 0, gem: 2 * 14 * 2 * 50 };
    for (const learner of [{ name: 'replay' as const, options: { capacity: 50 } }, { name: 'gem' as const, options: { memorySize: 50, rehearse: true } }]) {
      const [job] = jobsOf(tinySuite({ scenario, learners: [learner] }));
      const record = await runJob(job, { backend });
      expect(record.status).to.equal('completed');
      expect(record.examplesPerPhase, learner.name).to.deep.equal([240, 440, 440]);
      expect(runPasses(job, scenarioFor(job)) - memoryGradients[learner.name], learner.name).to.equal(240 + 440 + 440);
    }
  });

  it('puts a GEM run ahead of longer-looking plain ones, and says so in the schedule preview', () => {
    const jobs = jobsOf(tinySuite({ scenario, learners: [{ name: 'naive', label: 'wide', model: { hidden: [96] } }, { name: 'gem', options: { memorySize: 100 } }] }));
    expect(longestFirst(jobs).map((j) => j.learner.label)).to.deep.equal(['gem(memorySize=100)', 'wide']);
    const previews = previewSchedules(jobs);
    const gemPasses = 240 + 2 * (120 + 8 * 100) * 2;
    // only the learner whose passes differ from its examples is listed
    const line = formatSchedulePreview(previews[0]).split('\n').find((l) => l.includes('example passes'));
    expect(line).to.equal(`  example passes a run costs with the learner's own work (about): ${gemPasses.toLocaleString('en-US')} (gem(memorySize=100))`);
    // 720 + 3,920 passes against 1,440 examples: 3.22×
    expect(gemPasses).to.equal(3920);
    expect(formatSuiteCost('tiny', 2, previews)).to.equal("suite 'tiny': 2 runs, 1,440 training examples in all; about 4,640 example passes with the learners' own work (forward and backward, 3.22×)");
  });

  it('leaves the last line as it was when no learner adds work', () => {
    const previews = previewSchedules(jobsOf(suite));
    expect(formatSuiteCost('tiny', 4, previews)).to.equal("suite 'tiny': 4 runs, 4,320 training examples in all");
    expect(previews.map(formatSchedulePreview).join('\n')).not.to.contain('example passes');
  });

  it("refuses a plugin's phaseCost that is not a finite number ≥ 0, naming the learner and the phase", () => {
    const bad = (cost: (phase: PhaseCostInput) => unknown, name: string) => {
      registerLearner(defineLearner({ ...naive, name, phaseCost: (_o, phase) => cost(phase) as number }), `${name}.mjs`);
      return () => passesOf({ name });
    };
    expect(bad((p) => (p.index === 1 ? Number.NaN : 1), 'cost-nan')).to.throw(UserError, "phaseCost returned NaN for phase 2");
    expect(bad(() => -5, 'cost-negative')).to.throw(UserError, 'phaseCost returned -5 for phase 1');
    expect(bad(() => '12', 'cost-string')).to.throw(UserError, 'phaseCost returned "12" for phase 1');
    let caught: unknown = null;
    try {
      bad(() => -5, 'cost-negative-2')();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(UserError);
    expect((caught as UserError).describe()).to.contain("learner 'cost-negative-2'").and.to.contain('a finite number ≥ 0');
  });

  it('refuses a phaseCost that throws before any run starts (validate, schedule and run share the preflight)', () => {
    registerLearner(defineLearner({ ...naive, name: 'cost-throws', phaseCost: () => { throw new Error('boom'); } }), 'cost-throws.mjs');
    const jobs = jobsOf(tinySuite({ scenario, learners: [{ name: 'cost-throws' }] }), 'suite.json');
    let caught: unknown = null;
    try {
      preflight(jobs, 'suite.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(UserError);
    expect((caught as UserError).message).to.equal('phaseCost threw for phase 1: boom');
    expect((caught as UserError).where).to.equal(`suite.json: learners[0] on scenario '${jobs[0].scenario.name}': learner 'cost-throws'`);
  });
});
