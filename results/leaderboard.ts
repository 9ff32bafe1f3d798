/**
 * The leaderboard: one row per (scenario, learner entry), every metric of the catalogue as mean and
 * standard deviation over seeds, computed from run records alone. Runs that diverged or failed are
 * counted, not averaged.
 */
import { aggregate, METRICS, type AccuracyRecord } from '../metrics/index.js';
import { JOINT_LEARNER, pickJointReference } from '../suite/jointReference.js';
import { memoryExamples } from './memoryExamples.js';
import { averageAccuracyCurveMean, examplesPerPhaseMean } from './perPhase.js';
import type { RunRecord } from './record.js';

export interface LeaderboardRow {
  /** the suite the runs belong to (rows of different suites are never merged) */
  suite: string;
  scenario: string;
  setting: string;
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
  for (const r of records) {
    const key = `${r.suite}\u0000${r.scenario.name}\u0000${r.learner.label}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: LeaderboardRow[] = [];
  for (const group of groups.values()) {
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
      scenario: first.scenario.name,
      setting: first.scenario.setting,
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
  return rows.sort((a, b) => a.position[0] - b.position[0] || a.position[1] - b.position[1] || a.learner.localeCompare(b.learner));
}

/**
 * The reference a*_k of intransigence: among the completed joint runs of the same suite, scenario and seed,
 * the one ../suite/jointReference.ts picks (same model and training, else the one the suite names, else the only one).
 */
function jointReference(records: RunRecord[], r: RunRecord): AccuracyRecord | undefined {
  const joints = records.filter(
    (j) => j.learner.name === JOINT_LEARNER && j.status === 'completed' && j.suite === r.suite && j.scenario.name === r.scenario.name && j.seed === r.seed,
  );
  return pickJointReference(r, joints, `scenario '${r.scenario.name}' seed ${r.seed} of suite '${r.suite}'`)?.accuracy;
}
