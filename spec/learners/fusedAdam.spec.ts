import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { Rng } from '../../core/random.js';
import { nativeAddon } from '../../core/nativeAddon.js';
import { FusedAdam } from '../../learners/optim/fusedAdam.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { createMlp } from '../../models/mlp.js';
import { useBackend } from '../../backends/backend.js';

function maxAbsDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((t, k) => {
    const x = t.dataSync();
    const y = b[k].dataSync();
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  });
  return worst;
}

/** PyTorch's Adam step in float64, the reference the fused kernel must match. */
function referenceAdam(theta: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const p = [...theta];
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

describe('FusedAdam', () => {
  after(async () => {
    await useBackend('wasm');
  });

  // 'ops' is the tfjs-ops formulation the GPU backends (webgpu, tfjs-node) run, here forced on the CPU;
  // native only where the addon is built (spec/backends/nativeBackend.spec.ts insists on it in CI)
  const cases: (readonly ['wasm' | 'cpu' | 'native', 'auto' | 'ops'])[] = [['wasm', 'auto'], ['cpu', 'auto'], ['cpu', 'ops'], ...(nativeAddon() ? [['native', 'auto'] as const] : [])];
  for (const [backend, path] of cases) {
    it(`matches PyTorch's Adam update step by step (${backend}, ${path === 'ops' ? 'tfjs ops, not the fused kernel' : 'fused kernel'}, incl. a length that is not a multiple of 4)`, async () => {
      await useBackend(backend);
      const rng = new Rng(7);
      const theta = Array.from({ length: 11 }, () => rng.normal());
      const grads = Array.from({ length: 5 }, () => theta.map(() => rng.normal() * 0.1));
      const variable = tf.variable(tf.tensor1d(theta));
      const optimizer = new FusedAdam(0.01, 0.9, 0.999, 1e-8, path);
      for (const g of grads) tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor1d(g) }));
      const expected = referenceAdam(theta, grads, 0.01);
      const actual = Array.from(variable.dataSync());
      actual.forEach((value, i) => expect(value).to.be.closeTo(expected[i], 1e-6));
      optimizer.dispose();
      variable.dispose();
    });
  }

  it('trains an MLP to the same weights as the plain tfjs formulation (plain dense + tf.train.adam)', async () => {
    await useBackend('wasm');
    const shape = { inputs: 784, outputs: 10 };
    const fast = createMlp({ hidden: [64, 64], dense: 'fast' }, shape, new Rng(3));
    const plain = createMlp({ hidden: [64, 64], dense: 'plain' }, shape, new Rng(3));
    const fastOptimizer = new FusedAdam(1e-3);
    const plainOptimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const rng = new Rng(4);
    for (let step = 0; step < 30; step++) {
      const x = tf.tensor2d(Float32Array.from({ length: 32 * 784 }, () => rng.next()), [32, 784]);
      const y = tf.tensor1d(Int32Array.from({ length: 32 }, () => rng.int(10)), 'int32');
      tf.tidy(() => {
        const a = tf.variableGrads(() => crossEntropy(fast.forward(x), y), fast.variables);
        fastOptimizer.applyGradients(a.grads);
        const b = tf.variableGrads(() => crossEntropy(plain.forward(x), y), plain.variables);
        plainOptimizer.applyGradients(b.grads as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
      });
      tf.dispose([x, y]);
    }
    // 30 Adam steps of size ~1e-3 each: differences are float rounding only (far below one step).
    expect(maxAbsDiff(fast.variables, plain.variables)).to.be.lessThan(1e-4);
    const moved = maxAbsDiff(fast.variables, createMlp({ hidden: [64, 64] }, shape, new Rng(3)).variables);
    expect(moved).to.be.greaterThan(1e-2);
    fastOptimizer.dispose();
    plainOptimizer.dispose();
    fast.dispose();
    plain.dispose();
  });

  it('saves and restores its state (getWeights / setWeights)', async () => {
    await useBackend('wasm');
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const b = tf.variable(tf.tensor1d([1, 2, 3]));
    const g = tf.tensor1d([0.5, -0.2, 0.1]);
    const first = new FusedAdam(0.1);
    const second = new FusedAdam(0.1);
    for (let i = 0; i < 3; i++) first.applyGradients({ [a.name]: g });
    const weights = (await first.getWeights()).map(({ name, tensor }) => ({ name: name.replace(a.name, b.name), tensor: tensor.clone() }));
    b.assign(a);
    await second.setWeights(weights);
    first.applyGradients({ [a.name]: g });
    second.applyGradients({ [b.name]: g });
    expect(Array.from(b.dataSync())).to.deep.equal(Array.from(a.dataSync()));
    first.dispose();
    second.dispose();
    tf.dispose([a, b, g]);
  });
});
