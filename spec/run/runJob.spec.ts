import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { BaseSgdLearner } from '../../learners/base.js';
import { defineLearner } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { recordSchema } from '../../results/record.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { validateWithSchema } from '../../core/schema.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** A learner whose loss turns NaN in its second phase. */
class NanLearner extends BaseSgdLearner {
  protected override loss(inputs: Parameters<BaseSgdLearner['loss']>[0], phase: Parameters<BaseSgdLearner['loss']>[1]): tf.Scalar {
    const loss = super.loss(inputs, phase);
    return phase.index === 1 ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
  }
}
registerLearner(
  defineLearner({ name: 'test-nan', description: 'diverges in phase 2', optionsSchema: { type: 'object' }, create: (o, ctx) => new NanLearner(ctx, o) }),
  'runJob.spec',
);
registerLearner(
  defineLearner({
    name: 'test-throws',
    description: 'throws in train',
    optionsSchema: { type: 'object' },
    create: () => ({
      async train() {
        throw new Error('boom from plugin');
      },
      predict: (x: tf.Tensor2D) => tf.zeros([x.shape[0], 6]) as tf.Tensor2D,
      dispose() {},
    }),
  }),
  'runJob.spec',
);

describe('runJob on a tiny synthetic stream', function () {
  this.timeout(120000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  it('records a full accuracy matrix, curves and counts, valid against the record schema', async () => {
    const [job] = jobsOf(tinySuite());
    const record = await runJob(job, { backend });
    validateWithSchema(recordSchema, record, 'record');
    expect(record.status).to.equal('completed');
    expect(record.accuracy.matrix).to.have.length(3);
    for (const row of record.accuracy.matrix) expect(row).to.have.length(3);
    expect(record.accuracy.initial).to.have.length(3);
    expect(record.accuracy.newTaskCurves!.map((c) => c.length)).to.deep.equal([2, 2, 2]);
    // 2 classes × 60 examples a task, 2 epochs
    expect(record.examplesPerPhase).to.deep.equal([240, 240, 240]);
    expect(record.backend.name).to.equal('wasm');
    // The curve's last point is the diagonal entry: both measure the new task after the phase's last epoch.
    record.accuracy.matrix.forEach((row, i) => expect(row[i]).to.equal(record.accuracy.newTaskCurves![i][1]));
    // separable blobs: every task is learned in its phase
    record.accuracy.matrix.forEach((row, i) => expect(row[i]).to.be.greaterThan(0.9));
  });

  it('is reproducible: same job, same record', async () => {
    const [job] = jobsOf(tinySuite({ learners: [{ name: 'ewc', options: { lambda: 10 } }] }));
    const a = await runJob(job, { backend });
    const b = await runJob(job, { backend });
    expect(a.accuracy).to.deep.equal(b.accuracy);
  });

  it('leaks no tensors across a run', async () => {
    for (const name of ['naive', 'ewc', 'joint']) {
      const [job] = jobsOf(tinySuite({ learners: [{ name }] }));
      await runJob(job, { backend }); // warm-up: backends allocate a few tensors on first use
      const before = tf.memory().numTensors;
      await runJob(job, { backend });
      expect(tf.memory().numTensors, name).to.equal(before);
    }
  });

  it('keeps tensor count flat from phase to phase', async () => {
    const [job] = jobsOf(tinySuite({ scenario: { dataset: 'synthetic:features=16,trainPerClass=30,testPerClass=10', kind: 'permuted', tasks: 4, setting: 'domain' }, learners: [{ name: 'ewc' }] }));
    const counts: number[] = [];
    await runJob(job, { backend, onEvent: (e) => e.type === 'phase' && counts.push(tf.memory().numTensors) });
    // EWC's merged penalty is allocated once, after phase 1; from then on nothing grows.
    expect(new Set(counts.slice(2)).size).to.equal(1);
  });

  it('records a NaN loss as diverged, with the phase and the rows measured so far', async () => {
    const [job] = jobsOf(tinySuite({ learners: [{ name: 'test-nan' }] }));
    const record = await runJob(job, { backend });
    expect(record.status).to.equal('diverged');
    expect(record.diverged).to.include({ phase: 1, epoch: 0, step: 0, loss: 'NaN' });
    expect(record.accuracy.matrix).to.have.length(1);
    validateWithSchema(recordSchema, record, 'record');
  });

  it('records a learner that throws as failed, naming the learner', async () => {
    const [job] = jobsOf(tinySuite({ learners: [{ name: 'test-throws' }] }));
    const record = await runJob(job, { backend });
    expect(record.status).to.equal('failed');
    expect(record.error).to.equal("learner 'test-throws': boom from plugin");
  });
});
