import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PyTorchAdagrad } from '../../learners/optim/adagrad.js';
import { restoreOptimizer, saveOptimizer } from '../../learners/optim/optimizerState.js';
import { makeOptimizer } from '../../learners/optim/optimizers.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/** θ₀ and two gradient steps; the second coordinate's gradients are tiny, the third's first one is 0. */
const THETA = [1, -2, 0.5];
const GRADS = [
  [0.5, -1e-4, 0],
  [0.5, 2e-4, 3],
];

/**
 * PyTorch's Adagrad by hand, lr 0.1, s₀ = 0, ε = 1e-10 (s ← s + g², θ ← θ − lr·g/(√s + ε)):
 *   step 1: s = [0.25, 1e-8, 0]     θ = [1 − 0.1·0.5/0.5, −2 + 0.1·1e-4/(1e-4 + 1e-10), 0.5 − 0]
 *                                     = [0.9, −1.9000001, 0.5]
 *   step 2: s = [0.5, 5e-8, 9]      θ = [0.9 − 0.1·0.5/√0.5, −1.9000001 − 0.1·2e-4/(√5e-8 + 1e-10), 0.5 − 0.1·3/3]
 *                                     = [0.82928932, −1.98944281, 0.4]
 */
const AFTER = [
  [0.9, -1.9000001, 0.5],
  [0.82928932, -1.98944281, 0.4],
];

describe('adagrad optimizer (PyTorch rule)', () => {
  it('matches hand-computed PyTorch steps, small gradients included', () => {
    const v = tf.variable(tf.tensor1d(THETA));
    const optimizer = makeOptimizer({ optimizer: 'adagrad', lr: 0.1, momentum: 0.9 });
    expect(optimizer).to.be.instanceOf(PyTorchAdagrad);
    GRADS.forEach((g, step) => {
      tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.tensor1d(g) }));
      Array.from(v.dataSync()).forEach((x, i) => expect(x, `step ${step + 1}, θ[${i}]`).to.be.closeTo(AFTER[step][i], 2e-6));
    });
    optimizer.dispose();
    v.dispose();
  });

  it("is not tfjs's rule (accumulator from 0.1, ε under the root), which moves a tiny gradient's weight far less", () => {
    const v = tf.variable(tf.tensor1d(THETA));
    const tfjs = tf.train.adagrad(0.1);
    tf.tidy(() => tfjs.applyGradients([{ name: v.name, tensor: tf.tensor1d(GRADS[0]) }]));
    expect(Math.abs(v.dataSync()[1] - AFTER[0][1])).to.be.greaterThan(0.09);
    tfjs.dispose();
    v.dispose();
  });

  it('a checkpoint of its accumulators continues exactly where it stopped', async () => {
    const [a, b] = [tf.variable(tf.tensor1d(THETA)), tf.variable(tf.tensor1d(THETA))];
    const first = new PyTorchAdagrad(0.1);
    tf.tidy(() => first.applyGradients({ [a.name]: tf.tensor1d(GRADS[0]) }));
    const saved = await saveOptimizer(first, [a]);
    b.assign(a);
    const second = new PyTorchAdagrad(0.1);
    await restoreOptimizer(second, saved, [b]);
    tf.dispose(saved.tensors);
    tf.tidy(() => second.applyGradients({ [b.name]: tf.tensor1d(GRADS[1]) }));
    Array.from(b.dataSync()).forEach((x, i) => expect(x).to.be.closeTo(AFTER[1][i], 2e-6));
    tf.dispose([a, b]);
    first.dispose();
    second.dispose();
  });

  it("suites accept training.optimizer 'adagrad'", () => {
    const [job] = jobsOf(tinySuite({ training: { epochs: 1, optimizer: 'adagrad', lr: 0.01 } }));
    expect(job.training.optimizer).to.equal('adagrad');
  });
});
