/**
 * The report page: one HTML file with its style and its one small script inline and the charts as
 * inline SVG, so it opens anywhere without a network (a paper's supplement, a CI artifact, an e-mail).
 */
import { escapeHtml } from './html.js';
import { SORT_SCRIPT } from './sortScript.js';
import { EXPORT_SCRIPT } from './exportScript.js';

const STYLE = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #dcdcdc; --best: #e3f1df; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 40px 0 4px; padding-top: 16px; border-top: 2px solid var(--rule); overflow-wrap: anywhere; }
h3 { font-size: 15px; margin: 0 0 6px; }
p, li { max-width: 95ch; }
.meta, .note, figcaption { color: var(--muted); }
.meta { margin: 0 0 12px; }
.meta .fact { white-space: nowrap; }
nav ul { padding-left: 20px; margin: 6px 0; }
nav a { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; background: white; border: 1px solid var(--rule); border-radius: 6px; margin: 10px 0 6px; }
table.leaderboard caption { caption-side: top; text-align: left; font-weight: 600; padding: 8px 10px 4px; }
table.leaderboard { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; width: 100%; }
table.leaderboard th, table.leaderboard td { padding: 6px 8px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; }
table.leaderboard thead th { font-weight: 600; font-size: 12px; background: #f3f3f3; cursor: pointer; user-select: none; vertical-align: bottom; min-width: 64px; max-width: 120px; }
table.leaderboard thead th:hover { background: #e9e9e9; }
table.leaderboard thead th[aria-sort] { background: #dce8f6; }
table.leaderboard thead th[aria-sort=ascending]::after { content: " ▲"; }
table.leaderboard thead th[aria-sort=descending]::after { content: " ▼"; }
table.leaderboard th[scope=row], table.leaderboard thead th:first-child { text-align: left; min-width: 140px; max-width: 260px; overflow-wrap: anywhere; font-weight: 500; }
table.leaderboard td .mean { display: block; white-space: nowrap; }
table.leaderboard td .std { display: block; white-space: nowrap; font-size: 11px; color: var(--muted); }
table.leaderboard td .warn { display: block; white-space: nowrap; font-size: 11px; color: #b3261e; }
table.leaderboard td.best { background: var(--best); font-weight: 700; }
details { margin: 4px 0 14px; }
details summary { cursor: pointer; color: var(--muted); }
dl.definitions { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0; font-size: 13px; }
dl.definitions dt { font-weight: 600; }
dl.definitions dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; padding: 12px 14px; background: white; border: 1px solid var(--rule); border-radius: 6px; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12.5px; max-width: 70ch; margin-top: 6px; }
p.export { font-size: 12px; margin: 4px 0 0; color: var(--muted); }
`;

export interface PageParts {
  title: string;
  /** already-escaped HTML */
  header: string;
  sections: string[];
}

export function reportPage(parts: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(parts.title)}</h1>
${parts.header}
${parts.sections.join('\n')}
</main>
<script>${SORT_SCRIPT}</script>
<script>${EXPORT_SCRIPT}</script>
</body>
</html>
`;
}
