// The rooms of the project, bottom up, and the rooms each may import: the architecture's import direction.
// .dependency-cruiser.cjs turns it into rules (checked in `npm test`); docs/architecture.md shows the same
// table, and spec/architecture/imports.spec.ts keeps the two equal.
/** @type {Record<string, string[]>} room → the rooms it may import */
const MAY_IMPORT = {
  core: [],
  metrics: [],
  scenarios: ['core'],
  models: ['core'],
  backends: ['core'],
  learners: ['core', 'scenarios', 'models'],
  suite: ['core', 'scenarios', 'models', 'learners'],
  results: ['core', 'metrics', 'scenarios', 'models', 'learners', 'backends', 'suite'],
  store: ['core', 'learners', 'suite', 'results'],
  run: ['core', 'scenarios', 'models', 'learners', 'backends', 'suite', 'results', 'store'],
  plugins: ['core', 'scenarios', 'models', 'learners', 'suite', 'run'],
  exec: ['core', 'scenarios', 'models', 'learners', 'backends', 'suite', 'results', 'store', 'run', 'plugins'],
  cli: ['core', 'metrics', 'scenarios', 'models', 'backends', 'learners', 'suite', 'results', 'store', 'run', 'plugins', 'exec'],
};

module.exports = { MAY_IMPORT };
