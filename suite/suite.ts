/**
 * Suites: reading and validating a suite file, and expanding it into jobs (scenario × learner × seed).
 * Everything a user can get wrong is caught here, before any training starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { describePosition, jsonSyntaxProblem } from '../core/jsonSyntax.js';
import { getLearner, learnerOrigin, type LearnerOrigin } from '../learners/registry.js';
import type { TrainingConfig } from '../learners/contract.js';
import { pairingProblem } from '../learners/requirements.js';
import type { ModelSpec, ResolvedModelSpec } from '../models/types.js';
import { scenarioName, type ScenarioSpec } from '../scenarios/build.js';
import { checkDatasetName, datasetSha256 } from '../scenarios/datasets/index.js';
import { isDefaultSchedule, resolveSchedule, scheduleLabel, type ResolvedSchedule, type ScheduleSpec } from '../scenarios/scheduleSpec.js';
import { JOINT_LEARNER, pickJointReference } from './jointReference.js';
import { checkedModel } from './backboneCheck.js';
import type { BackboneManifest } from '../models/backboneFile.js';
import { runId } from './runId.js';
import { MAX_SEED, suiteSchema } from './schema.js';
import { checkSuiteLimits } from './limits.js';
import { validateWithSchema } from '../core/schema.js';

/**
 * How runs are evaluated. `newTaskSteps` (absent = none, so run keys of suites without it are unchanged): the
 * gradient-step counts of each phase after which the new task is measured (metrics/stepFacilitation.ts).
 */
export interface Evaluation {
  batchSize: number;
  criterion: number;
  newTaskSteps?: number[];
}

export interface Published {
  mean: number;
  std?: number;
  /** a published standard error instead of a std, with the number of `runs` it is over (a job gets std = sem·√runs) */
  sem?: number;
  runs?: number;
  source?: string;
}

/** A job's published value: `sem` given as the std of the runs (sem·√runs), and the source saying so. */
function resolvePublished(published: Published | undefined): Published | null {
  if (!published) return null;
  const { sem, runs, ...rest } = published;
  if (sem === undefined || runs === undefined) return rest;
  const std = sem * Math.sqrt(runs);
  const note = `± ${sem} published as a standard error over ${runs} runs, compared as a std: ${sem} × √${runs} = ${Number(std.toPrecision(4))}`;
  return { ...rest, std, source: rest.source ? `${rest.source} (${note})` : note };
}

export interface LearnerEntry {
  name: string;
  label?: string;
  options: Record<string, unknown>;
  scenarios?: string[];
  training?: Partial<TrainingConfig>;
  /** this entry's rehearsal schedule; default the suite's */
  schedule?: ScheduleSpec;
  /** overrides of the suite's model (e.g. one entry per width in a width sweep) */
  model?: Partial<ModelSpec>;
  published?: Record<string, Published>;
  /** a joint entry: the intransigence reference of runs whose model and training match no joint entry (suite/jointReference.ts) */
  intransigenceReference?: boolean;
}

export interface Suite {
  name: string;
  description?: string;
  scenario?: ScenarioSpec;
  scenarios?: ScenarioSpec[];
  model: ResolvedModelSpec;
  training: TrainingConfig;
  /** the rehearsal schedule of every learner entry that gives none (default { kind: 'none' }) */
  schedule: ScheduleSpec;
  evaluation: Evaluation;
  learners: LearnerEntry[];
  seeds: number[];
  plugins?: string[];
}

/** One run: a learner on a scenario with a seed. Plain data, so it can cross to a worker. */
export interface Job {
  /** unique, file-name-safe id within the suite */
  id: string;
  suite: string;
  /** `dataSha256`: for an `idx:` dataset, the SHA-256 of its files (part of the run key) */
  scenario: ScenarioSpec & { name: string; dataSha256?: string };
  /** `plugin`: the code of a plugin learner (part of the run key), absent for built-ins */
  learner: { name: string; label: string; options: Record<string, unknown>; plugin?: LearnerOrigin };
  model: ResolvedModelSpec;
  training: TrainingConfig;
  /** the rehearsal schedule that builds each phase's examples, every parameter filled in */
  schedule: ResolvedSchedule;
  evaluation: Evaluation;
  seed: number;
  published: Published | null;
  /** present (true) on the runs of the joint entry the suite names as the intransigence reference */
  intransigenceReference?: true;
  /** folder that relative dataset paths (idx:…) are resolved against */
  baseDir: string;
  /** [scenario index, learner entry index] in the suite: the leaderboard's row order */
  position: [number, number];
}

export function readSuiteFile(file: string): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read suite file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, file, 'check the path');
  }
  return parseSuite(text, file);
}

export function parseSuite(given: string, file: string): Suite {
  // a UTF-8 byte order mark (Windows editors write one) is not part of the JSON text
  const text = given.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const problem = jsonSyntaxProblem(text, error);
    throw new UserError(`not valid JSON: ${problem.reason}`, `${file}:${problem.line}:${problem.column}`, `fix the JSON syntax at ${describePosition(problem)}`);
  }
  checkSeeds(data, file);
  const suite = validateWithSchema<Suite>(suiteSchema, data, file, '', 'see the suite reference in the README');
  if (!suite.scenario === !suite.scenarios)
    throw new UserError(
      suite.scenario ? "has both 'scenario' and 'scenarios'" : "has no 'scenario'",
      file,
      "give one scenario object in 'scenario', or a list in 'scenarios'",
    );
  const steps = suite.evaluation.newTaskSteps;
  if (steps?.some((s, k) => k > 0 && s <= steps[k - 1]))
    throw new UserError(`evaluation.newTaskSteps must be strictly increasing, got [${steps.join(', ')}]`, `${file}: evaluation.newTaskSteps`, 'list the step counts in increasing order, e.g. [25, 50, 100]');
  return suite;
}

/**
 * Seeds the generator cannot tell apart are refused with the reason (the schema says the same, with less
 * words): it takes a seed's low 32 bits, so 2^32 and -2^32 would run as 0, and past 2^53 JSON numbers are
 * not even read exactly (2^60 + 1 arrives as 2^60).
 */
function checkSeeds(data: unknown, file: string): void {
  const seeds = (data as { seeds?: unknown } | null)?.seeds;
  if (!Array.isArray(seeds)) return;
  seeds.forEach((seed, i) => {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || (seed >= 0 && seed <= MAX_SEED)) return;
    const same = Number.isSafeInteger(seed) ? `; it would run as seed ${seed >>> 0}` : '; it is past 2^53, where JSON numbers are rounded';
    throw new UserError(
      `seed ${seed} is outside 0 … ${MAX_SEED}: the generator uses a seed's low 32 bits${same}`,
      `${file}: seeds[${i}]`,
      `use seeds from 0 to ${MAX_SEED} (2^32 - 1)`,
    );
  });
}

/** All jobs of a suite in a stable order: scenario, then learner entry, then seed. */
export function expandSuite(suite: Suite, file: string): Job[] {
  const scenarios = (suite.scenarios ?? [suite.scenario!]).map((s) => ({ ...s, name: scenarioName(s) }));
  const names = scenarios.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new UserError(`two scenarios are named '${duplicate}'`, `${file}: scenarios`, 'give each scenario a distinct "name"');
  for (const [i, s] of scenarios.entries()) checkDatasetName(s.dataset, `${file}: ${suite.scenarios ? `scenarios[${i}]` : 'scenario'}.dataset`);
  // the data of an idx: folder is part of the run key: new files under the same name rerun the runs
  for (const s of scenarios) {
    const sha256 = datasetSha256(s.dataset, path.dirname(path.resolve(file)));
    if (sha256) Object.assign(s, { dataSha256: sha256 });
  }
  const labels = new Set<string>();
  const jobs: Job[] = [];
  const manifests = new Map<string, BackboneManifest>();
  const resolved = suite.learners.map((entry, i) => {
    const where = `learners[${i}]`;
    const definition = getLearner(entry.name, `${file}: ${where}.name`);
    const given = structuredClone(entry.options ?? {});
    const options = validateWithSchema<Record<string, unknown>>(
      definition.optionsSchema,
      structuredClone(given),
      file,
      `${where}.options`,
      `run \`clbench list\` to see the options of '${entry.name}'`,
    );
    if (entry.intransigenceReference && entry.name !== JOINT_LEARNER)
      throw new UserError(
        `only a '${JOINT_LEARNER}' entry can be the intransigence reference, this one is '${entry.name}'`,
        `${file}: ${where}.intransigenceReference`,
        `remove the field, or set it on the '${JOINT_LEARNER}' entry the other runs are compared with`,
      );
    for (const s of entry.scenarios ?? [])
      if (!names.includes(s)) throw new UserError(`no scenario is named '${s}'`, `${file}: ${where}.scenarios`, `use one of: ${names.join(', ')}`);
    const schedule = entrySchedule(suite, entry, definition.trainsOnAllSeenTasks === true, `${file}: ${where}`, file);
    const shown = isDefaultSchedule(schedule) || definition.trainsOnAllSeenTasks ? '' : `+${scheduleLabel(schedule)}`;
    return { entry, definition, options, schedule, label: entry.label ?? `${defaultLabel(entry.name, given)}${shown}` };
  });
  checkSuiteLimits(suite, file, names, resolved.map((r) => r.label));
  for (const [si, scenario] of scenarios.entries()) {
    for (const [li, { entry, definition, options, schedule, label }] of resolved.entries()) {
      if (entry.scenarios && !entry.scenarios.includes(scenario.name)) continue;
      const key = `${scenario.name}/${label}`;
      if (labels.has(key))
        throw new UserError(`two learner entries are both labelled '${label}' on scenario '${scenario.name}'`, `${file}: learners`, 'give one of them a distinct "label"');
      labels.add(key);
      const model = checkedModel({ ...suite.model, ...(entry.model ?? {}) }, scenario, file, (field) => (entry.model && field in entry.model ? `learners[${li}].model` : 'model'), manifests);
      const training = { ...suite.training, ...(entry.training ?? {}) };
      const problem = pairingProblem(definition, { options, setting: scenario.setting, model, training });
      if (problem) throw new UserError(problem.message, `${file}: learners[${li}].${problem.field}`, problem.fix);
      const keyed = definition.keyOptions ? definition.keyOptions(structuredClone(options), model) : options;
      const origin = learnerOrigin(entry.name);
      for (const seed of suite.seeds) {
        jobs.push({
          id: runId(suite.name, scenario.name, label, seed),
          suite: suite.name,
          scenario,
          learner: { name: entry.name, label, options: keyed, ...(origin ? { plugin: origin } : {}) },
          model,
          training,
          schedule,
          evaluation: suite.evaluation,
          seed,
          published: resolvePublished(entry.published?.[scenario.name]),
          ...(entry.intransigenceReference ? { intransigenceReference: true as const } : {}),
          baseDir: path.dirname(path.resolve(file)),
          position: [si, li],
        });
      }
    }
  }
  checkDistinctRuns(jobs, file);
  if (jobs.length === 0) throw new UserError('the suite expands to no runs', `${file}: learners`, "check the learners' \"scenarios\" filters");
  checkJointReferences(jobs, file);
  return jobs;
}

/**
 * Two runs of one suite must never share a record file: ids are unique by construction (./runId.ts) unless
 * the suite repeats a seed, which would make the same run twice.
 */
function checkDistinctRuns(jobs: Job[], file: string): void {
  const seen = new Map<string, Job>();
  for (const job of jobs) {
    const other = seen.get(job.id);
    if (other)
      throw new UserError(
        `two runs would share the id '${job.id}' (scenario '${job.scenario.name}', learner '${job.learner.label}', seed ${job.seed} twice)`,
        `${file}: seeds`,
        'list each seed once',
      );
    seen.set(job.id, job);
  }
}

/** Every run's intransigence reference is decided now (not after the suite's last run, when the leaderboard is built). */
function checkJointReferences(jobs: Job[], file: string): void {
  for (const job of jobs) {
    const joints = jobs.filter((j) => j.learner.name === JOINT_LEARNER && j.scenario.name === job.scenario.name && j.seed === job.seed);
    try {
      pickJointReference(job, joints, `scenario '${job.scenario.name}' seed ${job.seed}`);
    } catch (error) {
      if (error instanceof UserError) throw new UserError(error.message, `${file}: learners`, error.fix);
      throw error;
    }
  }
}

/**
 * The schedule a learner entry runs under: its own, else the suite's. A learner that trains on every
 * seen task in full (joint) is recorded under the `full` schedule, which is what it does; giving it any
 * other schedule is a mistake worth stopping for.
 */
function entrySchedule(suite: Suite, entry: LearnerEntry, trainsOnAllSeenTasks: boolean, where: string, file: string): ResolvedSchedule {
  if (trainsOnAllSeenTasks) {
    if (entry.schedule && (entry.schedule.kind !== 'full' || Object.keys(entry.schedule).length > 1))
      throw new UserError(
        `learner '${entry.name}' trains on every task seen so far in full and ignores schedules`,
        `${where}.schedule`,
        `remove the schedule (the '${entry.name}' learner is the 'full' environment), or use learner 'naive' with this schedule`,
      );
    return resolveSchedule({ kind: 'full' });
  }
  return entry.schedule ? resolveSchedule(entry.schedule, `${where}.schedule`) : resolveSchedule(suite.schedule, `${file}: schedule`);
}

/** 'ewc(lambda=600)' — the options the user wrote, not the defaults. */
function defaultLabel(name: string, given: Record<string, unknown>): string {
  const parts = Object.entries(given).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.length ? `${name}(${parts.join(',')})` : name;
}
