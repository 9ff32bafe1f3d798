// A corpus plugin: nan-logits. It imports nothing, so it loads from any folder.
// predict returns NaN logits: argMax would pick output 0 and score 1 / outputs
export default {
  name: 'nan-logits',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() {},
      predict: (x) => model.forward(x, false).mul(NaN),
      dispose: () => model.dispose(),
    };
  },
};
