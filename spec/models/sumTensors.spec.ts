import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ADD_N_MAX_INPUTS, sumTensors } from '../../models/sumTensors.js';
import { Rng } from '../../core/random.js';

describe('sumTensors (addN within the WebGPU storage-buffer limit)', () => {
  const rng = new Rng(7, 'sumTensors');
  const terms = (n: number) => Array.from({ length: n }, () => tf.tensor2d(Array.from({ length: 12 }, () => rng.normal() * 1e3), [3, 4]));

  for (const n of [1, 2, 7, 8, 13, 14, 15, 20]) {
    it(`adds ${n} tensors bit for bit as one addN does, no kernel taking more than ${ADD_N_MAX_INPUTS} inputs`, async () => {
      const xs = terms(n);
      const expected = tf.addN(xs).dataSync();
      const profile = await tf.profile(() => sumTensors(xs));
      const sum = profile.result as tf.Tensor;
      expect(Array.from(sum.dataSync())).to.deep.equal(Array.from(expected));
      const addNs = profile.kernels.filter((k) => k.name === 'AddN');
      addNs.forEach((k) => expect(k.inputShapes.length).to.be.at.most(ADD_N_MAX_INPUTS));
      if (n > 1) expect(addNs.reduce((inputs, k) => inputs + k.inputShapes.length, 0)).to.equal(n + addNs.length - 1);
      tf.dispose([...xs, sum]);
    });
  }

  it('carries gradients like addN', () => {
    const xs = terms(15).map((x) => tf.variable(x));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(sumTensors(xs), sumTensors(xs))) as tf.Scalar, xs);
    const { grads: reference } = tf.variableGrads(() => tf.sum(tf.mul(tf.addN(xs), tf.addN(xs))) as tf.Scalar, xs);
    for (const x of xs) expect(Array.from(grads[x.name].dataSync())).to.deep.equal(Array.from(reference[x.name].dataSync()));
    tf.dispose([...xs, ...Object.values(grads), ...Object.values(reference)]);
  });

  it('refuses an empty list', () => {
    expect(() => sumTensors([])).to.throw(/nothing to add/);
  });
});
