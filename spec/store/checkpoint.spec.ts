/**
 * Checkpoints, in process: a run stopped after phase 2 and resumed from its checkpoint ends in
 * exactly the state of a run never stopped — same record, and the same final checkpoint bytes (weights,
 * optimizer slots, generator states, penalty terms, replay memory) — for every built-in learner; and so
 * does one stopped within a phase and resumed from a checkpoint after one of its epochs (below).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunInterrupted } from '../../core/errors.js';
import { BaseSgdLearner } from '../../learners/base.js';
import { defineLearner, type Learner } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { createInterruptFlag, requestInterrupt } from '../../run/interrupt.js';
import { runJob, type RunEvent, type RunOptions } from '../../run/runJob.js';
import type { RunRecord } from '../../results/record.js';
import type { Job } from '../../suite/suite.js';
import { measured } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** Overlapping blobs, so accuracies are not all 1 and a different weight shows in the record too. */
const SCENARIO = { dataset: 'synthetic:classes=6,features=16,trainPerClass=24,testPerClass=12,spread=4', kind: 'split', tasks: 3, setting: 'class' };

function jobFor(learner: Record<string, unknown>, training: Record<string, unknown> = {}, suite: Record<string, unknown> = {}): Job {
  return jobsOf(tinySuite({ scenario: SCENARIO, learners: [learner], training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01, ...training }, ...suite }))[0];
}

function manifest(dir: string): { phases: number; sha256: string; learner: unknown; startedAt: string } {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return { phases: m.progress.phases, sha256: m.sha256, learner: m.learner, startedAt: m.progress.startedAt };
}

/** Every built-in learner's resume cases: [title, learner, training, suite]. */
const CASES: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>?][] = [
  ['naive with Adam', { name: 'naive' }, {}],
  ['naive with momentum', { name: 'naive' }, { optimizer: 'momentum', lr: 0.05 }],
  ['joint with SGD', { name: 'joint' }, { optimizer: 'sgd', lr: 0.1 }],
  ['EWC (sampled Fisher on a subsample: its generator matters)', { name: 'ewc', options: { lambda: 50, fisher: 'sampled', fisherSamples: 20 } }, {}],
  ['EWC with a fresh optimizer every task', { name: 'ewc', options: { lambda: 50 } }, { resetOptimizer: true }],
  ['online EWC', { name: 'online-ewc', options: { lambda: 50, gamma: 0.9, fisher: 'sampled', fisherSamples: 20 } }, {}],
  ['SI', { name: 'si', options: { c: 1 } }, {}],
  ['MAS (on a sample of the task)', { name: 'mas', options: { lambda: 1, samples: 20 } }, {}],
  ['L2', { name: 'l2', options: { lambda: 0.1 } }, {}],
  ['LwF', { name: 'lwf', options: {} }, {}],
  ['A-GEM', { name: 'agem', options: { memoryPerTask: 10, sampleSize: 8 } }, {}],
  ['GEM rehearsing its memory, with Adagrad', { name: 'gem', options: { memorySize: 20, rehearse: true } }, { optimizer: 'adagrad', lr: 0.05 }],
  ['replay, reservoir memory, replay batches', { name: 'replay', options: { policy: 'reservoir', capacity: 30, mix: 'concat', replayBatchSize: 8 } }, {}],
  ['replay, per-task memory joining the training set', { name: 'replay', options: { policy: 'per-task', capacity: 30, mix: 'dataset' } }, {}],
  ['replay, class-balanced memory, weighted loss', { name: 'replay', options: { policy: 'class-balanced', capacity: 24, mix: 'weighted', replayBatchSize: 8 } }, {}],
  ['naive under a stochastic uniform rehearsal schedule (the runner draws each phase)', { name: 'naive', schedule: { kind: 'uniform', budgetFraction: 0.5, sampling: 'stochastic' } }, {}],
  [
    'naive with BatchNorm and dropout (its mask generator), measured after steps 2 and 7 of each phase',
    { name: 'naive' },
    {},
    { model: { hidden: [32], norm: 'batchnorm', dropout: 0.5 }, evaluation: { newTaskSteps: [2, 7] } },
  ],
];

const scratch = () => mkdtempSync(path.join(tmpdir(), 'clbench-checkpoint-'));

/** The resumed run ended as the straight one: same record, both complete, and the same final state bit for bit. */
function expectSameEnd(straight: RunRecord, resumed: RunRecord, straightDir: string, resumedDir: string): void {
  expect(measured(resumed)).to.deep.equal(measured(straight));
  expect(resumed.status).to.equal('completed');
  expect(resumed.timings.phaseSeconds).to.have.length(3);
  const [a, b] = [manifest(straightDir), manifest(resumedDir)];
  expect(b.phases).to.equal(3);
  expect(b.learner, 'generator states and other JSON state').to.deep.equal(a.learner);
  expect(b.sha256, 'every tensor of the final state, bit for bit').to.equal(a.sha256);
}

/** Run `job` until `stopAfter(event)` holds: the stop request ends it after that step (or before the phase's first). */
async function runUntil(job: Job, options: RunOptions, stopAfter: (e: RunEvent) => boolean): Promise<void> {
  const interrupt = createInterruptFlag();
  try {
    await runJob(job, { ...options, interrupt, onEvent: (e) => stopAfter(e) && requestInterrupt(interrupt) });
  } catch (error) {
    expect(error).to.be.instanceOf(RunInterrupted);
    return;
  }
  expect.fail('the run was not interrupted');
}

describe('resuming a run from its phase checkpoint', function () {
  this.timeout(300000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  /** Run `job` until phase 3 starts (its first step stops it): the checkpoint of phase 2 is the last one. */
  const stopInPhase3 = (job: Job, checkpointDir: string) => runUntil(job, { backend, checkpointDir }, (e) => e.type === 'phase' && e.phase === 2);

  /** The uninterrupted run, and the run stopped after phase 2 and resumed: records and final checkpoints. */
  async function bothWays(job: Job) {
    const straightDir = scratch();
    const straight = await runJob(job, { backend, checkpointDir: straightDir });
    const resumedDir = scratch();
    await stopInPhase3(job, resumedDir);
    const { phases, startedAt } = manifest(resumedDir);
    expect(phases).to.equal(2);
    const events: RunEvent[] = [];
    const resumed = await runJob(job, { backend, checkpointDir: resumedDir, onEvent: (e) => events.push(e) });
    expect(resumed.startedAt, 'a resumed run started when its first attempt did').to.equal(startedAt);
    return { straight, resumed, straightDir, resumedDir, events };
  }

  for (const [title, learner, training, suite] of CASES) {
    it(`${title}: same record and same final state as a run never stopped`, async () => {
      const { straight, resumed, straightDir, resumedDir, events } = await bothWays(jobFor(learner, training, suite));
      expect(events).to.deep.include({ type: 'resumed', phase: 2 });
      expect(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: number }).phase)).to.deep.equal([2]);
      expectSameEnd(straight, resumed, straightDir, resumedDir);
    });
  }

  it('keeps the checkpoint files consistent: one manifest and the one data file it names', async () => {
    const dir = scratch();
    await stopInPhase3(jobFor({ name: 'ewc' }), dir);
    expect(readdirSync(dir).sort()).to.deep.equal(['manifest.json', 'phase-2.bin']);
  });

  it('does not leak tensors while writing and reading checkpoints', async () => {
    const job = jobFor({ name: 'ewc' });
    await runJob(job, { backend, checkpointDir: scratch() }); // warm-up: backends allocate a few tensors on first use
    const before = tf.memory().numTensors;
    const dir = scratch();
    await stopInPhase3(job, dir);
    await runJob(job, { backend, checkpointDir: dir });
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('starts over, with a note, from a damaged checkpoint or one written for other settings', async () => {
    const job = jobFor({ name: 'ewc' });
    const straight = await runJob(job, { backend });

    const damaged = scratch();
    await stopInPhase3(job, damaged);
    const bin = path.join(damaged, 'phase-2.bin');
    const bytes = readFileSync(bin);
    bytes[100] ^= 0xff;
    writeFileSync(bin, bytes);
    const notes: string[] = [];
    const again = await runJob(job, { backend, checkpointDir: damaged, onEvent: (e) => e.type === 'note' && notes.push(e.message) });
    expect(notes.join('\n')).to.match(/checkpoint not used: phase-2\.bin does not match its manifest .*; the run starts from its first phase/);
    expect(measured(again)).to.deep.equal(measured(straight));

    const other = scratch();
    await stopInPhase3(jobFor({ name: 'ewc' }, { lr: 0.02 }), other);
    notes.length = 0;
    const fresh = await runJob(job, { backend, checkpointDir: other, onEvent: (e) => e.type === 'note' && notes.push(e.message) });
    expect(notes.join('\n')).to.match(/checkpoint not used: it was written for other settings of this run/);
    expect(measured(fresh)).to.deep.equal(measured(straight));
  });

  it('writes no checkpoint for a learner without state(): such a run restarts from its first phase', async () => {
    registerLearner(
      defineLearner({
        name: 'test-stateless',
        description: 'a plugin-style learner without state/restore',
        optionsSchema: { type: 'object' },
        create: (_options, ctx): Learner => {
          const model = ctx.createModel();
          // no state(); one epochEnd per epoch, as the contract asks and a run checks
          const train: Learner['train'] = async (_phase, hooks) => {
            for (let epoch = 0; epoch < ctx.training.epochs; epoch++) await hooks.epochEnd?.({ epoch, loss: 0, examples: 0 });
          };
          return { train, predict: (x) => model.forward(x, false), dispose: () => model.dispose() };
        },
      }),
      'checkpoint.spec',
    );
    const dir = path.join(scratch(), 'run');
    const record = await runJob(jobFor({ name: 'test-stateless' }), { backend, checkpointDir: dir });
    expect(record.status).to.equal('completed');
    expect(() => readdirSync(dir)).to.throw(/ENOENT/);
  });
});

/**
 * Checkpoints within a phase: a learner that `resumesWithinPhase` is also saved at an epoch's end (here at
 * every one); a run stopped in the third epoch of phase 2 takes phase 2 up after its epoch 2 and ends as a
 * run never stopped (nor checkpointed within a phase) does, record and final state bit for bit.
 */
describe('resuming a run from a checkpoint within a phase', function () {
  this.timeout(300000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  /** 3 epochs a phase, so that a phase has an epoch before and after the stop */
  const jobOf = (learner: Record<string, unknown>, training: Record<string, unknown> = {}, suite: Record<string, unknown> = {}) => jobFor(learner, { epochs: 3, ...training }, suite);

  /** Run `job`, checkpointing at every epoch's end, until the third epoch of phase 2 has taken its first step. */
  const stopInPhase2Epoch3 = (job: Job, checkpointDir: string) =>
    runUntil(job, { backend, checkpointDir, withinPhaseCheckpointSeconds: 0 }, (e) => e.type === 'step' && e.phase === 1 && e.epoch === 2);

  async function bothWays(job: Job) {
    const straightDir = scratch();
    const straight = await runJob(job, { backend, checkpointDir: straightDir });
    const resumedDir = scratch();
    await stopInPhase2Epoch3(job, resumedDir);
    const saved = JSON.parse(readFileSync(path.join(resumedDir, 'manifest.json'), 'utf8')).progress;
    const events: RunEvent[] = [];
    const resumed = await runJob(job, { backend, checkpointDir: resumedDir, withinPhaseCheckpointSeconds: 0, onEvent: (e) => events.push(e) });
    return { straight, resumed, straightDir, resumedDir, events, saved };
  }

  // every learner but SI and LwF resumes within a phase (the last test below checks those two)
  for (const [title, learner, training, suite] of CASES.filter(([, l]) => l.name !== 'si' && l.name !== 'lwf')) {
    it(`${title}: same record and same final state as a run never stopped`, async () => {
      const { straight, resumed, straightDir, resumedDir, events, saved } = await bothWays(jobOf(learner, training, suite));
      expect([saved.phases, saved.phaseUnderWay?.epochs], 'the last checkpoint: within phase 2, after its epoch 2').to.deep.equal([1, 2]);
      expect(events).to.deep.include({ type: 'resumed', phase: 1, epochs: 2 });
      const epochs = events.flatMap((e) => (e.type === 'epoch' ? [`${e.phase + 1}.${e.epoch + 1}`] : []));
      expect(epochs, 'the epochs trained after the resume').to.deep.equal(['2.3', '3.1', '3.2', '3.3']);
      expectSameEnd(straight, resumed, straightDir, resumedDir);
    });
  }

  it('keeps one manifest and the one data file it names, named for its phase and epoch', async () => {
    const dir = scratch();
    await stopInPhase2Epoch3(jobOf({ name: 'gem', options: { memorySize: 20 } }), dir);
    expect(readdirSync(dir).sort()).to.deep.equal(['manifest.json', 'phase-2-epoch-2.bin']);
  });

  it('counts a phase taken up after an epoch once: examples, and train and phase time go on from the checkpoint', async () => {
    const job = jobOf({ name: 'naive' });
    const { straight, resumed, saved } = await bothWays(job);
    expect(resumed.examplesPerPhase).to.deep.equal(straight.examplesPerPhase);
    // phase 2's time: what the checkpoint measured of it plus what the resumed process added
    expect(resumed.timings.phaseSeconds[1]).to.be.above(saved.phaseUnderWay.phaseSeconds);
    expect(resumed.timings.trainSeconds).to.be.above(saved.trainSeconds + saved.phaseUnderWay.trainSeconds);
    expect(saved.phaseUnderWay.trainSeconds).to.be.at.most(saved.phaseUnderWay.phaseSeconds);
  });

  it('a learner that does not resume within a phase (SI, LwF) is checkpointed after phases only, and resumes from there', async () => {
    for (const learner of [{ name: 'si', options: { c: 1 } }, { name: 'lwf', options: {} }]) {
      const { straight, resumed, events, saved } = await bothWays(jobOf(learner));
      expect([saved.phases, saved.phaseUnderWay], learner.name).to.deep.equal([1, undefined]);
      expect(events).to.deep.include({ type: 'resumed', phase: 1 });
      expect(measured(resumed)).to.deep.equal(measured(straight));
    }
  });

  it('starts over, with a note, from a checkpoint within a phase that its learner can no longer take up', async () => {
    let resumes = true;
    class Toggled extends BaseSgdLearner {
      override readonly resumesWithinPhase = resumes;
    }
    registerLearner(
      defineLearner({ name: 'test-within-phase-toggle', description: 'fine-tuning that resumes within a phase while `resumes` is true', optionsSchema: { type: 'object' }, create: (options, ctx) => new Toggled(ctx, options) }),
      'checkpoint.spec',
    );
    const job = jobOf({ name: 'test-within-phase-toggle' });
    const straight = await runJob(job, { backend });
    const dir = scratch();
    await stopInPhase2Epoch3(job, dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).progress.phaseUnderWay.epochs).to.equal(2);
    resumes = false;
    const notes: string[] = [];
    const again = await runJob(job, { backend, checkpointDir: dir, onEvent: (e) => e.type === 'note' && notes.push(e.message) });
    expect(notes.join('\n')).to.match(/checkpoint not used: it was saved within phase 2, and this learner does not resume within a phase; the run starts from its first phase/);
    expect(measured(again)).to.deep.equal(measured(straight));
  });
});
