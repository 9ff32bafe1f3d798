// The architecture's import rules (docs/architecture.md), checked by dependency-cruiser in `npm test`
// (spec/architecture/imports.spec.ts) and by hand with `npx depcruise --config .dependency-cruiser.cjs .`
//
// Each room may import the rooms tools/rooms.cjs lists for it and nothing else of the project (the
// layering, bottom up). Type-only imports count too: a room that needs another's types depends on it.
const { MAY_IMPORT } = require('./tools/rooms.cjs');
const ROOMS = Object.keys(MAY_IMPORT);

const roomRules = ROOMS.map((room) => {
  const forbidden = ROOMS.filter((other) => other !== room && !MAY_IMPORT[room].includes(other));
  return {
    name: `${room}-imports-only-${MAY_IMPORT[room].join('-') || 'nothing'}`,
    comment: `${room}/ may import ${MAY_IMPORT[room].length ? MAY_IMPORT[room].map((r) => `${r}/`).join(', ') : 'no other room'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^${room}/` },
    to: { path: `^(${[...forbidden, 'bench', 'spec', 'cli', 'index\\.ts'].filter((r) => r !== room).join('|')})(/|$)` },
  };
});

module.exports = {
  forbidden: [
    ...roomRules,
    {
      name: 'learner-methods-only-through-the-registry',
      comment: 'a learner (learners/methods/) is reached through learners/registry.ts; methods share code through parts/, memory/ and optim/, never through each other',
      severity: 'error',
      from: { path: '^learners/', pathNot: '^learners/registry\\.ts$' },
      to: { path: '^learners/methods/' },
    },
    {
      name: 'learner-parts-below-the-base',
      comment: "learners/parts, memory and optim are building blocks: they may use the contract and the state interface, not the base learner or the registry",
      severity: 'error',
      from: { path: '^learners/(parts|memory|optim)/' },
      to: { path: '^learners/(base|registry)\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles anywhere',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'specs-and-bench-stay-out',
      comment: 'product code never imports tests or benchmarks',
      severity: 'error',
      from: { pathNot: '^(spec|bench)/' },
      to: { path: '^(spec|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|examples|tools|native|build|\\.scratch)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
