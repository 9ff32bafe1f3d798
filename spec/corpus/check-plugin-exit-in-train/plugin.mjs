// A corpus plugin: exit-in-train. It imports nothing, so it loads from any folder.
// process.exit(0) in train: before, check-plugin exited 0 having checked nothing
export default {
  name: 'exit-in-train',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      async train() { process.exit(0); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
