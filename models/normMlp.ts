/**
 * The MLP with a normalisation layer after every hidden dense layer: input → (dense → BatchNorm | AdaB²N →
 * ReLU) × hidden → dense output, the layout of Mammoth's MNIST MLP with its BatchNorm replaced (AdaB²N code,
 * models/utils/continual_model.py replaces every BN). The dense layers are an `Mlp`'s (same initial values for
 * the same seed), run without the fused ReLU since the norm sits between them; a model without normalisation
 * is a plain `Mlp`, whose fused fast path this file does not touch.
 *
 * The learner drives the normalisation state (models/types.ts `Model`): `setBatchTasks` before a training
 * forward, `statisticsLoss` into the objective (AdaB²N: λ·Σ_layers L_layer from task ada_t0 on), and
 * `commitStatistics` after the optimizer step.
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from './sumTensors.js';
import type { Rng } from '../core/random.js';
import { AdaB2N } from './adab2n.js';
import { BatchNorm1d } from './batchNorm.js';
import { dense, plainDense, type DenseOp } from './dense.js';
import { Mlp, type MlpShape } from './mlp.js';
import { resolveNormOptions, type NormLayer, type ResolvedNormOptions } from './normalization.js';
import type { Dropout } from './dropout.js';
import type { Model, ModelSpec } from './types.js';

export class NormMlp implements Model {
  readonly dense: Mlp;
  readonly norms: NormLayer[];
  readonly variables: tf.Variable[] = [];
  readonly buffers: tf.Variable[];
  readonly kind: 'batchnorm' | 'adab2n';
  readonly options: ResolvedNormOptions;
  private readonly denseOp: DenseOp;
  /** tasks finished, as the learner last said (gates AdaB²N's λ loss) */
  private tasksDone = 0;

  constructor(spec: ModelSpec, shape: MlpShape, rng: Rng) {
    if (spec.norm !== 'batchnorm' && spec.norm !== 'adab2n') throw new Error(`NormMlp needs norm 'batchnorm' or 'adab2n', got ${spec.norm}`);
    this.kind = spec.norm;
    this.options = resolveNormOptions(spec.norm, spec.normOptions);
    this.dense = new Mlp(spec, shape, rng);
    this.denseOp = spec.dense === 'plain' ? plainDense : dense;
    const { momentum, eps, kappa, compat } = this.options;
    const tasks = shape.tasks ?? 0;
    if (this.kind === 'adab2n' && !(tasks >= 1)) throw new Error('an AdaB²N model needs the number of tasks (MlpShape.tasks)');
    this.norms = spec.hidden.map((width) =>
      this.kind === 'batchnorm' ? new BatchNorm1d(width, momentum, eps) : new AdaB2N(width, { momentum, eps, kappa, compat, maxTasks: tasks }),
    );
    const { weights, biases } = this.dense;
    weights.forEach((w, l) => this.variables.push(w, biases[l], ...(this.norms[l]?.variables ?? [])));
    this.buffers = this.norms.flatMap((n) => n.buffers);
  }

  features(x: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const { weights, biases } = this.dense;
      let h = x;
      for (let l = 0; l < this.norms.length; l++) {
        const z = this.denseOp(h, weights[l], biases[l], { relu: false, inputGradient: l > 0 });
        h = tf.relu(this.norms[l].apply(z, training));
        // after the ReLU, i.e. on the next layer's input, as van de Ven's fc_layer (the precursor's model)
        if (training && this.dense.dropout) h = this.dense.dropout.apply(h);
      }
      return h;
    });
  }

  /** Evaluation-mode input of norm layer `layer`: the dense output in front of it (the layers before it use their running statistics). */
  normInput(x: tf.Tensor2D, layer: number): tf.Tensor2D {
    return tf.tidy(() => {
      const { weights, biases } = this.dense;
      let h = x;
      for (let l = 0; l < layer; l++) h = tf.relu(this.norms[l].apply(this.denseOp(h, weights[l], biases[l], { relu: false, inputGradient: false }), false));
      return this.denseOp(h, weights[layer], biases[layer], { relu: false, inputGradient: false });
    });
  }

  forward(x: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const { weight, bias } = this.head;
      return this.denseOp(this.features(x, training), weight, bias, { relu: false, inputGradient: this.norms.length > 0 });
    });
  }

  get dropout(): Dropout | null {
    return this.dense.dropout;
  }

  get head(): { weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> } {
    return this.dense.head;
  }

  setBatchTasks(taskIds: ArrayLike<number>, tasksDone: number): void {
    this.tasksDone = tasksDone;
    for (const n of this.norms) n.setBatchTasks(taskIds, tasksDone);
  }

  statisticsLoss(): tf.Scalar | null {
    const { lambda, adaT0 } = this.options;
    if (this.kind !== 'adab2n' || lambda === 0 || this.tasksDone < adaT0) return null;
    const terms = this.norms.map((n) => n.alignmentLoss()).filter((t): t is tf.Scalar => t !== null);
    return terms.length ? (tf.mul(sumTensors(terms), lambda) as tf.Scalar) : null;
  }

  commitStatistics(): void {
    for (const n of this.norms) n.commit();
  }

  async loadBuffers(values: readonly tf.Tensor[]): Promise<void> {
    if (values.length !== this.buffers.length) throw new Error(`the model has ${this.buffers.length} buffers, ${values.length} were given`);
    this.buffers.forEach((b, i) => b.assign(values[i]));
    for (const n of this.norms) await n.buffersLoaded();
  }

  squaredGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
    return this.perExampleGradientSums(x, logitGrads, tf.square);
  }

  absoluteGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[] {
    return this.perExampleGradientSums(x, logitGrads, tf.abs);
  }

  /**
   * Σ_i f(∂(g_i·z_i)/∂θ) in evaluation mode (importance estimates look at the trained network), batched for an
   * element-wise multiplicative f, in `variables` order. In evaluation mode a norm layer is a per-feature affine
   * map n = s⊙z + t (s = γ/√(running_var + ε)), so with δ = ∂/∂n per example: ∂/∂W = a ⊗ (δ⊙s), ∂/∂b = δ⊙s,
   * ∂/∂γ = δ⊙ẑ (ẑ the normalised input), ∂/∂β = δ; θ does not act in evaluation mode (zero).
   */
  private perExampleGradientSums(x: tf.Tensor2D, logitGrads: tf.Tensor2D, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor[] {
    return tf.tidy(() => {
      const { weights, biases } = this.dense;
      const hidden = this.norms.length;
      const inputs: tf.Tensor2D[] = [];
      const normalized: tf.Tensor2D[] = [];
      const scales: tf.Tensor1D[] = [];
      let h = x;
      for (let l = 0; l < hidden; l++) {
        inputs.push(h);
        const z = this.denseOp(h, weights[l], biases[l], { relu: false, inputGradient: false });
        const [runningMean, runningVar] = this.norms[l].buffers as tf.Tensor1D[];
        const [gamma, beta] = this.norms[l].variables as tf.Tensor1D[];
        const invStd = tf.rsqrt(tf.add(runningVar, this.options.eps)) as tf.Tensor1D;
        const zHat = tf.mul(tf.sub(z, runningMean), invStd) as tf.Tensor2D;
        normalized.push(zHat);
        scales.push(tf.mul(gamma, invStd) as tf.Tensor1D);
        h = tf.relu(tf.add(tf.mul(zHat, gamma), beta)) as tf.Tensor2D;
      }
      inputs.push(h);
      const widths = [...this.norms.map((_, l) => weights[l].shape[1]), weights[hidden].shape[1]];
      const probes = widths.map((w) => tf.zeros([x.shape[0], w]) as tf.Tensor2D);
      // δ at each norm output and at the logits: gradients of Σ_i g_i·z_i with respect to zero probes added there
      const deltas = tf.grads((...ps: tf.Tensor[]) => {
        let a = x;
        for (let l = 0; l < hidden; l++) {
          const z = this.denseOp(a, weights[l], biases[l], { relu: false, inputGradient: l > 0 });
          const [runningMean] = this.norms[l].buffers;
          const beta = this.norms[l].variables[1];
          a = tf.relu(tf.add(tf.add(tf.mul(tf.sub(z, runningMean), scales[l]), beta), ps[l])) as tf.Tensor2D;
        }
        const logits = tf.add(this.denseOp(a, weights[hidden], biases[hidden], { relu: false, inputGradient: hidden > 0 }), ps[hidden]);
        return tf.sum(tf.mul(logits, logitGrads));
      })(probes) as tf.Tensor2D[];
      const out: tf.Tensor[] = [];
      for (let l = 0; l < hidden; l++) {
        const dz = f(tf.mul(deltas[l], scales[l])) as tf.Tensor2D;
        out.push(tf.matMul(tf.transpose(f(inputs[l])), dz), tf.sum(dz, 0));
        const fd = f(deltas[l]);
        out.push(tf.sum(tf.mul(fd, f(normalized[l])), 0), tf.sum(fd, 0));
        if (this.norms[l].variables.length > 2) out.push(tf.zerosLike(this.norms[l].variables[2]));
      }
      const fd = f(deltas[hidden]) as tf.Tensor2D;
      out.push(tf.matMul(tf.transpose(f(inputs[hidden])), fd), tf.sum(fd, 0));
      return out;
    });
  }

  dispose(): void {
    this.dense.dispose();
    for (const n of this.norms) n.dispose();
  }
}
