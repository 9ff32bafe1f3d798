/**
 * JSON Schema (draft-07) of a suite file. ajv validates every suite against it and fills in the defaults
 * written here, so this file is also the reference of every field and its default.
 */
export const scenarioSchema = {
  type: 'object',
  required: ['dataset', 'kind', 'setting'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'name in leaderboards; default <kind>-<dataset>-<setting>' },
    dataset: { type: 'string', minLength: 1, description: "'mnist', 'mnist-full', 'idx:<folder>' or 'synthetic'" },
    kind: { enum: ['split', 'permuted'] },
    setting: { enum: ['task', 'domain', 'class'] },
    tasks: { type: 'integer', minimum: 1 },
    classOrder: { oneOf: [{ const: 'random' }, { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 }] },
    taskClasses: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } } },
    identityFirstTask: { type: 'boolean' },
    trainPerTask: { type: 'integer', minimum: 1 },
    testPerTask: { type: 'integer', minimum: 1 },
  },
} as const;

export const trainingProperties = {
  epochs: { type: 'integer', minimum: 1, default: 1 },
  batchSize: { type: 'integer', minimum: 1, default: 128 },
  optimizer: { enum: ['sgd', 'adam', 'momentum'], default: 'adam' },
  lr: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
  momentum: { type: 'number', minimum: 0, maximum: 1, default: 0.9 },
  resetOptimizer: { type: 'boolean', default: false },
} as const;

/** The same fields without defaults: a learner's override must not reset what the suite set. */
const trainingOverrides = Object.fromEntries(
  Object.entries(trainingProperties).map(([key, { default: _unused, ...rest }]) => [key, rest]),
);

const publishedSchema = {
  type: 'object',
  required: ['mean'],
  additionalProperties: false,
  properties: {
    mean: { type: 'number', description: 'published final average accuracy, fraction in [0, 1]' },
    std: { type: 'number' },
    source: { type: 'string' },
  },
} as const;

export const suiteSchema = {
  type: 'object',
  required: ['name', 'learners'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'letters, digits, . _ -' },
    description: { type: 'string' },
    scenario: scenarioSchema,
    scenarios: { type: 'array', minItems: 1, items: scenarioSchema },
    model: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        hidden: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [400, 400] },
        dense: { enum: ['fast', 'plain'], default: 'fast' },
      },
    },
    training: { type: 'object', additionalProperties: false, default: {}, properties: trainingProperties },
    evaluation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        batchSize: { type: 'integer', minimum: 1, default: 1000 },
        criterion: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'accuracy threshold for epochs-to-criterion' },
      },
    },
    learners: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          label: { type: 'string', minLength: 1, description: 'name in leaderboards; default name(options)' },
          options: { type: 'object', default: {} },
          scenarios: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'run only on these scenario names' },
          training: { type: 'object', additionalProperties: false, properties: trainingOverrides, description: 'overrides of the suite training settings' },
          published: { type: 'object', additionalProperties: publishedSchema, description: 'published results by scenario name' },
        },
      },
    },
    seeds: { type: 'array', items: { type: 'integer' }, minItems: 1, default: [0] },
    plugins: { type: 'array', items: { type: 'string' }, description: 'learner plugin modules, relative to the suite file' },
  },
} as const;
