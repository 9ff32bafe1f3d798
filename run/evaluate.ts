/** Test accuracy of a learner on a task, in large batches (evaluation has no backward pass to fit in cache). */
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
export async function taskAccuracy(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array): Promise<number> {
  let correct = 0;
  let total = 0;
  for (const { predicted, targets } of predictions(learner, scenario, info, taskId, batchSize, buffer)) {
    correct += countCorrect(await predicted.data(), targets);
    total += targets.length;
    predicted.dispose();
  }
  return total === 0 ? 0 : correct / total;
}

/** `taskAccuracy` read synchronously, for the hooks that run inside a training step (`newTaskSteps`). */
export function taskAccuracySync(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array): number {
  let correct = 0;
  let total = 0;
  for (const { predicted, targets } of predictions(learner, scenario, info, taskId, batchSize, buffer)) {
    correct += countCorrect(predicted.dataSync(), targets);
    total += targets.length;
    predicted.dispose();
  }
  return total === 0 ? 0 : correct / total;
}

/** The predicted labels of task `taskId`'s test examples, batch by batch (the caller reads and disposes them). */
function* predictions(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array): Generator<{ predicted: tf.Tensor; targets: Int32Array }> {
  const examples = taskTestExamples(scenario, taskId);
  const total = examples.indices.length;
  for (let start = 0; start < total; start += batchSize) {
    const positions = Uint32Array.from({ length: Math.min(batchSize, total - start) }, (_, k) => start + k);
    const batch = gatherBatch(scenario, 'test', examples, positions, buffer);
    const predicted = tf.tidy(() => {
      const x = tf.tensor2d(batch.x, [batch.size, scenario.inputSize]);
      const logits = learner.predict(x, info.setting === 'task' ? taskId : undefined);
      if (logits.shape[0] !== batch.size || logits.shape[1] !== scenario.outputs)
        throw new Error(`predict returned shape [${logits.shape}], expected [${batch.size}, ${scenario.outputs}]`);
      return tf.argMax(applyMask(logits, taskMask(info, batch.taskIds)), 1);
    });
    yield { predicted, targets: batch.targets };
  }
}

function countCorrect(labels: ArrayLike<number>, targets: Int32Array): number {
  let correct = 0;
  for (let k = 0; k < targets.length; k++) if (labels[k] === targets[k]) correct++;
  return correct;
}
