/**
 * Hand-made run records for the results specs: every number chosen by hand, so expected means, bands
 * and CSV rows can be worked out on paper. `makeRecord` fills the fields a test does not care about.
 */
import type { RunRecord, ScheduleRecord } from '../../results/record.js';

export interface RecordParts {
  scenario?: string;
  setting?: 'task' | 'domain' | 'class';
  learner?: string;
  learnerName?: string;
  seed?: number;
  matrix: number[][];
  initial?: number[];
  newTaskCurves?: number[][];
  status?: RunRecord['status'];
  schedule?: ScheduleRecord;
  examplesPerPhase?: number[];
  trainSeconds?: number;
  position?: [number, number];
  criterion?: number;
  epochs?: number;
  published?: RunRecord['published'];
}

export function makeRecord(parts: RecordParts): RunRecord {
  const scenario = parts.scenario ?? 'split-toy-task';
  const learner = parts.learner ?? 'naive';
  const seed = parts.seed ?? 0;
  const T = parts.matrix[0]?.length ?? parts.initial?.length ?? 1;
  const accuracy: RunRecord['accuracy'] = { matrix: parts.matrix, initial: parts.initial ?? [] };
  if (parts.newTaskCurves) accuracy.newTaskCurves = parts.newTaskCurves;
  const status = parts.status ?? 'completed';
  const record: RunRecord = {
    schemaVersion: 1,
    runId: `${scenario}__${learner}__seed${seed}`,
    suite: 'toy',
    scenario: { name: scenario, dataset: 'synthetic', kind: 'split', setting: parts.setting ?? 'task', tasks: T, outputs: 2 * T },
    tasks: Array.from({ length: T }, (_, j) => ({ name: `classes ${2 * j},${2 * j + 1}`, classes: [2 * j, 2 * j + 1], train: 100, test: 40 })),
    learner: { name: parts.learnerName ?? learner, label: learner, options: {} },
    model: { hidden: [16], dense: 'fast' },
    training: { epochs: parts.epochs ?? 3, batchSize: 16, optimizer: 'adam', lr: 0.01, momentum: 0.9, resetOptimizer: false },
    evaluation: { batchSize: 1000, criterion: parts.criterion ?? 0.9 },
    seed,
    position: parts.position ?? [0, 0],
    published: parts.published ?? null,
    backend: { name: 'cpu', package: '@tensorflow/tfjs-core', version: '4.22.0', detail: '' },
    versions: { clbench: '0.1.0', tfjs: '4.22.0', node: 'v20' },
    status,
    diverged: status === 'diverged' ? { phase: parts.matrix.length, epoch: 0, step: 3, loss: 'NaN' } : null,
    error: status === 'failed' ? 'learner threw' : null,
    accuracy,
    examplesPerPhase: parts.examplesPerPhase ?? Array.from({ length: parts.matrix.length }, () => 300),
    timings: { trainSeconds: parts.trainSeconds ?? 1.5, evalSeconds: 0.1, totalSeconds: (parts.trainSeconds ?? 1.5) + 0.1, phaseSeconds: parts.matrix.map(() => 0.5) },
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:02.000Z',
  } as RunRecord;
  if (parts.schedule) record.schedule = parts.schedule;
  return record;
}

/** A power-law-like schedule record: the new task in full on the diagonal, fewer of older tasks. */
export function scheduleOf(counts: number[][], kind: ScheduleRecord['spec']['kind'] = 'powerlaw'): ScheduleRecord {
  return { label: kind, spec: { kind, minPerTask: 0, minPerTaskMode: 'warn', sampling: 'phase' }, counts, drawn: null, warnings: [] };
}

/**
 * A small results set: one scenario, three learners × two seeds, 3 tasks, with new-task curves and a
 * rehearsal schedule on the 'replay' learner; plus a naive run that diverged (counted, never averaged).
 */
export function toyRecords(): RunRecord[] {
  const counts = [
    [100, 0, 0],
    [50, 100, 0],
    [20, 40, 100],
  ];
  return [
    makeRecord({ learner: 'naive', seed: 0, position: [0, 0], initial: [0.5, 0.4, 0.6], matrix: [[0.9, 0.5, 0.4], [0.3, 0.95, 0.5], [0.1, 0.2, 0.9]], newTaskCurves: [[0.6, 0.8, 0.9], [0.7, 0.95, 0.95], [0.85, 0.9, 0.9]], trainSeconds: 1 }),
    makeRecord({ learner: 'naive', seed: 1, position: [0, 0], initial: [0.5, 0.6, 0.4], matrix: [[0.8, 0.5, 0.5], [0.5, 0.85, 0.5], [0.3, 0.4, 0.7]], newTaskCurves: [[0.5, 0.7, 0.8], [0.6, 0.8, 0.85], [0.5, 0.6, 0.7]], trainSeconds: 2 }),
    makeRecord({ learner: 'naive', seed: 2, position: [0, 0], matrix: [[0.9, 0.5, 0.5]], status: 'diverged' }),
    makeRecord({ learner: 'replay(α=1) with a long label to test truncation', learnerName: 'naive', seed: 0, position: [0, 1], initial: [0.5, 0.4, 0.6], matrix: [[0.9, 0.5, 0.4], [0.8, 0.9, 0.5], [0.7, 0.8, 0.9]], newTaskCurves: [[0.6, 0.9, 0.9], [0.9, 0.95, 0.95], [0.92, 0.95, 0.95]], schedule: scheduleOf(counts), examplesPerPhase: [300, 450, 480], trainSeconds: 3 }),
    makeRecord({ learner: 'replay(α=1) with a long label to test truncation', learnerName: 'naive', seed: 1, position: [0, 1], initial: [0.5, 0.6, 0.4], matrix: [[0.8, 0.5, 0.5], [0.7, 0.9, 0.5], [0.6, 0.8, 0.8]], newTaskCurves: [[0.5, 0.8, 0.9], [0.8, 0.9, 0.9], [0.9, 0.9, 0.9]], schedule: scheduleOf(counts), examplesPerPhase: [300, 450, 480], trainSeconds: 3 }),
    makeRecord({ learner: 'joint', seed: 0, position: [0, 2], initial: [0.5, 0.4, 0.6], matrix: [[0.9, 0.5, 0.4], [0.9, 0.95, 0.5], [0.9, 0.95, 0.95]], newTaskCurves: [[0.6, 0.8, 0.9], [0.8, 0.95, 0.95], [0.9, 0.95, 0.95]], schedule: scheduleOf([[100, 0, 0], [100, 100, 0], [100, 100, 100]], 'full'), examplesPerPhase: [300, 600, 900], trainSeconds: 4 }),
    makeRecord({ learner: 'joint', seed: 1, position: [0, 2], initial: [0.5, 0.6, 0.4], matrix: [[0.8, 0.5, 0.5], [0.85, 0.9, 0.5], [0.85, 0.9, 0.9]], newTaskCurves: [[0.5, 0.7, 0.8], [0.8, 0.9, 0.9], [0.9, 0.9, 0.9]], schedule: scheduleOf([[100, 0, 0], [100, 100, 0], [100, 100, 100]], 'full'), examplesPerPhase: [300, 600, 900], trainSeconds: 5 }),
  ];
}
