/**
 * What a job is built from — its dataset, scenario, model and pre-trained backbone — with the process-wide
 * caches that let every job of a suite share one read of each dataset and backbone file. Runs, cost
 * estimates and schedule previews all build their scenarios here, so none of them needs the run code.
 */
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { loadBackbone, type BackboneWeights } from '../models/backbone.js';
import { readBackbone } from '../models/backboneFile.js';
import type { Mlp } from '../models/mlp.js';
import { createNetwork } from '../models/network.js';
import type { Model } from '../models/types.js';
import { buildScenario } from '../scenarios/build.js';
import { loadDataset } from '../scenarios/datasets/index.js';
import type { Dataset, Scenario } from '../scenarios/types.js';
import type { Job } from './suite.js';

const datasets = new Map<string, Dataset>();

/** Datasets are read once per process and shared by every job that names them. */
export function datasetFor(job: Pick<Job, 'scenario' | 'baseDir'>): Dataset {
  const key = `${job.baseDir}\u0000${job.scenario.dataset}`;
  let dataset = datasets.get(key);
  if (!dataset) {
    dataset = loadDataset(job.scenario.dataset, { baseDir: job.baseDir, where: `scenario '${job.scenario.name}': dataset` });
    datasets.set(key, dataset);
  }
  return dataset;
}

const backbones = new Map<string, BackboneWeights>();

/**
 * The pre-trained backbone a job's model starts from, read once per process. It must still be the file the suite
 * was checked against (suite/backboneCheck.ts put its SHA-256 into the job).
 */
function backboneOf(job: Job): BackboneWeights {
  const file = path.resolve(job.baseDir, job.model.backbone!);
  const where = `model.backbone of learner '${job.learner.label}'`;
  const key = `${file}\u0000${job.model.backboneSha256}`;
  let weights = backbones.get(key);
  if (!weights) {
    const { manifest, weights: read } = readBackbone(file, where);
    if (manifest.sha256 !== job.model.backboneSha256)
      throw new UserError(`the backbone ${file} changed after the suite was read`, where, 'run the suite again');
    backbones.set(key, (weights = read));
  }
  return weights;
}

/** A freshly initialised network for a job (seeded), with its pre-trained backbone loaded when it names one. */
export function createJobModel(job: Job, scenario: Scenario, outputs = scenario.outputs): Model {
  const model = createNetwork(job.model, { inputs: scenario.inputSize, outputs, tasks: scenario.tasks.length }, new Rng(job.seed, 'model-init'));
  if (job.model.backbone) loadBackbone(model as Mlp, backboneOf(job));
  return model;
}

export function scenarioFor(job: Job): Scenario {
  return buildScenario(job.scenario, datasetFor(job), new Rng(job.seed, 'scenario'), `scenario '${job.scenario.name}'`);
}

/**
 * `scenarioFor`, building each (scenario, seed, data folder) once: a suite's learner entries share their
 * scenario's build, which keeps whole-suite passes (schedule previews, cost estimates) quick.
 */
export function cachedScenarios(): (job: Job) => Scenario {
  const built = new Map<string, Scenario>();
  return (job) => {
    const key = JSON.stringify([job.scenario, job.seed, job.baseDir]);
    let scenario = built.get(key);
    if (!scenario) built.set(key, (scenario = scenarioFor(job)));
    return scenario;
  };
}
