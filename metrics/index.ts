/**
 * The metrics engine: pure functions of an `AccuracyRecord` (no tensors, no I/O). Conventions
 * (0-based `matrix[i][j]` = accuracy on task j after phase i; `null` for undefined metrics) are in
 * ./matrix.ts; `METRICS` is the catalogue the leaderboards iterate.
 */
export type { AccuracyRecord } from './types.js';
export { MetricInputError, prefixRecord, taskCount } from './matrix.js';
export { averageAccuracy, averageAccuracyCurve, learningAccuracy, accuracyLowerTriangle } from './accuracy.js';
export { bwtGem, fwtGem, bwtAllPairs, remembering } from './transfer.js';
export {
  forgettingMax,
  forgettingMaxPerTask,
  forgettingFromFirst,
  forgettingFromFirstPerTask,
  intransigence,
  intransigencePerTask,
} from './forgetting.js';
export {
  DEFAULT_CRITERION,
  epochsToCriterion,
  epochsToCriterionPerTask,
  firstEpochAccuracyPerTask,
  meanEpochsToCriterion,
  meanFirstEpochAccuracy,
  facilitationSlope,
} from './facilitation.js';
export type { CriterionSummary } from './facilitation.js';
export { aggregate, tQuantile975 } from './aggregate.js';
export type { Aggregate } from './aggregate.js';
export { METRICS, metricByKey } from './catalogue.js';
export type { MetricContext, MetricDefinition } from './catalogue.js';
