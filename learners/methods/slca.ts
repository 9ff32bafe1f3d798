/**
 * SLCA — Zhang, Wang, Kang, Chen & Wei 2023, "SLCA: Slow Learner with Classifier Alignment for Continual
 * Learning on a Pre-trained Model" (ICCV), as its official code does it (GengDavid/SLCA, models/slca.py,
 * convs/linears.py), on the harness's MLP: the hidden layers are the backbone (pre-trained
 * with `clbench pretrain`, suite `model.backbone`), the output layer holds one head per task.
 *
 * Per task t:
 *   1. Slow learner: the task's head (initialised N(0, 0.02²), bias 0, as the code's trunc_normal_) and the
 *      backbone train on the cross-entropy over the task's own outputs only (rows of other tasks, e.g. from a
 *      rehearsal schedule, are ignored, as the code's ignore_index); the backbone's learning rate is the head's
 *      × `backboneLrScale` (1/100; 0 freezes it). Two optimizers of the suite's kind, both fresh at every task
 *      (the code builds its SGD per task); coupled weight decay `weightDecay` on what they update. Old heads do
 *      not move (frozen in the code: no gradient, no decay). `stage1DecayEpoch` m: both learning rates × 0.1
 *      from epoch m (0-based) on, the code's MultiStepLR with milestones [m], stepped after each epoch (its
 *      configs: 18 of 20 epochs on CIFAR-100, 80 of 90 with MoCo v3, 40 of 50 on Cars); null: no decay.
 *   2. Class statistics: per class of t (an output of t), mean and unbiased covariance + ridge·I of the backbone
 *      features (evaluation mode) of its training examples; earlier classes keep theirs.
 *   3. Classifier alignment (from the second task, `caEpochs` > 0; ../parts/classifierAlignment.ts): after backing up
 *      the heads, re-train every seen head on draws from the stored Gaussians with logit normalisation τ;
 *      `caStepsPerEpoch` null takes the code's one step per seen class an epoch, a number that many steps.
 *   4. The harness evaluates the aligned heads when train() returns; the next train() starts by restoring the
 *      backed-up (unaligned) heads, as the code's `recall` after each task. The backup is part of the
 *      learner's state, so a resumed run restores it too.
 * Predictions use the heads of the tasks started so far (the code has no head for a task not yet seen: the
 * outputs of later tasks get −1e9).
 */
import * as tf from '@tensorflow/tfjs';
import { selectExamples } from '../../scenarios/examples.js';
import { BaseSgdLearner, type BatchTensors } from '../base.js';
import { alignClassifier, type ClassGaussian, type Head } from '../parts/classifierAlignment.js';
import { defineLearner, type LearnerContext, type Phase } from '../contract.js';
import { featureMoments } from '../parts/gaussian.js';
import { crossEntropy, MASKED_LOGIT } from '../parts/losses.js';
import { makeOptimizer } from '../optim/optimizers.js';
import { copyValues } from '../parts/parameterCopies.js';

/** examples a features pass takes at once when class statistics are computed */
const STATISTICS_CHUNK = 1000;

export interface SlcaOptions {
  backboneLrScale: number;
  weightDecay: number;
  headInitStd: number;
  caEpochs: number;
  caSamplesPerClass: number;
  caLr: number;
  caMomentum: number;
  tau: number;
  covarianceRidge: number;
  caStepsPerEpoch?: number | null;
  stage1DecayEpoch?: number | null;
}

class SlcaLearner extends BaseSgdLearner<SlcaOptions> {
  private readonly head: Head;
  private readonly headNames: Set<string>;
  private backboneOptimizer: tf.Optimizer | null = null;
  /** the heads before alignment, restored when the next task starts */
  private backup = this.rememberTensors('backup');
  private classes: ClassGaussian[] = this.rememberField('classes', []);
  private tasksStarted = this.rememberField('tasksStarted', 0);
  private currentTask = this.rememberField('currentTask', 0);
  private readonly alignmentRng = this.remember('alignmentRng', this.ctx.rng.derive('slca-alignment'));

  constructor(ctx: LearnerContext, options: SlcaOptions) {
    super(ctx, options);
    // present: slca requires a model with a head and features (requires.model below), checked with the suite
    const head = this.model.head!;
    this.head = head;
    this.headNames = new Set([head.weight.name, head.bias.name]);
    if (options.headInitStd > 0) {
      const rng = ctx.rng.derive('slca-head-init');
      const values = Float32Array.from({ length: head.weight.size }, () => truncatedNormal(rng, options.headInitStd));
      tf.tidy(() => {
        head.weight.assign(tf.tensor2d(values, head.weight.shape));
        head.bias.assign(tf.zerosLike(head.bias));
      });
    }
  }

  protected override async beforePhase(phase: Phase): Promise<void> {
    if (this.backup) {
      const [weight, bias] = this.backup;
      this.head.weight.assign(weight as tf.Tensor2D);
      this.head.bias.assign(bias as tf.Tensor1D);
      tf.dispose(this.backup);
      this.backup = null;
    }
    this.optimizer.dispose();
    this.optimizer = makeOptimizer(this.ctx.training);
    this.backboneOptimizer?.dispose();
    const scale = this.options.backboneLrScale;
    this.backboneOptimizer = scale > 0 ? makeOptimizer(this.ctx.training, this.ctx.training.lr * scale) : null;
    this.currentTask = phase.taskId;
    this.tasksStarted = Math.max(this.tasksStarted, phase.taskId + 1);
  }

  /** The code's stage-1 step decay: both learning rates × 0.1 from epoch `stage1DecayEpoch` on (fresh every task). */
  protected override beforeEpoch(epoch: number): void {
    if (epoch !== this.options.stage1DecayEpoch) return;
    const { lr } = this.ctx.training;
    (this.optimizer as tf.SGDOptimizer).setLearningRate(lr * 0.1);
    (this.backboneOptimizer as tf.SGDOptimizer | null)?.setLearningRate(lr * this.options.backboneLrScale * 0.1);
  }

  protected override trainedVariables(): tf.Variable[] {
    return this.options.backboneLrScale > 0 ? this.model.variables : [this.head.weight, this.head.bias];
  }

  /** Cross-entropy over the current task's outputs, on the current task's rows only. */
  protected override taskLoss(inputs: BatchTensors): tf.Scalar {
    const width = this.ctx.scenario.outputs;
    const rows = inputs.batch.size;
    const mask = new Float32Array(width).fill(MASKED_LOGIT);
    for (const o of this.ctx.scenario.tasks[this.currentTask].outputs) mask[o] = 0;
    const own = inputs.batch.taskIds.reduce((n, t) => n + (t === this.currentTask ? 1 : 0), 0);
    // crossEntropy averages weight·loss over all rows: weight rows/own makes it the mean over the task's rows
    const weights = Float32Array.from(inputs.batch.taskIds, (t) => (t === this.currentTask ? rows / own : 0));
    const logits = tf.add(this.model.forward(inputs.x, true), tf.tensor2d(mask, [1, width])) as tf.Tensor2D;
    return crossEntropy(logits, inputs.targets, tf.tensor1d(weights));
  }

  /** Coupled weight decay (PyTorch SGD's g + wd·θ); the heads of other tasks get neither gradient nor decay. */
  protected override adjustGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const { weightDecay } = this.options;
    const columns = new Float32Array(this.ctx.scenario.outputs);
    for (const o of this.ctx.scenario.tasks[this.currentTask].outputs) columns[o] = 1;
    const ownHead = tf.tensor1d(columns);
    const out: tf.NamedTensorMap = {};
    for (const v of this.trainedVariables()) {
      const decayed = weightDecay > 0 ? tf.add(grads[v.name], tf.mul(v, weightDecay)) : grads[v.name];
      out[v.name] = this.headNames.has(v.name) ? tf.mul(decayed, ownHead) : decayed;
    }
    return out;
  }

  protected override applyGradients(grads: tf.NamedTensorMap): void {
    const head: tf.NamedTensorMap = {};
    const backbone: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) (this.headNames.has(name) ? head : backbone)[name] = g;
    this.optimizer.applyGradients(head);
    if (this.backboneOptimizer && Object.keys(backbone).length) this.backboneOptimizer.applyGradients(backbone);
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    this.backup = copyValues([this.head.weight, this.head.bias]);
    await this.storeClassStatistics(phase.taskId);
    const { caEpochs, caSamplesPerClass, tau, caLr, caMomentum, weightDecay } = this.options;
    if (phase.index > 0 && caEpochs > 0)
      alignClassifier(this.head, this.classes, phase.taskId, this.ctx.scenario, { epochs: caEpochs, samplesPerClass: caSamplesPerClass, tau, lr: caLr, momentum: caMomentum, weightDecay, stepsPerEpoch: this.options.caStepsPerEpoch ?? null }, this.alignmentRng);
  }

  /** Mean and covariance of the backbone features of each class of `taskId` (replacing earlier ones of it). */
  private async storeClassStatistics(taskId: number): Promise<void> {
    const examples = this.ctx.data.taskExamples(taskId);
    const byOutput = new Map<number, number[]>();
    const targets = new Int32Array(examples.indices.length);
    for (let start = 0; start < targets.length; start += STATISTICS_CHUNK) {
      const positions = Uint32Array.from({ length: Math.min(STATISTICS_CHUNK, targets.length - start) }, (_, k) => start + k);
      targets.set(this.ctx.data.batch(examples, positions).targets, start);
    }
    targets.forEach((o, i) => (byOutput.get(o) ?? byOutput.set(o, []).get(o)!).push(i));
    for (const output of [...byOutput.keys()].sort((a, b) => a - b)) {
      const positions = byOutput.get(output)!;
      const parts = chunks(positions, STATISTICS_CHUNK).map((part) =>
        tf.tidy(() => {
          const batch = this.ctx.data.batch(selectExamples(examples, part), null);
          return this.model.features!(tf.tensor2d(batch.x, [batch.size, this.ctx.scenario.inputSize]), false);
        }),
      );
      const features = tf.concat(parts) as tf.Tensor2D;
      tf.dispose(parts);
      const { mean, covariance } = await featureMoments(features, this.options.covarianceRidge);
      features.dispose();
      const existing = this.classes.findIndex((c) => c.task === taskId && c.output === output);
      const entry = { task: taskId, output, mean, covariance };
      if (existing >= 0) this.classes[existing] = entry;
      else this.classes.push(entry);
    }
  }

  override predict(x: tf.Tensor2D): tf.Tensor2D {
    if (this.tasksStarted === 0) return super.predict(x);
    const width = this.ctx.scenario.outputs;
    const mask = new Float32Array(width).fill(MASKED_LOGIT);
    for (let t = 0; t < this.tasksStarted; t++) for (const o of this.ctx.scenario.tasks[t].outputs) mask[o] = 0;
    return tf.tidy(() => tf.add(this.model.forward(x, false), tf.tensor2d(mask, [1, width])) as tf.Tensor2D);
  }

  override dispose(): void {
    this.backboneOptimizer?.dispose();
    this.backboneOptimizer = null;
    super.dispose();
  }
}

/** N(0, std²) redrawn outside ±2 (timm's trunc_normal_ bounds, absolute), as the code initialises its heads. */
function truncatedNormal(rng: import('../../core/random.js').Rng, std: number): number {
  for (;;) {
    const v = rng.normal() * std;
    if (v >= -2 && v <= 2) return v;
  }
}

/** Run-key options: the options added later are left out while null (no change), so older keys hold. */
function withoutNull(options: SlcaOptions, keys: (keyof SlcaOptions)[]): SlcaOptions {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => !(keys.includes(k as keyof SlcaOptions) && v === null))) as unknown as SlcaOptions;
}

function chunks(items: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const slca = defineLearner<SlcaOptions>({
  name: 'slca',
  description: 'SLCA: slow learner (backbone lr × 1/100) with per-task heads, then classifier alignment on class Gaussians.',
  reference: 'Zhang et al. 2023, "SLCA: Slow Learner with Classifier Alignment for Continual Learning on a Pre-trained Model", ICCV; code GengDavid/SLCA models/slca.py',
  optionsSchema: {
    type: 'object',
    properties: {
      backboneLrScale: { type: 'number', minimum: 0, default: 0.01, description: "backbone learning rate = the suite's lr × this (the code's bcb_lrscale 1/100; 0 freezes the backbone)" },
      weightDecay: { type: 'number', minimum: 0, default: 5e-4, description: 'coupled weight decay of both stages (the code: 5e-4)' },
      headInitStd: { type: 'number', minimum: 0, default: 0.02, description: "std of the heads' normal initialisation, bias 0 (the code: trunc_normal_ std 0.02); 0 keeps the model's initialisation" },
      caEpochs: { type: 'integer', minimum: 0, default: 5, description: 'classifier-alignment epochs after each task from the second (the code: 5; 0 = slow learner only)' },
      caSamplesPerClass: { type: 'integer', minimum: 1, default: 256, description: 'features drawn per seen class each alignment epoch, also the alignment batch size (the code: 256)' },
      caLr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'alignment SGD learning rate, cosine-annealed over the epochs (the code: 0.01)' },
      caMomentum: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'alignment SGD momentum (the code: 0.9)' },
      tau: { type: 'number', minimum: 0, default: 0.1, description: 'logit-normalisation temperature τ of the alignment (the code: 0.1, Cars 0.05; 0 = plain cross-entropy)' },
      covarianceRidge: { type: 'number', minimum: 0, default: 1e-4, description: 'added to the diagonal of every class covariance (the code: 1e-4)' },
      caStepsPerEpoch: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'alignment SGD steps an epoch, each on caSamplesPerClass draws (null = one per seen class, the code: 10 classes get 10 steps, 100 get 100)',
      },
      stage1DecayEpoch: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: "0-based epoch from which the slow learner's learning rates are × 0.1 (the code's milestone: 18 of 20 epochs on CIFAR-100); null = no decay. Needs optimizer 'sgd' or 'momentum'",
      },
    },
    additionalProperties: false,
  },
  keyOptions: (options: SlcaOptions) => withoutNull(options, ['caStepsPerEpoch', 'stage1DecayEpoch']),
  // the slow learner reads and re-initialises the head and takes class statistics of the features
  requires: {
    model: ['head', 'features'],
    check: ({ options, training }) =>
      (options.stage1DecayEpoch ?? null) !== null && training.optimizer !== 'sgd' && training.optimizer !== 'momentum'
        ? { message: `slca's stage1DecayEpoch needs optimizer 'sgd' or 'momentum', not '${training.optimizer}'`, field: 'training.optimizer', fix: "use 'momentum' (the code's SGD with momentum 0.9), or remove stage1DecayEpoch" }
        : null,
  },
  create: (options: SlcaOptions, ctx: LearnerContext) => new SlcaLearner(ctx, options),
});
