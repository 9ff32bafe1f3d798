// `npm run mutate [-- ROOM…]`: StrykerJS mutation testing (stryker.config.mjs), one Stryker run per room,
// each with the specs that exercise it, its own incremental file and HTML report (reports/mutation/<room>-
// incremental.json and <room>.html; reports/ is not committed, so a second run in the same checkout reuses
// the results of unchanged mutants and tests). Without ROOMs, every room. See docs/mutation.md.
//
// Stryker 10 (the release whose mocha runner is meant for mocha 12) declares Node >= 22 and its CLI refuses
// older versions (a check at the top of its CLI module, which the package's entry point imports); the
// project supports Node 20, where Stryker's API runs the same way. So this loads the API's own module, by
// path, and calls it instead of the CLI.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
require('./stryker-mocha12.cjs');
const core = path.dirname(require.resolve('@stryker-mutator/core/package.json'));
const { Stryker } = await import(pathToFileURL(path.join(core, 'dist', 'src', 'stryker.js')).href);

/** The rooms where a wrong number hides: what is mutated, and the compiled specs that test it. */
export const ROOMS = {
  metrics: {
    mutate: ['metrics/**/*.ts'],
    specs: ['metrics/*.spec.js', 'results/tables.spec.js', 'results/perPhase.spec.js', 'results/reportData.spec.js'],
  },
  schedules: {
    mutate: ['scenarios/schedules.ts', 'scenarios/scheduleCounts.ts', 'scenarios/scheduleSpec.ts'],
    specs: ['scenarios/schedules.spec.js', 'run/schedules.spec.js'],
  },
  'learner-parts': {
    mutate: ['learners/parts/quadraticPenalty.ts', 'learners/parts/importance.ts', 'learners/parts/distillation.ts', 'learners/parts/losses.ts', 'learners/memory/replayMemory.ts', 'learners/parts/gradientProjection.ts'],
    specs: ['learners/*.spec.js', 'run/evaluate.spec.js'],
  },
  aggregation: {
    mutate: ['results/leaderboard.ts'],
    specs: ['results/leaderboard.spec.js', 'results/tables.spec.js', 'results/perPhase.spec.js', 'results/reportData.spec.js', 'metrics/aggregate.spec.js'],
  },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((room) => !(room in ROOMS));
if (unknown.length > 0) throw new Error(`unknown room(s) ${unknown.join(', ')}; rooms: ${Object.keys(ROOMS).join(', ')}`);
const scores = [];
for (const room of asked.length > 0 ? asked : Object.keys(ROOMS)) {
  const { mutate, specs } = ROOMS[room];
  const results = await new Stryker({
    configFile: 'stryker.config.mjs',
    mutate,
    mochaOptions: { 'no-config': true, spec: specs.map((s) => `dist/spec/${s}`) },
    incrementalFile: `reports/mutation/${room}-incremental.json`,
    htmlReporter: { fileName: `reports/mutation/${room}.html` },
    jsonReporter: { fileName: `reports/mutation/${room}.json` },
  }).runMutationTest();
  // Stryker's score: killed + timeout over all valid mutants (no-coverage survivors count against it)
  const valid = results.filter((m) => !['Ignored', 'CompileError', 'RuntimeError'].includes(m.status));
  const detected = valid.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
  scores.push(`${room.padEnd(14)} ${((100 * detected) / Math.max(1, valid.length)).toFixed(2)}%  (${detected} of ${valid.length} mutants detected; ${results.length - valid.length} ignored)`);
}
console.log(`\nmutation score by room:\n${scores.map((s) => `  ${s}`).join('\n')}`);
