/**
 * DER++ and ER-ACE `forward`: 'separate' is the official BN baseline's one forward per batch (hand-checked on a
 * tiny BatchNorm network), 'joint' one forward over all rows; the running statistics differ as they should; the
 * option resolves per model and leaves older run keys alone.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { asymmetricMask } from '../../learners/methods/erAce.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { getLearner } from '../../learners/registry.js';
import { joinBatches } from '../../scenarios/examples.js';
import type { NormMlp } from '../../models/normMlp.js';
import type { ModelSpec } from '../../models/types.js';
import { validateWithSchema } from '../../core/schema.js';
import { gatherBatch, taskExamples } from '../../scenarios/examples.js';
import type { Batch } from '../../scenarios/types.js';
import { context, phaseOf, range } from '../helpers/learners.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { expectClose, syntheticScenario, useWasm, values } from '../helpers/tf.js';

const BN: ModelSpec = { hidden: [8], norm: 'batchnorm' };

describe('DER++ and ER-ACE forward: separate (official BN baseline) or joint', () => {
  useWasm();
  const scenario = syntheticScenario('classes=6,features=16,trainPerClass=24,testPerClass=8,spread=25', { kind: 'split', tasks: 3, setting: 'class' });
  const batchOf = (task: number, positions: number[]) => gatherBatch(scenario, 'train', taskExamples(scenario, task), positions);
  const current = batchOf(1, [0, 1, 2]);
  const first = batchOf(0, [5, 6]);
  const second = batchOf(0, [9, 10, 11]);
  const stored = Float32Array.from(range(2 * 6), (i) => i / 10 - 0.5);

  /** Training-mode logits of a batch by itself, on `model` (recording its running-statistics update). */
  const alone = (model: NormMlp, b: Batch) => model.forward(tf.tensor2d(b.x, [b.size, 16]), true);
  const ce = (z: tf.Tensor2D, b: Batch) => crossEntropy(z, tf.tensor1d(b.targets, 'int32')).dataSync()[0];

  /** DER++'s step loss with the three parts laid out as its trainStep lays them out. */
  function derppLoss(forward: 'separate' | 'joint'): { learner: any; loss: number } {
    const learner = getLearner('derpp').create({ capacity: 20, alpha: 0.3, beta: 0.7, replayBatchSize: null, forward }, context(scenario, BN)) as any;
    learner.layout = { current: 3, logitReplay: 2, labelReplay: 3, storedLogits: stored };
    const loss = tf.tidy(() => learner.loss(learner.toTensors(joinBatches(joinBatches(current, first, 16), second, 16)), phaseOf(scenario, 1)).dataSync()[0]);
    learner.currentLogits?.dispose();
    learner.currentLogits = null;
    return { learner, loss };
  }

  it("DER++ 'separate' is the sum of the three batches' losses, each batch through the network by itself", () => {
    const { learner, loss } = derppLoss('separate');
    const { learner: joint, loss: jointLoss } = derppLoss('joint');
    try {
      learner.model.commitStatistics();
      const expected = tf.tidy(() => {
        const mse = tf.mean(tf.square(tf.sub(alone(learner.model, first), tf.tensor2d(stored, [2, 6])))).dataSync()[0];
        return ce(alone(learner.model, current), current) + 0.3 * mse + 0.7 * ce(alone(learner.model, second), second);
      });
      learner.model.commitStatistics();
      expect(loss).to.be.closeTo(expected, 1e-5);
      // with BatchNorm one forward over all rows normalises with other statistics: a different loss
      expect(Math.abs(loss - jointLoss)).to.be.greaterThan(1e-3);
    } finally {
      learner.dispose();
      joint.dispose();
    }
  });

  it("BatchNorm's running statistics: 'separate' chains one update per batch in order, 'joint' makes one over all rows", () => {
    const { learner: separate } = derppLoss('separate');
    const { learner: joint } = derppLoss('joint');
    try {
      // pre-normalisation activations z = xW + b of each batch (the weights have not moved: no optimizer step)
      const { weights, biases } = (separate.model as NormMlp).dense;
      const meanOf = (...bs: Batch[]) =>
        tf.tidy(() => values(tf.mean(tf.add(tf.matMul(tf.tensor2d(bs.flatMap((b) => Array.from(b.x.subarray(0, b.size * 16))), [bs.reduce((n, b) => n + b.size, 0), 16]), weights[0]), biases[0]), 0)));
      separate.model.commitStatistics();
      joint.model.commitStatistics();
      const m = 0.1;
      let chained = new Array(8).fill(0);
      for (const b of [current, first, second]) chained = chained.map((v, i) => (1 - m) * v + m * meanOf(b)[i]);
      expectClose(values((separate.model as NormMlp).buffers[0]), chained, 1e-6, 1e-5, 'separate running mean');
      expectClose(values((joint.model as NormMlp).buffers[0]), meanOf(current, first, second).map((v) => m * v), 1e-6, 1e-5, 'joint running mean');
      expect(Math.max(...chained.map((v, i) => Math.abs(v - values((joint.model as NormMlp).buffers[0])[i])))).to.be.greaterThan(1e-3);
    } finally {
      separate.dispose();
      joint.dispose();
    }
  });

  it("ER-ACE 'separate': the current batch's masked CE and the replayed batch's CE, each from its own forward", () => {
    const learner = getLearner('er-ace').create({ capacity: 20, replayBatchSize: 2, forward: 'separate' }, context(scenario, BN)) as any;
    try {
      learner.maxSeen = 3;
      learner.currentRows = 3;
      learner.aceMask = asymmetricMask(6, new Set(current.targets), 3);
      const loss = tf.tidy(() => learner.loss(learner.toTensors(joinBatches(current, first, 16)), phaseOf(scenario, 1)).dataSync()[0]);
      learner.model.commitStatistics();
      const expected = tf.tidy(() => ce(tf.add(alone(learner.model, current), tf.tensor2d(learner.aceMask, [1, 6])) as tf.Tensor2D, current) + ce(alone(learner.model, first), first));
      learner.model.commitStatistics();
      expect(loss).to.be.closeTo(expected, 1e-5);
    } finally {
      learner.dispose();
    }
  });

  for (const name of ['derpp', 'er-ace'])
    it(`${name}: AdaB²N with separate forwards tells each forward its own rows' tasks and trains`, async () => {
      const model: ModelSpec = { hidden: [8], norm: 'adab2n', normOptions: { kappa: 0.4, lambda: 1 } };
      const learner = getLearner(name).create({ capacity: 30, alpha: 0.2, beta: 0.5, replayBatchSize: null, forward: 'separate' }, context(scenario, model));
      try {
        await learner.train(phaseOf(scenario, 0), {});
        await learner.train(phaseOf(scenario, 1), {});
      } finally {
        learner.dispose();
      }
    });

  it("'official' resolves per model in the run's recorded options; 'joint' is left out so older keys hold", () => {
    const entries = (model: ModelSpec, options: Record<string, unknown> = {}) =>
      jobsOf(tinySuite({ model, learners: [{ name: 'derpp', options }, { name: 'er-ace', options }] })).map((j) => j.learner.options);
    // the options a derpp entry without `forward` was keyed under before the option existed
    const { forward: _forward, testStatistics: _statistics, ...before } = validateWithSchema<Record<string, unknown>>(getLearner('derpp').optionsSchema, {}, 'options');
    const [derppBn, aceBn] = entries(BN);
    expect(derppBn.forward).to.equal('separate');
    expect(aceBn.forward).to.equal('separate');
    for (const model of [{ hidden: [8], norm: 'adab2n' }, { hidden: [8] }] as ModelSpec[]) {
      const [derppOptions] = entries(model);
      expect(derppOptions).to.deep.equal(before);
    }
    expect(entries(BN, { forward: 'joint' })[0]).to.deep.equal(before);
    expect(entries({ hidden: [8], norm: 'adab2n' }, { forward: 'separate' })[1].forward).to.equal('separate');
  });
});
