/**
 * Golden records: every golden run (./golden.ts: the quick suite on synthetic data, one run per built-in
 * learner, two rehearsal schedules) gives, bit for bit, the run id, run key, accuracies, curves and examples
 * stored in records.json. A refactor that moves code must keep them; a change meant to alter numbers
 * regenerates the file (see spec/README.md).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { builtInLearnerNames, GOLDEN_FILE, goldenJobs, goldenRecord, type GoldenRecord } from './golden.js';

describe('golden records: bit-identical runs', function () {
  this.timeout(300000);
  const stored = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as { backend: string; records: GoldenRecord[] };
  const jobs = goldenJobs();
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  it('covers the quick suite and every built-in learner, in the stored order', () => {
    expect(stored.backend).to.equal('wasm');
    expect(jobs.map((j) => j.id)).to.deep.equal(stored.records.map((r) => r.runId));
    expect(jobs.filter((j) => j.suite === 'quick')).to.have.length(6);
    expect(builtInLearnerNames().filter((name) => !jobs.some((j) => j.learner.name === name))).to.deep.equal([]);
  });

  for (const [k, job] of jobs.entries()) {
    it(`${job.suite}: ${job.id}`, async () => {
      const expected = stored.records[k];
      const actual = await goldenRecord(job, backend);
      // deep.equal on numbers is ===: any change in the last bit fails
      expect(actual).to.deep.equal(expected);
    });
  }
});

/**
 * The same runs with every synchronous read of a tensor forbidden, as on tfjs's WebGPU backend under Node
 * (it reads GPU memory synchronously only in a browser): each built-in learner reads asynchronously, so the
 * records are the same bits. (Resuming AdaB²N from a checkpoint still reads synchronously; no golden run
 * resumes. `evaluation.newTaskSteps` is checked the same way in spec/run/stepCurves.spec.ts.)
 */
describe('golden records with synchronous reads forbidden (as on WebGPU under Node)', function () {
  this.timeout(300000);
  const stored = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as { backend: string; records: GoldenRecord[] };
  const jobs = goldenJobs();
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const methods = ['dataSync', 'arraySync', 'bufferSync'] as const;
  const saved = methods.map((m) => proto[m]);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
    for (const m of methods)
      proto[m] = () => {
        throw new Error(`${m}: a synchronous read, which fails on the WebGPU backend under Node`);
      };
  });
  after(() => methods.forEach((m, i) => (proto[m] = saved[i])));

  for (const [k, job] of jobs.entries()) {
    it(`${job.suite}: ${job.id}`, async () => {
      expect(await goldenRecord(job, backend)).to.deep.equal(stored.records[k]);
    });
  }
});
