/**
 * The run record: everything one run measured, as one JSON file. Leaderboards and reports are computed
 * from records alone, so a record can be re-scored later without retraining. `recordSchema` is checked
 * before a record is written and when one is read.
 */
import type { AccuracyRecord } from '../metrics/types.js';
import type { ResolvedSchedule } from '../scenarios/scheduleSpec.js';
import type { BackendInfo } from '../backends/backend.js';
import type { Job } from '../suite/suite.js';
import { MAX_SEED } from '../suite/schema.js';

export const RECORD_SCHEMA_VERSION = 1;

export type RunStatus = 'completed' | 'diverged' | 'failed';

export interface RunRecord {
  schemaVersion: number;
  runId: string;
  /**
   * the run key: a hash of everything that determines the record (store/runKey.ts); a results folder
   * reuses the record only for a run with the same key (absent in records written before keys existed)
   */
  key?: string;
  suite: string;
  scenario: Job['scenario'] & { outputs: number };
  /** the tasks as built: names, classes, example counts */
  tasks: { name: string; classes: number[]; train: number; test: number }[];
  learner: Job['learner'];
  model: Job['model'];
  training: Job['training'];
  evaluation: Job['evaluation'];
  seed: number;
  position: Job['position'];
  published: Job['published'];
  /** the suite names this (joint) run as the intransigence reference of its scenario (../suite/jointReference.ts); absent = not named */
  intransigenceReference?: boolean;
  backend: BackendInfo;
  versions: { clbench: string; tfjs: string; node: string };
  status: RunStatus;
  /** where the loss (or, checked after each epoch, the weights) stopped being finite (status 'diverged') */
  diverged: { phase: number; epoch: number; step: number; loss: number | string; nonFinite?: 'loss' | 'weights' } | null;
  /** the error that ended the run (status 'failed') */
  error: string | null;
  /** the accuracy matrix (rows for finished phases only when the run did not complete) */
  accuracy: AccuracyRecord;
  /** the rehearsal schedule of the run (absent in records written before schedules existed: 'none') */
  schedule?: ScheduleRecord;
  /** examples trained on in each phase, summed over epochs */
  examplesPerPhase: number[];
  timings: { trainSeconds: number; evalSeconds: number; totalSeconds: number; phaseSeconds: number[] };
  startedAt: string;
  finishedAt: string;
  /** a record copied from another results folder by `clbench run --reuse` (store/reuse.ts): the original's suite and run id */
  reusedFrom?: { suite: string; runId: string };
}

export interface ScheduleRecord {
  label: string;
  /** the schedule with every parameter filled in */
  spec: ResolvedSchedule;
  /** n[p][j]: examples of task j the schedule puts in phase p (T × T, zero above the diagonal) */
  counts: number[][];
  /** stochastic sampling only: examples of each task the phase's stream actually drew (phases run) */
  drawn: number[][] | null;
  warnings: string[];
}

const numberMatrix = { type: 'array', items: { type: 'array', items: { type: 'number' } } } as const;

export const recordSchema = {
  type: 'object',
  required: [
    'schemaVersion', 'runId', 'suite', 'scenario', 'tasks', 'learner', 'model', 'training', 'evaluation', 'seed', 'position', 'backend',
    'versions', 'status', 'diverged', 'error', 'accuracy', 'examplesPerPhase', 'timings', 'startedAt', 'finishedAt',
  ],
  properties: {
    schemaVersion: { const: RECORD_SCHEMA_VERSION },
    runId: { type: 'string', minLength: 1 },
    key: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    suite: { type: 'string' },
    scenario: {
      type: 'object',
      required: ['name', 'dataset', 'kind', 'setting', 'outputs'],
      properties: {
        name: { type: 'string' },
        dataset: { type: 'string' },
        kind: { enum: ['split', 'permuted'] },
        setting: { enum: ['task', 'domain', 'class'] },
        outputs: { type: 'integer', minimum: 1 },
      },
    },
    tasks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'classes', 'train', 'test'],
        properties: { name: { type: 'string' }, classes: { type: 'array', items: { type: 'integer' } }, train: { type: 'integer' }, test: { type: 'integer' } },
      },
    },
    learner: {
      type: 'object',
      required: ['name', 'label', 'options'],
      properties: {
        name: { type: 'string' },
        label: { type: 'string' },
        options: { type: 'object' },
        plugin: { type: 'object', required: ['sha256'], properties: { sha256: { type: 'string' }, package: { type: 'string' }, version: { type: 'string' } } },
      },
    },
    model: { type: 'object', required: ['hidden'], properties: { hidden: { type: 'array', items: { type: 'integer' } } } },
    training: { type: 'object', required: ['epochs', 'batchSize', 'optimizer', 'lr'] },
    evaluation: { type: 'object' },
    seed: { type: 'integer', minimum: 0, maximum: MAX_SEED },
    position: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
    published: { type: ['object', 'null'] },
    intransigenceReference: { type: 'boolean' },
    backend: { type: 'object', required: ['name', 'package', 'version'], properties: { name: { type: 'string' } } },
    versions: { type: 'object', required: ['clbench', 'tfjs', 'node'] },
    status: { enum: ['completed', 'diverged', 'failed'] },
    diverged: { type: ['object', 'null'] },
    error: { type: ['string', 'null'] },
    accuracy: {
      type: 'object',
      required: ['matrix', 'initial'],
      properties: {
        matrix: numberMatrix,
        initial: { type: 'array', items: { type: 'number' } },
        newTaskCurves: numberMatrix,
        newTaskSteps: { type: 'array', items: { type: 'integer' } },
        newTaskStepCurves: numberMatrix,
      },
    },
    schedule: {
      type: 'object',
      required: ['label', 'spec', 'counts', 'drawn', 'warnings'],
      properties: {
        label: { type: 'string' },
        spec: { type: 'object', required: ['kind', 'sampling'] },
        counts: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 } } },
        drawn: { type: ['array', 'null'], items: { type: 'array', items: { type: 'integer', minimum: 0 } } },
        warnings: { type: 'array', items: { type: 'string' } },
      },
    },
    examplesPerPhase: { type: 'array', items: { type: 'integer', minimum: 0 } },
    timings: {
      type: 'object',
      required: ['trainSeconds', 'evalSeconds', 'totalSeconds', 'phaseSeconds'],
      properties: { phaseSeconds: { type: 'array', items: { type: 'number' } } },
    },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    reusedFrom: { type: 'object', required: ['suite', 'runId'], properties: { suite: { type: 'string' }, runId: { type: 'string' } } },
  },
} as const;
