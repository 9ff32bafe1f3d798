/**
 * The leaderboard: one row per (suite, config, learner label), every metric of the catalogue as mean and
 * standard deviation over seeds, computed from run records alone. A row averages only runs of one config
 * id (./identity.ts: every setting but the seed), so runs of different settings never merge, whatever
 * their labels; suite, config id and readable data, model and training summaries tell such rows apart.
 * Runs that diverged or failed are counted, not averaged.
 */
import { aggregate, METRICS, type AccuracyRecord } from '../metrics/index.js';
import { JOINT_LEARNER, pickJointReference } from '../suite/jointReference.js';
import { memoryExamples } from './memoryExamples.js';
import { averageAccuracyCurveMean, examplesPerPhaseMean } from './perPhase.js';
import type { RunRecord } from './record.js';
import { recordConfigId } from './identity.js';
import { dataSummary, modelSummary, trainingSummary } from './summary.js';

export interface LeaderboardRow {
  /** the suite the runs belong to (rows of different suites are never merged) */
  suite: string;
  /** hash of every setting of the runs but the seed (./identity.ts): rows of different config ids never merge */
  configId: string;
  scenario: string;
  setting: string;
  /** the dataset and what was drawn from it (./summary.ts) */
  data: string;
  /** the network, e.g. `mlp 400-400, batchnorm` */
  model: string;
  /** the optimizer and training settings, e.g. `adam lr 0.001, batch 128, 4 epochs` */
  training: string;
  learner: string;
  learnerName: string;
  options: Record<string, unknown>;
  /** the rehearsal schedule's label ('none' for records written before schedules existed) */
  schedule: string;
  /** completed runs (seeds) averaged */
  seeds: number;
  diverged: number;
  failed: number;
  /**
   * metric key → mean and sample std over the completed runs that define the metric, and `n`, how many
   * do (mean null for none; std null for fewer than 2: one value says nothing about the spread)
   */
  metrics: Record<string, { mean: number | null; std: number | null; n: number }>;
  /** mean over completed runs of the average accuracy over the tasks seen so far, after each phase */
  averageAccuracyCurve: number[] | null;
  examplesTrained: number | null;
  /** past-task training examples a run keeps at its last phase (./memoryExamples.ts), mean over completed runs */
  memoryExamples: number | null;
  /** mean over completed runs of the examples trained on in each phase */
  examplesPerPhase: number[] | null;
  trainSeconds: number | null;
  backend: string;
  published: { mean: number; std: number | null; source: string } | null;
  position: [number, number];
}

export function buildLeaderboard(records: RunRecord[]): LeaderboardRow[] {
  const groups = new Map<string, RunRecord[]>();
  const configIds = new Map<string, string>();
  for (const r of records) {
    const configId = recordConfigId(r);
    const key = `${r.suite}\u0000${configId}\u0000${r.learner.label}`;
    configIds.set(key, configId);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: LeaderboardRow[] = [];
  for (const [key, group] of groups) {
    const first = group[0];
    const done = group.filter((r) => r.status === 'completed');
    const metrics: LeaderboardRow['metrics'] = {};
    for (const metric of METRICS) {
      const values = done.map((r) => metric.compute(r.accuracy, { joint: jointReference(records, r), criterion: r.evaluation.criterion }));
      const { mean, std, n } = aggregate(values);
      metrics[metric.key] = { mean, std, n };
    }
    const published = group.find((r) => r.published)?.published;
    rows.push({
      suite: first.suite,
      configId: configIds.get(key)!,
      scenario: first.scenario.name,
      setting: first.scenario.setting,
      data: dataSummary(first),
      model: modelSummary(first),
      training: trainingSummary(first),
      learner: first.learner.label,
      learnerName: first.learner.name,
      options: first.learner.options,
      schedule: first.schedule?.label ?? 'none',
      seeds: done.length,
      diverged: group.filter((r) => r.status === 'diverged').length,
      failed: group.filter((r) => r.status === 'failed').length,
      metrics,
      averageAccuracyCurve: averageAccuracyCurveMean(done),
      examplesTrained: aggregate(done.map((r) => r.examplesPerPhase.reduce((a, b) => a + b, 0))).mean,
      memoryExamples: aggregate(done.map((r) => memoryExamples(r))).mean,
      examplesPerPhase: examplesPerPhaseMean(done),
      trainSeconds: aggregate(done.map((r) => r.timings.trainSeconds)).mean,
      backend: [...new Set(group.map((r) => r.backend.name))].join('+'),
      published: published ? { mean: published.mean, std: published.std ?? null, source: published.source ?? '' } : null,
      position: first.position,
    });
  }
  return rows.sort(
    (a, b) => a.suite.localeCompare(b.suite) || a.position[0] - b.position[0] || a.position[1] - b.position[1] || a.learner.localeCompare(b.learner) || a.configId.localeCompare(b.configId),
  );
}

/**
 * One line for a reader of a table built from several folders, or null when there is nothing to say:
 * rows of several suites (kept apart), and labels that stand for runs of different settings (kept apart
 * too, told apart by config id, model and training).
 */
export function mixNote(rows: LeaderboardRow[]): string | null {
  const suites = [...new Set(rows.map((r) => r.suite))];
  const labels = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = `${r.suite}\u0000${r.scenario}\u0000${r.learner}`;
    labels.set(key, (labels.get(key) ?? new Set()).add(r.configId));
  }
  const split = [...labels.values()].filter((ids) => ids.size > 1).length;
  const parts = [
    suites.length > 1 ? `rows of ${suites.length} suites (${suites.join(', ')}) are kept apart (column suite)` : '',
    split ? `${split} label(s) stand for runs of different settings and get one row per config_id (compare the model and training columns)` : '',
  ].filter(Boolean);
  return parts.length ? `note: ${parts.join('; ')}` : null;
}

/**
 * The learner as a table shows it: its label, and the config id when the same label has rows of other
 * settings in the same suite and scenario (otherwise two rows would look the same).
 */
export function rowName(row: LeaderboardRow, rows: LeaderboardRow[]): string {
  const twin = rows.some((r) => r !== row && r.suite === row.suite && r.scenario === row.scenario && r.learner === row.learner && r.configId !== row.configId);
  return twin ? `${row.learner} [${row.configId.slice(0, 6)}]` : row.learner;
}

/**
 * The reference a*_k of intransigence: among the completed joint runs of the same suite, scenario and seed,
 * the one ../suite/jointReference.ts picks (same model and training, else the one the suite names, else the only one).
 */
export function jointReference(records: RunRecord[], r: RunRecord): AccuracyRecord | undefined {
  const joints = records.filter(
    (j) => j.learner.name === JOINT_LEARNER && j.status === 'completed' && j.suite === r.suite && j.scenario.name === r.scenario.name && j.seed === r.seed,
  );
  return pickJointReference(r, joints, `scenario '${r.scenario.name}' seed ${r.seed} of suite '${r.suite}'`)?.accuracy;
}
