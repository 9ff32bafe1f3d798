/**
 * Multi-layer perceptron: input → hidden layers (ReLU) → linear output layer of `outputs` logits.
 * Initialisation follows PyTorch's nn.Linear default (W, b ~ U(−1/√fan_in, 1/√fan_in)), the library the
 * published protocols (Hsu et al. 2018, van de Ven et al.) used, drawn from the run's seeded generator.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import { dense, plainDense, type DenseOp } from './dense.js';
import { Dropout } from './dropout.js';
import type { Model, ModelSpec } from './types.js';

export interface MlpShape {
  inputs: number;
  outputs: number;
  /** tasks of the stream (AdaB²N's θ has one entry a task); unused without normalisation */
  tasks?: number;
}

export class Mlp implements Model {
  readonly weights: tf.Variable<tf.Rank.R2>[] = [];
  readonly biases: tf.Variable<tf.Rank.R1>[] = [];
  readonly variables: tf.Variable[] = [];
  /** dropout after every hidden layer in training forwards (`spec.dropout` > 0), else null */
  readonly dropout: Dropout | null;
  private readonly denseOp: DenseOp;

  constructor(spec: ModelSpec, shape: MlpShape, rng: Rng) {
    this.denseOp = spec.dense === 'plain' ? plainDense : dense;
    const widths = [shape.inputs, ...spec.hidden, shape.outputs];
    for (let l = 0; l + 1 < widths.length; l++) {
      const [fanIn, fanOut] = [widths[l], widths[l + 1]];
      const bound = 1 / Math.sqrt(fanIn);
      // tf.variable keeps its own reference to the data, so the initial tensors are disposed by the tidy.
      const w = tf.tidy(() => tf.variable(tf.tensor2d(uniform(fanIn * fanOut, bound, rng), [fanIn, fanOut]), true));
      const b = tf.tidy(() => tf.variable(tf.tensor1d(uniform(fanOut, bound, rng)), true));
      this.weights.push(w);
      this.biases.push(b);
      this.variables.push(w, b);
    }
    // Derived after the weights, so a model without dropout draws exactly the weights it always did.
    this.dropout = spec.dropout ? new Dropout(spec.dropout, rng.derive('dropout')) : null;
  }

  forward(x: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      const last = this.weights.length - 1;
      // The first layer's input is data: nobody needs its gradient, so it is not computed.
      for (let l = 0; l <= last; l++) {
        h = this.denseOp(h, this.weights[l], this.biases[l], { relu: l < last, inputGradient: l > 0 });
        if (training && this.dropout && l < last) h = this.dropout.apply(h);
      }
      return h;
    });
  }

  /** The last hidden layer's output (ReLU), the input of the output layer. */
  features(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (let l = 0; l + 1 < this.weights.length; l++) h = this.denseOp(h, this.weights[l], this.biases[l], { relu: true, inputGradient: l > 0 });
      return h;
    });
  }

  get head(): { weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> } {
    const last = this.weights.length - 1;
    return { weight: this.weights[last], bias: this.biases[last] };
  }

  squaredGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
    return this.perExampleGradientSums(x, logitGrads, tf.square);
  }

  absoluteGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
    return this.perExampleGradientSums(x, logitGrads, tf.abs);
  }

  /**
   * Σ_i f(∂(g_i·z_i)/∂θ) for an element-wise f that is multiplicative, f(a·δ) = f(a)·f(δ) (the square and the
   * absolute value are), in one batched pass.
   */
  private perExampleGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D, f: (t: tf.Tensor2D) => tf.Tensor2D): tf.Tensor[] {
    return tf.tidy(() => {
      // Layer inputs a_l and pre-activation gradients δ_l for every example: for a dense layer the
      // per-example weight gradient is the outer product a_l ⊗ δ_l, so Σ_i f(a_l ⊗ δ_l) = f(a_l)ᵀ·f(δ_l).
      const last = this.weights.length - 1;
      const inputs: tf.Tensor2D[] = [];
      let h = x;
      for (let l = 0; l <= last; l++) {
        inputs.push(h);
        h = this.denseOp(h, this.weights[l], this.biases[l], { relu: l < last, inputGradient: false });
      }
      // δ at each layer: a zero "probe" added to each pre-activation; the gradient of Σ_i g_i·z_i with
      // respect to the probes is exactly the per-example δ (rows are independent examples).
      const probes = this.weights.map((w) => tf.zeros([x.shape[0], w.shape[1]]) as tf.Tensor2D);
      const deltas = tf.grads((...ps: tf.Tensor[]) => {
        let a = x;
        for (let l = 0; l <= last; l++) {
          a = tf.add(this.denseOp(a, this.weights[l], this.biases[l], { relu: false, inputGradient: l > 0 }), ps[l]) as tf.Tensor2D;
          if (l < last) a = tf.relu(a);
        }
        return tf.sum(tf.mul(a, logitGrads));
      })(probes) as tf.Tensor2D[];
      const out: tf.Tensor[] = [];
      for (let l = 0; l <= last; l++) {
        const fd = f(deltas[l]);
        out.push(tf.matMul(tf.transpose(f(inputs[l])), fd), tf.sum(fd, 0));
      }
      return out;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

function uniform(n: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

export function createMlp(spec: ModelSpec, shape: MlpShape, rng: Rng): Mlp {
  return new Mlp(spec, shape, rng);
}
