/**
 * The import direction of the architecture (docs/architecture.md, tools/rooms.cjs), enforced: dependency-cruiser checks every
 * import of the project against .dependency-cruiser.cjs (which room may import which, learner methods only
 * through the registry, no cycles), and the table of rooms in docs/architecture.md is the one the rules use.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/pluginProject.js';

const require = createRequire(import.meta.url);
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');
const ROOTS = ['index.ts', 'core', 'scenarios', 'models', 'backends', 'learners', 'metrics', 'suite', 'results', 'store', 'run', 'plugins', 'exec', 'cli', 'bench', 'spec'];

describe('architecture: the import direction', function () {
  this.timeout(120000);

  it('every import follows the rules of .dependency-cruiser.cjs (dependency-cruiser)', () => {
    // the package's command (its package.json is not exported, so the path is spelled out)
    const bin = path.join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const result = spawnSync(process.execPath, [bin, '--config', CONFIG, '--output-type', 'json', ...ROOTS], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(result.status, result.stderr).to.be.oneOf([0, 1]);
    const report = JSON.parse(result.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
    const violations = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).to.deep.equal([]);
    // the cruise resolved the project's .js import specifiers to its .ts files (else it would see almost nothing)
    expect(report.summary.totalCruised).to.be.above(200);
  });

  it('docs/architecture.md lists, for every room, the rooms the rules let it import', () => {
    const { MAY_IMPORT } = require(path.join(REPO_ROOT, 'tools', 'rooms.cjs')) as { MAY_IMPORT: Record<string, string[]> };
    const text = readFileSync(path.join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    // the table of rooms: under '## Rooms', before the table of learners' parts
    const doc = text.slice(text.indexOf('## Rooms'), text.indexOf('Outside the rooms'));
    const table: Record<string, string[]> = {};
    for (const match of doc.matchAll(/^\| `(\w+)\/` \| [^|]+ \| ([^|]*) \|$/gm))
      table[match[1]] = match[2].trim() === 'nothing' ? [] : [...match[2].matchAll(/`(\w+)\/`/g)].map((m) => m[1]);
    expect(table).to.deep.equal(MAY_IMPORT);
  });
});
