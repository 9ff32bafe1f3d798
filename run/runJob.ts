/**
 * Executes one job of a suite: resume → protocol → record. It builds the job's scenario and schedule, starts
 * the learner (from its last checkpoint when the run's folder holds one, ./startLearner.ts), walks the
 * phases with the run protocol (./protocol.ts), saving a checkpoint after every phase (and, for a learner
 * that resumes within a phase, at an epoch's end every few minutes), and returns the run
 * record. A run whose loss stops being finite ends as 'diverged'; one whose learner throws ends as 'failed';
 * both keep the rows measured so far. A stop request (the interrupt flag) ends it after the current step
 * with RunInterrupted; a failed write with a StorageError: neither is the learner's failure, both end the suite.
 */
import * as tf from '@tensorflow/tfjs';
import { DivergedError } from '../core/errors.js';
import { CLBENCH_VERSION } from '../core/version.js';
import { tfjsVersion, type BackendInfo } from '../backends/backend.js';
import type { Learner } from '../learners/contract.js';
import { getLearner } from '../learners/registry.js';
import { RECORD_SCHEMA_VERSION, type RunRecord } from '../results/record.js';
import { rehearsalSchedule, type RehearsalSchedule } from '../scenarios/schedules.js';
import type { Scenario } from '../scenarios/types.js';
import { crashIfAsked, saveCheckpoint, type PhaseResults, type RunProgress } from '../store/checkpoint.js';
import { runKey } from '../store/runKey.js';
import { createJobModel, scenarioFor } from '../suite/jobInputs.js';
import type { Job } from '../suite/suite.js';
import { eventLoopTurn, stopIfAsked, type InterruptFlag } from './interrupt.js';
import { runProtocol, type LearnerFailure, type LearnerStarter, type RunEvent, type RunStream } from './protocol.js';
import { startLearner } from './startLearner.js';

export type { RunEvent } from './protocol.js';

export interface RunOptions {
  backend: BackendInfo;
  onEvent?: (event: RunEvent) => void;
  /** this run's checkpoint folder (written after every phase, read to resume); none: no checkpoints */
  checkpointDir?: string;
  /**
   * also checkpoint a learner that `resumesWithinPhase` at the first epoch's end this long after the last
   * checkpoint (default WITHIN_PHASE_CHECKPOINT_SECONDS): a stopped run then loses at most that plus an epoch
   */
  withinPhaseCheckpointSeconds?: number;
  /** set by a stop request: the run ends after its current step */
  interrupt?: InterruptFlag;
}

/**
 * Checkpoints within a phase come at most this often (seconds): a GEM phase at 2 × 1000 trains ~80 minutes,
 * an epoch ~8, and a session or job that ends mid-phase would lose the whole phase without them; a run of
 * short phases writes none (its phase checkpoints come more often).
 */
export const WITHIN_PHASE_CHECKPOINT_SECONDS = 300;

export async function runJob(job: Job, options: RunOptions): Promise<RunRecord> {
  const started = new Date();
  const t0 = performance.now();
  const key = runKey(job, options.backend.name);
  const scenario = scenarioFor(job);
  const schedule = rehearsalSchedule(job.schedule, scenario, `learner '${job.learner.label}': schedule`);
  const definition = getLearner(job.learner.name);
  const note = (message: string) => options.onEvent?.({ type: 'note', message });

  // resume: the checkpoint's learner and results, or a fresh learner
  let startedAt = started.toISOString();
  let elapsedBefore = 0;
  const resume: LearnerStarter = async (create) => {
    const start = await startLearner(create, options.checkpointDir, key, note);
    if (start.progress) ({ startedAt, elapsedSeconds: elapsedBefore } = start.progress);
    return { learner: start.learner, results: start.progress };
  };
  let lastSaved = performance.now();
  const save = async (learner: Learner, results: PhaseResults) => {
    if (!options.checkpointDir || !learner.state) return;
    const progress: RunProgress = { ...results, elapsedSeconds: elapsedBefore + (performance.now() - t0) / 1000, startedAt };
    await saveCheckpoint(options.checkpointDir, { runId: job.id, key }, progress, await learner.state());
    lastSaved = performance.now();
  };
  const checkpoint = async (learner: Learner, results: PhaseResults) => {
    await save(learner, results);
    crashIfAsked(results.phases - 1);
  };
  const everySeconds = options.withinPhaseCheckpointSeconds ?? WITHIN_PHASE_CHECKPOINT_SECONDS;
  const checkpointWithinPhase = async (learner: Learner, results: PhaseResults) => {
    if (performance.now() - lastSaved >= everySeconds * 1000) await save(learner, results);
  };

  // the protocol
  const stream: RunStream = {
    scenario,
    schedule,
    training: job.training,
    createModel: (outputs) => createJobModel(job, scenario, outputs),
    seed: job.seed,
    backend: options.backend.name,
    evalBatchSize: job.evaluation.batchSize,
    newTaskSteps: job.evaluation.newTaskSteps,
  };
  const { results, failure } = await runProtocol(
    stream,
    (ctx) => definition.create(job.learner.options, ctx),
    {
      onEvent: options.onEvent,
      afterStep: () => stopIfAsked(options.interrupt),
      afterPhase: checkpoint,
      withinPhase: checkpointWithinPhase,
      betweenPhases: async () => {
        await eventLoopTurn();
        stopIfAsked(options.interrupt);
      },
    },
    resume,
  );

  const totalSeconds = elapsedBefore + (performance.now() - t0) / 1000;
  return recordOf(job, { key, backend: options.backend, scenario, schedule, results, failure, totalSeconds, startedAt });
}

/**
 * The record of a run that ended outside its own thread's control: the worker running it died or its
 * plugin code threw where no call of clbench's could catch it (exec/pool.ts). It is recorded as failed
 * with `reason`, without the rows measured in the lost worker; the next `clbench run` redoes it.
 */
export function failedRunRecord(job: Job, backend: BackendInfo, reason: string, startedAt: Date): RunRecord {
  const scenario = scenarioFor(job);
  const schedule = rehearsalSchedule(job.schedule, scenario, `learner '${job.learner.label}': schedule`);
  const results: PhaseResults = { phases: 0, initial: [], matrix: [], curves: [], ...(job.evaluation.newTaskSteps ? { stepCurves: [] } : {}), examplesPerPhase: [], phaseSeconds: [], drawn: [], trainSeconds: 0, evalSeconds: 0 };
  const failure: LearnerFailure = { stage: 'run', error: new Error(reason) };
  return recordOf(job, { key: runKey(job, backend.name), backend, scenario, schedule, results, failure, totalSeconds: (Date.now() - startedAt.getTime()) / 1000, startedAt: startedAt.toISOString() });
}

interface Outcome {
  key: string;
  backend: BackendInfo;
  scenario: Scenario;
  schedule: RehearsalSchedule;
  results: PhaseResults;
  failure: LearnerFailure | null;
  totalSeconds: number;
  startedAt: string;
}

function recordOf(job: Job, { key, backend, scenario, schedule, results, failure, totalSeconds, startedAt }: Outcome): RunRecord {
  const newTaskSteps = job.evaluation.newTaskSteps;
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
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
    backend,
    versions: { clbench: CLBENCH_VERSION, tfjs: tfjsVersion(), node: process.version },
    ...outcome(job, failure),
    accuracy: { matrix: results.matrix, initial: results.initial, newTaskCurves: results.curves, ...(newTaskSteps ? { newTaskSteps, newTaskStepCurves: results.stepCurves } : {}) },
    schedule: { label: schedule.label, spec: job.schedule, counts: schedule.counts, drawn: job.schedule.sampling === 'stochastic' ? results.drawn : null, warnings: schedule.warnings },
    examplesPerPhase: results.examplesPerPhase,
    timings: { trainSeconds: results.trainSeconds, evalSeconds: results.evalSeconds, totalSeconds, phaseSeconds: results.phaseSeconds },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** The record's status: a loss or weights that stopped being finite make a diverged run, anything else the learner threw a failed one. */
function outcome(job: Job, failure: LearnerFailure | null): Pick<RunRecord, 'status' | 'diverged' | 'error'> {
  if (!failure) return { status: 'completed', diverged: null, error: null };
  const caught = failure.error;
  if (caught instanceof DivergedError)
    return {
      status: 'diverged',
      diverged: { phase: caught.phase, epoch: caught.epoch, step: caught.step, loss: Number.isNaN(caught.loss) ? 'NaN' : String(caught.loss), nonFinite: caught.nonFinite },
      error: null,
    };
  return { status: 'failed', diverged: null, error: `learner '${job.learner.name}': ${(caught as Error)?.message ?? String(caught)}` };
}

/** Tensors alive now; tests use it to check that a run leaks nothing. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
