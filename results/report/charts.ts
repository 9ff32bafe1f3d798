/**
 * The report's charts as Vega-Lite specs: pure functions from prepared data (./data.ts) to a spec.
 * Learners keep one colour across every chart of a scenario (the `learners` list fixes the order).
 * Accuracies stay fractions in the data and are shown as percentages by the axis format.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { BandPoint, CostPoint, CountPanel, FacilitationPoint, HeatCell, TaskCurvePoint } from './data.js';
import { wrapText } from './textWidth.js';

const HEADER_FONT_SIZE = 12;

/** Faces with the advance widths that ./textWidth.ts lays labels out with (Liberation Sans on Linux). */
const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333', gridColor: '#e8e8e8' },
  // symbolLimit 0: every learner gets its entry (Vega cuts a legend at 30 entries by default, and that cut
  // crashed rendering with a vertical bottom legend: 'Cannot read properties of undefined (reading push)')
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260, symbolOpacity: 1, symbolLimit: 0, orient: 'bottom', direction: 'vertical' },
  header: { labelFontSize: HEADER_FONT_SIZE, labelLimit: 0, titleFontSize: 12 },
  title: { fontSize: 13, fontWeight: 'normal', anchor: 'start' },
  view: { stroke: '#ddd' },
} as const;

/**
 * The specs below are plain objects built from our data; Vega-Lite's deeply generic spec types reject
 * such literals wholesale, so they are typed here once. The tests render every chart and require
 * Vega-Lite and Vega to compile it without a warning.
 */
function vegaLite(spec: object): TopLevelSpec {
  return spec as TopLevelSpec;
}

/** Ten distinct colours (Tableau 10); learners beyond ten repeat them. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function learnerColor(learners: string[], title: string | null = 'learner') {
  return {
    field: 'learner',
    type: 'nominal',
    title,
    sort: learners,
    scale: { domain: learners, range: learners.map((_, i) => PALETTE[i % PALETTE.length]) },
  } as const;
}

/** Whole numbers only on a count axis (phases, tasks). */
const integerAxis = (title: string) => ({ title, tickMinStep: 1, format: 'd' }) as const;
const accuracyAxis = (title: string) => ({ title, format: '.0%' }) as const;

/**
 * The accuracy axis of a line chart: 0–100% unless every value is high, then from the 5% step below the
 * lowest value (at most 95%), so that task-IL curves between 96% and 100% are told apart. A zoomed axis
 * gets finer labels (one decimal below 10 points of range).
 */
export function accuracyDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const low = Math.floor((Math.min(...finite) - 0.005) * 20) / 20;
  return low >= 0.5 ? [Math.min(0.95, low), 1] : [0, 1];
}

function accuracyLineAxis(title: string, domain: [number, number]) {
  return { title, format: domain[1] - domain[0] < 0.1 ? '.1%' : '.0%' } as const;
}

/** Facet panels side by side, wrapping after three. */
const facetColumns = (panels: number) => Math.min(3, Math.max(1, panels));

/**
 * Facets are keyed by the panel's name wrapped to the panel's width (lines joined by '\n'; the header
 * splits them again), so a long learner label neither overlaps its neighbour nor loses its tail.
 */
function panelName(name: string, panelWidth: number): string {
  return wrapText(name, Math.max(80, panelWidth), HEADER_FONT_SIZE).join('\n');
}

function facetByPanel(names: string[]) {
  return { field: 'panel', type: 'nominal', title: null, sort: names, header: { labelExpr: "split(datum.value, '\\n')" } } as const;
}

/** A square heat-map cell small enough that a panel stays under ~300 px, large enough to read. */
export function cellSize(tasks: number): number {
  return Math.max(14, Math.min(40, Math.floor(300 / Math.max(1, tasks))));
}

/** Accuracy matrix per learner (mean over seeds); cell labels when cells are big enough to hold them. */
export function accuracyHeatMapSpec(panels: { learner: string; cells: HeatCell[] }[]): TopLevelSpec {
  const tasks = Math.max(...panels.flatMap((p) => p.cells.map((c) => c.task)));
  const size = cellSize(tasks);
  const names = panels.map((p) => panelName(p.learner, tasks * size));
  const values = panels.flatMap((p, i) => p.cells.map((c) => ({ panel: names[i], ...c, label: Math.round(100 * c.accuracy) })));
  const x = { field: 'task', type: 'ordinal', title: 'evaluated task', axis: { labelAngle: 0 } } as const;
  const y = { field: 'afterPhase', type: 'ordinal', title: 'after phase', axis: { labelExpr: "datum.value == 0 ? 'untrained' : datum.label" } } as const;
  const layers: object[] = [
    {
      mark: { type: 'rect' },
      encoding: { x, y, color: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1], scheme: 'viridis' }, legend: { format: '.0%', orient: 'right', direction: 'vertical', gradientLength: 120 } } },
    },
  ];
  if (size >= 22) {
    layers.push({
      mark: { type: 'text', fontSize: size >= 30 ? 10 : 9 },
      encoding: { x, y, text: { field: 'label', type: 'quantitative' }, color: { condition: { test: 'datum.accuracy < 0.55', value: 'white' }, value: '#111' } },
    });
  }
  return vegaLite({
    config: CONFIG,
    data: { values },
    facet: facetByPanel(names),
    columns: facetColumns(panels.length),
    spec: { width: { step: size }, height: { step: size }, layer: layers },
  });
}

/** Average accuracy on the tasks seen so far after each phase: mean line, min–max band over seeds. */
export function averageAccuracySpec(series: { learner: string; points: BandPoint[] }[]): TopLevelSpec {
  const learners = series.map((s) => s.learner);
  const values = series.flatMap((s) => s.points.map((p) => ({ learner: s.learner, ...p })));
  const domain = accuracyDomain(values.flatMap((v) => [v.min, v.mean]));
  return vegaLite({
    config: CONFIG,
    data: { values },
    width: 360,
    height: 240,
    encoding: { x: { field: 'phase', type: 'quantitative', axis: integerAxis('after phase'), scale: { domain: [1, Math.max(2, ...values.map((v) => v.phase))] } }, color: learnerColor(learners) },
    layer: [
      { mark: { type: 'area', opacity: 0.16, clip: true }, encoding: { y: { field: 'min', type: 'quantitative', scale: { domain }, axis: accuracyLineAxis('average accuracy on seen tasks', domain) }, y2: { field: 'max' } } },
      { mark: { type: 'line', point: { size: 36 }, strokeWidth: 2 }, encoding: { y: { field: 'mean', type: 'quantitative' } } },
    ],
  });
}

/** Each task's accuracy from the phase that trained it on, one panel per learner. */
export function taskCurvesSpec(panels: { learner: string; points: TaskCurvePoint[] }[]): TopLevelSpec {
  const width = 250;
  const names = panels.map((p) => panelName(p.learner, width));
  const values = panels.flatMap((p, i) => p.points.map((pt) => ({ panel: names[i], ...pt, taskName: `task ${pt.task}` })));
  const tasks = Math.max(...values.map((v) => v.task));
  const taskNames = Array.from({ length: tasks }, (_, j) => `task ${j + 1}`);
  const domain = accuracyDomain(values.map((v) => v.accuracy));
  return vegaLite({
    config: CONFIG,
    data: { values },
    facet: facetByPanel(names),
    columns: facetColumns(panels.length),
    spec: {
      width,
      height: 170,
      mark: { type: 'line', point: { size: 25 }, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'afterPhase', type: 'quantitative', axis: integerAxis('after phase'), scale: { domain: [1, Math.max(2, tasks)] } },
        y: { field: 'accuracy', type: 'quantitative', scale: { domain }, axis: accuracyLineAxis('accuracy', domain) },
        color: {
          field: 'taskName',
          type: 'nominal',
          title: 'evaluated task',
          sort: taskNames,
          scale: { domain: taskNames, scheme: tasks <= 10 ? 'tableau10' : 'viridis' },
          legend: { orient: 'right', direction: 'vertical', columns: tasks > 12 ? 2 : 1 },
        },
      },
    },
  });
}

/** First-epoch accuracy and epochs to criterion per task, one line per learner. */
export function facilitationSpec(series: { learner: string; points: FacilitationPoint[] }[], criterion: number, epochs: number): TopLevelSpec {
  const learners = series.map((s) => s.learner);
  const values = series.flatMap((s) =>
    s.points.map((p) => ({ learner: s.learner, ...p, reached: p.notReached === 0 ? 'every seed reached θ' : 'some seeds never reached θ (mean of the others)' })),
  );
  const tasks = Math.max(2, ...values.map((v) => v.task));
  const x = { field: 'task', type: 'quantitative', axis: integerAxis('task'), scale: { domain: [1, tasks] } } as const;
  return vegaLite({
    config: CONFIG,
    data: { values },
    hconcat: [
      {
        title: 'accuracy on the new task after its first epoch',
        width: 300,
        height: 200,
        mark: { type: 'line', point: { size: 36 }, strokeWidth: 2 },
        encoding: { x, y: { field: 'firstEpochAccuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: accuracyAxis('first-epoch accuracy') }, color: learnerColor(learners) },
      },
      {
        title: `epochs until the new task reaches θ = ${Math.round(100 * criterion)}%`,
        width: 300,
        height: 200,
        // no filter on null epochs: a line breaks at a task no seed brought to θ instead of bridging it
        layer: [
          { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'epochsToCriterion', type: 'quantitative', scale: { domain: [0, Math.max(1, epochs)] }, axis: integerAxis('epochs to criterion') }, color: learnerColor(learners) } },
          {
            mark: { type: 'point', size: 50, filled: true },
            encoding: {
              x,
              y: { field: 'epochsToCriterion', type: 'quantitative' },
              color: learnerColor(learners),
              shape: { field: 'reached', type: 'nominal', title: null, scale: { domain: ['every seed reached θ', 'some seeds never reached θ (mean of the others)'], range: ['circle', 'triangle-up'] } },
            },
          },
        ],
      },
    ],
  });
}

/** Rehearsal schedule: examples of task j replayed in phase i, one panel per distinct schedule. */
export function rehearsalCountsSpec(panels: CountPanel[]): TopLevelSpec {
  const tasks = Math.max(...panels.flatMap((p) => p.cells.map((c) => Math.max(c.task, c.phase))));
  const size = cellSize(tasks);
  const names = panels.map((p) => panelName(p.name, tasks * size));
  const values = panels.flatMap((p, i) => p.cells.map((c) => ({ panel: names[i], ...c, label: Math.round(c.count) })));
  const x = { field: 'task', type: 'ordinal', title: 'task', axis: { labelAngle: 0 } } as const;
  const y = { field: 'phase', type: 'ordinal', title: 'phase' } as const;
  const max = Math.max(1, ...values.map((v) => v.count));
  const layers: object[] = [{ mark: 'rect', encoding: { x, y, color: { field: 'count', type: 'quantitative', title: 'examples', scale: { domain: [0, max], scheme: 'blues' }, legend: { orient: 'right', direction: 'vertical', gradientLength: 120 } } } }];
  if (size >= 22) {
    layers.push({
      mark: { type: 'text', fontSize: 9 },
      encoding: { x, y, text: { field: 'label', type: 'quantitative', format: '~s' }, color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: '#111' } },
    });
  }
  return vegaLite({
    config: CONFIG,
    data: { values },
    facet: facetByPanel(names),
    columns: facetColumns(panels.length),
    spec: { width: { step: size }, height: { step: size }, layer: layers },
  });
}

/** Final average accuracy (mean ± std over seeds) against training time and against examples trained. */
export function costSpec(points: CostPoint[]): TopLevelSpec {
  const learners = points.map((p) => p.learner);
  const values = points.map((p) => ({ ...p, low: Math.max(0, p.accuracyMean - p.accuracyStd), high: Math.min(1, p.accuracyMean + p.accuracyStd) }));
  const panel = (field: 'trainSeconds' | 'examplesTrained', title: string, format: string) => ({
    width: 230,
    height: 200,
    encoding: {
      x: { field, type: 'quantitative', title, axis: { format }, scale: { zero: true, nice: true } },
      color: learnerColor(learners),
    },
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] }, axis: accuracyAxis('final average accuracy') }, y2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { y: { field: 'accuracyMean', type: 'quantitative' } } },
    ],
  });
  return vegaLite({
    config: CONFIG,
    data: { values },
    // ',~r': 10 and 20 seconds read as such (d3's '~g' writes 10 as '1e+1')
    hconcat: [panel('trainSeconds', 'training time per run (s)', ',~r'), panel('examplesTrained', 'examples trained per run', '.3~s')],
  });
}
