// A corpus plugin: train-bomb. It imports nothing, so it loads from any folder.

export default {
  name: 'train-bomb',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train(phase) { throw new Error(`train exploded in phase ${phase.index + 1}`); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
