/**
 * model.dropout: inverted dropout after every hidden layer, in training forwards only, masks from the run's
 * seeded generator (models/dropout.ts; the precursor's fc_drop 0.5).
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { Dropout } from '../../models/dropout.js';
import { createNetwork } from '../../models/network.js';
import type { Model, ModelSpec } from '../../models/types.js';
import { uniformArray, useWasm, values } from '../helpers/tf.js';

const SHAPE = { inputs: 6, outputs: 3, tasks: 2 };

function network(spec: Partial<ModelSpec>, seed = 1): Model {
  return createNetwork({ hidden: [64, 64], dense: 'fast', ...spec }, SHAPE, new Rng(seed, 'model-init'));
}

function run(model: Model, x: Float32Array, training: boolean): number[] {
  return tf.tidy(() => values(model.forward(tf.tensor2d(x, [x.length / SHAPE.inputs, SHAPE.inputs]), training)));
}

describe('dropout (models/dropout.ts)', () => {
  useWasm();
  const x = uniformArray(8 * SHAPE.inputs, new Rng(3));

  it('zeroes units with probability p and scales the kept ones by 1/(1 − p)', () => {
    const dropout = new Dropout(0.5, new Rng(7));
    const out = tf.tidy(() => values(dropout.apply(tf.fill([100, 100], 3) as tf.Tensor2D)));
    // kept 3 · 1/(1 − 0.5) = 6, dropped 0, nothing else
    expect(out.every((v) => v === 0 || v === 6)).to.equal(true);
    const dropped = out.filter((v) => v === 0).length / out.length;
    expect(dropped).to.be.closeTo(0.5, 0.03); // 10,000 Bernoulli(0.5): std 0.005
    const quarter = new Dropout(0.25, new Rng(7));
    const q = tf.tidy(() => values(quarter.apply(tf.fill([100, 100], 3) as tf.Tensor2D)));
    expect(q.every((v) => v === 0 || v === 4)).to.equal(true); // 3 / 0.75
    expect(q.filter((v) => v === 0).length / q.length).to.be.closeTo(0.25, 0.03);
  });

  it('draws the same masks from the same generator state, and a fresh mask each call', () => {
    const ones = () => tf.ones([20, 50]) as tf.Tensor2D;
    const a = new Dropout(0.5, new Rng(11));
    const b = new Dropout(0.5, new Rng(11));
    const first = tf.tidy(() => values(a.apply(ones())));
    expect(tf.tidy(() => values(b.apply(ones())))).to.deep.equal(first);
    const saved = a.state();
    const second = tf.tidy(() => values(a.apply(ones())));
    expect(second).to.not.deep.equal(first);
    a.setState(saved);
    expect(tf.tidy(() => values(a.apply(ones())))).to.deep.equal(second);
  });

  for (const norm of [undefined, 'batchnorm'] as const) {
    describe(norm ? 'with BatchNorm' : 'plain MLP', () => {
      it('is inactive at evaluation and leaves the initial weights as they were', () => {
        const plain = network({ norm });
        const dropped = network({ norm, dropout: 0.5 });
        expect(dropped.variables.map(values)).to.deep.equal(plain.variables.map(values));
        expect(run(dropped, x, false)).to.deep.equal(run(plain, x, false));
        plain.dispose();
        dropped.dispose();
      });

      it('changes training forwards, the same way for the same seed', () => {
        const plain = network({ norm });
        const a = network({ norm, dropout: 0.5 });
        const b = network({ norm, dropout: 0.5 });
        const trained = run(a, x, true);
        expect(trained).to.not.deep.equal(run(plain, x, true));
        expect(run(b, x, true)).to.deep.equal(trained);
        const other = network({ norm, dropout: 0.5 }, 2);
        const otherPlain = network({ norm }, 2);
        expect(run(other, x, true)).to.not.deep.equal(run(otherPlain, x, true));
        for (const m of [plain, a, b, other, otherPlain]) m.dispose();
      });
    });
  }
});
