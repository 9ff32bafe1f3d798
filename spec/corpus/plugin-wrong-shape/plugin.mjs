// A corpus plugin: wrong-shape. It imports nothing, so it loads from any folder.

export default {
  name: 'wrong-shape',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    const wide = ctx.createModel(ctx.scenario.outputs + 1);
    return {
      async train() {},
      predict: (x) => wide.forward(x, false),
      dispose: () => { model.dispose(); wide.dispose(); },
    };
  },
};
