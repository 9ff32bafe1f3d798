import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { ScenarioInfo } from '../../learners/contract.js';
import { applyMask, crossEntropy, taskMask } from '../../learners/parts/losses.js';
import { expectClose, useWasm, values } from '../helpers/tf.js';

const LOGITS = [
  [1, 2, 3],
  [0.5, -1, 2],
];

/** −log softmax(z)[y], in float64. */
function nll(z: number[], y: number): number {
  const m = Math.max(...z);
  const logSum = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return logSum - z[y];
}

function info(setting: ScenarioInfo['setting']): ScenarioInfo {
  return {
    name: 'test',
    setting,
    outputs: 6,
    inputSize: 4,
    tasks: [
      { id: 0, classes: [0, 1], outputs: [0, 1] },
      { id: 1, classes: [2, 3], outputs: [2, 3] },
      { id: 2, classes: [4, 5], outputs: [4, 5] },
    ],
  };
}

describe('losses', () => {
  useWasm();

  describe('crossEntropy', () => {
    it('is the mean of −log softmax(z)[y] (2×3 example by hand)', () => {
      // row 0: log(e¹+e²+e³) − 3 = 0.40760596; row 1: log(e^0.5+e^−1+e²) − 0.5 = 1.74131130
      const expected = (nll(LOGITS[0], 2) + nll(LOGITS[1], 0)) / 2;
      expect(nll(LOGITS[0], 2)).to.be.closeTo(0.40760596, 1e-7);
      const value = tf.tidy(() => crossEntropy(tf.tensor2d(LOGITS), tf.tensor1d([2, 0], 'int32')).dataSync()[0]);
      expect(value).to.be.closeTo(expected, 1e-6);
      expect(value).to.be.closeTo(1.07445863, 1e-5);
    });

    it('with weights is the mean of weight × loss', () => {
      const w = [0.25, 3];
      const expected = (w[0] * nll(LOGITS[0], 1) + w[1] * nll(LOGITS[1], 2)) / 2;
      const value = tf.tidy(() =>
        crossEntropy(tf.tensor2d(LOGITS), tf.tensor1d([1, 2], 'int32'), tf.tensor1d(w)).dataSync()[0],
      );
      expect(value).to.be.closeTo(expected, 1e-6);
    });

    it('has gradient (softmax − onehot)/n with respect to the logits', () => {
      const grad = tf.tidy(() => values(tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, tf.tensor1d([2, 0], 'int32')))(tf.tensor2d(LOGITS))));
      const expected: number[] = [];
      [2, 0].forEach((y, i) => {
        const z = LOGITS[i];
        const s = z.reduce((acc, v) => acc + Math.exp(v), 0);
        z.forEach((v, c) => expected.push((Math.exp(v) / s - (c === y ? 1 : 0)) / 2));
      });
      expectClose(grad, expected, 1e-6, 1e-5, 'dL/dz');
    });

    it('leaks no tensors', () => {
      const z = tf.tensor2d(LOGITS);
      const y = tf.tensor1d([2, 0], 'int32');
      const before = tf.memory().numTensors;
      const loss = crossEntropy(z, y);
      expect(tf.memory().numTensors).to.equal(before + 1);
      tf.dispose([loss, z, y]);
    });
  });

  describe('taskMask / applyMask', () => {
    it("is null outside the task setting, and applyMask(logits, null) is the identity", () => {
      expect(taskMask(info('domain'), [0, 1])).to.equal(null);
      expect(taskMask(info('class'), [0, 1])).to.equal(null);
      const z = tf.tensor2d(LOGITS);
      expect(applyMask(z, null)).to.equal(z);
      z.dispose();
    });

    it("in the task setting opens exactly each example's head", () => {
      const mask = taskMask(info('task'), [1, 0, 2, 1])!;
      expect(mask).to.be.instanceOf(Float32Array);
      expect(mask.length).to.equal(4 * 6);
      const heads = [[2, 3], [0, 1], [4, 5], [2, 3]];
      heads.forEach((open, i) => {
        for (let o = 0; o < 6; o++) {
          const m = mask[i * 6 + o];
          if (open.includes(o)) expect(m, `row ${i} output ${o}`).to.equal(0);
          else expect(m, `row ${i} output ${o}`).to.be.at.most(-1e8);
        }
      });
    });

    it('makes masked logits irrelevant: the loss and the argmax depend on the head only', () => {
      const taskIds = [1, 2];
      const targets = [3, 4];
      const mask = taskMask(info('task'), taskIds)!;
      const a = [
        [0.3, -0.2, 1.0, 0.4, 2.0, -1.0],
        [5.0, 4.0, 3.0, 2.0, 0.1, 0.7],
      ];
      // change only the masked entries (huge values that would dominate an unmasked softmax)
      const b = [
        [50, -40, 1.0, 0.4, 80, 30],
        [-7, 90, 60, 55, 0.1, 0.7],
      ];
      const lossOf = (z: number[][]) =>
        tf.tidy(() => crossEntropy(applyMask(tf.tensor2d(z), mask), tf.tensor1d(targets, 'int32')).dataSync()[0]);
      const la = lossOf(a);
      const lb = lossOf(b);
      // the cross-entropy over the head alone: targets 3 and 4 are positions 1 and 0 of heads [2,3] and [4,5]
      const expected = (nll([1.0, 0.4], 1) + nll([0.1, 0.7], 0)) / 2;
      expect(la).to.be.closeTo(expected, 1e-5);
      expect(lb).to.be.closeTo(expected, 1e-5);
      const argmax = tf.tidy(() => values(tf.argMax(applyMask(tf.tensor2d(b), mask), 1)));
      expect(argmax).to.deep.equal([2, 5]);
      // and the gradient with respect to masked logits is zero
      const grad = tf.tidy(() =>
        values(tf.grad((z: tf.Tensor) => crossEntropy(applyMask(z as tf.Tensor2D, mask), tf.tensor1d(targets, 'int32')))(tf.tensor2d(b))),
      );
      [0, 1, 4, 5, 6, 7, 8, 9].forEach((k) => expect(Math.abs(grad[k]), `dL/dz[${k}]`).to.be.below(1e-12));
      expect(Math.abs(grad[3])).to.be.above(0.01);
    });

    it('an unmasked task-IL loss would differ (the test above is sensitive)', () => {
      const z = [[50, -40, 1.0, 0.4, 80, 30]];
      const unmasked = tf.tidy(() => crossEntropy(tf.tensor2d(z), tf.tensor1d([3], 'int32')).dataSync()[0]);
      expect(unmasked).to.be.above(10);
    });
  });
});
