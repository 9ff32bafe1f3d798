/**
 * clbench's public API: what a learner plugin (or a program driving the harness) imports from 'clbench'.
 *
 * `tf` is clbench's own @tensorflow/tfjs module. A plugin imports tf from here, never from its own
 * @tensorflow/tfjs: a second copy has its own Tensor class, and its tensors fail clbench's checks.
 * (Its reference is tfjs's own: https://js.tensorflow.org/api/latest/.)
 *
 * The plugin guide (docs/plugins.md) shows how these fit together: a learner definition (`defineLearner`),
 * the base learner and its override points (`BaseSgdLearner`), and the building blocks the built-in
 * learners are made of (`fisherDiagonal`, `QuadraticPenalty`, `StreamBuffer`, the state helpers). The
 * `metrics` namespace holds every metric of the leaderboards as a pure function of an accuracy record.
 *
 * @packageDocumentation
 */
export * as tf from '@tensorflow/tfjs';
export type {
  DataAccess, EpochStats, Learner, LearnerContext, LearnerDefinition, LearnerRequirements, LearnerState, Pairing, PairingProblem, Phase, PhaseCostInput, ScenarioInfo, StepStats, TrainHooks, TrainingConfig,
} from './learners/contract.js';
export { defineLearner, plainPhaseCost, steppedPhaseCost } from './learners/contract.js';
export { BaseSgdLearner, type BatchTensors, type StepLoss } from './learners/base.js';
export type { Stateful } from './learners/state.js';
export { crossEntropy, applyMask, taskMask } from './learners/parts/losses.js';
export { QuadraticPenalty } from './learners/parts/quadraticPenalty.js';
export { examplesFromState, examplesState, listFromState, listState, underPrefix, withPrefix } from './learners/stateTensors.js';
export { fisherDiagonal, type FisherEstimator, type FisherKind } from './learners/parts/importance.js';
export { makeOptimizer } from './learners/optim/optimizers.js';
export { StreamBuffer, restoreStreamBuffer, streamBufferState } from './learners/memory/streamBuffer.js';
export type { Model, ModelCapability, ModelSpec, NormKind, NormOptions } from './models/types.js';
export type { Batch, ExampleSet, Setting } from './scenarios/types.js';
export { concatExamples, selectExamples, shuffledBatches } from './scenarios/examples.js';
export { Rng, type RngState } from './core/random.js';
export { UserError, DivergedError } from './core/errors.js';
export * as metrics from './metrics/index.js';
export type { RunRecord } from './results/record.js';
export { listLearners, registerLearner } from './learners/registry.js';
export { checkLearner, formatReport, type CheckResult, type ConformanceReport } from './plugins/conformance.js';
