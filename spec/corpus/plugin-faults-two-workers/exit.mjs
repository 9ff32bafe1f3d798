// A corpus plugin: exit-from-timer. It imports nothing, so it loads from any folder.
// process.exit(3) from a timer while train never settles
export default {
  name: 'exit-from-timer',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      train() { return new Promise(() => setTimeout(() => process.exit(3), 10)); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
