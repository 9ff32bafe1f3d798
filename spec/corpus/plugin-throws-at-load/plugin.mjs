// A corpus plugin: load-bomb. It imports nothing, so it loads from any folder.
throw new Error('plugin exploded while loading');
export default {
  name: 'load-bomb',
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
