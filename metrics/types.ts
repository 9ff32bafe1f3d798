/**
 * What the metrics engine reads: everything a run measured about accuracy, as plain numbers.
 * Every metric is a pure function of this record, so a stored record can be re-scored without training.
 * Accuracies are fractions in [0, 1].
 */
export interface AccuracyRecord {
  /**
   * `matrix[i][j]`: accuracy on task j (test set) right after training phase i, for every task j,
   * including tasks not trained yet (needed for forward transfer). 0-based: row i = after task i+1.
   */
  matrix: number[][];
  /** `initial[j]`: accuracy of the randomly initialised model on task j (the `b` row of GEM). */
  initial: number[];
  /**
   * `newTaskCurves[i][e]`: accuracy on the task introduced in phase i, measured after epoch e of phase i.
   * Used for learning speed / forward facilitation. May be absent in old records.
   */
  newTaskCurves?: number[][];
  /**
   * The step counts S_1 < … < S_m of each phase after which the new task was measured (suite
   * `evaluation.newTaskSteps`); absent when the suite asks for none.
   */
  newTaskSteps?: number[];
  /**
   * `newTaskStepCurves[i][k]`: accuracy on the task introduced in phase i after `newTaskSteps[k]` gradient steps of
   * phase i (shorter when the phase had fewer steps). Forward facilitation per unit of learning (./stepFacilitation.ts).
   */
  newTaskStepCurves?: number[][];
}
