// A corpus plugin: int-logits. It imports nothing, so it loads from any folder.
// predict returns int32 logits: ties would score as a guess
export default {
  name: 'int-logits',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() {},
      predict: (x) => model.forward(x, false).mul(1000).cast('int32'),
      dispose: () => model.dispose(),
    };
  },
};
