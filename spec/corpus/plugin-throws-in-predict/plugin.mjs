// A corpus plugin: predict-bomb. It imports nothing, so it loads from any folder.

export default {
  name: 'predict-bomb',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() {},
      predict() { throw new Error('predict exploded'); },
      dispose: () => model.dispose(),
    };
  },
};
