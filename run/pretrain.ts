/**
 * Pre-training a backbone (`clbench pretrain`): an MLP trained as one classification task on the chosen
 * classes of a dataset (plain fine-tuning, the `naive` learner's loop), whose hidden layers are then saved in
 * the backbone format (../models/backboneFile.ts) for suites to start from (`model.backbone`; SLCA's pre-trained model).
 * Deterministic for a seed and backend, like a run.
 */
import { UserError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { CLBENCH_VERSION } from '../core/version.js';
import type { TrainingConfig } from '../learners/contract.js';
import { naive } from '../learners/methods/naive.js';
import { extractBackbone, type BackboneWeights } from '../models/backbone.js';
import { createMlp, type Mlp } from '../models/mlp.js';
import { buildScenario } from '../scenarios/build.js';
import { datasetFamily, loadDataset } from '../scenarios/datasets/index.js';
import { rehearsalSchedule, resolveSchedule } from '../scenarios/schedules.js';
import { runProtocol, type RunStream } from './protocol.js';
import { writeBackbone, type BackboneManifest } from '../models/backboneFile.js';

/** test examples a prediction batch takes */
const EVAL_BATCH = 1000;

export interface PretrainSpec {
  dataset: string;
  /** dataset classes to train on; default all */
  classes?: number[];
  hidden: number[];
  training: TrainingConfig;
  seed: number;
  /** keep this many training examples (class-stratified, seeded); default all */
  trainExamples?: number;
}

export interface PretrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
  testAccuracy: number;
}

/** Trains the backbone and writes it to `manifestFile` (+ .bin beside it); returns the manifest. */
export async function pretrainBackbone(spec: PretrainSpec, manifestFile: string, options: { baseDir?: string; backend: string; command?: string; onEpoch?: (p: PretrainProgress) => void }): Promise<BackboneManifest> {
  const dataset = loadDataset(spec.dataset, { baseDir: options.baseDir, where: '--dataset' });
  const classes = spec.classes ?? Array.from({ length: dataset.classes }, (_, c) => c);
  const bad = classes.find((c) => !Number.isInteger(c) || c < 0 || c >= dataset.classes);
  if (bad !== undefined) throw new UserError(`class ${bad} does not exist in ${spec.dataset} (classes 0..${dataset.classes - 1})`, '--classes', `use classes 0..${dataset.classes - 1}`);
  if (new Set(classes).size !== classes.length || classes.length < 2) throw new UserError('needs at least two distinct classes', '--classes', 'e.g. --classes 0-9');
  const scenario = buildScenario(
    { dataset: spec.dataset, kind: 'split', setting: 'class', taskClasses: [classes], trainPerTask: spec.trainExamples },
    dataset,
    new Rng(spec.seed, 'scenario'),
    'pretrain',
  );
  let model: Mlp | null = null;
  let weights: BackboneWeights | null = null;
  let testAccuracy = 0;
  const stream: RunStream = {
    scenario,
    schedule: rehearsalSchedule(resolveSchedule({ kind: 'none' }), scenario, 'pretrain'),
    training: spec.training,
    createModel: (outputs) => (model = createMlp({ hidden: spec.hidden, dense: 'fast' }, { inputs: scenario.inputSize, outputs }, new Rng(spec.seed, 'model-init'))),
    seed: spec.seed,
    backend: options.backend,
    evalBatchSize: EVAL_BATCH,
  };
  const { failure } = await runProtocol(stream, (ctx) => naive.create({}, ctx), {
    onEvent: (event) => {
      if (event.type !== 'epoch') return;
      testAccuracy = event.accuracy;
      options.onEpoch?.({ epoch: event.epoch + 1, epochs: spec.training.epochs, loss: event.loss, testAccuracy });
    },
    // the hidden layers are read before the protocol disposes the learner and its model
    afterPhase: async () => {
      weights = await extractBackbone(model!);
    },
  });
  if (failure) throw failure.error;
  return writeBackbone(manifestFile, weights!, {
    dataset: spec.dataset,
    datasetFamily: datasetFamily(spec.dataset, options.baseDir),
    classes,
    pretraining: {
      training: spec.training,
      seed: spec.seed,
      trainExamples: scenario.tasks[0].trainIndices.length,
      testAccuracy,
      backend: options.backend,
      clbench: CLBENCH_VERSION,
      createdAt: new Date().toISOString(),
      ...(options.command ? { command: options.command } : {}),
    },
  });
}
