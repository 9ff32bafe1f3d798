// A corpus plugin: never-settles. It imports nothing, so it loads from any folder.
// a top-level await that never settles: before, Node exited 13 with no message
await new Promise(() => {});
export default {
  name: 'never-settles',
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
