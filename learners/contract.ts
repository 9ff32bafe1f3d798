/**
 * The learner plugin contract. A learner is a `LearnerDefinition`: a name, a JSON Schema for its options
 * (ajv validates a suite's options against it, filling in `default`s, before any training starts) and a
 * factory. The harness then calls, for every phase of the stream, `train(phase, hooks)`, and evaluates with
 * `predict(x, taskId)`. That is the whole API; most learners extend `BaseSgdLearner` (./base.ts) and
 * override one step of it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import type { Model, ModelCapability, ModelSpec, ResolvedModelSpec } from '../models/types.js';
import type { Batch, ExampleSet, Setting } from '../scenarios/types.js';

/** The scenario as a learner may see it: shapes and task structure, never the test data. */
export interface ScenarioInfo {
  /** the scenario's name in the suite, e.g. `split-mnist-class` */
  name: string;
  /** `task` (the task id is given at test time), `domain` or `class` */
  setting: Setting;
  /** width of the output layer */
  outputs: number;
  /** pixels per input */
  inputSize: number;
  /**
   * per task: `id` (0-based, as `Phase.taskId` and `ExampleSet.taskIds`), its original `classes` (the dataset's
   * labels) and the `outputs` (units) that belong to it, its head in task-IL
   */
  tasks: { id: number; classes: number[]; outputs: number[] }[];
}

/** The suite's `training` settings for a run, defaults filled in (a learner entry's own `training` overrides applied). */
export interface TrainingConfig {
  /** epochs over each phase's examples */
  epochs: number;
  /** examples a training step */
  batchSize: number;
  /** the optimizer `makeOptimizer` builds (Adam and Adagrad with PyTorch's update rules) */
  optimizer: 'sgd' | 'adam' | 'momentum' | 'adagrad';
  /** learning rate */
  lr: number;
  /** momentum for the 'momentum' optimizer */
  momentum: number;
  /** start a fresh optimizer (e.g. Adam moments) at every phase (Hsu et al.'s scripts do not: they keep one optimizer) */
  resetOptimizer: boolean;
  /**
   * class-IL only: which outputs the training loss sees. 'all' (absent): every output, classes not seen yet
   * included (pushed down from the first task on); 'seen': the outputs of the tasks seen so far, this phase's
   * included, as Hsu et al.'s code (`valid_out_dim`) and van de Ven & Tolias's (`active_classes`) do. Test-time
   * prediction is over all outputs either way.
   */
  lossOutputs?: 'all' | 'seen';
}

/** Access to training data, as references and as gathered batches. */
export interface DataAccess {
  /** all training examples of a task (what a joint learner or an importance estimate needs) */
  taskExamples(taskId: number): ExampleSet;
  /** gather examples `positions` of `set` (all when null) into a float batch */
  batch(set: ExampleSet, positions: ArrayLike<number> | null): Batch;
}

/**
 * What the harness hands a learner's `create`: the scenario's shape, the training settings, a model factory,
 * a seeded generator and the training data. A learner never sees test data.
 */
export interface LearnerContext {
  /** the scenario's setting, widths and each task's classes and outputs */
  scenario: ScenarioInfo;
  /** the run's training settings */
  training: TrainingConfig;
  /** a freshly initialised network for this scenario (seeded), `outputs` overrides the output width */
  createModel(outputs?: number): Model;
  /**
   * the learner's own seeded generator (batch order, sampling), made from the run's seed. Checkpoints do not
   * hold its position: derive a generator per purpose when the learner is made (`rng.derive('…')`) and save
   * that one's `state()` in the learner's state; a resumed run gets a fresh `rng` in its initial state.
   */
  rng: Rng;
  /** the training data, as references and as gathered batches */
  data: DataAccess;
  /** name of the tfjs backend in use */
  backend: string;
}

/** One phase of the stream: the task it introduces and the examples the schedule hands over. */
export interface Phase {
  /** 0-based phase number (= id of the new task) */
  index: number;
  /** the id of the task this phase introduces (equal to `index`) */
  taskId: number;
  /** the new task's examples plus any rehearsal the schedule adds, with their task ids */
  examples: ExampleSet;
}

/** What a learner reports to `TrainHooks.epochEnd` after every epoch. */
export interface EpochStats {
  /** 0-based epoch within the phase */
  epoch: number;
  /** mean training loss over the epoch */
  loss: number;
  /** examples trained on in this epoch */
  examples: number;
}

/** What a learner may report to `TrainHooks.step` after every training step (it drives the progress bar). */
export interface StepStats {
  /** 0-based epoch within the phase */
  epoch: number;
  /** 0-based step within the epoch */
  step: number;
  /** steps in this epoch */
  steps: number;
  /** this step's training loss */
  loss: number;
}

/** Callbacks the harness passes to `train`: progress, per-epoch evaluation of the new task. */
export interface TrainHooks {
  /**
   * call, and await, after each training step (progress display; with `evaluation.newTaskSteps` the harness
   * measures the new task's accuracy here, reading asynchronously, so a step's update must not start before it ends)
   */
  step?(stats: StepStats): Promise<void> | void;
  /** call, and await, after every epoch: the harness measures the new task's test accuracy here */
  epochEnd?(stats: EpochStats): Promise<void> | void;
}

/**
 * What a learner needs to continue after a phase, for checkpoints: tensors (model variables, optimizer
 * moments, penalty terms, replay memory …; float32, int32 or bool) under names of the learner's choosing,
 * and plain JSON (generator states, counters).
 */
export interface LearnerState {
  /** named tensors; `state()` returns copies that the caller disposes */
  tensors: Record<string, tf.Tensor>;
  /** anything else, as plain JSON */
  json: unknown;
}

/** A learner as the harness drives it: one `train` call per phase, `predict` for evaluation, `dispose` at the end. */
export interface Learner {
  /**
   * train on one phase; throws DivergedError when the loss stops being finite. `from` (only for a learner
   * with `resumesWithinPhase`): the phase was under way and `from.epochs` of its epochs are done — the
   * learner was restored from a `state()` taken at that epoch's end; train the remaining epochs only.
   */
  train(phase: Phase, hooks: TrainHooks, from?: { epochs: number }): Promise<void>;
  /** logits over the setting's output space; `taskId` is given in the task-incremental setting */
  predict(x: tf.Tensor2D, taskId?: number): tf.Tensor2D;
  /**
   * Optional, for resuming a killed run: everything the learner needs to continue, between phases, as
   * tensors that the caller owns and disposes (return copies, e.g. `tf.clone`, of what you keep). A learner
   * without `state`/`restore` is still run; a killed run of it restarts from its first phase.
   */
  state?(): Promise<LearnerState>;
  /**
   * The inverse of `state`, called on a freshly created learner (same options, same context) before the
   * phase after the saved one; copy what you keep, the caller disposes `state`'s tensors afterwards.
   */
  restore?(state: LearnerState): Promise<void>;
  /**
   * True when `state()` taken at the end of an epoch (inside `hooks.epochEnd`) holds everything the rest of
   * the phase needs, so that `restore` then `train(phase, hooks, { epochs })` ends as the uninterrupted
   * phase would, bit for bit: the harness then also checkpoints within long phases. A learner that sets
   * something up at a phase's start or accumulates within a phase, outside `state()` (a teacher copy, a
   * path integral), leaves it unset: its runs resume from the last finished phase.
   */
  readonly resumesWithinPhase?: boolean;
  /** free every tensor the learner holds (check-plugin checks that none is left) */
  dispose(): void;
}

/**
 * A learner as a suite names it: what a plugin module's default export is (see `defineLearner`), and what
 * `registerLearner` adds. `O` is the type of its validated options.
 */
export interface LearnerDefinition<O = any> {
  /** the name a suite uses: 'ewc', 'my-learner' */
  name: string;
  /** one line for `clbench list` */
  description: string;
  /** JSON Schema (draft-07) of the options object; give every property a `default` */
  optionsSchema: Record<string, unknown>;
  /** the paper(s) and equation(s) the learner follows */
  reference?: string;
  /**
   * True for a learner that trains on the full training set of every task seen so far whatever the phase
   * holds (joint): the runner records it under the `full` rehearsal schedule, and a suite may not give
   * it another. Every other learner trains on the phase's examples, as the schedule hands them over.
   */
  trainsOnAllSeenTasks?: boolean;
  /**
   * The options a suite entry's runs are keyed and recorded under, given the entry's model, when they are not
   * simply the validated options: a learner whose option default depends on the model resolves it here, and
   * may leave out an option whose resolved value is the behaviour from before the option existed, so that
   * older run keys still hold (DER++ and ER-ACE's `forward`, ./parts/replayForward.ts). `create` receives these.
   */
  keyOptions?(options: O, model: ModelSpec): O;
  /**
   * What the learner needs from the run it is paired with. A suite entry that does not give it is refused
   * when the suite is read (`clbench validate`, `clbench run`), before anything trains; `check-plugin`
   * skips the streams it rules out. Absent: any setting, any model, any training.
   */
  requires?: LearnerRequirements<O>;
  /**
   * What one phase of a run costs, in example passes (one example forward and backward = 1; a forward alone
   * about ⅓), when that is not the phase's examples × epochs: a learner that joins a memory to the phase's
   * examples, or whose every step also differentiates examples beside the batch (GEM's memory, A-GEM's
   * reference sample, a replay batch, a teacher's forward). `clbench schedule` reports it and the worker pool
   * starts the costliest runs first by it. An estimate: it may take a memory as full and leave out small work.
   * Absent: examples × epochs (`plainPhaseCost`).
   */
  phaseCost?(options: O, phase: PhaseCostInput): number;
  /** a new learner for one run, from its validated options (defaults filled in) and the run's context */
  create(options: O, ctx: LearnerContext): Learner;
}

/** What `LearnerDefinition.phaseCost` is told about a phase, before anything trains. */
export interface PhaseCostInput {
  /** 0-based phase number */
  index: number;
  /** examples the phase hands the learner: the schedule's (new task and rehearsal), or every seen task's for a joint learner */
  examples: number;
  /** training examples of the task this phase introduces */
  taskExamples: number;
  /** training examples of the tasks before it (what a memory can have kept at most) */
  earlierExamples: number;
  /** the run's training settings (epochs, batch size) */
  training: TrainingConfig;
}

/** A phase's cost when a learner declares none: every example forward and backward once an epoch. */
export function plainPhaseCost(phase: PhaseCostInput): number {
  return phase.examples * phase.training.epochs;
}

/**
 * A phase's cost for a learner that trains on `trained` examples an epoch, in batches of the training batch
 * size, and whose every step also passes `extraPerStep` examples forward and backward.
 */
export function steppedPhaseCost(phase: PhaseCostInput, trained: number, extraPerStep: number): number {
  const steps = Math.ceil(trained / phase.training.batchSize);
  return (trained + steps * extraPerStep) * phase.training.epochs;
}

/** A learner paired with a scenario, model and training, as a suite entry gives them. */
export interface Pairing<O = Record<string, unknown>> {
  options: O;
  setting: Setting;
  model: ResolvedModelSpec;
  training: TrainingConfig;
}

/** Why a pairing cannot run, said the way a UserError says it. */
export interface PairingProblem {
  message: string;
  /** the suite field to change, relative to the learner entry ('options.stage1DecayEpoch', 'training.optimizer') */
  field: string;
  fix: string;
}

export interface LearnerRequirements<O = any> {
  /** the settings the learner can run in; absent: all three */
  settings?: Setting[];
  /** what the model must offer (./models/types.ts `ModelCapability`): a linear output layer, its features … */
  model?: ModelCapability[];
  /** a condition across options and training that a list cannot say (an option that needs an optimizer); null: fine */
  check?(pairing: Pairing<O>): PairingProblem | null;
}

/**
 * Returns `definition` as it is; it only gives TypeScript the options type `O`, so that `create` and the
 * learner see typed options. A plugin module's default export is usually `defineLearner({ … })`.
 */
export function defineLearner<O>(definition: LearnerDefinition<O>): LearnerDefinition<O> {
  return definition;
}
