// Mutation testing of the rooms where a wrong number hides (issue 22): `npm run mutate` (tools/mutate.mjs runs
// Stryker once per room with these settings). See docs/mutation.md for the scores and the surviving mutants.
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
  // what is mutated, the specs that run and the incremental/report files are set per room by tools/mutate.mjs
  // the sources are type-checked by `npm test`; a mutant only has to compile
  disableTypeChecks: '{metrics,scenarios,learners,results}/**/*.ts',
  // module-level code (schema and description literals) would need a fresh process per mutant: not scored
  ignoreStatic: true,
  // reuse the results of unchanged mutants and tests of the last run in this checkout (files in reports/)
  incremental: true,
  concurrency: 1,
  // mocha 12 support for the mocha runner (see the file)
  testRunnerNodeArgs: ['--require', './tools/stryker-mocha12.cjs'],
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'clbench-results', 'results-*', 'reports', '.scratch', '.build-*'],
};
