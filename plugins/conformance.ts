/**
 * The conformance check of a learner (`clbench check-plugin`, and spec/plugins/conformance.spec.ts for
 * the built-ins). It drives the learner the way the runner does on a tiny synthetic split stream
 * (3 tasks, 2 epochs a phase) in each of the three settings, and in class-IL once more with a rehearsal
 * schedule and a pre-trained backbone as a suite can give them, and checks the contract's promises:
 *
 *   definition      name, description, optionsSchema and create are there
 *   options         the schema compiles, every option has a default, {} validates
 *   phase cost      if the learner declares phaseCost: a finite number ≥ 0 for each phase of the stream
 *   trains          create, 3 phases of train and every predict run without throwing
 *   epochs          hooks.epochEnd is called once per epoch (the runner's learning curves need it)
 *   predict         [examples, outputs] float32 finite logits; the input tensor is left alone
 *   steps           live tensors stay flat from step to step within a phase (after its first step)
 *   phases          live tensors stay flat between phases after the first (warm-up) phase
 *   dispose         dispose() frees everything the learner allocated
 *   deterministic   two runs with the same seed give identical logits
 *   state/restore   if the learner has them: after every phase but the last, a fresh learner restored
 *                   from state() predicts the same, finds ctx.rng where the trained one's is, and both
 *                   go on identically through the remaining phases
 *   within-phase resume   only for a learner that sets resumesWithinPhase: a fresh learner restored from
 *                   state() taken after epoch 1 of phase 2 finishes that phase and the next as the trained one does
 *
 * Each run of a setting happens twice; the first doubles as the warm-up for the tensor counts (backends
 * allocate a few tensors on first use).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import { UserError } from '../core/errors.js';
import type { Learner, LearnerDefinition, LearnerState, TrainingConfig } from '../learners/contract.js';
import type { ResolvedModelSpec } from '../models/types.js';
import { buildScenario } from '../scenarios/build.js';
import { loadDataset } from '../scenarios/datasets/index.js';
import { resolveSchedule, type ScheduleSpec } from '../scenarios/schedules.js';
import { SETTINGS, type Dataset, type Setting } from '../scenarios/types.js';
import type { BackboneWeights } from '../models/backbone.js';
import { pairingProblem } from '../learners/requirements.js';
import { phaseOf, predictTask, streamContext, traceRun, type Prediction, type StreamConfig, type Trace } from './conformanceTrace.js';
import { definitionProblems, schemaCompileError } from './load.js';
import { validateWithSchema } from '../core/schema.js';
import { phaseCosts } from '../suite/cost.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ConformanceReport {
  learner: string;
  checks: CheckResult[];
  passed: boolean;
}

export interface ConformanceOptions {
  /** learner options to check with; default: the schema's defaults */
  options?: Record<string, unknown>;
  seed?: number;
}

/** The tiny stream every check runs on: 3 tasks of 2 separable classes, 48 training examples a task. */
export const CONFORMANCE_DATASET = 'synthetic:classes=6,features=16,trainPerClass=24,testPerClass=8,spread=25';
const MODEL: ResolvedModelSpec = { hidden: [16], dense: 'fast' };
const TRAINING: TrainingConfig = { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01, momentum: 0.9, resetOptimizer: false };
const CHECKPOINT_DTYPES: readonly string[] = ['float32', 'int32', 'bool'];
const LABEL: Record<Setting, string> = { task: 'task-IL', domain: 'domain-IL', class: 'class-IL' };

let dataset: Dataset | null = null;

export async function checkLearner(definition: LearnerDefinition, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const checks: CheckResult[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ name, status, detail });
  const done = (): ConformanceReport => ({ learner: String(definition?.name ?? '?'), checks, passed: checks.every((c) => c.status !== 'fail') });

  const problems = definitionProblems(definition);
  add('definition', problems.length ? 'fail' : 'pass', problems.length ? problems.join('; ') : 'name, description, optionsSchema and create are present');
  if (problems.length) return done();

  const resolved = checkOptions(definition, options.options, add);
  if (!resolved) return done();
  if (definition.phaseCost) add('phase cost', ...phaseCostCheck(definition, resolved));

  dataset ??= loadDataset(CONFORMANCE_DATASET);
  const seed = options.seed ?? 7;
  for (const { setting, label, schedule, backbone } of STREAMS) {
    const scenario = buildScenario({ dataset: CONFORMANCE_DATASET, kind: 'split', tasks: 3, setting }, dataset, new Rng(seed, 'scenario'));
    const config: StreamConfig = { scenario, model: MODEL, training: TRAINING, seed, schedule: resolveSchedule(schedule), ...(backbone ? { backbone: randomBackbone(seed) } : {}) };
    // a stream the learner's `requires` rules out is one a suite could not give it either
    const problem = pairingProblem(definition, { options: resolved, setting, model: MODEL, training: TRAINING });
    if (problem) {
      add(`${label} trains ${scenario.tasks.length} phases`, 'skip', `not run: ${problem.message}`);
      continue;
    }
    await checkSetting(definition, resolved, config, (name, status, detail) => add(`${label} ${name}`, status, detail));
  }
  return done();
}

/**
 * The streams every learner is checked on: each setting without rehearsal, then class-IL as a suite with a
 * rehearsal schedule and a pre-trained backbone runs it (the phases mix old tasks' examples into the new
 * one's; every fresh model starts from the backbone's hidden layers).
 */
const STREAMS: { setting: Setting; label: string; schedule: ScheduleSpec; backbone: boolean }[] = [
  ...SETTINGS.map((setting) => ({ setting, label: LABEL[setting], schedule: { kind: 'none' } as ScheduleSpec, backbone: false })),
  { setting: 'class', label: `${LABEL.class}, rehearsal, backbone`, schedule: { kind: 'uniform', budgetFraction: 0.5 }, backbone: true },
];

/** Hidden layers for MODEL drawn from a seeded generator: a stand-in for a `clbench pretrain` file. */
function randomBackbone(seed: number): BackboneWeights {
  const rng = new Rng(seed, 'conformance-backbone');
  const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.25);
  const inputs = 16;
  const [width] = MODEL.hidden;
  return { inputs, hidden: [width], layers: [{ weight: draw(inputs * width), bias: draw(width) }] };
}

type Add = (name: string, status: CheckStatus, detail: string) => void;

/** The declared cost of each phase of a 3-task stream of 48 examples a task (what `clbench schedule` and the pool would ask). */
function phaseCostCheck(definition: LearnerDefinition, options: Record<string, unknown>): Verdict {
  const sizes = [48, 48, 48];
  try {
    const costs = phaseCosts(definition, options, sizes, sizes, TRAINING);
    return ['pass', `example passes of phases 1–3 (48 examples each, ${TRAINING.epochs} epochs): ${costs.map((c) => Math.round(c)).join(', ')}`];
  } catch (error) {
    return ['fail', describe(error)];
  }
}

/** The options the runs use (validated, defaults filled), or null when the schema is unusable. */
function checkOptions(definition: LearnerDefinition, given: Record<string, unknown> | undefined, add: Add): Record<string, unknown> | null {
  const schema = definition.optionsSchema;
  const compileError = schemaCompileError(schema);
  if (compileError) {
    add('options', 'fail', `optionsSchema is not a valid JSON Schema: ${compileError}`);
    return null;
  }
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  const noDefault = Object.keys(properties).filter((k) => properties[k]?.default === undefined);
  let defaults: Record<string, unknown> | null = null;
  try {
    defaults = validateWithSchema<Record<string, unknown>>(schema, {}, 'optionsSchema');
  } catch (error) {
    add('options', 'fail', `the defaults do not validate: {} is rejected (${describe(error)})`);
  }
  if (noDefault.length) add('options', 'fail', `options without a default: ${noDefault.join(', ')} (give every option a "default", so a suite may leave it out)`);
  else if (defaults) add('options', 'pass', `the schema compiles; {} validates to ${JSON.stringify(defaults)}`);
  if (!given) return defaults;
  try {
    const options = validateWithSchema<Record<string, unknown>>(schema, structuredClone(given), 'options');
    add('given options', 'pass', `${JSON.stringify(given)} validates to ${JSON.stringify(options)}`);
    return options;
  } catch (error) {
    add('given options', 'fail', describe(error));
    return null;
  }
}

async function checkSetting(definition: LearnerDefinition, options: Record<string, unknown>, config: StreamConfig, add: Add): Promise<void> {
  const first = await traceRun(definition, options, config);
  const second = first.error ? first : await traceRun(definition, options, config);
  const error = first.error ?? second.error;
  const phases = config.scenario.tasks.length;
  if (error) {
    add(`trains ${phases} phases`, 'fail', error);
    return;
  }
  const last = second.predictions[phases].map((p) => p.accuracy.toFixed(2)).join(' ');
  add(`trains ${phases} phases`, 'pass', `accuracy on tasks 1–${phases} after the last phase: ${last}`);
  add('epochs', ...epochCheck(second));
  add('predict', ...predictCheck(second, config.scenario.outputs));
  add('steps', ...stepCheck(second));
  add('phases', ...phaseCheck(second));
  add('dispose', ...disposeCheck(second));
  add('deterministic', ...determinismCheck(first, second));
  // a leak dispose() already reported would show up in the round trip again
  add('state/restore', ...(await roundTripCheck(definition, options, config, second.tensorsAfter === second.tensorsBefore)));
  const withinPhase = await withinPhaseCheck(definition, options, config, second.tensorsAfter === second.tensorsBefore);
  if (withinPhase) add('within-phase resume', ...withinPhase);
}

export type Verdict = readonly [CheckStatus, string];

function epochCheck(trace: Trace): Verdict {
  const epochs = TRAINING.epochs;
  const expected = Array.from({ length: epochs }, (_, e) => e);
  const bad = trace.epochsReported.findIndex((r) => r.length !== epochs || r.some((e, i) => e !== expected[i]));
  return bad < 0
    ? ['pass', `hooks.epochEnd called for epochs ${expected.join(', ')} of every phase`]
    : ['fail', `phase ${bad + 1} reported epochs [${trace.epochsReported[bad].join(', ')}], expected [${expected.join(', ')}]: call hooks.epochEnd({ epoch, loss, examples }) after every epoch`];
}

function predictCheck(trace: Trace, outputs: number): Verdict {
  return trace.predictProblems.length ? ['fail', trace.predictProblems.join('; ')] : ['pass', `[examples, ${outputs}] float32 finite logits`];
}

function disposeCheck(trace: Trace): Verdict {
  const left = trace.tensorsAfter - trace.tensorsBefore;
  if (left === 0) return ['pass', `live tensors back to ${trace.tensorsBefore} after dispose()`];
  return left > 0
    ? ['fail', `${left} tensor(s) still alive after dispose() (${trace.tensorsBefore} before create, ${trace.tensorsAfter} after)`]
    : ['fail', `the run freed ${-left} tensor(s) it did not create (${trace.tensorsBefore} before create, ${trace.tensorsAfter} after dispose())`];
}

function stepCheck(trace: Trace): Verdict {
  if (trace.stepTensors.every((s) => s.length === 0)) return ['skip', 'the learner reports no steps (hooks.step), so per-step leaks are not measured'];
  for (const [p, counts] of trace.stepTensors.entries()) {
    const steady = counts.slice(1);
    if (steady.some((c) => c !== steady[0]))
      return ['fail', `phase ${p + 1}: live tensors went ${steady[0]} → ${steady[steady.length - 1]} over ${steady.length} steps: a training step leaks (wrap it in tf.tidy)`];
  }
  return ['pass', 'live tensors flat from step to step within every phase'];
}

function phaseCheck(trace: Trace): Verdict {
  const counts = trace.phaseEndTensors;
  const steady = counts.slice(1);
  return steady.every((c) => c === steady[0])
    ? ['pass', `live tensors after each phase: ${counts.join(', ')} (phase 1 is the warm-up)`]
    : ['fail', `live tensors after each phase: ${counts.join(', ')}: they grow after the first phase (dispose what a phase replaces)`];
}

function determinismCheck(a: Trace, b: Trace): Verdict {
  for (let i = 0; i < a.predictions.length; i++)
    for (let j = 0; j < a.predictions[i].length; j++) {
      const diff = maxDifference(a.predictions[i][j], b.predictions[i][j]);
      if (diff !== 0)
        return ['fail', `two runs with the same seed differ ${i === 0 ? 'before training' : `after phase ${i}`} on task ${j + 1} (max |Δlogit| ${diff.toExponential(2)}): draw randomness only from ctx.rng`];
    }
  return ['pass', 'two runs with the same seed gave identical logits'];
}

/**
 * Resume, at every phase boundary: one learner trains through the stream; after each phase but the last
 * its `state()` goes through an in-memory checkpoint into a fresh learner (made with a fresh context, as
 * the runner makes one to resume), which must predict the same and find `ctx.rng` where the trained
 * learner's is; then every restored learner trains on with it, phase by phase, and must stay the same
 * (a resumed run must match an uninterrupted one). Everything must be freed at the end.
 */
export async function roundTripCheck(definition: LearnerDefinition, options: Record<string, unknown>, config: StreamConfig, checkLeaks: boolean): Promise<Verdict> {
  const create = () => {
    const ctx = streamContext(config);
    return { learner: definition.create(structuredClone(options), ctx), ctx };
  };
  const before = tf.memory().numTensors;
  const { learner: saved, ctx: savedCtx } = create();
  if (typeof saved.state !== 'function' && typeof saved.restore !== 'function') {
    saved.dispose();
    return ['skip', 'the learner has no state()/restore() (a resumed run restarts it from its first phase)'];
  }
  const phases = config.scenario.tasks.length;
  /** learners restored from the checkpoint after phase `after` (1-based) */
  const restored: { learner: Learner; after: number }[] = [];
  let stage = 'phase 1: train';
  let verdict: Verdict | null = null;
  try {
    if (typeof saved.state !== 'function' || typeof saved.restore !== 'function')
      return ['fail', `the learner has ${saved.state ? 'state() but no restore()' : 'restore() but no state()'}: give it both or neither`];
    for (let p = 0; p < phases && !verdict; p++) {
      stage = `phase ${p + 1}: train`;
      await saved.train(phaseOf(config, p), {});
      for (const r of restored) {
        stage = `phase ${p + 1}: train (restored after phase ${r.after})`;
        await r.learner.train(phaseOf(config, p), {});
        const drift = compareLearners(saved, r.learner, config);
        if (drift)
          verdict = ['fail', `restored after phase ${r.after}, restored and saved learners drift apart in ${p === r.after ? 'the next phase' : `phase ${p + 1}`} ${drift}: state() must hold everything training uses (optimizer moments, penalty terms, generator states, memories)`];
        if (verdict) break;
      }
      if (verdict || p === phases - 1) break;
      stage = `state() after phase ${p + 1}`;
      const checkpoint = await throughCheckpoint(await saved.state());
      stage = `restore() after phase ${p + 1}`;
      const fresh = create();
      restored.push({ learner: fresh.learner, after: p + 1 });
      try {
        await fresh.learner.restore!(checkpoint);
      } finally {
        tf.dispose(Object.values(checkpoint.tensors));
      }
      const afterRestore = compareLearners(saved, fresh.learner, config);
      if (afterRestore) verdict = ['fail', `restored after phase ${p + 1}, predictions differ from the saved learner's ${afterRestore}`];
      else if (!sameState(savedCtx.rng.state(), fresh.ctx.rng.state()))
        verdict = [
          'fail',
          `restored after phase ${p + 1}, ctx.rng is not where the saved learner's is: the learner draws from ctx.rng after it is created, and a resumed run gets ctx.rng afresh (the runner does not checkpoint it). Derive a generator when the learner is created (ctx.rng.derive('my-purpose')) and declare it (this.remember('name', rng)), or save ctx.rng.state() and setState() it in restore`,
        ];
    }
    verdict ??= ['pass', `a learner restored from state() after each of phases 1–${phases - 1} predicts the same, finds ctx.rng where it was, and stays the same through phase ${phases}`];
  } catch (error) {
    verdict = ['fail', `${stage} threw: ${describe(error)}`];
  } finally {
    saved.dispose();
    for (const r of restored) r.learner.dispose();
  }
  const left = tf.memory().numTensors - before;
  if (verdict[0] === 'pass' && checkLeaks && left !== 0)
    return ['fail', `${left} tensor(s) alive after state(), restore() and dispose(): state() returns copies the caller disposes, restore() copies what it keeps`];
  return verdict;
}

/**
 * Resume within a phase, for a learner that sets `resumesWithinPhase` (the runner then checkpoints it at
 * epoch ends): one learner trains phase 1 and phase 2, and at the end of phase 2's first epoch (inside
 * hooks.epochEnd, where the runner takes it) its `state()` goes through an in-memory checkpoint into a fresh
 * learner, which trains the rest of phase 2 with `train(phase, hooks, { epochs: 1 })`. Both must predict
 * the same after phase 2 and after phase 3. Null for a learner that does not set it (no check to report, as
 * for a phase cost not declared).
 */
export async function withinPhaseCheck(definition: LearnerDefinition, options: Record<string, unknown>, config: StreamConfig, checkLeaks: boolean): Promise<Verdict | null> {
  const create = () => definition.create(structuredClone(options), streamContext(config));
  const before = tf.memory().numTensors;
  const saved = create();
  if (saved.resumesWithinPhase !== true) {
    saved.dispose();
    return null;
  }
  let resumed: Learner | null = null;
  let stage = 'phase 1: train';
  let verdict: Verdict;
  try {
    if (typeof saved.state !== 'function' || typeof saved.restore !== 'function') return ['fail', 'resumesWithinPhase is set but the learner has no state()/restore(): give it both, or leave resumesWithinPhase unset'];
    await saved.train(phaseOf(config, 0), {});
    stage = 'phase 2: train';
    let checkpoint: LearnerState | null = null;
    await saved.train(phaseOf(config, 1), {
      epochEnd: async ({ epoch }) => {
        if (epoch !== 0) return;
        stage = 'state() after epoch 1 of phase 2';
        checkpoint = await throughCheckpoint(await saved.state!());
        stage = 'phase 2: train';
      },
    });
    if (!checkpoint) return ['fail', 'hooks.epochEnd was not called after epoch 1 of phase 2'];
    stage = 'restore() after epoch 1 of phase 2';
    resumed = create();
    try {
      await resumed.restore!(checkpoint);
    } finally {
      tf.dispose(Object.values((checkpoint as LearnerState).tensors));
    }
    stage = 'phase 2 after epoch 1: train (restored)';
    await resumed.train(phaseOf(config, 1), {}, { epochs: 1 });
    const fix = "state() at an epoch's end must hold everything the rest of the phase uses, and a phase taken up does not call beforePhase again; or leave resumesWithinPhase unset";
    const afterPhase2 = compareLearners(saved, resumed, config);
    if (afterPhase2) return ['fail', `restored after epoch 1 of phase 2, predictions differ from the uninterrupted learner's at the end of phase 2 ${afterPhase2}: ${fix}`];
    stage = 'phase 3: train';
    await saved.train(phaseOf(config, 2), {});
    stage = 'phase 3: train (restored)';
    await resumed.train(phaseOf(config, 2), {});
    const afterPhase3 = compareLearners(saved, resumed, config);
    if (afterPhase3) return ['fail', `restored after epoch 1 of phase 2, predictions differ from the uninterrupted learner's at the end of phase 3 ${afterPhase3}: ${fix}`];
    verdict = ['pass', 'a learner restored from state() after epoch 1 of phase 2 finishes that phase and the next as the uninterrupted one does'];
  } catch (error) {
    return ['fail', `${stage} threw: ${describe(error)}`];
  } finally {
    saved.dispose();
    resumed?.dispose();
  }
  const left = tf.memory().numTensors - before;
  if (checkLeaks && left !== 0) return ['fail', `${left} tensor(s) alive after state() within a phase, restore() and dispose(): state() returns copies the caller disposes, restore() copies what it keeps`];
  return verdict;
}

function sameState(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The state as a checkpoint file gives it back (store/checkpoint.ts): the tensors' values copied and
 * the learner's tensors disposed (the caller owns them), the JSON part through JSON text.
 */
async function throughCheckpoint(state: LearnerState): Promise<LearnerState> {
  const entries = Object.entries(state?.tensors ?? {});
  try {
    for (const [name, t] of entries) {
      if (!(t instanceof tf.Tensor)) throw new Error(`state tensor '${name}' is not a tensor of clbench's tfjs`);
      if (!CHECKPOINT_DTYPES.includes(t.dtype)) throw new Error(`state tensor '${name}' is ${t.dtype}; checkpoints hold float32, int32 and bool tensors`);
    }
    const copies = await Promise.all(entries.map(async ([name, t]) => ({ name, values: (await t.data()).slice(), shape: t.shape, dtype: t.dtype })));
    const json: unknown = JSON.parse(JSON.stringify(state.json ?? null));
    return { tensors: Object.fromEntries(copies.map((c) => [c.name, tf.tensor(c.values, c.shape, c.dtype)])), json };
  } finally {
    tf.dispose(entries.map(([, t]) => t));
  }
}

/**
 * Where two learners' logits first differ beyond float noise, or null when they agree. Problems with
 * what predict returns are the predict check's to report, not this one's.
 */
function compareLearners(a: Learner, b: Learner, config: StreamConfig): string | null {
  const ignored = new Set<string>();
  for (const task of config.scenario.tasks) {
    const diff = maxDifference(predictTask(a, config, task.id, ignored), predictTask(b, config, task.id, ignored));
    if (diff > 1e-5) return `on task ${task.id + 1} (max |Δlogit| ${diff.toExponential(2)})`;
  }
  return null;
}

function maxDifference(a: Prediction, b: Prediction): number {
  if (a.logits.length !== b.logits.length) return Infinity;
  let max = 0;
  for (let k = 0; k < a.logits.length; k++) max = Math.max(max, Math.abs(a.logits[k] - b.logits[k]));
  return Number.isNaN(max) ? Infinity : max;
}

function describe(error: unknown): string {
  return error instanceof UserError ? `${error.where ? `${error.where}: ` : ''}${error.message}` : String((error as Error)?.message ?? error);
}

/** The report as the CLI prints it: one line per check, then the verdict. */
export function formatReport(report: ConformanceReport, source?: string): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`learner '${report.learner}'${source ? ` (${source})` : ''}`];
  for (const c of report.checks) lines.push(`  ${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  lines.push(`${report.passed ? 'PASS' : 'FAIL'}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}
