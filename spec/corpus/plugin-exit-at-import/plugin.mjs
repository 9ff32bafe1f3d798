// A corpus plugin: exit-at-import. It imports nothing, so it loads from any folder.
// process.exit(0) at import
process.exit(0);
export default {
  name: 'exit-at-import',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() {},
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
