/**
 * Learner plugins through the `clbench` command, as a user meets them: the example plugin checked and
 * run (loaded by --plugin and by a suite's "plugins", with one worker thread and with several), a plugin
 * in a separate project, and the ways a plugin can fail.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RunRecord } from '../../results/record.js';
import { clbench } from '../helpers/cli.js';
import { pluginProject, REPO_ROOT, type PluginProject } from '../helpers/pluginProject.js';
import { tinySuite } from '../helpers/suites.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'recency-replay');
/** the example plugin package's built module (`npm run build` compiles examples/recency-replay/src) */
const EXAMPLE_PLUGIN = path.join(EXAMPLE, 'dist', 'recency-replay.js');

/** A plugin learner that trains phase 1 and throws in phase 2. */
const THROWING_PLUGIN = `import { BaseSgdLearner, defineLearner } from 'clbench';

class ThrowsInPhase2 extends BaseSgdLearner {
  async beforePhase(phase) {
    if (phase.index === 1) throw new Error('boom in phase 2');
  }
}

export default defineLearner({
  name: 'test-throws-plugin',
  description: 'throws when phase 2 starts',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: (options, ctx) => new ThrowsInPhase2(ctx, options),
});
`;

/** A plugin learner that leaks a tensor at every training step. */
const LEAKY_PLUGIN = `import { BaseSgdLearner, defineLearner, tf } from 'clbench';

class Leaky extends BaseSgdLearner {
  kept = [];
  trainStep(batch, phase) {
    this.kept.push(tf.keep(tf.scalar(0)));
    return super.trainStep(batch, phase);
  }
  dispose() {
    tf.dispose(this.kept);
    super.dispose();
  }
}

export default defineLearner({
  name: 'test-leaky-plugin',
  description: 'leaks a tensor every step',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: (options, ctx) => new Leaky(ctx, options),
});
`;

function records(outDir: string): RunRecord[] {
  const dir = path.join(outDir, 'runs');
  return readdirSync(dir).map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as RunRecord);
}

describe('learner plugins through the clbench command', function () {
  this.timeout(300000);
  let project: PluginProject;
  before(() => {
    project = pluginProject('plugins-cli');
  });

  it('check-plugin reports every check of each plugin: the example passes, a leaky plugin fails (exit 1)', () => {
    const leaky = project.write('leaky.js', LEAKY_PLUGIN);
    const result = clbench(['check-plugin', 'examples/recency-replay/dist/recency-replay.js', leaky], REPO_ROOT);
    expect(result.status, result.stderr).to.equal(1);
    const [example, broken] = result.stdout.split(/\n(?=learner ')/);
    expect(example).to.match(/^learner 'recency-replay' \(examples\/recency-replay\/dist\/recency-replay\.js\)\n/);
    for (const setting of ['task-IL', 'domain-IL', 'class-IL'])
      for (const check of ['trains 3 phases', 'epochs', 'predict', 'steps', 'phases', 'dispose', 'deterministic', 'state/restore'])
        expect(example).to.match(new RegExp(`  PASS  ${setting} ${check} `));
    expect(example).to.match(/\nPASS: 34 passed, 0 failed, 0 skipped$/);
    expect(broken).to.match(/^learner 'test-leaky-plugin' \(.*leaky\.js\)\n/);
    expect(broken).to.match(/  FAIL  task-IL steps +phase 1: live tensors went \d+ → \d+ over 5 steps: a training step leaks \(wrap it in tf\.tidy\)/);
    expect(broken).to.match(/\nFAIL: \d+ passed, [1-9]\d* failed, 0 skipped\n$/);
  });

  it('runs plugins named by --plugin in worker threads; a plugin learner that throws fails its run only (exit 1)', () => {
    const throwing = project.write('throwing.js', THROWING_PLUGIN);
    const suite = project.write(
      'mixed.json',
      JSON.stringify(tinySuite({ learners: [{ name: 'naive' }, { name: 'recency-replay', options: { perTask: 10 } }, { name: 'test-throws-plugin' }] })),
    );
    const out = path.join(project.dir, 'out-mixed');
    const result = clbench(['run', suite, '--plugin', EXAMPLE_PLUGIN, '--plugin', throwing, '--workers', '2', '--out', out], project.dir);
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/2 worker\(s\)/).and.to.match(/1 run\(s\) did not complete: .*test-throws-plugin.* \(failed\)/);
    const byLearner = Object.fromEntries(records(out).map((r) => [r.learner.name, r]));
    expect(byLearner['naive'].status).to.equal('completed');
    expect(byLearner['recency-replay'].status).to.equal('completed');
    expect(byLearner['recency-replay'].learner.options).to.deep.equal({ perTask: 10, window: 1 });
    expect(byLearner['test-throws-plugin'].status).to.equal('failed');
    expect(byLearner['test-throws-plugin'].error).to.equal("learner 'test-throws-plugin': boom in phase 2");
    expect(byLearner['test-throws-plugin'].accuracy.matrix).to.have.length(1);
  });

  // with --workers 1 too, a suite that loads plugins runs in a worker thread (plugin code never runs where it could end the suite)
  it("runs the example suite, which loads the plugin through its \"plugins\" field, with one worker", () => {
    const out = path.join(project.dir, 'out-example');
    const result = clbench(['run', path.join(EXAMPLE, 'suite.json'), '--workers', '1', '--out', out], project.dir);
    expect(result.status, result.stderr).to.equal(0);
    const rows = parse(readFileSync(path.join(out, 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.learner, r.seeds])).to.deep.equal([
      ['naive', '1'],
      ['recency-replay(perTask=30)', '1'],
      ['recency-replay(perTask=30,window=3)', '1'],
    ]);
    // remembering three tasks forgets less than fine-tuning does
    const forgetting = rows.map((r) => Number(r.forgetting_max_mean));
    expect(forgetting[2]).to.be.lessThan(forgetting[0]);
  });

  it('stops before anything runs when a plugin cannot be loaded (exit 2, the plugin named)', () => {
    project.write('no-default.js', 'export const learner = 1;\n');
    const viaSuite = project.write('via-suite.json', JSON.stringify(tinySuite({ plugins: ['./no-default.js'] })));
    const out = path.join(project.dir, 'out-not-written');
    const cases: [string[], RegExp][] = [
      [['run', viaSuite, '--out', out], /plugin no-default\.js: the module has no default export\n  fix: end the module with `export default defineLearner/],
      [['check-plugin', 'missing.js'], /plugin missing\.js: cannot find the plugin file\n  fix: check the path/],
    ];
    for (const [args, message] of cases) {
      const result = clbench(args, project.dir);
      expect(result.status, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
      expect(result.stderr, args.join(' ')).to.not.match(/\n\s+at /);
      expect(result.stdout, args.join(' ')).to.equal('');
    }
    expect(existsSync(out), 'no results folder').to.equal(false);
  });

  it('validate and list load plugins too', () => {
    const suite = project.write('uses-plugin.json', JSON.stringify(tinySuite({ learners: [{ name: 'recency-replay', options: { window: 2 } }] })));
    const valid = clbench(['validate', suite, '--plugin', EXAMPLE_PLUGIN], project.dir);
    expect(valid.status, valid.stderr).to.equal(0);
    expect(valid.stdout).to.contain('valid — 1 run (1 scenario × 1 learner × 1 seed)');
    const list = clbench(['list', '--plugin', 'examples/recency-replay/dist/recency-replay.js'], REPO_ROOT);
    expect(list.status, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/recency-replay +Replay a random sample .* \(plugin examples\/recency-replay\/dist\/recency-replay\.js\)/);
    expect(list.stdout).to.contain('perTask (integer, default 50): examples kept from each remembered task');
  });

  it('type-checks the example in a separate project against the package declarations', () => {
    // the example package's own tsconfig, in a project that has clbench installed; plus a copy with a misspelt option
    const example = readFileSync(path.join(EXAMPLE, 'src', 'recency-replay.ts'), 'utf8');
    const typed = pluginProject('plugins-types');
    typed.write('tsconfig.json', JSON.stringify({ ...JSON.parse(readFileSync(path.join(EXAMPLE, 'tsconfig.json'), 'utf8')), compilerOptions: { ...JSON.parse(readFileSync(path.join(EXAMPLE, 'tsconfig.json'), 'utf8')).compilerOptions, noEmit: true } }));
    typed.write('src/recency-replay.ts', example);
    typed.write('src/misspelt.ts', example.replace('this.options.perTask,', 'this.options.perTaks,'));
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', typed.dir], { cwd: typed.dir, encoding: 'utf8' });
    const errors = result.stdout.split('\n').filter((line) => /error TS/.test(line));
    expect(errors, result.stdout).to.have.length(1);
    expect(errors[0]).to.match(/^src\/misspelt\.ts\(\d+,\d+\): error TS2551: Property 'perTaks' does not exist on type 'RecencyReplayOptions'/);
  });

  it('loads plugins by package name: the example package from its own folder (check-plugin, its npm test) and from a project that installed it', () => {
    // inside the example package, its own name resolves (Node's package self-reference), as `npm test` there does
    const check = clbench(['check-plugin', 'clbench-recency-replay'], EXAMPLE);
    expect(check.status, check.stderr).to.equal(0);
    expect(check.stdout).to.match(/^learner 'recency-replay' \(dist\/recency-replay\.js\)\n/);
    expect(check.stdout).to.match(/\nPASS: \d+ passed, 0 failed, 0 skipped\n$/);
    // a project with the package in node_modules (here a link, as `npm install ../clbench-recency-replay` makes)
    const user = pluginProject('plugins-by-name');
    symlinkSync(EXAMPLE, path.join(user.dir, 'node_modules', 'clbench-recency-replay'), 'dir');
    const suite = user.write('suites/by-name.json', JSON.stringify(tinySuite({ plugins: ['clbench-recency-replay'], learners: [{ name: 'recency-replay', options: { perTask: 10 } }] })));
    const out = path.join(user.dir, 'out-by-name');
    // from another folder: the suite's folder is searched first, then the current folder
    const run = clbench(['run', suite, '--workers', '2', '--out', out], REPO_ROOT);
    expect(run.status, run.stderr).to.equal(0);
    expect(records(out).map((r) => [r.learner.name, r.status])).to.deep.equal([['recency-replay', 'completed']]);
    const listed = clbench(['list', '--plugin', 'clbench-recency-replay'], user.dir);
    expect(listed.status, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/recency-replay +Replay a random sample .* \(plugin clbench-recency-replay\)/);
    const missing = clbench(['validate', suite, '--plugin', 'clbench-not-installed'], user.dir);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/plugin clbench-not-installed \(--plugin\): no such file and no installed package: looked for the file .*clbench-not-installed, then for the package 'clbench-not-installed' in .*node_modules/);
    expect(missing.stderr).to.match(/fix: install the plugin package \(`npm install clbench-not-installed`\)/);
  });
});
