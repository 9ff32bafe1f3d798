// A corpus plugin: timer-bomb. It imports nothing, so it loads from any folder.
// throws from a timer, and its train never settles: before, a tfjs stack trace and exit 7
export default {
  name: 'timer-bomb',
  description: 'corpus case',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    const model = ctx.createModel();
    return {
      train() { return new Promise(() => setTimeout(() => { throw new Error('thrown from a timer'); }, 10)); },
      predict: (x) => model.forward(x, false),
      dispose: () => model.dispose(),
    };
  },
};
