/** Every built-in learner of the zoo, end to end through runJob on a tiny synthetic stream. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { getLearner } from '../../learners/registry.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { validateWithSchema } from '../../core/schema.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const ZOO: { name: string; options?: Record<string, unknown> }[] = [
  { name: 'online-ewc', options: { lambda: 10, gamma: 0.9 } },
  { name: 'si', options: { c: 1 } },
  { name: 'mas' },
  { name: 'mas', options: { estimator: 'batch-mean', accumulation: 'average' } },
  { name: 'l2', options: { lambda: 0.1 } },
  { name: 'lwf' },
  { name: 'lwf', options: { weighting: 'inverse-task' } },
  { name: 'replay', options: { capacity: 60 } },
  { name: 'replay', options: { policy: 'reservoir', mix: 'concat', capacity: 30, replayBatchSize: 8 } },
  { name: 'replay', options: { policy: 'class-balanced', mix: 'weighted', capacity: 30 } },
  { name: 'agem', options: { memoryPerTask: 20, sampleSize: 16 } },
  { name: 'gem', options: { memorySize: 40 } },
  { name: 'gem', options: { memorySize: 40, rehearse: true } },
];

const SCENARIO = tinySuite().scenario as Record<string, unknown>;

const NAMES = ['online-ewc', 'si', 'mas', 'l2', 'lwf', 'replay', 'agem', 'gem'];

describe('the learner zoo', function () {
  this.timeout(120000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  it('registers every learner with an options schema whose every property has a default and a description', () => {
    for (const name of NAMES) {
      const d = getLearner(name);
      expect(d.reference, name).to.be.a('string');
      const properties = (d.optionsSchema as any).properties as Record<string, { default?: unknown; description?: string }>;
      expect(Object.keys(properties).length, name).to.be.above(0);
      for (const [key, p] of Object.entries(properties)) {
        expect(p, `${name}.${key}`).to.have.property('default');
        expect(p.description, `${name}.${key}`).to.be.a('string').and.not.equal('');
      }
      // the defaults are valid options
      const options: Record<string, unknown> = {};
      validateWithSchema(d.optionsSchema, options, name);
      expect(Object.keys(options).sort(), name).to.deep.equal(Object.keys(properties).sort());
    }
  });

  for (const setting of ['task', 'domain', 'class'] as const) {
    it(`every learner completes a ${setting}-IL run${setting === 'class' ? '' : ' and learns each new task'}`, async () => {
      for (const entry of ZOO) {
        const [job] = jobsOf(tinySuite({ scenario: { ...SCENARIO, setting }, learners: [entry] }));
        const record = await runJob(job, { backend });
        expect(record.status, `${job.learner.label}: ${record.error}`).to.equal('completed');
        expect(record.accuracy.matrix).to.have.length(3);
        for (const row of record.accuracy.matrix) for (const a of row) expect(a).to.be.within(0, 1);
        // Separable blobs: with a task id or a shared 2-way head the new task is learned in its phase. Class-IL
        // on this tiny budget (10 steps a task) is left to the unit tests: regularisers may well refuse it.
        if (setting !== 'class') record.accuracy.matrix.forEach((row, i) => expect(row[i], `${job.learner.label}, task ${i + 1}`).to.be.at.least(0.7));
      }
    });
  }

  it('leaks no tensors across a run', async () => {
    for (const entry of ZOO) {
      const [job] = jobsOf(tinySuite({ learners: [entry] }));
      await runJob(job, { backend }); // warm-up: backends allocate a few tensors on first use
      const before = tf.memory().numTensors;
      const record = await runJob(job, { backend });
      expect(record.status).to.equal('completed');
      expect(tf.memory().numTensors, job.learner.label).to.equal(before);
    }
  });

  it('is reproducible: the same job gives the same accuracy matrix', async () => {
    for (const entry of [ZOO[1], ZOO[8], ZOO[10]]) {
      const [job] = jobsOf(tinySuite({ learners: [entry] }));
      const a = await runJob(job, { backend });
      const b = await runJob(job, { backend });
      expect(a.accuracy, job.learner.label).to.deep.equal(b.accuracy);
    }
  });
});
