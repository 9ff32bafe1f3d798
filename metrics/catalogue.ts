/**
 * The leaderboard's columns: every number in a leaderboard is one of these named, pure functions of
 * an `AccuracyRecord`. The `definition` strings are the documentation of the CSV columns and README.
 */
import type { AccuracyRecord } from './types.js';
import { averageAccuracy, learningAccuracy } from './accuracy.js';
import { bwtGem, fwtGem } from './transfer.js';
import { forgettingFromFirst, forgettingMax, intransigence } from './forgetting.js';
import {
  DEFAULT_CRITERION,
  epochsToCriterionPerTask,
  facilitationSlope,
  firstEpochAccuracyPerTask,
  meanEpochsToCriterion,
  meanFirstEpochAccuracy,
} from './facilitation.js';
import { accuracyAfterStepsPerTask, learningCurveAreaPerTask, meanOverTasks, slopeOverTasks } from './stepFacilitation.js';

/** What some metrics need besides the run's own record. */
export interface MetricContext {
  /** Record of a joint ("offline") learner on the same task sequence; needed for intransigence. */
  joint?: AccuracyRecord;
  /** Criterion θ for epochs to criterion (default `DEFAULT_CRITERION` = 0.9). */
  criterion?: number;
}

export interface MetricDefinition {
  /** snake_case CSV column name. */
  key: string;
  /** Short human label. */
  label: string;
  /** One sentence: what it is and which paper/equation it follows. */
  definition: string;
  /** Whether a larger value is a better result (for ranking and arrows in tables). */
  higherIsBetter: boolean;
  /** The value for one run; `null` when the record cannot define it (T = 1, no curves, no joint). */
  compute(record: AccuracyRecord, ctx?: MetricContext): number | null;
}

/** `initial` that was not measured (absent or empty) makes FWT undefined rather than an error. */
function hasInitial(record: AccuracyRecord): boolean {
  return Array.isArray(record.initial) && record.initial.length > 0;
}

export const METRICS: readonly MetricDefinition[] = [
  {
    key: 'average_accuracy',
    label: 'Average accuracy',
    definition:
      'Mean accuracy over all tasks after the last task, ACC = (1/T) Σ_j R[T][j] (Lopez-Paz & Ranzato 2017, GEM, Sec. 2; A_T of Chaudhry et al. 2018).',
    higherIsBetter: true,
    compute: (record) => averageAccuracy(record.matrix),
  },
  {
    key: 'bwt',
    label: 'Backward transfer',
    definition:
      'Mean change of each earlier task from right after learning it to the end, BWT = 1/(T−1) Σ_{j<T} (R[T][j] − R[j][j]) (Lopez-Paz & Ranzato 2017, GEM, Sec. 2); negative means forgetting.',
    higherIsBetter: true,
    compute: (record) => bwtGem(record.matrix),
  },
  {
    key: 'fwt',
    label: 'Forward transfer',
    definition:
      'Mean accuracy on each task just before training it, above a random model, FWT = 1/(T−1) Σ_{j≥2} (R[j−1][j] − b_j) (Lopez-Paz & Ranzato 2017, GEM, Sec. 2).',
    higherIsBetter: true,
    compute: (record) => (hasInitial(record) ? fwtGem(record.matrix, record.initial) : null),
  },
  {
    key: 'forgetting_max',
    label: 'Forgetting (max)',
    definition:
      'Mean over earlier tasks of the best accuracy since learning the task (before the last task) minus its final accuracy, F_T (Chaudhry et al. 2018, RWalk).',
    higherIsBetter: false,
    compute: (record) => forgettingMax(record.matrix),
  },
  {
    key: 'forgetting_first',
    label: 'Forgetting (from first)',
    definition:
      'Mean over earlier tasks of the accuracy right after learning the task minus its final accuracy (Avalanche StreamForgetting; equals −BWT).',
    higherIsBetter: false,
    compute: (record) => forgettingFromFirst(record.matrix),
  },
  {
    key: 'learning_accuracy',
    label: 'Learning accuracy',
    definition:
      'Mean accuracy on each task right after learning it, LA = (1/T) Σ_j R[j][j] (Riemer et al. 2019).',
    higherIsBetter: true,
    compute: (record) => learningAccuracy(record.matrix),
  },
  {
    key: 'intransigence',
    label: 'Intransigence',
    definition:
      'Mean over tasks k = 2..T of a joint model’s accuracy on task k (trained on tasks 1..k) minus R[k][k], I_k (Chaudhry et al. 2018, RWalk); needs a joint run.',
    higherIsBetter: false,
    compute: (record, ctx) => (ctx?.joint === undefined ? null : intransigence(record.matrix, ctx.joint.matrix)),
  },
  {
    key: 'first_epoch_accuracy',
    label: 'First-epoch accuracy',
    definition:
      'Mean over tasks of the accuracy on the new task after the first epoch of its phase (forward facilitation, after Davidson & Mozer 2020).',
    higherIsBetter: true,
    compute: (record) => meanFirstEpochAccuracy(record),
  },
  {
    key: 'first_epoch_accuracy_slope',
    label: 'First-epoch accuracy trend',
    definition:
      'Least-squares slope of first-epoch accuracy against task index; positive means later tasks are learned faster (forward facilitation, Davidson & Mozer 2020).',
    higherIsBetter: true,
    compute: (record) => {
      const perTask = firstEpochAccuracyPerTask(record);
      return perTask === null ? null : facilitationSlope(perTask);
    },
  },
  {
    key: 'epochs_to_criterion',
    label: 'Epochs to criterion',
    definition:
      'Mean over tasks that reached it of the first epoch at which the new task’s accuracy reaches the criterion θ (default 0.9) (Davidson & Mozer 2020); see criterion_not_reached.',
    higherIsBetter: false,
    compute: (record, ctx) => meanEpochsToCriterion(record, ctx?.criterion ?? DEFAULT_CRITERION)?.meanEpochs ?? null,
  },
  {
    key: 'criterion_not_reached',
    label: 'Tasks below criterion',
    definition:
      'Number of tasks whose accuracy never reached the criterion θ during their phase; these are left out of epochs_to_criterion.',
    higherIsBetter: false,
    compute: (record, ctx) => meanEpochsToCriterion(record, ctx?.criterion ?? DEFAULT_CRITERION)?.notReached ?? null,
  },
  {
    key: 'epochs_to_criterion_slope',
    label: 'Epochs-to-criterion trend',
    definition:
      'Least-squares slope of epochs to criterion against task index over tasks that reached it; negative means forward facilitation (Davidson & Mozer 2020).',
    higherIsBetter: false,
    compute: (record, ctx) => {
      const perTask = epochsToCriterionPerTask(record, ctx?.criterion ?? DEFAULT_CRITERION);
      return perTask === null ? null : facilitationSlope(perTask);
    },
  },
  {
    key: 'new_task_accuracy_at_steps',
    label: 'Accuracy after S steps',
    definition:
      'Mean over tasks of the new task’s accuracy after S gradient steps of its phase, S the largest of evaluation.newTaskSteps (forward facilitation per unit of learning, not per epoch); empty when a phase is shorter than S.',
    higherIsBetter: true,
    compute: (record) => meanOverTasks(accuracyAfterStepsPerTask(record)),
  },
  {
    key: 'new_task_accuracy_at_steps_slope',
    label: 'Accuracy after S steps, trend',
    definition: 'Least-squares slope of the accuracy after S steps against task index; positive means later tasks are learned in fewer steps.',
    higherIsBetter: true,
    compute: (record) => slopeOverTasks(accuracyAfterStepsPerTask(record)),
  },
  {
    key: 'new_task_curve_area',
    label: 'New-task curve area over S steps',
    definition:
      'Mean over tasks of (1/S) ∫_0^S a(s) ds, the new task’s accuracy over its first S gradient steps (trapezoid rule between the measured steps, a(0) = its accuracy before the phase): A-GEM’s learning curve area LCA (Chaudhry et al. 2019) at the measured steps.',
    higherIsBetter: true,
    compute: (record) => meanOverTasks(learningCurveAreaPerTask(record)),
  },
  {
    key: 'new_task_curve_area_slope',
    label: 'New-task curve area trend',
    definition: 'Least-squares slope of the new-task curve area over S steps against task index; positive means forward facilitation.',
    higherIsBetter: true,
    compute: (record) => slopeOverTasks(learningCurveAreaPerTask(record)),
  },
];

/** The catalogue entry for a column name; throws for an unknown key. */
export function metricByKey(key: string): MetricDefinition {
  const found = METRICS.find((metric) => metric.key === key);
  if (found === undefined) {
    throw new Error(`unknown metric '${key}'; known: ${METRICS.map((metric) => metric.key).join(', ')}`);
  }
  return found;
}
