/**
 * The dataset registry: turns the name a suite writes ('mnist', 'mnist-full', 'idx:<folder>',
 * 'synthetic', 'synthetic:classes=4,features=16') into a loaded `Dataset`.
 */
import { isAbsolute, resolve } from 'node:path';
import { UserError, unknownName } from '../../core/errors.js';
import type { Dataset } from '../types.js';
import { FASHION_MNIST_DESCRIPTION, loadFashionMnist } from './fashionMnist.js';
import { idxFolderSha256, readIdxFolder } from './idx.js';
import { loadMnistEmbedded, MNIST_DESCRIPTION } from './mnistEmbedded.js';
import { loadMnistFull, MNIST_FULL_DESCRIPTION } from './mnistFull.js';
import { definedOnly, makeSynthetic, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic.js';

export { readIdxFolder, parseIdx } from './idx.js';
export { MNIST_TEST_FRACTION, MNIST_SPLIT_SEED } from './mnistEmbedded.js';
export { makeSynthetic, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic.js';

export interface DatasetInfo {
  /** as written in a suite */
  name: string;
  description: string;
  size: string;
}

/** What `clbench list` shows. */
export const DATASETS: readonly DatasetInfo[] = [
  { name: 'mnist', description: MNIST_DESCRIPTION, size: '8,334 train / 1,666 test, 28×28, 10 classes' },
  { name: 'mnist-full', description: MNIST_FULL_DESCRIPTION, size: '60,000 train / 10,000 test, 28×28, 10 classes' },
  { name: 'fashion-mnist', description: FASHION_MNIST_DESCRIPTION, size: '60,000 train / 10,000 test, 28×28, 10 classes' },
  {
    name: 'synthetic',
    description:
      'Gaussian blobs for quick tests; parameters as synthetic:classes=4,features=16 ' +
      `(keys: ${Object.keys(SYNTHETIC_DEFAULTS).join(', ')})`,
    size: '1,000 train / 400 test, 8×8, 10 classes (defaults)',
  },
  {
    name: 'idx:<folder>',
    description: 'MNIST-layout IDX files (train/t10k images and labels, raw or .gz); a relative folder is read from the suite file\'s folder',
    size: 'as in the files',
  },
];

const KNOWN = ['mnist', 'mnist-full', 'fashion-mnist', 'synthetic', 'synthetic:<key>=<value>,...', 'idx:<folder>'];

export interface LoadDatasetOptions {
  /** data seed for 'synthetic' when neither the spec nor `syntheticOptions` gives one */
  seed?: number;
  /** defaults for 'synthetic'; parameters in the spec string win over these */
  syntheticOptions?: SyntheticOptions;
  /** folder that relative 'idx:' folders are resolved against (e.g. the suite file's); default the cwd */
  baseDir?: string;
  /** where the spec was written (e.g. 'suite.json: scenarios[0].dataset'), attached to errors */
  where?: string;
}

/** Parses 'classes=4,features=16' into synthetic options. */
function parseSyntheticParams(params: string, where?: string): SyntheticOptions {
  const options: Record<string, number> = {};
  const keys = Object.keys(SYNTHETIC_DEFAULTS);
  for (const part of params.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (!keys.includes(key)) throw unknownName('synthetic parameter', key, keys, where);
    const number = Number(value);
    if (value === undefined || value === '' || rest.length > 0 || !Number.isFinite(number)) {
      throw new UserError(`synthetic parameter '${part}' is not key=number`, where, 'write e.g. synthetic:classes=4,features=16');
    }
    options[key] = number;
  }
  return options as SyntheticOptions;
}

export function loadDataset(spec: string, options: LoadDatasetOptions = {}): Dataset {
  const name = spec.trim();
  const { where } = options;
  if (name === 'mnist') return loadMnistEmbedded(where);
  if (name === 'mnist-full') return loadMnistFull(where);
  if (name === 'fashion-mnist') return loadFashionMnist(where);
  if (name === 'synthetic' || name.startsWith('synthetic:')) {
    const fromSpec = parseSyntheticParams(name.slice('synthetic'.length + 1), where);
    const seed = options.seed ?? SYNTHETIC_DEFAULTS.seed;
    return makeSynthetic({ seed, ...definedOnly(options.syntheticOptions ?? {}), ...fromSpec }, name, where);
  }
  if (name.startsWith('idx:')) {
    const folder = name.slice('idx:'.length).trim();
    if (folder === '') throw new UserError(`dataset '${name}' names no folder`, where, 'write idx:<folder>, e.g. idx:./data/fashion-mnist');
    const path = isAbsolute(folder) ? folder : resolve(options.baseDir ?? process.cwd(), folder);
    return readIdxFolder(path, name, where);
  }
  throw unknownName('dataset', name, KNOWN, where);
}

/**
 * What identifies a dataset's data beyond its name, for run keys: the SHA-256 of an `idx:` folder's files
 * (the folder's contents can change under the same name); null for the built-in and synthetic datasets,
 * whose name fixes their data, and for an `idx:` folder that cannot be read (its run fails with the reason).
 */
export function datasetSha256(name: string, baseDir: string): string | null {
  if (!name.startsWith('idx:')) return null;
  const folder = name.slice('idx:'.length).trim();
  if (folder === '') return null;
  return idxFolderSha256(isAbsolute(folder) ? folder : resolve(baseDir, folder));
}

/**
 * Checks a dataset name without loading anything (so `clbench validate` catches a misspelt one): a known
 * name, `synthetic` with known parameters, or `idx:` with a folder. Throws the UserError loadDataset would.
 */
export function checkDatasetName(spec: string, where?: string): void {
  const name = spec.trim();
  if (name === 'mnist' || name === 'mnist-full' || name === 'fashion-mnist' || name === 'synthetic') return;
  if (name.startsWith('synthetic:')) {
    parseSyntheticParams(name.slice('synthetic'.length + 1), where);
    return;
  }
  if (name.startsWith('idx:')) {
    if (name.slice('idx:'.length).trim() === '') throw new UserError(`dataset '${name}' names no folder`, where, 'write idx:<folder>, e.g. idx:./data/fashion-mnist');
    return;
  }
  throw unknownName('dataset', name, KNOWN, where);
}

/**
 * Which underlying data a dataset name reads, so that a pre-trained backbone can be checked against a stream
 * (suite/backboneCheck.ts): 'mnist' and 'mnist-full' both read MNIST digits; an 'idx:' folder is identified by
 * its absolute path; other names are their own family. Two names of one family may share images.
 */
export function datasetFamily(spec: string, baseDir = process.cwd()): string {
  const name = spec.trim();
  if (name === 'mnist' || name === 'mnist-full') return 'mnist';
  if (name.startsWith('idx:')) {
    const folder = name.slice('idx:'.length).trim();
    return `idx:${isAbsolute(folder) ? folder : resolve(baseDir, folder)}`;
  }
  return name;
}
