// A corpus plugin: reject-bomb. It imports nothing, so it loads from any folder.
// a promise it rejects and never awaits: before, 'internal error' and exit 70 with two workers
export default {
  name: 'reject-bomb',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() { Promise.reject(new Error('rejected, unawaited')); await new Promise((resolve) => setTimeout(resolve, 200)); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
