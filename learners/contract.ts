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
  name: string;
  setting: Setting;
  /** width of the output layer */
  outputs: number;
  /** pixels per input */
  inputSize: number;
  /** per task: its original classes and the output units that belong to it */
  tasks: { id: number; classes: number[]; outputs: number[] }[];
}

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adam' | 'momentum' | 'adagrad';
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

export interface LearnerContext {
  scenario: ScenarioInfo;
  training: TrainingConfig;
  /** a freshly initialised network for this scenario (seeded), `outputs` overrides the output width */
  createModel(outputs?: number): Model;
  /** the learner's own seeded generator (batch order, sampling) */
  rng: Rng;
  data: DataAccess;
  /** name of the tfjs backend in use */
  backend: string;
}

/** One phase of the stream: the task it introduces and the examples the schedule hands over. */
export interface Phase {
  /** 0-based phase number (= id of the new task) */
  index: number;
  taskId: number;
  /** the new task's examples plus any rehearsal the schedule adds, with their task ids */
  examples: ExampleSet;
}

export interface EpochStats {
  epoch: number;
  /** mean training loss over the epoch */
  loss: number;
  /** examples trained on in this epoch */
  examples: number;
}

export interface StepStats {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
}

/** Callbacks the harness passes to `train`: progress, per-epoch evaluation of the new task. */
export interface TrainHooks {
  step?(stats: StepStats): void;
  epochEnd?(stats: EpochStats): Promise<void> | void;
}

/**
 * What a learner needs to continue after a phase, for checkpoints: tensors (model variables, optimizer
 * moments, penalty terms, replay memory …; float32, int32 or bool) under names of the learner's choosing,
 * and plain JSON (generator states, counters).
 */
export interface LearnerState {
  tensors: Record<string, tf.Tensor>;
  json: unknown;
}

export interface Learner {
  /** train on one phase; throws DivergedError when the loss stops being finite */
  train(phase: Phase, hooks: TrainHooks): Promise<void>;
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
  dispose(): void;
}

export interface LearnerDefinition<O = any> {
  /** the name a suite uses: 'ewc', 'my-learner' */
  name: string;
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
  create(options: O, ctx: LearnerContext): Learner;
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

export function defineLearner<O>(definition: LearnerDefinition<O>): LearnerDefinition<O> {
  return definition;
}
