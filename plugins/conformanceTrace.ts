/**
 * An instrumented run for the conformance check: the run protocol (run/protocol.ts) that `clbench run`
 * uses, on the stream of a check (a setting, a rehearsal schedule, a backbone), with the learner's predict
 * watched. It records what the checks look at: logits, accuracies, the epochs the learner reported, live
 * tensor counts at every step and after every phase, and problems with what `predict` returned.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { Learner, LearnerContext, LearnerDefinition, Phase, TrainingConfig } from '../learners/contract.js';
import { loadBackbone, type BackboneWeights } from '../models/backbone.js';
import type { Mlp } from '../models/mlp.js';
import { createNetwork } from '../models/network.js';
import type { Model, ResolvedModelSpec } from '../models/types.js';
import { rehearsalSchedule, type RehearsalSchedule, type ResolvedSchedule } from '../scenarios/schedules.js';
import type { Scenario } from '../scenarios/types.js';
import { learnerContext } from '../run/context.js';
import { scenarioInfo, taskAccuracySync } from '../run/evaluate.js';
import { runProtocol, type RunStream } from '../run/protocol.js';

export interface StreamConfig {
  scenario: Scenario;
  model: ResolvedModelSpec;
  training: TrainingConfig;
  seed: number;
  /** the rehearsal schedule the phases follow, as a suite's learner entry gives it */
  schedule: ResolvedSchedule;
  /** pre-trained hidden layers every fresh model starts from, as a suite's `model.backbone` does */
  backbone?: BackboneWeights;
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

/** The stream of `config` as the run protocol walks it. */
function runStream(config: StreamConfig): RunStream {
  const { scenario } = config;
  return {
    scenario,
    schedule: scheduleOf(config),
    training: config.training,
    createModel: (outputs) => createModel(config, outputs),
    seed: config.seed,
    backend: tf.getBackend(),
    // one prediction batch a task: its logits are compared whole
    evalBatchSize: Math.max(...scenario.tasks.map((t) => t.testIndices.length)),
    // what a run refuses (NaN or integer logits, epochs not reported) is reported here as checks of their own
    strict: false,
  };
}

function scheduleOf(config: StreamConfig): RehearsalSchedule {
  return rehearsalSchedule(config.schedule, config.scenario, 'conformance schedule');
}

/** A fresh seeded network, with the backbone loaded when the configuration has one (as a suite's run does). */
function createModel(config: StreamConfig, outputs: number): Model {
  const { scenario, model, seed } = config;
  const network = createNetwork(model, { inputs: scenario.inputSize, outputs, tasks: scenario.tasks.length }, new Rng(seed, 'model-init'));
  if (config.backbone) loadBackbone(network as Mlp, config.backbone);
  return network;
}

/** A learner context for `config`, as the run protocol makes one (for the state round trip, which drives two learners side by side). */
export function streamContext(config: StreamConfig): LearnerContext {
  return learnerContext(runStream(config));
}

export function phaseOf(config: StreamConfig, index: number): Phase {
  return { index, taskId: index, examples: scheduleOf(config).phaseExamples(index, config.seed) };
}

/** Runs `definition` with `options` through every phase of the stream, with the run protocol, and records the trace. */
export async function traceRun(definition: LearnerDefinition, options: Record<string, unknown>, config: StreamConfig): Promise<Trace> {
  const { scenario } = config;
  const T = scenario.tasks.length;
  const trace: Trace = { error: null, predictions: [], epochsReported: [], stepTensors: [], phaseEndTensors: [], tensorsBefore: 0, tensorsAfter: 0, predictProblems: [] };
  const recorder = new PredictRecorder(scenario.outputs);
  trace.tensorsBefore = tf.memory().numTensors;
  const { results, failure } = await runProtocol(runStream(config), (ctx) => recorder.watch(definition.create(structuredClone(options), ctx)), {
    onEvent: (event) => {
      if (event.type === 'phase') {
        trace.epochsReported.push([]);
        trace.stepTensors.push([]);
      } else if (event.type === 'step') trace.stepTensors[event.phase].push(tf.memory().numTensors);
      else if (event.type === 'epoch') trace.epochsReported[event.phase].push(event.epoch);
    },
    afterPhase: async () => {
      trace.phaseEndTensors.push(tf.memory().numTensors);
    },
  });
  trace.tensorsAfter = tf.memory().numTensors;
  if (failure) trace.error = `${failure.stage}: ${(failure.error as Error)?.message ?? String(failure.error)}`;
  // the evaluations outside training, T predictions each: before training, then after every phase
  const rows = [results.initial, ...results.matrix];
  trace.predictions = rows.map((row, i) => row.map((accuracy, j) => ({ logits: recorder.evaluations[i * T + j] ?? new Float32Array(0), accuracy })));
  trace.predictProblems = [...recorder.problems];
  return trace;
}

/**
 * Logits and accuracy of `learner` on task `taskId`'s test set (the run's evaluation, ../run/evaluate.ts),
 * checking what predict returned.
 */
export function predictTask(learner: Learner, config: StreamConfig, taskId: number, problems: Set<string>): Prediction {
  const { scenario } = config;
  const recorder = new PredictRecorder(scenario.outputs, problems);
  const accuracy = taskAccuracySync(recorder.watch(learner), scenario, scenarioInfo(scenario), taskId, runStream(config).evalBatchSize, undefined, false);
  return { logits: recorder.evaluations[0] ?? new Float32Array(0), accuracy };
}

/**
 * Watches a learner's predict: records the logits of every call outside training and what is wrong with a
 * return value. A wrong one is replaced by zeros of the right shape (and freed), so the evaluation goes on
 * and the problem is reported once, by the predict check.
 */
class PredictRecorder {
  /** logits of every predict call made outside train(), in order */
  readonly evaluations: Float32Array[] = [];
  private training = false;

  constructor(
    /** the setting's output width */
    private readonly outputs: number,
    readonly problems = new Set<string>(),
  ) {}

  /** `learner` with its predict watched and its train() marked as training; its other methods as they are. */
  watch(learner: Learner): Learner {
    return {
      train: async (phase, hooks) => {
        this.training = true;
        try {
          await learner.train(phase, hooks);
        } finally {
          this.training = false;
        }
      },
      predict: (x, taskId) => this.checked(learner.predict(x, taskId) as unknown, x),
      dispose: () => learner.dispose(),
      ...(learner.state ? { state: () => learner.state!() } : {}),
      ...(learner.restore ? { restore: (state) => learner.restore!(state) } : {}),
    };
  }

  private checked(out: unknown, x: tf.Tensor2D): tf.Tensor2D {
    const rows = x.shape[0];
    if (x.isDisposed) this.problems.add('predict disposed its input; the caller owns it');
    const problem = outputProblem(out, rows, this.outputs);
    if (problem) {
      this.problems.add(problem);
      // duck-typed, so a tensor of another tfjs copy is freed too
      if (out !== x && typeof (out as tf.Tensor | null)?.dispose === 'function') (out as tf.Tensor).dispose();
      if (!this.training) this.evaluations.push(new Float32Array(0));
      return tf.zeros([rows, this.outputs]);
    }
    const logits = out as tf.Tensor2D;
    const values = Float32Array.from(logits.dataSync());
    if (!values.every(Number.isFinite)) this.problems.add('predict returned NaN or infinite logits');
    if (!this.training) this.evaluations.push(values);
    return logits;
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
