// Lets @stryker-mutator/mocha-runner 10.0 load mocha 12: mocha 12 renamed the CLI internals the runner
// requires (lib/cli/run-helpers, options, collect-files) to *.cjs, and the runner asks for them without an
// extension (upstream fix pending: stryker-mutator/stryker-js#6205). Preloaded by tools/mutate.mjs and,
// through `testRunnerNodeArgs`, in Stryker's test-runner processes; remove it once the runner is fixed.
'use strict';
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const renamed = /[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/.test(request) ? `${request}.cjs` : request;
  return resolveFilename.call(this, renamed, ...rest);
};
