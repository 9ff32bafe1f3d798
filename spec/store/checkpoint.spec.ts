/**
 * Phase checkpoints, in process: a run stopped after phase 2 and resumed from its checkpoint ends in
 * exactly the state of a run never stopped — same record, and the same final checkpoint bytes (weights,
 * optimizer slots, generator states, penalty terms, replay memory) — for every built-in learner.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunInterrupted } from '../../core/errors.js';
import { defineLearner, type Learner } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { createInterruptFlag, requestInterrupt } from '../../run/interrupt.js';
import { runJob, type RunEvent } from '../../run/runJob.js';
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

const scratch = () => mkdtempSync(path.join(tmpdir(), 'clbench-checkpoint-'));

describe('resuming a run from its phase checkpoint', function () {
  this.timeout(300000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  /** Run `job` until phase 3 starts (its first step stops it): the checkpoint of phase 2 is the last one. */
  async function stopInPhase3(job: Job, checkpointDir: string): Promise<void> {
    const interrupt = createInterruptFlag();
    const onEvent = (e: RunEvent) => e.type === 'phase' && e.phase === 2 && requestInterrupt(interrupt);
    try {
      await runJob(job, { backend, checkpointDir, interrupt, onEvent });
    } catch (error) {
      expect(error).to.be.instanceOf(RunInterrupted);
      return;
    }
    expect.fail('the run was not interrupted');
  }

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

  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>?][] = [
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
      'naive with BatchNorm and dropout (its mask generator), measured after fixed steps',
      { name: 'naive' },
      {},
      { model: { hidden: [32], norm: 'batchnorm', dropout: 0.5 }, evaluation: { newTaskSteps: [3, 10] } },
    ],
  ];
  for (const [title, learner, training, suite] of cases) {
    it(`${title}: same record and same final state as a run never stopped`, async () => {
      const { straight, resumed, straightDir, resumedDir, events } = await bothWays(jobFor(learner, training, suite));
      expect(events).to.deep.include({ type: 'resumed', phase: 2 });
      expect(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: number }).phase)).to.deep.equal([2]);
      expect(measured(resumed)).to.deep.equal(measured(straight));
      expect(resumed.status).to.equal('completed');
      expect(resumed.timings.phaseSeconds).to.have.length(3);
      const [a, b] = [manifest(straightDir), manifest(resumedDir)];
      expect(b.phases).to.equal(3);
      expect(b.learner, 'generator states and other JSON state').to.deep.equal(a.learner);
      expect(b.sha256, 'every tensor of the final state, bit for bit').to.equal(a.sha256);
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
