/**
 * JSON Schema (draft-07) of a suite file. ajv validates every suite against it and fills in the defaults
 * written here, so this file is also the reference of every field and its default.
 */
import { SCHEDULE_KINDS } from '../scenarios/scheduleSpec.js';

/**
 * The largest seed: the generator (core/random.ts) takes a seed's low 32 bits, so 2^32 would run as 0 and
 * -1 as 2^32 - 1. Seeds are therefore 0 … 2^32 - 1, each a different stream.
 */
export const MAX_SEED = 4294967295;

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
    input: {
      type: 'object',
      additionalProperties: false,
      description: 'padding and normalisation of every input (absent: pixel / 255); Hsu et al. 2018: {"pad": 2, "mean": 0.1, "std": 0.2752}',
      properties: {
        pad: { type: 'integer', minimum: 0, maximum: 64, description: 'zero pixels added on every side of each image before normalising' },
        mean: { type: 'number', description: '(x − mean) / std of x = pixel / 255; give std too' },
        std: { type: 'number', exclusiveMinimum: 0, description: 'see mean' },
        permute: {
          enum: ['image', 'padded'],
          description:
            "permuted scenarios: what a task's permutation moves, 'image' (default) = the image's pixels inside the padding, 'padded' = every input of the padded image (Hsu et al.'s and van de Ven's code)",
        },
      },
    },
  },
} as const;

/**
 * A rehearsal schedule (README "Rehearsal schedules"). No ajv defaults here: each kind has its own
 * (scenarios/scheduleSpec.ts `resolveSchedule` fills them and rejects parameters the kind does not use).
 */
export const scheduleSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { enum: [...SCHEDULE_KINDS], description: 'none (fine-tune stream) | full | uniform | exponential | powerlaw | powerlaw-compat | powerlaw-table' },
    alpha: { type: 'number', exclusiveMinimum: 0, description: 'power-law exponent: powerlaw (1 + k/tau)^(-alpha), default 5.6; powerlaw-compat default 5' },
    tau: { type: 'number', exclusiveMinimum: 0, description: 'power-law age offset in phases, default 10' },
    beta: {
      anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { const: 'match-powerlaw' }],
      description: "exponential scale: weight e^(-k/beta), default 1; 'match-powerlaw': the same oldest : newest ratio as the power law of alpha, tau",
    },
    budget: { const: 'match-unrestricted-powerlaw', description: "uniform/exponential: each phase rehearses, in all, what the unrestricted power law of alpha, tau does (instead of budgetFraction)" },
    budgetFraction: { type: 'number', minimum: 0, description: 'budgeted mode: R = floor(r * nNew) rehearsal examples a phase split by weight; absent = unrestricted' },
    nNew: { type: 'integer', minimum: 1, description: "new-task examples a phase and unit of relative counts; default the task's training size" },
    minPerTask: { type: 'integer', minimum: 0, description: 'least intended count of a rehearsed task (0 = none)' },
    minPerTaskMode: { enum: ['warn', 'clamp'], description: 'below minPerTask: warn (default) or raise the count' },
    sampling: { enum: ['phase', 'stochastic'], description: 'phase (default): a draw without replacement each phase; stochastic: i.i.d. task ∝ n[p][j], then an example' },
  },
} as const;

export const trainingProperties = {
  epochs: { type: 'integer', minimum: 1, default: 1 },
  batchSize: { type: 'integer', minimum: 1, default: 128 },
  optimizer: { enum: ['sgd', 'adam', 'momentum', 'adagrad'], default: 'adam' },
  lr: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
  momentum: { type: 'number', minimum: 0, maximum: 1, default: 0.9 },
  resetOptimizer: { type: 'boolean', default: false },
  // no default: absent means 'all', so run keys of suites written before the field existed stay the same
  lossOutputs: {
    enum: ['all', 'seen'],
    description: "class-IL: the loss over all outputs ('all', when absent) or only those of the tasks seen so far ('seen', Hsu et al.'s and van de Ven's code)",
  },
} as const;

/** The same fields without defaults: a learner's override must not reset what the suite set. */
const trainingOverrides = Object.fromEntries(
  Object.entries(trainingProperties).map(([key, property]) => {
    const { default: _unused, ...rest } = property as typeof property & { default?: unknown };
    return [key, rest];
  }),
);
/**
 * Model fields without defaults (absent = none), so that suites and run keys written before they existed stay
 * the same (models/types.ts ModelSpec).
 */
const optionalModelProperties = {
  norm: { enum: ['none', 'batchnorm', 'adab2n'], description: 'normalisation after each hidden dense layer; absent = none' },
  normOptions: {
    type: 'object',
    additionalProperties: false,
    description: 'constants of the normalisation layers (defaults in models/normalization.ts)',
    properties: {
      momentum: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'running-statistics momentum m (0.1)' },
      eps: { type: 'number', exclusiveMinimum: 0, description: 'variance epsilon (1e-5)' },
      kappa: { type: 'number', minimum: 0, maximum: 1, description: 'AdaB2N: momentum interpolation κ (1)' },
      lambda: { type: 'number', minimum: 0, description: 'AdaB2N: weight of the statistics-alignment loss (0.1)' },
      adaT0: { type: 'integer', minimum: 0, description: 'AdaB2N: first task (0-based) with the alignment loss (0)' },
      compat: { type: 'boolean', description: "AdaB2N: the official code's task weights (true) or renormalised (false)" },
    },
  },
  dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'dropout rate after every hidden layer in training (the precursor: 0.5); absent = none' },
  backbone: { type: 'string', minLength: 1, description: 'pre-trained backbone manifest (clbench pretrain), relative to the suite file' },
  allowBackboneOverlap: { type: 'boolean', description: 'allow a backbone pre-trained on classes of the dataset the stream tests on' },
} as const;

const modelOverrides = {
  hidden: { type: 'array', items: { type: 'integer', minimum: 1 } },
  dense: { enum: ['fast', 'plain'] },
  ...optionalModelProperties,
} as const;

const publishedSchema = {
  type: 'object',
  required: ['mean'],
  additionalProperties: false,
  properties: {
    mean: { type: 'number', description: 'published final average accuracy, fraction in [0, 1]' },
    std: { type: 'number', description: 'published standard deviation over runs, fraction' },
    sem: { type: 'number', description: 'published standard error of the mean instead of a std (with runs), fraction' },
    runs: { type: 'integer', minimum: 2, description: 'the number of runs a published sem is over' },
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
        ...optionalModelProperties,
      },
    },
    training: { type: 'object', additionalProperties: false, default: {}, properties: trainingProperties },
    schedule: { ...scheduleSchema, default: { kind: 'none' }, description: 'rehearsal schedule of every learner entry that gives none' },
    evaluation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        batchSize: { type: 'integer', minimum: 1, default: 1000 },
        criterion: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'accuracy threshold for epochs-to-criterion' },
        newTaskSteps: {
          type: 'array',
          minItems: 1,
          items: { type: 'integer', minimum: 1 },
          description: "gradient steps of each phase after which the new task's accuracy is measured (strictly increasing; absent = none): step-normalised facilitation",
        },
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
          schedule: { ...scheduleSchema, description: "this entry's rehearsal schedule (overrides the suite's)" },
          model: { type: 'object', additionalProperties: false, properties: modelOverrides, description: 'overrides of the suite model (e.g. a width sweep)' },
          published: { type: 'object', additionalProperties: publishedSchema, description: 'published results by scenario name' },
          intransigenceReference: {
            type: 'boolean',
            description: "a 'joint' entry: the intransigence reference of every run whose model and training match no joint entry (needed when a scenario has several joint entries)",
          },
        },
      },
    },
    seeds: {
      type: 'array',
      items: { type: 'integer', minimum: 0, maximum: MAX_SEED },
      minItems: 1,
      default: [0],
      description: 'root seeds, 0 … 4294967295 (2^32 - 1): the generator uses 32 bits, so larger or negative seeds would repeat smaller ones',
    },
    plugins: { type: 'array', items: { type: 'string' }, description: 'learner plugins: module files relative to the suite file, or installed packages by name (looked up from the suite file\'s folder, then the current folder)' },
  },
} as const;
