/** training.lossOutputs 'seen': the class-IL loss over the classes seen so far (Hsu et al.'s valid_out_dim). */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import type { TrainingConfig } from '../../learners/contract.js';
import { Rng } from '../../core/random.js';
import { fisherDiagonal } from '../../learners/parts/importance.js';
import { outputSensitivity } from '../../learners/parts/outputSensitivity.js';
import { getLearner } from '../../learners/registry.js';
import { taskExamples } from '../../scenarios/examples.js';
import { phaseOf } from '../helpers/learners.js';
import { contextFor, syntheticScenario, useWasm, values } from '../helpers/tf.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const TRAINING: TrainingConfig = { epochs: 1, batchSize: 8, optimizer: 'sgd', lr: 0.1, momentum: 0, resetOptimizer: false };

describe('training.lossOutputs', () => {
  useWasm();
  const scenario = () => syntheticScenario('classes=8,features=8,trainPerClass=5,testPerClass=2', { kind: 'split', setting: 'class' });

  /** Output-layer bias after training task 1 (index 0) from a model at its initial values. */
  async function biasAfterFirstTask(lossOutputs?: 'all' | 'seen'): Promise<{ before: number[]; after: number[] }> {
    const s = scenario();
    const learner = getLearner('naive').create({}, contextFor(s, { hidden: [6] }, 3, { ...TRAINING, ...(lossOutputs ? { lossOutputs } : {}) }));
    const internals = learner as any;
    try {
      const bias = () => values(internals.model.variables[internals.model.variables.length - 1]);
      const before = bias();
      await learner.train(phaseOf(s, 0), {});
      return { before, after: bias() };
    } finally {
      learner.dispose();
    }
  }

  it("'seen': the first task's loss leaves the outputs of classes not seen yet untouched; 'all' (the default) pushes them down", async () => {
    const seen = await biasAfterFirstTask('seen');
    expect(seen.after.slice(2)).to.deep.equal(seen.before.slice(2));
    expect(seen.after.slice(0, 2)).to.not.deep.equal(seen.before.slice(0, 2));
    for (const absent of [await biasAfterFirstTask(), await biasAfterFirstTask('all')]) {
      absent.after.slice(2).forEach((b, i) => expect(b).to.be.below(absent.before[i + 2]));
    }
  });

  it("'seen' in task 2: cross-entropy over outputs 0..3 only", async () => {
    const s = scenario();
    const learner = getLearner('naive').create({}, contextFor(s, { hidden: [6] }, 3, { ...TRAINING, lossOutputs: 'seen' }));
    const internals = learner as any;
    try {
      await learner.train(phaseOf(s, 0), {});
      const phase = phaseOf(s, 1);
      await learner.train({ ...phase, examples: { taskIds: phase.examples.taskIds.slice(0, 0), indices: phase.examples.indices.slice(0, 0) } }, {});
      const batch = internals.ctx.data.batch(taskExamples(s, 1), [0, 1, 2, 3]);
      const [loss, logits] = tf.tidy(() => {
        const inputs = internals.toTensors(batch);
        return [internals.taskLoss(inputs).dataSync()[0], tf.split(internals.model.forward(inputs.x), 4).map((t: tf.Tensor) => values(t))];
      });
      const expected =
        logits.reduce((sum: number, z: number[], k: number) => {
          const seen = z.slice(0, 4);
          const m = Math.max(...seen);
          const logSum = m + Math.log(seen.reduce((a, v) => a + Math.exp(v - m), 0));
          return sum + logSum - z[batch.targets[k]];
        }, 0) / 4;
      expect(loss).to.be.closeTo(expected, 1e-5);
    } finally {
      learner.dispose();
    }
  });

  it("'seen': EWC's Fisher and MAS's importance on task 1 see only its outputs (the others get importance 0), as Hsu et al.'s valid_out_dim", async () => {
    const s = scenario();
    for (const lossOutputs of ['seen', undefined] as const) {
      const ctx = contextFor(s, { hidden: [6] }, 3, { ...TRAINING, ...(lossOutputs ? { lossOutputs } : {}) });
      const model = ctx.createModel();
      try {
        const fisher = await fisherDiagonal(model, ctx, taskExamples(s, 0), 'true', new Rng(1), null);
        const mas = outputSensitivity(model, ctx, taskExamples(s, 0), 'batch-mean', new Rng(2), null, 8);
        for (const importance of [fisher, mas]) {
          const bias = values(importance[importance.length - 1]);
          expect(bias.slice(0, 2).every((b) => b > 0)).to.equal(true);
          if (lossOutputs === 'seen') expect(bias.slice(2)).to.deep.equal([0, 0, 0, 0, 0, 0]);
          else expect(bias.slice(2).every((b) => b > 0)).to.equal(true);
        }
        tf.dispose([...fisher, ...mas]);
      } finally {
        model.dispose();
      }
    }
  });

  it('suites accept it and leave it out of the training settings (and run keys) when absent', () => {
    expect(jobsOf(tinySuite())[0].training).to.not.have.property('lossOutputs');
    expect(jobsOf(tinySuite({ training: { epochs: 1, lossOutputs: 'seen' } }))[0].training.lossOutputs).to.equal('seen');
  });
});
