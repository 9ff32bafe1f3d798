/**
 * The HTML report of one or more results folders: per scenario the leaderboard table and the charts,
 * in one self-contained file (`clbench report`, and `clbench run` at the end of a suite).
 */
import { CLBENCH_VERSION } from '../../core/version.js';
import { UserError } from '../../core/errors.js';
import type { RunRecord } from '../record.js';
import { writeFileAtomic } from '../../core/files.js';
import { groupByScenario } from './data.js';
import { anchorId, escapeHtml } from './html.js';
import { reportPage } from './page.js';
import { scenarioSection } from './section.js';

export interface ReportOptions {
  /** the results folders the records came from, named in the page header */
  sources: string[];
  /** fixed in tests; defaults to now */
  generatedAt?: Date;
}

export async function buildReport(records: RunRecord[], options: ReportOptions): Promise<string> {
  const groups = groupByScenario(records);
  const suites = [...new Set(records.map((r) => r.suite))];
  const chartIndex = { next: 1 };
  const sections: string[] = [];
  for (const group of groups) sections.push(await scenarioSection(group, chartIndex));
  const counts = (status: RunRecord['status']) => records.filter((r) => r.status === status).length;
  const header = `<p class="meta">${records.length} runs (${counts('completed')} completed, ${counts('diverged')} diverged, ${counts('failed')} failed) from ${options.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')} · clbench ${escapeHtml(CLBENCH_VERSION)} · generated ${(options.generatedAt ?? new Date()).toISOString()}</p>
<p class="note">Accuracies are shown in percent (the CSV leaderboards keep fractions in [0, 1]); table cells are mean ± sample standard deviation over the completed seeds. Hover a column header for its definition; click it to sort.</p>
<nav><strong>Scenarios</strong><ul>${groups.map((g) => `<li><a href="#${anchorId(g.title)}">${escapeHtml(g.title)}</a></li>`).join('')}</ul></nav>`;
  return reportPage({ title: `clbench report: ${suites.join(', ')}`, header, sections });
}

/** Writes the report of `records` (read from the results folders `dirs`) to `out` atomically and returns its path. */
export async function writeReport(records: RunRecord[], dirs: string[], out: string): Promise<string> {
  if (records.length === 0) throw new UserError('no run records to report on', dirs.join(', '), 'run a suite into this folder first (`clbench run --out DIR`)');
  writeFileAtomic(out, await buildReport(records, { sources: dirs }));
  return out;
}
