/**
 * clbench's public API: what a learner plugin (or a program driving the harness) imports from 'clbench'.
 */
export type {
  DataAccess, EpochStats, Learner, LearnerContext, LearnerDefinition, Phase, ScenarioInfo, StepStats, TrainHooks, TrainingConfig,
} from './learners/contract.js';
export { defineLearner } from './learners/contract.js';
export { BaseSgdLearner, type BatchTensors } from './learners/base.js';
export { crossEntropy, applyMask, taskMask } from './learners/losses.js';
export { QuadraticPenalty } from './learners/quadraticPenalty.js';
export { fisherDiagonal, type FisherKind } from './learners/importance.js';
export { makeOptimizer } from './learners/optimizers.js';
export type { Model, ModelSpec } from './models/types.js';
export type { Batch, ExampleSet, Setting } from './scenarios/types.js';
export { Rng } from './core/random.js';
export { UserError, DivergedError } from './core/errors.js';
export * as metrics from './metrics/index.js';
export type { RunRecord } from './results/record.js';
