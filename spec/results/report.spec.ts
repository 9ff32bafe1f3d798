import { expect } from 'chai';
import { METRICS } from '../../metrics/index.js';
import { buildReport } from '../../results/report/index.js';
import { groupByScenario } from '../../results/report/data.js';
import { bestValue } from '../../results/report/leaderboardTable.js';
import { accuracyDomain, costSpec, taskCurvesSpec } from '../../results/report/charts.js';
import { renderSvg, scopeSvgIds } from '../../results/report/render.js';
import { planCharts } from '../../results/report/section.js';
import { textWidth, vegaTextWidth, wrapText } from '../../results/report/textWidth.js';
import { METRIC_UNITS } from '../../results/report/units.js';
import { makeRecord, toyRecords } from './records.js';

/** The figures of a report page: their data-chart kind and inner HTML. */
function figures(html: string): { kind: string; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ kind: m[1], body: m[2] }));
}

describe('HTML report', function () {
  this.timeout(60000);
  let html: string;
  before(async () => {
    html = await buildReport(toyRecords(), { sources: ['results/toy'], generatedAt: new Date('2025-01-01T00:00:00Z') });
  });

  it('plans every chart the records support, in page order', () => {
    const [group] = groupByScenario(toyRecords());
    expect(planCharts(group).map((p) => p.kind)).to.deep.equal(['average-accuracy', 'cost', 'accuracy-matrix', 'task-accuracy', 'facilitation', 'rehearsal-counts']);
  });

  it('leaves out the charts whose data a run did not record', () => {
    const bare = [makeRecord({ matrix: [[0.9, 0.1], [0.5, 0.8]] }), makeRecord({ learner: 'joint', position: [0, 1], matrix: [[0.9, 0.1], [0.9, 0.9]] })];
    expect(planCharts(groupByScenario(bare)[0]).map((p) => p.kind)).to.deep.equal(['average-accuracy', 'cost', 'accuracy-matrix', 'task-accuracy']);
  });

  it('renders every chart with Vega without a single warning', async () => {
    const [group] = groupByScenario(toyRecords());
    for (const plan of planCharts(group)) {
      const { svg, warnings } = await renderSvg(plan.spec, plan.kind);
      expect(warnings, plan.kind).to.deep.equal([]);
      expect(svg, plan.kind).to.match(/^<svg[^>]* width="\d+" height="\d+"/);
      expect(svg.match(/<(path|rect|text)\b/g)?.length ?? 0, plan.kind).to.be.greaterThan(10);
    }
  });

  it('draws a legend entry for each of 42 learners (the AdaB²N core suite has 42 rows; Vega crashed past 30)', async () => {
    const many = Array.from({ length: 42 }, (_, i) =>
      makeRecord({ learner: `learner ${String(i).padStart(2, '0')}`, position: [0, i], matrix: [[0.9, 0.1], [0.5 + i / 100, 0.8]], newTaskCurves: [[0.8, 0.9], [0.7, 0.8]] }),
    );
    const [group] = groupByScenario(many);
    for (const plan of planCharts(group).filter((p) => p.kind === 'average-accuracy' || p.kind === 'cost')) {
      const { svg, warnings } = await renderSvg(plan.spec, plan.kind);
      expect(warnings, plan.kind).to.deep.equal([]);
      for (const i of [0, 29, 30, 41]) expect(svg, `${plan.kind}: legend entry ${i}`).to.contain(`learner ${String(i).padStart(2, '0')}`);
    }
  });

    it('is one self-contained page: an <svg> per chart, inline style and script, nothing fetched', () => {
    const figs = figures(html);
    expect(figs.map((f) => f.kind)).to.deep.equal(['average-accuracy', 'cost', 'accuracy-matrix', 'task-accuracy', 'facilitation', 'rehearsal-counts']);
    for (const f of figs) expect(f.body, f.kind).to.match(/<svg[\s\S]+<\/svg>/);
    expect(html).to.match(/^<!doctype html>/).and.to.contain('<style>').and.to.contain('<script>');
    // no external resource: every src/href is a fragment
    const links = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(links.filter((l) => !l.startsWith('#'))).to.deep.equal([]);
    expect(html).to.not.match(/<link\b|@import|url\(http/);
  });

  it('keeps every SVG id unique across the page', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).to.be.greaterThan(0);
    expect(ids.length).to.equal(new Set(ids).size);
    for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids, ref[1]).to.include(ref[1]);
  });

  it('marks the best value of each ranked column (higher or lower is better)', () => {
    const table = html.slice(html.indexOf('<table'), html.indexOf('</table>'));
    const rowOf = (name: string) => table.slice(table.indexOf(`data-value="${name}"`)).split('</tr>')[0];
    // ACC: joint (2.8/3 and 2.65/3: 90.83% ± 0.05/√2) beats replay (76.67%) and naive (43.33%)
    expect(rowOf('joint')).to.match(/<td data-value="0\.908\d*" class="best"><span class="mean">90\.83<\/span><span class="std">± 3\.54<\/span>/);
    // examples trained: fewer is better, naive trains on 900
    expect(rowOf('naive')).to.match(/<td data-value="900" class="best">/);
    expect(rowOf('naive')).to.contain('1 diverged');
  });

  it('marks nothing in a column where every learner ties', () => {
    expect(bestValue([0.5, 0.5, null], true)).to.equal(null);
    expect(bestValue([0.5], true)).to.equal(null);
    expect(bestValue([0.5, 0.7], null)).to.equal(null);
    expect(bestValue([0.5, 0.7, 0.7], true)).to.equal(0.7);
    expect(bestValue([3, 1, 2], false)).to.equal(1);
  });

  it('says how the band and the table cells summarise seeds', () => {
    expect(html).to.contain('min–max, not ± std');
    expect(html).to.contain('mean ± sample standard deviation');
  });

  it('reports a scenario whose runs all diverged with its table and no charts', async () => {
    const page = await buildReport([makeRecord({ matrix: [[0.5]], status: 'diverged' })], { sources: ['x'] });
    expect(figures(page)).to.deep.equal([]);
    expect(page).to.contain('nothing to plot');
    expect(page).to.contain('1 diverged');
  });

  it('escapes names taken from suites', async () => {
    const page = await buildReport([makeRecord({ learner: '<img src=x onerror=alert(1)>', matrix: [[0.5]] })], { sources: ['x'] });
    expect(page).to.not.contain('<img');
    expect(page).to.contain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('report helpers', () => {
  it('gives every metric of the catalogue a display unit', () => {
    expect(METRICS.filter((m) => METRIC_UNITS[m.key] === undefined).map((m) => m.key)).to.deep.equal([]);
  });

  it('scopes SVG ids so two drawings cannot reference each other', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'a')).to.equal('<svg><defs><clipPath id="a-clip1"><rect/></clipPath></defs><g clip-path="url(#a-clip1)"/><use href="#a-clip1"/></svg>');
    expect(scopeSvgIds('<svg><g/></svg>', 'a')).to.equal('<svg><g/></svg>');
  });

  it('measures text with Helvetica/Arial advance widths, capped at a label limit', () => {
    // H 722 + e 556 + l 222 + l 222 + o 556 = 2278 thousandths of an em
    expect(textWidth('Hello', 10)).to.be.closeTo(22.78, 1e-9);
    expect(textWidth('iiii', 12)).to.be.lessThan(textWidth('MMMM', 12) / 3);
    expect(vegaTextWidth({ fontSize: 10 }, 'Hello')).to.be.closeTo(22.78, 1e-9);
    expect(vegaTextWidth({ fontSize: 10, limit: 15 }, 'Hello')).to.equal(15);
    expect(vegaTextWidth({ fontSize: 10, fontWeight: 'bold' }, 'Hello')).to.be.greaterThan(22.78);
    expect(vegaTextWidth({}, 'Hello')).to.be.closeTo(2.278 * 11, 1e-9);
  });

  it('wraps long labels at their joints to a width, cutting runs without one', () => {
    // at 12 px, 100 px hold 8333 thousandths of an em: 'ewc(lambda=600,' is 7920, adding 'fisher' overflows
    expect(wrapText('ewc(lambda=600,fisher=empirical) with a note', 100, 12)).to.deep.equal(['ewc(lambda=600,', 'fisher=empirical)', 'with a note']);
    expect(wrapText('naive', 100, 12)).to.deep.equal(['naive']);
    expect(wrapText('M'.repeat(30), 50, 10)).to.deep.equal(['MMMMMM', 'MMMMMM', 'MMMMMM', 'MMMMM…']);
  });
});

describe('HTML report axes and figure export', function () {
  this.timeout(60000);
  /** the text labels of an SVG */
  const labels = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

  it('writes training seconds as numbers, never as 1e+1', async () => {
    const points = [5, 10, 20].map((t, i) => ({ learner: `l${i}`, accuracyMean: 0.5, accuracyStd: 0, examplesTrained: 1000 * (i + 1), trainSeconds: t }));
    const { svg, warnings } = await renderSvg(costSpec(points), 'cost');
    expect(warnings).to.deep.equal([]);
    const text = labels(svg);
    expect(text.filter((l) => /e[+-]\d/.test(l))).to.deep.equal([]);
    expect(text).to.include.members(['10', '20']);
  });

  it('zooms the accuracy axis of task curves when every value is high (task-IL), not otherwise', async () => {
    expect(accuracyDomain([0.961, 0.99, 1])).to.deep.equal([0.95, 1]);
    expect(accuracyDomain([0.93, 1])).to.deep.equal([0.9, 1]);
    expect(accuracyDomain([0.999, 1])).to.deep.equal([0.95, 1]);
    expect(accuracyDomain([0.2, 0.99])).to.deep.equal([0, 1]);
    expect(accuracyDomain([])).to.deep.equal([0, 1]);
    const points = [1, 2, 3].flatMap((phase) => [1, 2, 3].filter((task) => task <= phase).map((task) => ({ afterPhase: phase, task, accuracy: 1 - 0.012 * (phase - task) - 0.01 * task })));
    const { svg, warnings } = await renderSvg(taskCurvesSpec([{ learner: 'naive', points }]), 'curves');
    expect(warnings).to.deep.equal([]);
    // 95.0% … 100.0%: the 96–100% differences get the whole height
    expect(labels(svg)).to.include.members(['95.0%', '100.0%']);
    expect(labels(svg)).to.not.include('0%');
  });

  it('gives every figure SVG and PNG links named after the scenario and chart, and the script that saves them', async () => {
    const page = await buildReport(toyRecords(), { sources: ['toy'] });
    const all = figures(page);
    expect(all.length).to.be.greaterThan(3);
    for (const f of all) {
      expect(f.body).to.match(new RegExp(`<a href="#" data-export="svg" data-name="[^"]*-${f.kind}">SVG</a>`));
      expect(f.body).to.match(new RegExp(`<a href="#" data-export="png" data-name="[^"]*-${f.kind}">PNG</a>`));
    }
    expect(page).to.contain("querySelectorAll('a[data-export]')").and.to.contain("canvas.toBlob");
  });
});

