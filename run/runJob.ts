/**
 * Executes one job: builds the scenario, creates the learner, evaluates every task before training and
 * after every phase (the accuracy matrix), the new task after every epoch (learning curves), and returns
 * the run record. A run whose loss stops being finite ends as 'diverged'; one whose learner throws ends
 * as 'failed'; both keep the rows measured so far.
 *
 * With a checkpoint folder, the run saves a checkpoint after every phase and, when it finds one of its
 * own there, continues after that phase instead of starting over (runner/checkpoint.ts). A stop request
 * (the interrupt flag) ends it after the current step with RunInterrupted; a failed write with a
 * StorageError: neither is the learner's failure, both end the suite.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { DivergedError, RunInterrupted, StorageError, UserError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { CLBENCH_VERSION } from '../core/version.js';
import type { Learner, LearnerContext } from '../learners/contract.js';
import { getLearner } from '../learners/registry.js';
import { loadBackbone, type BackboneWeights } from '../models/backbone.js';
import type { Mlp } from '../models/mlp.js';
import { createNetwork } from '../models/network.js';
import type { Model } from '../models/types.js';
import type { RunRecord } from '../results/record.js';
import { buildScenario } from '../scenarios/build.js';
import { loadDataset } from '../scenarios/datasets/index.js';
import { gatherBatch, taskExamples } from '../scenarios/examples.js';
import { countByTask, rehearsalSchedule } from '../scenarios/schedules.js';
import type { Dataset, Scenario } from '../scenarios/types.js';
import { tfjsVersion, type BackendInfo } from './backend.js';
import { scenarioInfo, taskAccuracy, taskAccuracySync } from './evaluate.js';
import { readBackbone } from './backboneFile.js';
import { crashIfAsked, saveCheckpoint } from './checkpoint.js';
import { eventLoopTurn, stopIfAsked, type InterruptFlag } from './interrupt.js';
import { startLearner } from './resumeRun.js';
import { runKey } from './runKey.js';
import type { Job } from './suite.js';

export type RunEvent =
  | { type: 'resumed'; phase: number }
  | { type: 'note'; message: string }
  | { type: 'phase'; phase: number; phases: number }
  | { type: 'step'; phase: number; epoch: number; step: number; steps: number; loss: number }
  | { type: 'epoch'; phase: number; epoch: number; epochs: number; loss: number; accuracy: number; examplesPerSecond: number };

export interface RunOptions {
  backend: BackendInfo;
  onEvent?: (event: RunEvent) => void;
  /** this run's checkpoint folder (written after every phase, read to resume); none: no checkpoints */
  checkpointDir?: string;
  /** set by a stop request: the run ends after its current step */
  interrupt?: InterruptFlag;
}

const datasets = new Map<string, Dataset>();

/** Datasets are read once per process and shared by every job that names them. */
export function datasetFor(job: Pick<Job, 'scenario' | 'baseDir'>): Dataset {
  const key = `${job.baseDir}\u0000${job.scenario.dataset}`;
  let dataset = datasets.get(key);
  if (!dataset) {
    dataset = loadDataset(job.scenario.dataset, { baseDir: job.baseDir, where: `scenario '${job.scenario.name}': dataset` });
    datasets.set(key, dataset);
  }
  return dataset;
}

const backbones = new Map<string, BackboneWeights>();

/**
 * The pre-trained backbone a job's model starts from, read once per process. It must still be the file the suite
 * was checked against (runner/backboneCheck.ts put its SHA-256 into the job).
 */
function backboneOf(job: Job): BackboneWeights {
  const file = path.resolve(job.baseDir, job.model.backbone!);
  const where = `model.backbone of learner '${job.learner.label}'`;
  const key = `${file}\u0000${job.model.backboneSha256}`;
  let weights = backbones.get(key);
  if (!weights) {
    const { manifest, weights: read } = readBackbone(file, where);
    if (manifest.sha256 !== job.model.backboneSha256)
      throw new UserError(`the backbone ${file} changed after the suite was read`, where, 'run the suite again');
    backbones.set(key, (weights = read));
  }
  return weights;
}

/** A freshly initialised network for a job (seeded), with its pre-trained backbone loaded when it names one. */
export function createJobModel(job: Job, scenario: Scenario, outputs = scenario.outputs): Model {
  const model = createNetwork(job.model, { inputs: scenario.inputSize, outputs, tasks: scenario.tasks.length }, new Rng(job.seed, 'model-init'));
  if (job.model.backbone) loadBackbone(model as Mlp, backboneOf(job));
  return model;
}

export function scenarioFor(job: Job): Scenario {
  return buildScenario(job.scenario, datasetFor(job), new Rng(job.seed, 'scenario'), `scenario '${job.scenario.name}'`);
}

/**
 * `scenarioFor`, building each (scenario, seed, data folder) once: a suite's learner entries share their
 * scenario's build, which keeps whole-suite passes (schedule previews, cost estimates) quick.
 */
export function cachedScenarios(): (job: Job) => Scenario {
  const built = new Map<string, Scenario>();
  return (job) => {
    const key = JSON.stringify([job.scenario, job.seed, job.baseDir]);
    let scenario = built.get(key);
    if (!scenario) built.set(key, (scenario = scenarioFor(job)));
    return scenario;
  };
}

export async function runJob(job: Job, options: RunOptions): Promise<RunRecord> {
  const started = new Date();
  const t0 = performance.now();
  const key = runKey(job, options.backend.name);
  const scenario = scenarioFor(job);
  const info = scenarioInfo(scenario);
  const schedule = rehearsalSchedule(job.schedule, scenario, `learner '${job.learner.label}': schedule`);
  const drawn: number[][] = [];
  const definition = getLearner(job.learner.name);
  const evalBuffer = new Float32Array(job.evaluation.batchSize * scenario.inputSize);
  const ctx: LearnerContext = {
    scenario: info,
    training: job.training,
    createModel: (outputs = scenario.outputs) => createJobModel(job, scenario, outputs),
    rng: new Rng(job.seed, 'learner'),
    data: {
      taskExamples: (taskId) => taskExamples(scenario, taskId),
      batch: (set, positions) => gatherBatch(scenario, 'train', set, positions),
    },
    backend: options.backend.name,
  };

  const T = scenario.tasks.length;
  let startedAt = started.toISOString();
  let elapsedBefore = 0;
  let initial: number[] = [];
  const matrix: number[][] = [];
  const curves: number[][] = [];
  const newTaskSteps = job.evaluation.newTaskSteps;
  const stepCurves: number[][] = [];
  const examplesPerPhase: number[] = [];
  const phaseSeconds: number[] = [];
  let evalSeconds = 0;
  let trainSeconds = 0;
  let status: RunRecord['status'] = 'completed';
  let diverged: RunRecord['diverged'] = null;
  let error: string | null = null;

  let learner: Learner | null = null;
  const evaluateAll = async () => {
    const e0 = performance.now();
    const row: number[] = [];
    for (const t of scenario.tasks) row.push(await taskAccuracy(learner!, scenario, info, t.id, job.evaluation.batchSize, evalBuffer));
    evalSeconds += (performance.now() - e0) / 1000;
    return row;
  };

  let firstPhase = 0;
  try {
    // Creating, restoring and evaluating the learner run its code too: their errors fail the run like train's.
    // Every creation gets a fresh context generator, so a learner made twice (a refused checkpoint) is the same.
    const create = () => definition.create(job.learner.options, { ...ctx, rng: new Rng(job.seed, 'learner') });
    const start = await startLearner(create, options.checkpointDir, key, (message) => options.onEvent?.({ type: 'note', message }));
    learner = start.learner;
    if (start.progress) {
      const saved = start.progress;
      ({ startedAt, initial, trainSeconds, evalSeconds } = saved);
      elapsedBefore = saved.elapsedSeconds;
      matrix.push(...saved.matrix);
      curves.push(...saved.curves);
      stepCurves.push(...(saved.stepCurves ?? []));
      examplesPerPhase.push(...saved.examplesPerPhase);
      phaseSeconds.push(...saved.phaseSeconds);
      drawn.push(...saved.drawn);
      firstPhase = saved.phases;
      options.onEvent?.({ type: 'resumed', phase: firstPhase });
    } else initial = await evaluateAll();
    for (let p = firstPhase; p < T; p++) {
      options.onEvent?.({ type: 'phase', phase: p, phases: T });
      const p0 = performance.now();
      const phase = { index: p, taskId: p, examples: schedule.phaseExamples(p, job.seed) };
      if (job.schedule.sampling === 'stochastic') drawn.push(countByTask(phase.examples, T));
      const curve: number[] = [];
      const stepCurve: number[] = [];
      let phaseSteps = 0;
      let examples = 0;
      let epochStart = performance.now();
      curves.push(curve);
      if (newTaskSteps) stepCurves.push(stepCurve);
      const trainStart = performance.now();
      const evalBefore = evalSeconds;
      await learner.train(phase, {
        step: (s) => {
          phaseSteps++;
          if (newTaskSteps && phaseSteps === newTaskSteps[stepCurve.length]) {
            const e0 = performance.now();
            stepCurve.push(taskAccuracySync(learner!, scenario, info, p, job.evaluation.batchSize, evalBuffer));
            const seconds = (performance.now() - e0) / 1000;
            evalSeconds += seconds;
            epochStart += seconds * 1000; // the epoch's examples/s counts training only
          }
          options.onEvent?.({ type: 'step', phase: p, ...s });
          stopIfAsked(options.interrupt);
        },
        epochEnd: async (s) => {
          const trainTime = (performance.now() - epochStart) / 1000;
          const e0 = performance.now();
          const accuracy = await taskAccuracy(learner!, scenario, info, p, job.evaluation.batchSize, evalBuffer);
          evalSeconds += (performance.now() - e0) / 1000;
          curve.push(accuracy);
          examples += s.examples;
          options.onEvent?.({ type: 'epoch', phase: p, epoch: s.epoch, epochs: job.training.epochs, loss: s.loss, accuracy, examplesPerSecond: s.examples / trainTime });
          epochStart = performance.now();
        },
      });
      trainSeconds += (performance.now() - trainStart) / 1000 - (evalSeconds - evalBefore);
      examplesPerPhase.push(examples);
      matrix.push(await evaluateAll());
      phaseSeconds.push((performance.now() - p0) / 1000);
      if (options.checkpointDir && learner.state) {
        const elapsedSeconds = elapsedBefore + (performance.now() - t0) / 1000;
        const progress = { phases: p + 1, initial, matrix, curves, ...(newTaskSteps ? { stepCurves } : {}), examplesPerPhase, phaseSeconds, drawn, trainSeconds, evalSeconds, elapsedSeconds, startedAt };
        await saveCheckpoint(options.checkpointDir, { runId: job.id, key }, progress, await learner.state());
        crashIfAsked(p);
      }
      // after the last phase the record is one step away: finish it rather than stop
      if (p + 1 < T) {
        await eventLoopTurn();
        stopIfAsked(options.interrupt);
      }
    }
  } catch (caught) {
    if (caught instanceof RunInterrupted || caught instanceof StorageError) throw caught;
    if (caught instanceof DivergedError) {
      status = 'diverged';
      diverged = {
        phase: caught.phase,
        epoch: caught.epoch,
        step: caught.step,
        loss: Number.isNaN(caught.loss) ? 'NaN' : String(caught.loss),
        nonFinite: caught.nonFinite,
      };
    } else {
      status = 'failed';
      error = `learner '${job.learner.name}': ${(caught as Error)?.message ?? String(caught)}`;
    }
  } finally {
    learner?.dispose();
  }
  const totalSeconds = elapsedBefore + (performance.now() - t0) / 1000;
  return {
    schemaVersion: 1,
    runId: job.id,
    key,
    suite: job.suite,
    scenario: { ...job.scenario, outputs: scenario.outputs },
    tasks: scenario.tasks.map((t) => ({ name: t.name, classes: t.classes, train: t.trainIndices.length, test: t.testIndices.length })),
    learner: job.learner,
    model: job.model,
    training: job.training,
    evaluation: job.evaluation,
    seed: job.seed,
    position: job.position,
    published: job.published,
    ...(job.intransigenceReference ? { intransigenceReference: true } : {}),
    backend: options.backend,
    versions: { clbench: CLBENCH_VERSION, tfjs: tfjsVersion(), node: process.version },
    status,
    diverged,
    error,
    accuracy: { matrix, initial, newTaskCurves: curves, ...(newTaskSteps ? { newTaskSteps, newTaskStepCurves: stepCurves } : {}) },
    schedule: { label: schedule.label, spec: job.schedule, counts: schedule.counts, drawn: job.schedule.sampling === 'stochastic' ? drawn : null, warnings: schedule.warnings },
    examplesPerPhase,
    timings: { trainSeconds, evalSeconds, totalSeconds, phaseSeconds },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Tensors alive now; tests use it to check that a run leaks nothing. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
