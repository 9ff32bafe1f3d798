// clbench as a user installs it: `npm pack` this checkout (its `prepare` script builds dist/, the WASM
// kernels and the example), `npm pack` the example plugin package (examples/recency-replay, its
// `prepack` compiles it), install both tarballs into an empty project, then, in that project:
//   npx clbench check-plugin clbench-recency-replay   (the plugin by package name)
//   npx clbench run suite.json                        (a suite whose "plugins" names the package, on MNIST)
// and check that no devDependency of clbench was installed or needed. Run by .ci/run after `npm test`,
// and by `npm run test:install`. Options:
//   --expect-native   fail unless the installed package built its native backend (CI has a compiler and OpenBLAS)
//   --quick           also run the built-in quick suite (`npx clbench run`, about a minute)
//   --keep            keep the temporary folder (printed) instead of deleting it
// npm 11 asks for a dependency's install scripts to be approved (it warns, and with --strict-allow-scripts
// refuses): the project's package.json allows clbench's (`"allowScripts": { "clbench": true }`, what
// `npm install-scripts approve clbench` writes), whose install script builds the native backend.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const work = mkdtempSync(path.join(tmpdir(), 'clbench-install-'));
const t0 = performance.now();

function step(title) {
  process.stdout.write(`\n== ${title} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

function run(command, commandArgs, cwd, { capture = false } = {}) {
  process.stdout.write(`$ (cd ${path.relative(work, cwd) || path.basename(cwd)}) ${command} ${commandArgs.join(' ')}\n`);
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: capture ? 'pipe' : 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (capture) process.stdout.write(`${result.stdout}${result.stderr}`);
  if (result.status !== 0) fail(`${command} ${commandArgs.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

function fail(message) {
  process.stderr.write(`check-install: FAILED: ${message}\n  (work folder kept: ${work})\n`);
  process.exit(1);
}

function check(ok, message) {
  if (!ok) fail(message);
  process.stdout.write(`ok: ${message}\n`);
}

step(`npm ${spawnSync(npm, ['--version'], { encoding: 'utf8' }).stdout.trim()}, node ${process.version}; work folder ${work}`);
step('npm pack clbench (its prepare script builds it)');
run(npm, ['pack', '--pack-destination', work], root);
step('npm pack the example plugin package (its prepack script compiles it)');
run(npm, ['pack', '--pack-destination', work], path.join(root, 'examples', 'recency-replay'));
const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
const clbenchTgz = tarballs.find((f) => /^clbench-\d/.test(f));
const pluginTgz = tarballs.find((f) => f.startsWith('clbench-recency-replay-'));
check(Boolean(clbenchTgz && pluginTgz), `both tarballs packed: ${tarballs.join(', ')}`);

step('install both into an empty project');
const project = path.join(work, 'project');
rmSync(project, { recursive: true, force: true });
mkdirSync(project, { recursive: true });
// the key `npm install-scripts approve clbench` writes for a tarball install: the tarball's resolved file URL
const allowScripts = { [`file:${path.join(work, clbenchTgz)}`]: true };
writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'clbench-install-check', private: true, type: 'module', allowScripts }, null, 2)}\n`);
run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', `../${clbenchTgz}`, `../${pluginTgz}`], project);

const installed = path.join(project, 'node_modules', 'clbench');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const devOnly = Object.keys(manifest.devDependencies ?? {}).filter((d) => !(d in (manifest.dependencies ?? {})) && !(d in (manifest.optionalDependencies ?? {})));
// a devDependency may still be installed as another package's dependency (@types/node is one of tfjs's):
// then it is there for that package, not for clbench
const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8')).packages;
const requiredBy = (d) =>
  Object.entries(lock)
    .filter(([where, p]) => where !== '' && where !== 'node_modules/clbench' && [p.dependencies, p.optionalDependencies, p.peerDependencies].some((deps) => deps && d in deps))
    .map(([where]) => where.replace(/^.*node_modules\//, ''));
const present = devOnly.filter((d) => existsSync(path.join(project, 'node_modules', d)));
const forClbench = present.filter((d) => requiredBy(d).length === 0);
check(forClbench.length === 0, `no devDependency of clbench installed for clbench (${devOnly.length} checked; ${present.map((d) => `${d} is there for ${requiredBy(d).join(', ')}`).join('; ') || 'none there'})`);
for (const file of ['dist/cli/clbench.js', 'dist/learners/optim/kernels/fusedAdam.wasm', 'suites/quick.json', 'native/clbench.c', 'tools/build-native.mjs'])
  check(existsSync(path.join(installed, file)), `the package holds ${file}`);
check(!existsSync(path.join(installed, 'dist', 'spec')), 'the package leaves the test build out');
const status = JSON.parse(readFileSync(path.join(installed, 'build', 'native-status.json'), 'utf8'));
process.stdout.write(`native backend: ${status.built ? 'built' : `not built (${status.reason})`}\n`);
if (args.has('--expect-native')) check(status.built === true && existsSync(path.join(installed, 'build', 'clbench.node')), 'the install script built the native backend');

step('npx clbench check-plugin clbench-recency-replay');
const checked = run(npx, ['--no-install', 'clbench', 'check-plugin', 'clbench-recency-replay'], project, { capture: true });
check(/\nPASS: \d+ passed, 0 failed, 0 skipped\n/.test(checked.stdout), 'the plugin passes check-plugin, loaded by package name');

step('npx clbench run: a suite naming the plugin by package name');
const suite = {
  name: 'install-check',
  plugins: ['clbench-recency-replay'],
  scenario: { dataset: 'mnist', kind: 'split', tasks: 5, setting: 'class', trainPerTask: 200, testPerTask: 100 },
  model: { hidden: [32] },
  training: { epochs: 1, batchSize: 32 },
  learners: [{ name: 'naive' }, { name: 'recency-replay', options: { perTask: 20 } }],
  seeds: [0],
};
writeFileSync(path.join(project, 'suite.json'), `${JSON.stringify(suite, null, 2)}\n`);
const ran = run(npx, ['--no-install', 'clbench', 'run', 'suite.json', '--workers', '2'], project, { capture: true });
const leaderboard = readFileSync(path.join(project, 'clbench-results', 'install-check', 'leaderboard.csv'), 'utf8');
check(leaderboard.includes('recency-replay(perTask=20)') && leaderboard.includes('naive'), 'the leaderboard has the plugin learner beside naive');
check(existsSync(path.join(project, 'clbench-results', 'install-check', 'report.html')), 'the report was written');
check(!/internal error/.test(ran.stderr), 'no internal error');

if (args.has('--quick')) {
  step('npx clbench run (the built-in quick suite)');
  run(npx, ['--no-install', 'clbench', 'run'], project);
  check(existsSync(path.join(project, 'clbench-results', 'quick', 'leaderboard.csv')), 'the quick suite wrote its leaderboard');
}

step('done');
if (args.has('--keep')) process.stdout.write(`kept: ${work}\n`);
else rmSync(work, { recursive: true, force: true });
process.stdout.write(`check-install: OK in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
