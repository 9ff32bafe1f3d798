/**
 * The run protocol: train a learner on a stream and evaluate it after every phase. This is the heart of the
 * harness and it exists once: `clbench run` (./runJob.ts), `clbench check-plugin` (plugins/conformanceTrace.ts)
 * and `clbench pretrain` (./pretrain.ts) all walk their phases here.
 *
 *   create the learner (a fresh context, ./context.ts; or resume it from a checkpoint)
 *   evaluate every task                                    → the untrained row
 *   for each phase p (the schedule's examples for it):
 *     train, evaluating the new task after every epoch     → learning curves
 *       (and after the suite's `newTaskSteps` steps)       → step curves
 *       hooks.withinPhase at an epoch's end, but the last  → checkpoints within a phase (a learner that
 *                                                            `resumesWithinPhase`)
 *     evaluate every task                                  → row p of the accuracy matrix
 *     hooks.afterPhase                                     → checkpoints
 *   dispose the learner
 *
 * What the learner throws ends the protocol with a failure naming the stage it came from (its own code runs
 * in creation, training, prediction, state and disposal); the rows measured so far are kept. A stop request
 * (RunInterrupted) and a failed write (StorageError) are not the learner's failure: they propagate.
 */
import { DivergedError, RunInterrupted, StorageError } from '../core/errors.js';
import type { Learner, LearnerContext, Phase, TrainingConfig } from '../learners/contract.js';
import type { Model } from '../models/types.js';
import { countByTask, type RehearsalSchedule } from '../scenarios/schedules.js';
import type { Scenario } from '../scenarios/types.js';
import type { PhaseResults } from '../store/checkpoint.js';
import { deviceFailure, takeDeviceError } from '../backends/webgpu.js';
import { learnerContext } from './context.js';
import { scenarioInfo, taskAccuracy } from './evaluate.js';

export type RunEvent =
  /** taken up after `phase` phases; `epochs`: that many epochs of the next phase were done too */
  | { type: 'resumed'; phase: number; epochs?: number }
  | { type: 'note'; message: string }
  | { type: 'phase'; phase: number; phases: number }
  | { type: 'step'; phase: number; epoch: number; step: number; steps: number; loss: number }
  | { type: 'epoch'; phase: number; epoch: number; epochs: number; loss: number; accuracy: number; examplesPerSecond: number };

/** The stream a run walks and how it is measured. */
export interface RunStream {
  scenario: Scenario;
  /** the examples of each phase (the new task's, plus rehearsal) */
  schedule: RehearsalSchedule;
  training: TrainingConfig;
  /** a freshly initialised network for this run (seeded), `outputs` wide */
  createModel(outputs: number): Model;
  /** the run's seed: the learner's generator and the schedule's draws derive from it */
  seed: number;
  /** the tfjs backend's name, as the learner context gives it */
  backend: string;
  /** examples a prediction batch takes */
  evalBatchSize: number;
  /** also evaluate the new task after these step counts of each phase (ascending) */
  newTaskSteps?: number[];
  /**
   * hold the learner to the contract as a run must (default): float32 finite logits, a finite reported loss
   * (else the run diverged), hooks.epochEnd once per epoch. `check-plugin` turns it off: it reports each of
   * these as a check of its own.
   */
  strict?: boolean;
}

/** How the learner comes to be: `create` with a fresh context, or that plus a restored checkpoint. */
export type LearnerStarter = (create: () => Learner) => Promise<{ learner: Learner; results: PhaseResults | null }>;

export interface ProtocolHooks {
  onEvent?(event: RunEvent): void;
  /** after every training step, its event sent (a stop request ends the run here) */
  afterStep?(): void;
  /** after every phase's evaluation, with everything measured so far (checkpoints are written here) */
  afterPhase?(learner: Learner, results: PhaseResults): Promise<void>;
  /**
   * for a learner that `resumesWithinPhase`, at the end of every epoch but its phase's last, its accuracy
   * measured: `results` with `phaseUnderWay` set (checkpoints within a phase are written here; time spent in it
   * counts as neither training nor phase time)
   */
  withinPhase?(learner: Learner, results: PhaseResults): Promise<void>;
  /** between two phases, never after the last: the record is one step away then (a stop request ends the run here) */
  betweenPhases?(): Promise<void>;
}

/** Where the learner's code threw, and what. */
export interface LearnerFailure {
  /** 'create', 'predict before training', 'phase 2: train', 'phase 2: predict', 'phase 2: after the phase', 'dispose' */
  stage: string;
  error: unknown;
}

export interface ProtocolResult {
  results: PhaseResults;
  /** null when every phase ran */
  failure: LearnerFailure | null;
}

const fresh: LearnerStarter = async (create) => ({ learner: create(), results: null });

/**
 * Runs `create`'s learner through every phase of `stream` (from the phase after a restored checkpoint when
 * `start` restores one). `create` gets a fresh context each call, so it builds the same learner every time.
 */
export async function runProtocol(stream: RunStream, create: (ctx: LearnerContext) => Learner, hooks: ProtocolHooks = {}, start: LearnerStarter = fresh): Promise<ProtocolResult> {
  const { scenario, schedule, newTaskSteps } = stream;
  const info = scenarioInfo(scenario);
  const T = scenario.tasks.length;
  const evalBuffer = new Float32Array(stream.evalBatchSize * scenario.inputSize);
  const results: PhaseResults = { phases: 0, initial: [], matrix: [], curves: [], ...(newTaskSteps ? { stepCurves: [] } : {}), examplesPerPhase: [], phaseSeconds: [], drawn: [], trainSeconds: 0, evalSeconds: 0 };
  const strict = stream.strict !== false;
  const accuracy = (learner: Learner, taskId: number) => taskAccuracy(learner, scenario, info, taskId, stream.evalBatchSize, evalBuffer, strict);
  const evaluateAll = async (learner: Learner) => {
    const e0 = performance.now();
    const row: number[] = [];
    for (const t of scenario.tasks) row.push(await accuracy(learner, t.id));
    results.evalSeconds += (performance.now() - e0) / 1000;
    return row;
  };

  let stage = 'create';
  let learner: Learner | null = null;
  let failure: LearnerFailure | null = null;
  takeDeviceError(); // one from an earlier run on this thread is not this run's
  try {
    const started = await start(() => create(learnerContext(stream)));
    learner = started.learner;
    if (started.results) {
      continueFrom(results, started.results);
      hooks.onEvent?.({ type: 'resumed', phase: results.phases, ...(results.phaseUnderWay ? { epochs: results.phaseUnderWay.epochs } : {}) });
    } else {
      stage = 'predict before training';
      results.initial = await evaluateAll(learner);
    }
    for (let p = results.phases; p < T; p++) {
      // a phase taken up after one of its epochs continues its clock
      const p0 = performance.now() - (results.phaseUnderWay?.phaseSeconds ?? 0) * 1000;
      stage = `phase ${p + 1}: train`;
      const savingSeconds = await trainPhase(learner, p, p0);
      stage = `phase ${p + 1}: predict`;
      results.matrix.push(await evaluateAll(learner));
      const deviceError = takeDeviceError();
      if (deviceError) throw deviceFailure(deviceError);
      results.phaseSeconds.push((performance.now() - p0) / 1000 - savingSeconds);
      results.phases = p + 1;
      stage = `phase ${p + 1}: after the phase`;
      await hooks.afterPhase?.(learner, results);
      if (p + 1 < T) await hooks.betweenPhases?.();
    }
  } catch (caught) {
    if (caught instanceof RunInterrupted || caught instanceof StorageError) {
      disposeQuietly(learner);
      throw caught;
    }
    const deviceError = takeDeviceError(); // a GPU error is the cause of what followed it (e.g. NaN weights)
    failure = { stage, error: deviceError ? deviceFailure(deviceError) : caught };
  }
  try {
    learner?.dispose();
  } catch (error) {
    failure ??= { stage: 'dispose', error };
  }
  return { results, failure };

  /** Trains phase `p` (begun at `p0`); returns the seconds spent in hooks.withinPhase. */
  async function trainPhase(learner: Learner, p: number, p0: number): Promise<number> {
    // the phase is taken up after one of its epochs (a checkpoint within it): its measurements so far go on
    const underWay = results.phaseUnderWay;
    delete results.phaseUnderWay;
    hooks.onEvent?.({ type: 'phase', phase: p, phases: T });
    const phase: Phase = { index: p, taskId: p, examples: schedule.phaseExamples(p, stream.seed) };
    if (!underWay) {
      if (schedule.spec.sampling === 'stochastic') results.drawn.push(countByTask(phase.examples, T));
      results.curves.push([]);
      results.stepCurves?.push([]);
    }
    const curve = results.curves[p];
    const stepCurve = results.stepCurves?.[p] ?? [];
    let phaseSteps = underWay?.steps ?? 0;
    let lastStep = 0;
    /** an accuracy after a step (newTaskSteps) is being measured: the learner must not update meanwhile */
    let measuring = false;
    let examples = underWay?.examples ?? 0;
    let epochStart = performance.now();
    const trainStart = performance.now() - (underWay?.trainSeconds ?? 0) * 1000;
    const evalBefore = results.evalSeconds;
    let savingSeconds = 0;
    const trainedSoFar = () => (performance.now() - trainStart) / 1000 - (results.evalSeconds - evalBefore) - savingSeconds;
    await learner.train(phase, {
      step: (s) => {
        if (measuring)
          throw new Error(`train called hooks.step (phase ${p + 1}, epoch ${s.epoch + 1}, step ${s.step + 1}) while the accuracy after the previous step was still being measured: await hooks.step(…) before the next update`);
        // a loss the learner reports as not finite is a diverged run, whoever computed it (the base learner's own rule)
        if (strict && typeof s.loss === 'number' && !Number.isFinite(s.loss)) throw new DivergedError(p, s.epoch, s.step, s.loss);
        lastStep = s.step;
        phaseSteps++;
        const finish = () => {
          hooks.onEvent?.({ type: 'step', phase: p, ...s });
          hooks.afterStep?.();
        };
        if (!(newTaskSteps && phaseSteps === newTaskSteps[stepCurve.length])) return finish();
        // read asynchronously (a synchronous read fails on the WebGPU backend): the learner awaits this step
        measuring = true;
        const e0 = performance.now();
        return taskAccuracy(learner, scenario, info, p, stream.evalBatchSize, evalBuffer, strict).then((accuracy) => {
          measuring = false;
          stepCurve.push(accuracy);
          const seconds = (performance.now() - e0) / 1000;
          results.evalSeconds += seconds;
          epochStart += seconds * 1000; // the epoch's examples/s counts training only
          finish();
        });
      },
      epochEnd: async (s) => {
        if (measuring) throw new Error(`train called hooks.epochEnd (phase ${p + 1}, epoch ${s.epoch + 1}) while the accuracy after a step was still being measured: await hooks.step(…)`);
        if (strict && typeof s.loss === 'number' && !Number.isFinite(s.loss)) throw new DivergedError(p, s.epoch, lastStep, s.loss);
        const trainTime = (performance.now() - epochStart) / 1000;
        const e0 = performance.now();
        const newTask = await accuracy(learner, p);
        results.evalSeconds += (performance.now() - e0) / 1000;
        curve.push(newTask);
        examples += s.examples;
        hooks.onEvent?.({ type: 'epoch', phase: p, epoch: s.epoch, epochs: stream.training.epochs, loss: s.loss, accuracy: newTask, examplesPerSecond: s.examples / trainTime });
        if (hooks.withinPhase && learner.resumesWithinPhase && s.epoch + 1 < stream.training.epochs) {
          const t0 = performance.now();
          results.phaseUnderWay = { epochs: s.epoch + 1, steps: phaseSteps, examples, phaseSeconds: (t0 - p0) / 1000 - savingSeconds, trainSeconds: trainedSoFar() };
          try {
            await hooks.withinPhase(learner, results);
          } finally {
            delete results.phaseUnderWay;
            savingSeconds += (performance.now() - t0) / 1000;
          }
        }
        epochStart = performance.now();
      },
    }, underWay ? { epochs: underWay.epochs } : undefined);
    // the learning curves (and the metrics made of them) need one point per epoch
    if (strict && curve.length !== stream.training.epochs)
      throw new Error(`train reported ${curve.length} epoch(s) through hooks.epochEnd, expected ${stream.training.epochs}: call hooks.epochEnd({ epoch, loss, examples }) after every epoch`);
    results.trainSeconds += trainedSoFar();
    results.examplesPerPhase.push(examples);
    return savingSeconds;
  }
}

/** `results` set to a checkpoint's (copies: the protocol appends to them). */
function continueFrom(results: PhaseResults, saved: PhaseResults): void {
  results.phases = saved.phases;
  results.initial = [...saved.initial];
  results.matrix = saved.matrix.map((row) => [...row]);
  results.curves = saved.curves.map((curve) => [...curve]);
  if (results.stepCurves) results.stepCurves = (saved.stepCurves ?? []).map((curve) => [...curve]);
  results.examplesPerPhase = [...saved.examplesPerPhase];
  results.phaseSeconds = [...saved.phaseSeconds];
  results.drawn = saved.drawn.map((row) => [...row]);
  results.trainSeconds = saved.trainSeconds;
  results.evalSeconds = saved.evalSeconds;
  if (saved.phaseUnderWay) results.phaseUnderWay = { ...saved.phaseUnderWay };
}

/** A learner whose run is being abandoned: what its dispose throws would hide why. */
function disposeQuietly(learner: Learner | null): void {
  try {
    learner?.dispose();
  } catch {}
}
