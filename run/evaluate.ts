/**
 * Test accuracy of a learner on a task, in large batches (evaluation has no backward pass to fit in cache).
 * What predict returns is checked as `clbench check-plugin` checks it, so that a run cannot score a learner
 * on logits that mean nothing: they must be a float32 [examples, outputs] tensor of finite numbers (argMax
 * of NaN logits picks output 0, of integer ones a tie: either would be recorded as a plausible accuracy).
 */
import * as tf from '@tensorflow/tfjs';
import type { Learner } from '../learners/contract.js';
import { applyMask, taskMask } from '../learners/parts/losses.js';
import { gatherBatch, taskTestExamples } from '../scenarios/examples.js';
import type { Scenario } from '../scenarios/types.js';
import type { ScenarioInfo } from '../learners/contract.js';

export function scenarioInfo(scenario: Scenario): ScenarioInfo {
  return {
    name: scenario.name,
    setting: scenario.setting,
    outputs: scenario.outputs,
    inputSize: scenario.inputSize,
    tasks: scenario.tasks.map((t) => ({ id: t.id, classes: t.classes, outputs: t.outputs })),
  };
}

/**
 * Fraction of task `taskId`'s test examples whose highest logit is their label's output. In task-IL the
 * argmax runs over the task's head only (the task id is given); otherwise over every output. The labels are
 * read asynchronously: tfjs's WebGPU backend cannot read GPU memory synchronously under Node.
 */
export async function taskAccuracy(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array, checked = true): Promise<number> {
  const tally = new Tally();
  for (const { predicted, targets } of predictions(learner, scenario, info, taskId, batchSize, buffer, checked)) {
    tally.add(await predicted.data(), targets);
    predicted.dispose();
  }
  return tally.accuracy(taskId);
}

/** `taskAccuracy` read synchronously, for `check-plugin`'s trace (which runs on the CPU backends). */
export function taskAccuracySync(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array, checked = true): number {
  const tally = new Tally();
  for (const { predicted, targets } of predictions(learner, scenario, info, taskId, batchSize, buffer, checked)) {
    tally.add(predicted.dataSync(), targets);
    predicted.dispose();
  }
  return tally.accuracy(taskId);
}

/** Correct, non-finite and all predictions of one task's test batches, counted as they are read. */
class Tally {
  private correct = 0;
  private nonFinite = 0;
  private total = 0;

  add(labels: ArrayLike<number>, targets: Int32Array): void {
    for (let k = 0; k < targets.length; k++) {
      if (labels[k] === targets[k]) this.correct++;
      else if (labels[k] === NOT_FINITE) this.nonFinite++;
    }
    this.total += targets.length;
  }

  accuracy(taskId: number): number {
    if (this.nonFinite > 0)
      throw new Error(`predict returned logits that are not finite (NaN or ±Infinity) for ${this.nonFinite} of ${this.total} test examples of task ${taskId + 1}; \`clbench check-plugin\` shows where they start`);
    return this.total === 0 ? 0 : this.correct / this.total;
  }
}

/** The label a row gets when any of its logits is not finite (no output can have it). */
const NOT_FINITE = -1;

/**
 * The predicted labels of task `taskId`'s test examples, batch by batch (the caller reads and disposes them).
 * `checked` false leaves the dtype and finiteness of the logits alone: `check-plugin` watches predict and
 * reports them as checks of their own.
 */
function* predictions(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer: Float32Array | undefined, checked: boolean): Generator<{ predicted: tf.Tensor; targets: Int32Array }> {
  const examples = taskTestExamples(scenario, taskId);
  const total = examples.indices.length;
  for (let start = 0; start < total; start += batchSize) {
    const positions = Uint32Array.from({ length: Math.min(batchSize, total - start) }, (_, k) => start + k);
    const batch = gatherBatch(scenario, 'test', examples, positions, buffer);
    const predicted = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [batch.size, scenario.inputSize]);
      const logits = learner.predict(x, info.setting === 'task' ? taskId : undefined) as tf.Tensor2D | undefined;
      if (!logits || !Array.isArray(logits.shape)) throw new Error(`predict returned ${logits === null ? 'null' : typeof logits}, not a tensor`);
      if (logits.shape.length !== 2 || logits.shape[0] !== batch.size || logits.shape[1] !== scenario.outputs)
        throw new Error(`predict returned shape [${logits.shape}], expected [${batch.size}, ${scenario.outputs}]`);
      if (!checked) return tf.argMax(applyMask(logits, taskMask(info, batch.taskIds)), 1);
      if (logits.dtype !== 'float32') throw new Error(`predict returned ${logits.dtype} logits; return float32 logits (tf.cast(logits, 'float32'))`);
      const labels = tf.argMax(applyMask(logits, taskMask(info, batch.taskIds)), 1);
      // one read gives both answers: a row with a logit that is not finite gets a label no output has
      return tf.where(tf.all(tf.isFinite(logits), 1), labels, tf.fill([batch.size], NOT_FINITE, 'int32'));
    });
    yield { predicted, targets: batch.targets };
  }
}
