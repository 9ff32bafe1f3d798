import type * as tf from '@tensorflow/tfjs';
import type { Dropout } from './dropout.js';

/** What a suite says about the network. */
export interface ModelSpec {
  /** widths of the hidden layers, e.g. [400, 400] */
  hidden: number[];
  /** 'fast' = dense op without transposed matMul in the backward pass; 'plain' = tfjs autograd (baseline) */
  dense?: 'fast' | 'plain';
  /**
   * normalisation after every hidden dense layer (dense → norm → ReLU): 'batchnorm' (1-D BatchNorm, PyTorch's
   * semantics) or 'adab2n' (Lyu et al. 2023); absent or 'none': no normalisation (the fast fused dense + ReLU)
   */
  norm?: NormKind;
  /** constants of the normalisation layers (./normalization.ts); only with `norm` 'batchnorm' or 'adab2n' */
  normOptions?: NormOptions;
  /**
   * a pre-trained backbone (the hidden layers) written by `clbench pretrain`: the manifest's path, relative to
   * the suite file; the runner loads it into every freshly created model
   */
  backbone?: string;
  /** load the backbone even though it was trained on classes of the dataset the stream tests on */
  allowBackboneOverlap?: boolean;
  /**
   * dropout rate after every hidden layer in training (the precursor's 0.5); absent or 0: none, and run keys of
   * suites without it are unchanged
   */
  dropout?: number;
  /** SHA-256 of the backbone's weights, filled in by the runner (so a changed backbone file changes the run key) */
  backboneSha256?: string;
}

/** A model spec as the suite resolves it: hidden widths and dense formulation always given. */
export type ResolvedModelSpec = ModelSpec & Required<Pick<ModelSpec, 'hidden' | 'dense'>>;

export type NormKind = 'none' | 'batchnorm' | 'adab2n';

/**
 * What a learner may need a model to offer (`LearnerDefinition.requires.model`): 'head', a linear output
 * layer it can read and set (`Model.head`); 'features', the output layer's input (`Model.features`).
 */
export type ModelCapability = 'head' | 'features';
export const MODEL_CAPABILITIES: readonly ModelCapability[] = ['head', 'features'];

/** Constants of the BatchNorm / AdaB²N layers; defaults in ./normalization.ts (NORM_DEFAULTS). */
export interface NormOptions {
  /** base momentum m of the running statistics (PyTorch's BatchNorm default 0.1) */
  momentum?: number;
  /** ε added to the variance (PyTorch's default 1e-5) */
  eps?: number;
  /** AdaB²N: κ ∈ [0, 1], interpolates the running-statistics rate between a cumulative average (0) and BN's EMA (1) */
  kappa?: number;
  /** AdaB²N: weight λ of the statistics-alignment loss */
  lambda?: number;
  /** AdaB²N: 0-based task from which the λ loss is added (the code's ada_t0) */
  adaT0?: number;
  /** AdaB²N: true = the official code's task weights (mass of a seen task absent from the batch is lost); false = renormalised */
  compat?: boolean;
}

/**
 * A network as plain variables. Learners train `variables` and call `forward`; nothing here knows about
 * tasks or schedules.
 */
export interface Model {
  /** trainable variables in a fixed order (the order of checkpoints and importance estimates) */
  readonly variables: tf.Variable[];
  /** logits for a batch */
  forward(x: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /**
   * Per-example squared gradients summed over the batch, Σ_i (∂(g_i·z_i)/∂θ)², for every variable, where
   * z_i are example i's logits and g_i = `logitGrads[i]` (held constant). With g_i = ∂L_i/∂z_i this is the
   * sum of squared per-example gradients of the loss: the diagonal Fisher / importance estimators need it
   * and it costs one batched backward pass instead of one pass per example. Optional: learners fall
   * back to a per-example loop when a model lacks it.
   */
  squaredGradientSums?(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[];
  /**
   * The same with absolute values, Σ_i |∂(g_i·z_i)/∂θ| (MAS importance, Aljundi et al. 2018). Optional, with
   * the same per-example fallback.
   */
  absoluteGradientSums?(x: tf.Tensor2D, logitGrads: tf.Tensor2D): tf.Tensor[];
  /**
   * Non-trainable state in a fixed order (BatchNorm running statistics, AdaB²N forward counts): checkpoints
   * save it beside `variables`. Absent for a model without such state.
   */
  readonly buffers?: tf.Variable[];
  /**
   * Assigns saved `buffers` values (same order, shapes, dtypes); the caller keeps ownership of `values`.
   * Asynchronous: what a layer derives from its buffers (AdaB²N's forward count) is read back without a
   * synchronous read, which the WebGPU backend does not allow.
   */
  loadBuffers?(values: readonly tf.Tensor[]): Promise<void>;
  /**
   * The task of every row of the next training-mode `forward` (AdaB²N weighs its batch statistics by task), and
   * the number of tasks finished before the current one. Consumed by that forward; a training forward without
   * it uses plain batch statistics.
   */
  setBatchTasks?(taskIds: ArrayLike<number>, tasksDone: number): void;
  /**
   * Auxiliary loss of the training-mode forwards since the last `commitStatistics` (AdaB²N's λ-weighted
   * statistics alignment), to be added to the objective inside the same gradient tape; null when there is none.
   */
  statisticsLoss?(): tf.Scalar | null;
  /**
   * Applies the running-statistics updates of the training-mode forwards since the last call. Call it after the
   * optimizer step, outside any gradient tape; until then the updates wait (as kept tensors).
   */
  commitStatistics?(): void;
  /** Dropout of training forwards, whose generator state checkpoints keep; absent or null: none. */
  readonly dropout?: Dropout | null;
  /** The last hidden layer's output, the output layer's input (a backbone's features; SLCA). */
  features?(x: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /** The output layer: logits = features · weight + bias (weight [features × outputs]). */
  readonly head?: { weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> };
  dispose(): void;
}
