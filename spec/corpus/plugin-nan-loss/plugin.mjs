// A corpus plugin: nan-loss. It imports nothing, so it loads from any folder.
// the loss it reports to hooks.step is NaN
export default {
  name: 'nan-loss',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train(phase, hooks) { hooks.step?.({ epoch: 0, step: 0, steps: 1, loss: NaN }); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
