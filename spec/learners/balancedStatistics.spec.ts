/**
 * The balanced-statistics diagnostic (`testStatistics: 'task-balanced'` of DER++ and ER-ACE): prediction with
 * each norm layer's running statistics replaced by the equal mixture of the started tasks' statistics,
 * recomputed by hand here on a two-layer BatchNorm network; training and the running statistics are untouched.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { getLearner } from '../../learners/registry.js';
import type { NormMlp } from '../../models/normMlp.js';
import type { ModelSpec } from '../../models/types.js';
import { gatherBatch, taskExamples, taskTestExamples } from '../../scenarios/examples.js';
import { context, phaseOf } from '../helpers/learners.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { expectClose, syntheticScenario, useWasm, values } from '../helpers/tf.js';

const MODEL: ModelSpec = { hidden: [6, 5], norm: 'batchnorm' };

describe('balanced statistics at test (diagnostic)', function () {
  this.timeout(60000);
  useWasm();
  const scenario = syntheticScenario('classes=6,features=16,trainPerClass=24,testPerClass=8,spread=25', { kind: 'split', tasks: 3, setting: 'class' });
  const test = gatherBatch(scenario, 'test', taskTestExamples(scenario, 0), null);
  const testX = () => tf.tensor2d(test.x, [test.size, 16]);

  /** Evaluation-mode logits with every layer's statistics the equal mixture over tasks 0..tasks−1, by hand. */
  function byHand(net: NormMlp, tasks: number): number[] {
    return tf.tidy(() => {
      const { weights, biases } = net.dense;
      const inputs = Array.from({ length: tasks }, (_, t) => {
        const b = gatherBatch(scenario, 'train', taskExamples(scenario, t), null);
        return tf.tensor2d(b.x, [b.size, 16]);
      });
      const layer = (h: tf.Tensor2D, l: number, mean: tf.Tensor, variance: tf.Tensor) => {
        const [gamma, beta] = net.norms[l].variables;
        const z = tf.add(tf.matMul(h, weights[l]), biases[l]);
        return tf.relu(tf.add(tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta)) as tf.Tensor2D;
      };
      let hs = inputs;
      let h = testX() as tf.Tensor2D;
      for (let l = 0; l < net.norms.length; l++) {
        const zs = hs.map((x) => tf.add(tf.matMul(x, weights[l]), biases[l]));
        const moments = zs.map((z) => tf.moments(z, 0));
        const mean = tf.div(tf.addN(moments.map((m) => m.mean)), tasks);
        const variance = tf.sub(tf.div(tf.addN(moments.map((m) => tf.add(m.variance, tf.square(m.mean)))), tasks), tf.square(mean));
        hs = hs.map((x) => layer(x, l, mean, variance));
        h = layer(h, l, mean, variance);
      }
      return values(tf.add(tf.matMul(h, net.head.weight), net.head.bias));
    });
  }

  for (const name of ['derpp', 'er-ace'])
    it(`${name}: predicts with the task-balanced statistics, leaves training and the running statistics alone, and resumes`, async () => {
      const options = (testStatistics: string) => ({ capacity: 30, alpha: 0.2, beta: 0.5, replayBatchSize: null, forward: 'separate', testStatistics });
      const running = getLearner(name).create(options('running'), context(scenario, MODEL)) as any;
      const balanced = getLearner(name).create(options('task-balanced'), context(scenario, MODEL)) as any;
      const resumed = getLearner(name).create(options('task-balanced'), context(scenario, MODEL)) as any;
      try {
        for (const p of [0, 1]) {
          await running.train(phaseOf(scenario, p), {});
          await balanced.train(phaseOf(scenario, p), {});
        }
        const net = balanced.model as NormMlp;
        const runningStats = values(net.buffers[2]);
        // the same training: the same network in evaluation mode
        expect(tf.tidy(() => values(net.forward(testX(), false)))).to.deep.equal(tf.tidy(() => values(running.predict(testX()))));
        const predicted = tf.tidy(() => values(balanced.predict(testX())));
        expectClose(predicted, byHand(net, 2), 1e-4, 1e-4, 'balanced logits');
        expect(predicted).to.not.deep.equal(tf.tidy(() => values(running.predict(testX()))));
        // the running statistics are back, and a second prediction neither recomputes nor leaks
        expect(values(net.buffers[2])).to.deep.equal(runningStats);
        const count = tf.memory().numTensors;
        expect(tf.tidy(() => values(balanced.predict(testX())))).to.deep.equal(predicted);
        expect(tf.memory().numTensors).to.equal(count);
        const state = await balanced.state();
        await resumed.restore(state);
        tf.dispose(Object.values(state.tensors));
        expect(tf.tidy(() => values(resumed.predict(testX())))).to.deep.equal(predicted);
      } finally {
        running.dispose();
        balanced.dispose();
        resumed.dispose();
      }
    });

  it("is keyed only when asked for: 'running' leaves older run keys alone", () => {
    const [plain, diagnostic] = jobsOf(
      tinySuite({ model: MODEL, learners: [{ name: 'er-ace', label: 'a' }, { name: 'er-ace', label: 'b', options: { testStatistics: 'task-balanced' } }] }),
    ).map((j) => j.learner.options);
    expect(plain).to.not.have.property('testStatistics');
    expect(diagnostic.testStatistics).to.equal('task-balanced');
  });
});
