// Mutation testing of the rooms where a wrong number hides (issue 22): `npm run mutate`. See docs/mutation.md
// for how to run it, the scores measured and the surviving mutants (equivalent or explained).
//
// Stryker mutates the TypeScript sources in a sandbox copy, builds them with tsc (all mutants compiled in,
// one switched on at a time), and runs the compiled mocha specs in dist/spec that exercise these rooms in
// process (coverage per test: each mutant runs only the tests that reach it).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  buildCommand: 'npm run build',
  coverageAnalysis: 'perTest',
  mutate: [
    'metrics/**/*.ts',
    'scenarios/schedules.ts',
    'scenarios/scheduleCounts.ts',
    'scenarios/scheduleSpec.ts',
    'learners/quadraticPenalty.ts',
    'learners/importance.ts',
    'learners/distillation.ts',
    'learners/losses.ts',
    'learners/replayMemory.ts',
    'learners/gradientProjection.ts',
    'results/leaderboard.ts',
  ],
  // the sources are type-checked by `npm test`; a mutant only has to compile
  disableTypeChecks: '{metrics,scenarios,learners,results}/**/*.ts',
  mochaOptions: {
    'no-config': true,
    spec: [
      'dist/spec/metrics/*.spec.js',
      'dist/spec/scenarios/schedules.spec.js',
      'dist/spec/runner/schedules.spec.js',
      'dist/spec/learners/*.spec.js',
      'dist/spec/runner/evaluate.spec.js',
      'dist/spec/results/tables.spec.js',
      'dist/spec/results/perPhase.spec.js',
      'dist/spec/results/reportData.spec.js',
    ],
  },
  // module-level code (schema and description literals) would need a fresh process per mutant: not scored
  ignoreStatic: true,
  // reuse the results of unchanged mutants and tests (the file is committed, so a run starts from the last one)
  incremental: true,
  incrementalFile: 'docs/mutation/stryker-incremental.json',
  concurrency: 1,
  // mocha 12 support for the mocha runner (see the file)
  testRunnerNodeArgs: ['--require', './tools/stryker-mocha12.cjs'],
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'clbench-results', 'results-*', 'reports', '.scratch', '.build-*'],
};
