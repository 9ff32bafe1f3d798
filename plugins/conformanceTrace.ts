/**
 * An instrumented run for the conformance check: creates a learner, evaluates every task before
 * training and after every phase (and the new task after every epoch, as the runner does), and records
 * what the checks look at: logits, accuracies, the epochs the learner reported, live tensor counts at
 * every step and after every phase, and problems with what `predict` returned.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { Learner, LearnerContext, LearnerDefinition, Phase, TrainingConfig } from '../learners/contract.js';
import { createNetwork } from '../models/network.js';
import type { ResolvedModelSpec } from '../models/types.js';
import { gatherBatch, taskExamples, taskTestExamples } from '../scenarios/examples.js';
import type { Scenario } from '../scenarios/types.js';
import { scenarioInfo } from './evaluate.js';

export interface StreamConfig {
  scenario: Scenario;
  model: ResolvedModelSpec;
  training: TrainingConfig;
  seed: number;
}

/** What predict gave for one task's test set. */
export interface Prediction {
  logits: Float32Array;
  accuracy: number;
}

export interface Trace {
  /** what the learner threw, prefixed with the stage ('create', 'phase 2: train', …); null if nothing */
  error: string | null;
  /** predictions[i][j]: task j after phase i (row 0 = before training) */
  predictions: Prediction[][];
  /** epoch numbers passed to hooks.epochEnd, per phase */
  epochsReported: number[][];
  /** live tensors at every hooks.step call, per phase */
  stepTensors: number[][];
  /** live tensors after each phase and its evaluation */
  phaseEndTensors: number[];
  tensorsBefore: number;
  tensorsAfter: number;
  /** problems with predict's return value, each once */
  predictProblems: string[];
}

/** A LearnerContext wired the way the runner wires one (runner/runJob.ts). */
export function streamContext(config: StreamConfig): LearnerContext {
  const { scenario, model, training, seed } = config;
  return {
    scenario: scenarioInfo(scenario),
    training,
    createModel: (outputs = scenario.outputs) => createNetwork(model, { inputs: scenario.inputSize, outputs, tasks: scenario.tasks.length }, new Rng(seed, 'model-init')),
    rng: new Rng(seed, 'learner'),
    data: {
      taskExamples: (taskId) => taskExamples(scenario, taskId),
      batch: (set, positions) => gatherBatch(scenario, 'train', set, positions),
    },
    backend: tf.getBackend(),
  };
}

export function phaseOf(scenario: Scenario, index: number): Phase {
  return { index, taskId: index, examples: taskExamples(scenario, index) };
}

/** Runs `definition` with `options` through every phase of the stream and records the trace. */
export async function traceRun(definition: LearnerDefinition, options: Record<string, unknown>, config: StreamConfig): Promise<Trace> {
  const { scenario } = config;
  const trace: Trace = { error: null, predictions: [], epochsReported: [], stepTensors: [], phaseEndTensors: [], tensorsBefore: 0, tensorsAfter: 0, predictProblems: [] };
  const problems = new Set<string>();
  const evaluate = (learner: Learner) => scenario.tasks.map((t) => predictTask(learner, scenario, t.id, problems));
  trace.tensorsBefore = tf.memory().numTensors;
  let stage = 'create';
  let learner: Learner | null = null;
  try {
    learner = definition.create(structuredClone(options), streamContext(config));
    stage = 'predict before training';
    trace.predictions.push(evaluate(learner));
    for (let p = 0; p < scenario.tasks.length; p++) {
      const epochs: number[] = [];
      const steps: number[] = [];
      trace.epochsReported.push(epochs);
      trace.stepTensors.push(steps);
      stage = `phase ${p + 1}: train`;
      const trained = learner;
      await learner.train(phaseOf(scenario, p), {
        step: () => steps.push(tf.memory().numTensors),
        epochEnd: (stats) => {
          epochs.push(stats.epoch);
          predictTask(trained, scenario, p, problems);
        },
      });
      stage = `phase ${p + 1}: predict`;
      trace.predictions.push(evaluate(learner));
      trace.phaseEndTensors.push(tf.memory().numTensors);
    }
  } catch (error) {
    trace.error = `${stage}: ${(error as Error)?.message ?? String(error)}`;
  } finally {
    try {
      learner?.dispose();
    } catch (error) {
      trace.error ??= `dispose: ${(error as Error)?.message ?? String(error)}`;
    }
  }
  trace.tensorsAfter = tf.memory().numTensors;
  trace.predictProblems = [...problems];
  return trace;
}

/**
 * Logits and accuracy of `learner` on task `taskId`'s test set, checking what predict returned. The
 * argmax runs over the task's own outputs in task-IL (the runner masks the other heads) and over all
 * outputs otherwise.
 */
export function predictTask(learner: Learner, scenario: Scenario, taskId: number, problems: Set<string>): Prediction {
  const batch = gatherBatch(scenario, 'test', taskTestExamples(scenario, taskId), null);
  const x = tf.tensor2d(batch.x, [batch.size, scenario.inputSize]);
  let out: unknown;
  try {
    out = learner.predict(x, scenario.setting === 'task' ? taskId : undefined);
    if (x.isDisposed) problems.add('predict disposed its input; the caller owns it');
    const problem = outputProblem(out, batch.size, scenario.outputs);
    if (problem) {
      problems.add(problem);
      return { logits: new Float32Array(0), accuracy: 0 };
    }
    const logits = Float32Array.from((out as tf.Tensor).dataSync());
    if (!logits.every(Number.isFinite)) problems.add('predict returned NaN or infinite logits');
    const allowed = scenario.setting === 'task' ? scenario.tasks[taskId].outputs : [...Array(scenario.outputs).keys()];
    let correct = 0;
    for (let k = 0; k < batch.size; k++) {
      let best = allowed[0];
      for (const o of allowed) if (logits[k * scenario.outputs + o] > logits[k * scenario.outputs + best]) best = o;
      if (best === batch.targets[k]) correct++;
    }
    return { logits, accuracy: correct / batch.size };
  } finally {
    // duck-typed, so a tensor of another tfjs copy is freed too
    if (out !== x && typeof (out as tf.Tensor | null)?.dispose === 'function') (out as tf.Tensor).dispose();
    x.dispose();
  }
}

function outputProblem(out: unknown, rows: number, outputs: number): string | null {
  if (!(out instanceof tf.Tensor)) {
    const looksLikeTensor = typeof out === 'object' && out !== null && 'shape' in out && 'dataSync' in out;
    return looksLikeTensor
      ? "predict returned a tensor of another copy of @tensorflow/tfjs: use clbench's (import { tf } from 'clbench')"
      : `predict returned ${out === null ? 'null' : typeof out}, not a tensor`;
  }
  if (out.isDisposed) return 'predict returned a disposed tensor';
  if (out.rank !== 2 || out.shape[0] !== rows || out.shape[1] !== outputs)
    return `predict returned shape [${out.shape.join(', ')}], expected [${rows}, ${outputs}] (examples × the setting's outputs)`;
  if (out.dtype !== 'float32') return `predict returned ${out.dtype} values, expected float32 logits`;
  return null;
}
