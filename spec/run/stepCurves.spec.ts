/**
 * The runner's side of issue 20: new-task accuracy after fixed gradient-step counts (evaluation.newTaskSteps)
 * and model.dropout, on a tiny synthetic stream.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { recordSchema } from '../../results/record.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { keyMaterial } from '../../store/runKey.js';
import { runJob } from '../../run/runJob.js';
import { validateWithSchema } from '../../core/schema.js';
import { thrown } from '../helpers/tf.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

describe('runJob: step curves and dropout', function () {
  this.timeout(120000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  it('measures the new task after the listed step counts of each phase, and only those reached', async () => {
    // 4 classes × 30 = 120 examples a phase in batches of 16: 8 steps an epoch, 16 in the phase's 2 epochs;
    // four classes a task, so accuracy still moves from step to step
    const scenario = { dataset: 'synthetic:classes=4,features=16,trainPerClass=30,testPerClass=50,spread=10', kind: 'permuted', tasks: 3, setting: 'domain' };
    const every = Array.from({ length: 16 }, (_, k) => k + 1);
    const [job] = jobsOf(tinySuite({ scenario, training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01 }, evaluation: { newTaskSteps: [...every, 100] } }));
    let steps = 0;
    const record = await runJob(job, { backend, onEvent: (e) => void (e.type === 'step' && e.phase === 0 && steps++) });
    expect(steps).to.equal(16);
    validateWithSchema(recordSchema, record, 'record');
    expect(record.accuracy.newTaskSteps).to.deep.equal([...every, 100]);
    const curves = record.accuracy.newTaskStepCurves!;
    expect(curves.map((c) => c.length)).to.deep.equal([16, 16, 16]);
    // after steps 8 and 16 the epochs end: the models the per-epoch curve measures
    curves.forEach((c, i) => expect([c[7], c[15]]).to.deep.equal(record.accuracy.newTaskCurves![i]));
    // and the curve moves between them, so a measurement a step early or late would show
    curves.forEach((c) => expect(new Set(c).size).to.be.greaterThan(4));
  });

  it('reads the step curve asynchronously: the same record with synchronous reads forbidden (as on WebGPU under Node)', async () => {
    const scenario = { dataset: 'synthetic:classes=4,features=16,trainPerClass=30,testPerClass=50,spread=10', kind: 'permuted', tasks: 2, setting: 'domain' };
    const suite = tinySuite({ scenario, learners: [{ name: 'ewc', options: { lambda: 10 } }], training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01 }, evaluation: { newTaskSteps: [1, 3, 9] } });
    const allowed = await runJob(jobsOf(suite)[0], { backend });
    const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
    const dataSync = proto.dataSync;
    proto.dataSync = () => {
      throw new Error('dataSync: a synchronous read');
    };
    let forbidden: Awaited<ReturnType<typeof runJob>>;
    try {
      forbidden = await runJob(jobsOf(suite)[0], { backend });
    } finally {
      proto.dataSync = dataSync;
    }
    expect(forbidden.error).to.equal(null);
    expect(forbidden.accuracy).to.deep.equal(allowed.accuracy);
    expect(allowed.accuracy.newTaskStepCurves!.map((c) => c.length)).to.deep.equal([3, 3]);
  });

  it('without newTaskSteps the record and the run key are as before', async () => {
    const [job] = jobsOf(tinySuite());
    expect(keyMaterial(job, 'wasm').evaluation).to.deep.equal({ batchSize: 1000, criterion: 0.9 });
    const record = await runJob(job, { backend });
    expect(record.accuracy).to.not.have.property('newTaskSteps');
    expect(record.accuracy).to.not.have.property('newTaskStepCurves');
    expect(job.model).to.not.have.property('dropout');
  });

  it('rejects step counts out of order', () => {
    thrown(() => jobsOf(tinySuite({ evaluation: { newTaskSteps: [10, 5] } })), UserError);
  });

  it('dropout runs are the same for a seed, and differ from runs without dropout', async () => {
    const suite = tinySuite({ model: { hidden: [32], dropout: 0.5 } });
    const [a, b] = [await runJob(jobsOf(suite)[0], { backend }), await runJob(jobsOf(suite)[0], { backend })];
    expect(a.accuracy).to.deep.equal(b.accuracy);
    const plain = await runJob(jobsOf(tinySuite())[0], { backend });
    expect(plain.accuracy.newTaskCurves).to.not.deep.equal(a.accuracy.newTaskCurves);
  });
});
