/**
 * The golden runs: the quick suite on synthetic data (same learners, settings, training) and one small run
 * per built-in learner, plus two rehearsal schedules. `goldenRecords()` runs them and keeps what must not
 * change when code moves: run ids and keys, status, accuracy matrices, untrained rows and curves, the
 * examples each phase trained on, and the training loss of every epoch (not times or versions). `records.json` holds the values; regenerate it
 * with `npm run build && node dist/spec/golden/generate.js` only when a change is meant to change numbers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listLearners } from '../../learners/registry.js';
import type { BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import type { Job } from '../../suite/suite.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

export const GOLDEN_FILE = path.join(REPO_ROOT, 'spec', 'golden', 'records.json');

export interface GoldenRecord {
  runId: string;
  key: string;
  status: string;
  matrix: number[][];
  initial: number[];
  newTaskCurves: number[][] | null;
  examplesPerPhase: number[];
  /** mean training loss of every epoch, by phase (from the run's progress events): any change in a bit shows */
  losses: number[][];
}

/** overlapping blobs (the default spread 60 on 16 features): accuracies in between, so small changes show */
const SYNTHETIC = 'synthetic:classes=6,features=16,trainPerClass=40,testPerClass=25';
const TRAINING = { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01 };

/** quick.json with its dataset swapped for a small synthetic one (its learners, settings and training). */
function quickStandIn(): Job[] {
  const quick = JSON.parse(readFileSync(path.join(REPO_ROOT, 'suites', 'quick.json'), 'utf8')) as Record<string, any>;
  const scenarios = (quick.scenarios as Record<string, unknown>[]).map((s) => ({ ...s, dataset: SYNTHETIC, tasks: 3, name: `split-mnist-${s.setting}` }));
  return jobsOf({ ...quick, scenarios, model: { hidden: [24] }, training: { ...quick.training, epochs: 2, batchSize: 16, lr: 0.01 } }, 'quick-synthetic.json');
}

/** One entry per built-in learner, with options that keep it to a fraction of a second. */
const LEARNERS: Record<string, unknown>[] = [
  { name: 'naive' },
  { name: 'joint' },
  { name: 'ewc', options: { lambda: 50 } },
  { name: 'online-ewc', options: { lambda: 10, gamma: 0.9 } },
  { name: 'si', options: { c: 1 } },
  { name: 'mas' },
  { name: 'l2', options: { lambda: 0.1 } },
  { name: 'lwf' },
  { name: 'replay', options: { capacity: 40 } },
  { name: 'agem', options: { memoryPerTask: 20, sampleSize: 16 } },
  { name: 'derpp', options: { capacity: 40, alpha: 0.3, beta: 0.5 }, model: { norm: 'batchnorm' }, training: { epochs: 1 } },
  { name: 'er-ace', options: { capacity: 40 }, model: { norm: 'adab2n', normOptions: { kappa: 0.4, lambda: 1 } }, training: { epochs: 1 } },
  { name: 'slca', options: { caEpochs: 2, caSamplesPerClass: 32 }, training: { optimizer: 'momentum', lr: 0.05 } },
  { name: 'gem', options: { memorySize: 40 }, training: { optimizer: 'sgd', lr: 0.05 } },
  // the rehearsal schedules: a budgeted power law drawn per phase, a stochastic uniform stream
  { name: 'naive', label: 'naive+powerlaw', schedule: { kind: 'powerlaw', alpha: 2, tau: 1, budgetFraction: 0.5 } },
  { name: 'replay', label: 'replay+uniform', options: { capacity: 20 }, schedule: { kind: 'uniform', budgetFraction: 0.3, sampling: 'stochastic' } },
];

function learnerJobs(): Job[] {
  return jobsOf(
    tinySuite({
      name: 'golden-learners',
      scenario: { dataset: SYNTHETIC, kind: 'split', tasks: 3, setting: 'class' },
      model: { hidden: [24] },
      training: TRAINING,
      learners: LEARNERS,
    }),
    'golden-learners.json',
  );
}

export function goldenJobs(): Job[] {
  return [...quickStandIn(), ...learnerJobs()];
}

/** The built-in learners (plugins registered by other specs aside). */
export function builtInLearnerNames(): string[] {
  return listLearners()
    .map((l) => l.name)
    .filter((name) => !name.startsWith('test-'));
}

export async function goldenRecord(job: Job, backend: BackendInfo): Promise<GoldenRecord> {
  const losses: number[][] = [];
  const record = await runJob(job, { backend, onEvent: (e) => e.type === 'epoch' && (losses[e.phase] ??= []).push(e.loss) });
  return {
    runId: record.runId,
    key: record.key!,
    status: record.status,
    matrix: record.accuracy.matrix,
    initial: record.accuracy.initial,
    newTaskCurves: record.accuracy.newTaskCurves ?? null,
    examplesPerPhase: record.examplesPerPhase,
    losses,
  };
}
