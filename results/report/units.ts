/**
 * How the report shows each leaderboard metric. The CSV keeps accuracies as fractions in [0, 1]; the
 * report multiplies accuracy-valued metrics by 100 and says so in the column header.
 */
export type MetricUnit = 'accuracy' | 'accuracy per task' | 'epochs' | 'tasks' | 'epochs per task';

/** Every metric of the catalogue; a test fails when a new metric is added without its unit here. */
export const METRIC_UNITS: Readonly<Record<string, MetricUnit>> = {
  average_accuracy: 'accuracy',
  bwt: 'accuracy',
  fwt: 'accuracy',
  forgetting_max: 'accuracy',
  forgetting_first: 'accuracy',
  learning_accuracy: 'accuracy',
  intransigence: 'accuracy',
  first_epoch_accuracy: 'accuracy',
  first_epoch_accuracy_slope: 'accuracy per task',
  epochs_to_criterion: 'epochs',
  criterion_not_reached: 'tasks',
  epochs_to_criterion_slope: 'epochs per task',
  new_task_accuracy_at_steps: 'accuracy',
  new_task_accuracy_at_steps_slope: 'accuracy per task',
  new_task_curve_area: 'accuracy',
  new_task_curve_area_slope: 'accuracy per task',
};

/** The header suffix: what the shown numbers are. */
export function unitLabel(unit: MetricUnit): string {
  return { accuracy: '%', 'accuracy per task': 'pp/task', epochs: 'epochs', tasks: 'tasks', 'epochs per task': 'epochs/task' }[unit];
}

/** A value as shown: accuracies in percent (percentage points for slopes), two decimals. */
export function displayValue(value: number, unit: MetricUnit): string {
  return (unit === 'accuracy' || unit === 'accuracy per task' ? 100 * value : value).toFixed(2);
}
