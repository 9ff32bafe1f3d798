/**
 * Learning without Forgetting — Li & Hoiem 2016 (ECCV; TPAMI 2017), Sec. 3.
 *
 * Before each task after the first, a frozen copy f_old of the network is taken. Every training batch x of
 * the new task then also asks the network to keep f_old's answers on the outputs that were active before:
 *
 *   'constant'      L = CE(f(x), y) + α · KD(f(x)|old, f_old(x)|old)             (Li & Hoiem; α = λ_o)
 *   'inverse-task'  L = (1/t)·CE(f(x), y) + (1 − 1/t) · α · KD(f(x)|old, f_old(x)|old)
 *                   (van de Ven & Tolias 2019's weighting; t = number of tasks so far, this one included)
 *
 * with KD the temperature-T distillation loss with T² scaling (../parts/distillation.ts). "Previously active
 * outputs" depend on the setting:
 *   task-IL:   each earlier task's head separately; KD is the mean over those heads (as van de Ven & Tolias
 *              average over replayed contexts), so its weight does not grow with the number of tasks;
 *   class-IL:  the outputs of every class seen before this task, as one softmax ('previous', Li & Hoiem's
 *              old-task outputs); or with `distillOutputs: 'seen'` the student's softmax over every class
 *              seen so far, this task's included, against the teacher's over the earlier classes padded
 *              with zeros for this task's (van de Ven & Tolias's code, utils.loss_fn_kd with
 *              `active_classes`): the new classes' outputs are then pushed down on the new data too;
 *   domain-IL: all outputs.
 * Li & Hoiem's warm-up of the new head is not done (van de Ven & Tolias and Avalanche skip it too).
 *
 * van de Ven & Tolias's split-MNIST LwF (the row Hsu et al. 2018's Table 2 takes from them) is
 * { weighting: 'inverse-task', distillOutputs: 'seen', distillAverage: 'entries', temperature: 2 } with the
 * class-IL loss over the classes seen so far (suite `training.lossOutputs: 'seen'`).
 */
import * as tf from '@tensorflow/tfjs';
import { sumTensors } from '../../models/sumTensors.js';
import { copyModelState } from '../../models/network.js';
import type { Model } from '../../models/types.js';
import { BaseSgdLearner, type BatchTensors } from '../base.js';
import { defineLearner, plainPhaseCost, steppedPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { distillationLoss } from '../parts/distillation.js';
import { applyMask, crossEntropy, MASKED_LOGIT } from '../parts/losses.js';


export type LwfWeighting = 'constant' | 'inverse-task';

export interface LwfOptions {
  temperature: number;
  alpha: number;
  weighting: LwfWeighting;
  distillOutputs: 'previous' | 'seen';
  distillAverage: 'examples' | 'entries';
}

class LwfLearner extends BaseSgdLearner<LwfOptions> {
  private teacher: Model | null = null;
  /** tasks trained in earlier phases, in order */
  private seenTasks: number[] = this.rememberField('seenTasks', []);

  protected override async beforePhase(_phase: Phase): Promise<void> {
    if (this.seenTasks.length === 0) return;
    const teacher = (this.teacher ??= this.ctx.createModel());
    // copies of the values, and of the running statistics of a normalising model
    await copyModelState(this.model, teacher);
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    if (!this.seenTasks.includes(phase.taskId)) this.seenTasks.push(phase.taskId);
  }

  protected override loss(inputs: BatchTensors, phase: Phase): tf.Scalar {
    const logits = this.model.forward(inputs.x, true);
    const ce = crossEntropy(applyMask(logits, inputs.mask), inputs.targets);
    if (!this.teacher || this.seenTasks.length === 0) return ce;
    const kd = this.distillation(logits, this.teacher.forward(inputs.x, false), phase);
    const { alpha, weighting } = this.options;
    if (weighting === 'constant') return tf.add(ce, tf.mul(kd, alpha)) as tf.Scalar;
    const t = this.seenTasks.length + 1;
    return tf.add(tf.mul(ce, 1 / t), tf.mul(kd, alpha * (1 - 1 / t))) as tf.Scalar;
  }

  /** KD on the previously active outputs (mean over earlier heads in task-IL). */
  private distillation(student: tf.Tensor2D, teacher: tf.Tensor2D, phase: Phase): tf.Scalar {
    const T = this.options.temperature;
    const groups = this.previousOutputs();
    // 'entries': van de Ven & Tolias's utils.loss_fn_kd takes .mean() of the batch × classes matrix, i.e. divides
    // the per-example distillation by the number of classes in the student's softmax
    const perEntry = (kd: tf.Scalar, classes: number) => (this.options.distillAverage === 'entries' ? (tf.div(kd, classes) as tf.Scalar) : kd);
    if (!groups) return perEntry(distillationLoss(student, teacher, T), this.ctx.scenario.outputs);
    // The other outputs get −1e9: softmax gives them exactly 0, so they add nothing to the loss or its gradient
    // (the same as slicing the columns out, whose gradient, a scatter, the WASM backend lacks). A teacher output
    // masked where the student's is not is a zero-padded target.
    const mask = (cols: number[]) => {
      const row = new Float32Array(this.ctx.scenario.outputs).fill(MASKED_LOGIT);
      for (const c of cols) row[c] = 0;
      return tf.tensor2d(row, [1, row.length]);
    };
    const current = this.ctx.scenario.setting === 'class' && this.options.distillOutputs === 'seen' ? this.ctx.scenario.tasks[phase.taskId].outputs : [];
    const terms = groups.map((cols) => perEntry(distillationLoss(tf.add(student, mask([...cols, ...current])), tf.add(teacher, mask(cols)), T), cols.length + current.length));
    return tf.div(sumTensors(terms), terms.length) as tf.Scalar;
  }

  /** Output columns that were active before this task, one group per softmax; null = all outputs. */
  private previousOutputs(): number[][] | null {
    const { setting, tasks } = this.ctx.scenario;
    switch (setting) {
      case 'domain':
        return null;
      case 'task':
        return this.seenTasks.map((s) => tasks[s].outputs);
      case 'class':
        return [[...new Set(this.seenTasks.flatMap((s) => tasks[s].outputs))].sort((a, b) => a - b)];
    }
  }

  override dispose(): void {
    this.teacher?.dispose();
    this.teacher = null;
    super.dispose();
  }
}

export const lwf = defineLearner<LwfOptions>({
  name: 'lwf',
  description: 'Learning without Forgetting: distil a frozen copy of the previous model on the old outputs.',
  reference: 'Li & Hoiem 2016, "Learning without Forgetting", ECCV, Sec. 3, Eq. 2',
  optionsSchema: {
    type: 'object',
    properties: {
      temperature: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'distillation temperature T (Li & Hoiem: 2)' },
      alpha: { type: 'number', minimum: 0, default: 1, description: 'weight λ_o of the distillation term (Li & Hoiem: 1)' },
      weighting: {
        enum: ['constant', 'inverse-task'],
        default: 'constant',
        description: "'constant' CE + α·KD (Li & Hoiem) or 'inverse-task' (1/t)·CE + (1 − 1/t)·α·KD (van de Ven & Tolias)",
      },
      distillOutputs: {
        enum: ['previous', 'seen'],
        default: 'previous',
        description: "class-IL: the student's distilled softmax over the earlier classes ('previous', Li & Hoiem) or over every class seen so far against a zero-padded teacher ('seen', van de Ven & Tolias's code)",
      },
      distillAverage: {
        enum: ['examples', 'entries'],
        default: 'examples',
        description: "the distillation term as the mean over examples of each example's cross-entropy ('examples', Hinton et al., Li & Hoiem) or the mean over examples and classes ('entries': divided by the number of classes in the student's softmax, as van de Ven & Tolias's utils.loss_fn_kd)",
      },
    },
    additionalProperties: false,
  },
  // the defaults 'previous' and 'examples' are what LwF did before the options existed: left out of run keys, so earlier records stay valid
  keyOptions: (options: LwfOptions) => {
    const { distillOutputs, distillAverage, ...rest } = options;
    return { ...rest, ...(distillOutputs === 'previous' ? {} : { distillOutputs }), ...(distillAverage === 'examples' ? {} : { distillAverage }) } as LwfOptions;
  },
  // from the second phase the teacher's forward of every batch: about a third of a pass an example
  phaseCost: (_options, phase) => (phase.index === 0 ? plainPhaseCost(phase) : steppedPhaseCost(phase, phase.examples, phase.training.batchSize / 3)),
  create: (options: LwfOptions, ctx: LearnerContext) => new LwfLearner(ctx, options),
});
