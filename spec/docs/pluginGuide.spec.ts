/**
 * Follows the plugin guide (docs/plugins.md, "Writing a learner plugin") literally: its listings are written
 * to a fresh project as the guide names them, and its commands run there. The guide's `npm init` / `npm
 * install /path/to/clbench` steps are done by pluginProject() (the same package.json and link, without npm).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { clbench } from '../helpers/cli.js';
import { pluginProject, REPO_ROOT, type PluginProject } from '../helpers/pluginProject.js';
import { blocks, doc, docSection } from '../helpers/readme.js';

function only<T>(items: T[], what: string): T {
  expect(items, what).to.have.length(1);
  return items[0];
}

describe('docs/plugins.md: Writing a learner plugin, followed literally', function () {
  this.timeout(300000);
  const guide = doc('plugins.md');
  let project: PluginProject;

  /** Runs a command the guide gives, after checking the guide gives it verbatim. */
  function run(command: string): ReturnType<typeof clbench> {
    expect(guide, 'the guide gives this command').to.contain(command);
    const [tool, ...args] = command.replace(/^npx /, '').split(' ');
    if (tool === 'clbench') return clbench(args, project.dir);
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), ...args], { cwd: project.dir, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  before(() => {
    for (const step of ['npm init -y && npm pkg set type=module', 'npm install /path/to/clbench']) expect(guide).to.contain(step);
    project = pluginProject('guide');
    expect(blocks(guide, 'js'), 'the JavaScript listings: the guide\'s and the building blocks\'').to.have.length(2);
    project.write('my-learner.js', only(blocks(docSection('plugins.md', 'A complete plugin'), 'js'), 'the JavaScript listing'));
    project.write('fisher-pull.js', only(blocks(docSection('plugins.md', 'Building blocks'), 'js'), 'the building blocks\' listing'));
    project.write('my-suite.json', only(blocks(guide, 'json').filter((b) => b.includes('"plugins"')), 'the suite listing'));
    project.write('tsconfig.json', only(blocks(guide, 'json').filter((b) => b.includes('"compilerOptions"')), 'the tsconfig listing'));
    project.write('my-learner.ts', only(blocks(guide, 'ts'), 'the TypeScript listing'));
  });

  it('the plugin passes check-plugin', () => {
    const result = run('npx clbench check-plugin my-learner.js');
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain("learner 'my-learner' (my-learner.js)").and.to.contain('PASS: 34 passed, 0 failed, 0 skipped');
  });

  it('the suite runs it through its "plugins" field', () => {
    const result = run('npx clbench run my-suite.json');
    expect(result.status, result.stderr).to.equal(0);
    const csv = readFileSync(path.join(project.dir, 'clbench-results', 'my-learner-try', 'leaderboard.csv'), 'utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.learner, r.seeds])).to.deep.equal([
      ['naive', '1'],
      ['my-learner(strength=1)', '1'],
    ]);
    // the pull towards the previous weights does what it is for
    expect(Number(rows[1].forgetting_max_mean)).to.be.lessThan(Number(rows[0].forgetting_max_mean));
  });

  it('the TypeScript version compiles with the given tsconfig and passes check-plugin', () => {
    const compiled = run('npx tsc');
    expect(compiled.status, compiled.stdout).to.equal(0);
    const result = run('npx clbench check-plugin dist/my-learner.js');
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain('PASS: 34 passed, 0 failed, 0 skipped');
  });

  it('the building blocks example (fisherDiagonal + QuadraticPenalty, its generator in its state) passes check-plugin', () => {
    const result = run('npx clbench check-plugin fisher-pull.js');
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain("learner 'fisher-pull' (fisher-pull.js)").and.to.contain('PASS: 34 passed, 0 failed, 0 skipped');
  });
});
