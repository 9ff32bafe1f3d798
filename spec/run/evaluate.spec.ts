/**
 * Evaluation in each setting: the task id (and the task's head) is used in task-IL and nowhere else. A
 * learner that is right only within the task's head must score 0 in class-IL; if the evaluation masked the
 * other heads or passed the task id in class-IL, it would score well there and inflate class-IL results.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { defineLearner, type LearnerContext, type TrainHooks } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { useBackend } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/**
 * Nearest class mean over the classes trained so far. Given the task id, it returns those (correct) scores.
 * Without it, it puts its top score on the same position of the NEXT task's head instead: wrong across heads
 * (so class-IL accuracy 0), still right within each head (so a task-IL mask would undo the cheat).
 */
function headOnlyLearner(ctx: LearnerContext) {
  const { outputs, inputSize, tasks } = ctx.scenario;
  const means = new Map<number, Float64Array>();
  const partner = new Int32Array(outputs);
  tasks.forEach((t, id) => t.outputs.forEach((o, k) => (partner[o] = tasks[(id + 1) % tasks.length].outputs[k])));
  return {
    async train(phase: { examples: Parameters<LearnerContext['data']['batch']>[0] }, hooks: TrainHooks) {
      const batch = ctx.data.batch(phase.examples, null);
      const sums = new Map<number, { sum: Float64Array; n: number }>();
      for (let r = 0; r < batch.size; r++) {
        const entry = sums.get(batch.targets[r]) ?? { sum: new Float64Array(inputSize), n: 0 };
        for (let f = 0; f < inputSize; f++) entry.sum[f] += batch.x[r * inputSize + f];
        entry.n++;
        sums.set(batch.targets[r], entry);
      }
      for (const [o, { sum, n }] of sums) means.set(o, sum.map((s) => s / n));
      // the contract: one epochEnd per epoch (a run without them is failed: no learning curve)
      for (let epoch = 0; epoch < ctx.training.epochs; epoch++) await hooks.epochEnd?.({ epoch, loss: 0, examples: batch.size });
    },
    predict(x: tf.Tensor2D, taskId?: number): tf.Tensor2D {
      const rows = x.shape[0];
      const data = x.dataSync();
      const logits = new Float32Array(rows * outputs).fill(-1e6);
      for (let r = 0; r < rows; r++) {
        let best = -1;
        for (const [o, mean] of means) {
          let d = 0;
          for (let f = 0; f < inputSize; f++) d += (data[r * inputSize + f] - mean[f]) ** 2;
          logits[r * outputs + o] = -d;
          if (best < 0 || -d > logits[r * outputs + best]) best = o;
        }
        if (taskId === undefined && best >= 0) logits[r * outputs + partner[best]] = 1e4;
      }
      return tf.tensor2d(logits, [rows, outputs]);
    },
    dispose() {},
  };
}

registerLearner(
  defineLearner({ name: 'test-head-only', description: 'right only within the task head', optionsSchema: { type: 'object' }, create: (_o, ctx) => headOnlyLearner(ctx) }),
  'evaluate.spec',
);

describe('evaluation: the task id and head only in task-IL', function () {
  this.timeout(60000);

  const run = async (setting: 'task' | 'class') => {
    const [job] = jobsOf(tinySuite({ scenario: { ...(tinySuite().scenario as object), setting }, learners: [{ name: 'test-head-only' }] }));
    const record = await runJob(job, { backend: await useBackend('wasm') });
    expect(record.status).to.equal('completed');
    return record.accuracy.matrix;
  };

  it('task-IL: a learner right within each head scores ~1 on every trained task', async () => {
    const matrix = await run('task');
    matrix.forEach((row, i) => row.slice(0, i + 1).forEach((a, j) => expect(a, `R[${i}][${j}]`).to.be.at.least(0.95)));
  });

  it('class-IL: the same learner scores 0, as its top output is in the wrong head (no mask, no task id)', async () => {
    const matrix = await run('class');
    matrix.forEach((row, i) => row.slice(0, i + 1).forEach((a, j) => expect(a, `R[${i}][${j}]`).to.equal(0)));
  });
});
