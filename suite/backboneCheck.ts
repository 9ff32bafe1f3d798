/**
 * Checks of a suite's model spec before anything trains: the normalisation options, and a pre-trained backbone
 * (`model.backbone`). A backbone must exist, fit the model (hidden widths, no normalisation layers: pre-training
 * trains none), and must not have seen the classes the stream tests on — pre-training on the test classes of the
 * same data would leak them into every "continual" result. The check compares dataset families
 * (scenarios/datasets `datasetFamily`: mnist and mnist-full are one) and classes; `allowBackboneOverlap: true`
 * in the model spec overrides it for a deliberate experiment.
 */
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { resolveNormOptions } from '../models/normalization.js';
import type { ResolvedModelSpec } from '../models/types.js';
import type { ScenarioSpec } from '../scenarios/build.js';
import { datasetFamily } from '../scenarios/datasets/index.js';
import { readBackboneManifest, type BackboneManifest } from '../models/backboneFile.js';

/**
 * The model spec a job runs with: checked, with the backbone's SHA-256 filled in (so a changed backbone file
 * changes the run key). `where(field)` names the model object that gave a field in the suite file ('model',
 * 'learners[2].model').
 */
export function checkedModel(model: ResolvedModelSpec, scenario: ScenarioSpec, suiteFile: string, where: (field: string) => string, manifests = new Map<string, BackboneManifest>()): ResolvedModelSpec {
  const norm = model.norm ?? 'none';
  resolveNormOptions(norm, model.normOptions, `${suiteFile}: ${where('normOptions')}.normOptions`);
  if (!model.backbone) return model;
  const field = `${suiteFile}: ${where('backbone')}.backbone`;
  if (norm !== 'none')
    throw new UserError(`a pre-trained backbone has no ${norm} statistics (pre-training trains none)`, field, 'use the backbone with model.norm "none", or drop the backbone');
  const file = path.resolve(path.dirname(path.resolve(suiteFile)), model.backbone);
  let manifest = manifests.get(file);
  if (!manifest) manifests.set(file, (manifest = readBackboneManifest(file, field)));
  if (manifest.hidden.join() !== model.hidden.join())
    throw new UserError(
      `the backbone's hidden layers are [${manifest.hidden.join(', ')}], the model's [${model.hidden.join(', ')}]`,
      field,
      `set model.hidden to [${manifest.hidden.join(', ')}]`,
    );
  const overlap = overlappingClasses(manifest, scenario, path.dirname(path.resolve(suiteFile)));
  if (overlap.length > 0 && model.allowBackboneOverlap !== true)
    throw new UserError(
      `the backbone was pre-trained on ${manifest.dataset} classes ${overlap.join(', ')}, which scenario '${scenario.name ?? scenario.dataset}' (dataset ${scenario.dataset}) tests on`,
      field,
      'pre-train on another dataset or on classes the stream does not use (clbench pretrain --classes), or set "allowBackboneOverlap": true in the model to do it on purpose',
    );
  return { ...model, backboneSha256: manifest.sha256 };
}

/** Classes the backbone was trained on that the scenario evaluates on (same data family only). */
export function overlappingClasses(manifest: Pick<BackboneManifest, 'datasetFamily' | 'classes'>, scenario: ScenarioSpec, baseDir: string): number[] {
  if (datasetFamily(scenario.dataset, baseDir) !== manifest.datasetFamily) return [];
  const tested = testedClasses(scenario);
  return manifest.classes.filter((c) => tested === 'all' || tested.has(c));
}

/** The dataset classes a scenario's tasks hold; 'all' when that depends on the dataset (or every class is used). */
function testedClasses(scenario: ScenarioSpec): Set<number> | 'all' {
  if (scenario.kind !== 'split') return 'all';
  if (scenario.taskClasses) return new Set(scenario.taskClasses.flat());
  if (Array.isArray(scenario.classOrder)) return new Set(scenario.classOrder);
  return 'all';
}
