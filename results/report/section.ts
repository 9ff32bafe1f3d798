/**
 * One scenario's part of the report: what the runs were, the leaderboard table, the column
 * definitions, then the charts (each only when its data exists: facilitation needs recorded new-task
 * curves, the rehearsal counts need a schedule).
 */
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_CRITERION, METRICS } from '../../metrics/index.js';
import { accuracyHeatMapSpec, averageAccuracySpec, costSpec, facilitationSpec, rehearsalCountsSpec, taskCurvesSpec } from './charts.js';
import { accuracyHeatMap, averageAccuracyBand, costPoints, facilitationPerTask, rehearsalCountPanels, taskAccuracyCurves, type ScenarioGroup } from './data.js';
import { anchorId, escapeHtml } from './html.js';
import { leaderboardHtmlTables } from './leaderboardTable.js';
import { exportName } from './exportScript.js';
import { renderSvg } from './render.js';

export interface ChartPlan {
  /** short name, also the figure's data-chart attribute */
  kind: 'accuracy-matrix' | 'average-accuracy' | 'task-accuracy' | 'facilitation' | 'rehearsal-counts' | 'cost';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** The charts a scenario gets, in page order; learners without a completed run are left out. */
export function planCharts(group: ScenarioGroup): ChartPlan[] {
  const learners = group.learners.filter((l) => l.runs.length > 0);
  if (learners.length === 0) return [];
  const criterion = group.first.evaluation.criterion ?? DEFAULT_CRITERION;
  const plans: ChartPlan[] = [
    {
      kind: 'average-accuracy',
      title: 'Average accuracy on the tasks seen so far',
      caption: 'After each phase k, the mean accuracy over tasks 1..k (A_k of Chaudhry et al. 2018). Line: mean over seeds; shaded band: lowest to highest seed (min–max, not ± std). When every value is above 50%, the axis starts below the lowest, not at 0.',
      spec: averageAccuracySpec(learners.map((l) => ({ learner: l.name, points: averageAccuracyBand(l.runs) }))),
    },
  ];
  const cost = costPoints(learners);
  if (cost.length > 0) {
    plans.push({
      kind: 'cost',
      title: 'Accuracy against training cost',
      caption: 'Final average accuracy (point: mean over seeds; bar: ± one standard deviation) against training wall time (evaluation excluded) and examples trained per run.',
      spec: costSpec(cost),
    });
  }
  plans.push(
    {
      kind: 'accuracy-matrix',
      title: 'Accuracy matrix (mean over seeds)',
      caption: 'Row: after which training phase ("untrained": the initial model, when measured); column: the task evaluated; numbers are accuracy in %. The lower triangle is memory, the diagonal learning, the upper triangle transfer to tasks not trained yet.',
      spec: accuracyHeatMapSpec(learners.map((l) => ({ learner: l.name, cells: accuracyHeatMap(l.runs) }))),
    },
    {
      kind: 'task-accuracy',
      title: 'Accuracy on each task after it was learned',
      caption: 'One line per task, from the phase that trained it to the end (mean over seeds): a falling line is forgetting. When every value is above 50% (as in task-IL), the axis starts below the lowest, not at 0.',
      spec: taskCurvesSpec(learners.map((l) => ({ learner: l.name, points: taskAccuracyCurves(l.runs) }))),
    },
  );
  const facilitation = learners.map((l) => ({ learner: l.name, points: facilitationPerTask(l.runs, criterion) }));
  const recorded = facilitation.filter((f): f is { learner: string; points: NonNullable<typeof f.points> } => f.points !== null);
  if (recorded.length > 0) {
    plans.push({
      kind: 'facilitation',
      title: 'Forward facilitation: how fast each new task is learned',
      caption: `Per task, mean over seeds (Davidson & Mozer 2020). Epochs to criterion average the seeds that reached θ = ${Math.round(100 * criterion)}%; a task no seed brought to θ has no point. Falling epochs and rising first-epoch accuracy mean later tasks are learned faster.`,
      spec: facilitationSpec(recorded, criterion, Math.max(...learners.flatMap((l) => l.runs.map((r) => r.training.epochs)))),
    });
  }
  const counts = rehearsalCountPanels(learners);
  if (counts.length > 0) {
    plans.push({
      kind: 'rehearsal-counts',
      title: 'Rehearsal schedule: examples per phase and task',
      caption: 'Examples of each task (column) that the schedule puts in each phase (row), mean over seeds: the diagonal is the new task, the cells left of it are rehearsal. Stochastic sampling draws around these counts.',
      spec: rehearsalCountsSpec(counts),
    });
  }
  return plans;
}

function describeScenario(group: ScenarioGroup): string {
  const r = group.first;
  const seeds = [...new Set(group.learners.flatMap((l) => l.runs.map((run) => run.seed)))].sort((a, b) => a - b);
  const backends = [...new Set(group.learners.map((l) => l.row.backend).filter(Boolean))];
  const facts = [
    `${r.scenario.kind} ${escapeHtml(r.scenario.dataset)}`,
    `${r.scenario.setting}-incremental`,
    `${r.tasks.length} tasks`,
    shared(group, 'model', `MLP ${[...r.model.hidden].join('-')}`),
    shared(group, 'training', `${r.training.epochs} epoch(s) a task, batch ${r.training.batchSize}, ${r.training.optimizer} lr ${r.training.lr}`),
    `seeds ${seeds.join(', ') || '—'}`,
    `backend ${backends.join(', ')}`,
  ];
  return `<p class="meta">${facts.map((f) => `<span class="fact">${f}</span>`).join(' · ')}</p>`;
}

/**
 * A setting as the heading states it: the first run's, when every learner of the section has the same;
 * otherwise the distinct values, so the heading never claims one model or training for rows that differ.
 */
function shared(group: ScenarioGroup, field: 'model' | 'training', first: string): string {
  const values = [...new Set(group.learners.map((l) => l.row[field]))];
  return values.length <= 1 ? first : `${field} differs by learner: ${values.map(escapeHtml).join(' | ')}`;
}

function definitions(): string {
  const items = METRICS.map((m) => `<dt>${escapeHtml(m.label)}</dt><dd>${escapeHtml(m.definition)}</dd>`).join('');
  return `<details><summary>Column definitions</summary><dl class="definitions">${items}<dt>↑ / ↓</dt><dd>higher / lower is better; the best value of each column is bold on green.</dd></dl></details>`;
}

/** `chartIndex` numbers the figures across the whole page, keeping their SVG ids apart. */
export async function scenarioSection(group: ScenarioGroup, chartIndex: { next: number }): Promise<string> {
  const figures: string[] = [];
  for (const plan of planCharts(group)) {
    const { svg } = await renderSvg(plan.spec, `chart${chartIndex.next++}`);
    const name = escapeHtml(exportName(group.title, plan.kind));
    const save = `<p class="export">Save: <a href="#" data-export="svg" data-name="${name}">SVG</a> · <a href="#" data-export="png" data-name="${name}">PNG</a></p>`;
    figures.push(`<figure class="chart" data-chart="${plan.kind}"><h3>${escapeHtml(plan.title)}</h3>${svg}<figcaption>${escapeHtml(plan.caption)}</figcaption>${save}</figure>`);
  }
  const table = leaderboardHtmlTables(group.learners.map((l) => l.row), group.learners.map((l) => l.name));
  const empty = figures.length === 0 ? '<p class="note">No run of this scenario completed, so there is nothing to plot.</p>' : '';
  return `<section class="scenario" id="${anchorId(group.title)}">
<h2>${escapeHtml(group.title)}</h2>
${describeScenario(group)}
${table}
${definitions()}
${empty}<div class="charts">
${figures.join('\n')}
</div>
</section>`;
}
