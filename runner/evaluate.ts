/** Test accuracy of a learner on a task, in large batches (evaluation has no backward pass to fit in cache). */
import * as tf from '@tensorflow/tfjs';
import type { Learner } from '../learners/contract.js';
import { applyMask, taskMask } from '../learners/losses.js';
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
 * argmax runs over the task's head only (the task id is given); otherwise over every output.
 */
export function taskAccuracy(learner: Learner, scenario: Scenario, info: ScenarioInfo, taskId: number, batchSize: number, buffer?: Float32Array): number {
  const examples = taskTestExamples(scenario, taskId);
  const total = examples.indices.length;
  if (total === 0) return 0;
  let correct = 0;
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
    const labels = predicted.dataSync();
    predicted.dispose();
    for (let k = 0; k < batch.size; k++) if (labels[k] === batch.targets[k]) correct++;
  }
  return correct / total;
}
