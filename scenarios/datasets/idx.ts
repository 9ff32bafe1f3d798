/**
 * Reader for the IDX format MNIST is published in (http://yann.lecun.com/exdb/mnist/): a big-endian
 * header `0x00 0x00 <type> <ndims>`, then `ndims` big-endian uint32 sizes, then the data row-major.
 * Only unsigned bytes (type 0x08) are supported: images are 3-D [count, rows, cols], labels 1-D [count].
 *
 * The data arrays are views into the file's buffer, not copies, so full MNIST costs its file size
 * (~55 MB, outside the V8 heap) and nothing more.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../core/errors.js';
import type { Dataset, ImageSplit } from '../types.js';

export interface IdxArray {
  /** sizes of each dimension, e.g. [60000, 28, 28] */
  dims: number[];
  /** the values, row-major, `product(dims)` bytes */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/** The four files of an IDX folder, by their standard names. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** What an IDX folder must hold: given as the fix of every error this reader raises. */
export const IDX_LAYOUT =
  `an IDX folder holds ${Object.values(IDX_FILES).join(', ')} (each raw or .gz), ` +
  'in the layout of http://yann.lecun.com/exdb/mnist/ (unsigned-byte images [count, rows, cols], labels [count])';

function hex(value: number, digits = 8): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}

function idxError(path: string, problem: string, where?: string): UserError {
  return new UserError(`IDX file ${path}: ${problem}`, where, IDX_LAYOUT);
}

/**
 * Parses one IDX buffer of unsigned bytes. `path` is only used in error messages.
 * Checks the magic, the data type, and that the length is exactly header + product of dims.
 */
export function parseIdx(buffer: Uint8Array, path: string, where?: string): IdxArray {
  if (buffer.length < 4) throw idxError(path, `is ${buffer.length} bytes, too short for an IDX header`, where);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const magic = view.getUint32(0);
  const type = buffer[2];
  const ndims = buffer[3];
  if (buffer[0] !== 0 || buffer[1] !== 0 || ndims === 0) {
    throw idxError(path, `is not an IDX file: magic ${hex(magic)}, expected 0x000008NN (NN = number of dimensions)`, where);
  }
  if (type !== UNSIGNED_BYTE) {
    throw idxError(path, `has data type ${hex(type, 2)} (magic ${hex(magic)}); only unsigned byte (0x08) is supported`, where);
  }
  const headerBytes = 4 + 4 * ndims;
  if (buffer.length < headerBytes) {
    throw idxError(path, `is ${buffer.length} bytes, shorter than its ${headerBytes}-byte header (${ndims} dimensions)`, where);
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d));
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + dataBytes;
  if (buffer.length !== expected) {
    const how = buffer.length < expected ? 'truncated' : 'too long';
    throw idxError(
      path,
      `is ${how}: ${buffer.length} bytes, expected ${expected} (${headerBytes}-byte header + ${dims.join('×')} data bytes)`,
      where,
    );
  }
  // A plain Uint8Array view (not a Buffer) so callers see the same type for every source.
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + headerBytes, dataBytes) };
}

/** Reads one IDX file, gunzipping it when its name ends in `.gz`. */
export function readIdxFile(path: string, where?: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw idxError(path, `could not be read (${(err as Error).message})`, where);
  }
  if (path.endsWith('.gz')) {
    // Check the gzip signature ourselves: zlib's "incorrect header check" does not say what is wrong.
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new UserError(
        `IDX file ${path}: ends in .gz but is not gzip data (starts with ${start || 'nothing'}, gzip starts with 1f 8b)`,
        where,
        `gzip it, or drop the .gz from its name if it is a raw IDX file; ${IDX_LAYOUT}`,
      );
    }
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw idxError(path, `could not be gunzipped (${(err as Error).message})`, where);
    }
  }
  return parseIdx(bytes, path, where);
}

/** The names a file of the folder may have: standard, `.gz`, and the common `train-images.idx3-ubyte` variant. */
function candidateNames(standard: string): string[] {
  const dotted = standard.replace(/-(idx\d-ubyte)$/, '.$1');
  return [standard, `${standard}.gz`, dotted, `${dotted}.gz`];
}

function findFile(folder: string, standard: string, where?: string): string {
  const candidates = candidateNames(standard).map((n) => join(folder, n));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new UserError(`IDX folder ${folder} has no ${standard} (looked for ${candidates.join(', ')})`, where, IDX_LAYOUT);
  }
  return found;
}

/**
 * SHA-256 over the four files of an IDX folder, as found (null when one is missing or is not a regular
 * file: reading it fails with its own message). Part of the run key of a scenario on the folder
 * (suite/suite.ts), so replacing the data reruns its runs instead of keeping records of the old data.
 */
export function idxFolderSha256(folder: string): string | null {
  const hash = createHash('sha256');
  for (const standard of Object.values(IDX_FILES)) {
    const file = candidateNames(standard)
      .map((n) => join(folder, n))
      .find((p) => existsSync(p));
    if (!file || !statSync(file).isFile()) return null;
    hash.update(`${standard}\u0000`).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function expectMagic(file: IdxArray, path: string, magic: number, what: string, where?: string): void {
  if (file.dims.length !== (magic & 0xff)) {
    const found = (UNSIGNED_BYTE << 8) | file.dims.length;
    throw idxError(path, `has magic ${hex(found)} (${file.dims.length}-D), expected ${hex(magic)} (${what})`, where);
  }
}

/** Reads one images + labels pair and checks that they describe the same examples. */
function readSplit(folder: string, imagesName: string, labelsName: string, where?: string) {
  const imagesPath = findFile(folder, imagesName, where);
  const labelsPath = findFile(folder, labelsName, where);
  const images = readIdxFile(imagesPath, where);
  expectMagic(images, imagesPath, IMAGES_MAGIC, 'unsigned-byte images [count, rows, cols]', where);
  const labels = readIdxFile(labelsPath, where);
  expectMagic(labels, labelsPath, LABELS_MAGIC, 'unsigned-byte labels [count]', where);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw idxError(labelsPath, `holds ${labels.dims[0]} labels but ${imagesPath} holds ${count} images; they must agree`, where);
  }
  if (count === 0) throw idxError(imagesPath, 'holds no examples', where);
  if (rows === 0 || cols === 0) throw idxError(imagesPath, `has empty images (${rows}×${cols})`, where);
  const split: ImageSplit = { images: images.data, labels: labels.data, count };
  return { split, shape: [rows, cols] as [number, number], imagesPath, labelsPath };
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

/**
 * Reads a folder holding the four MNIST-layout IDX files into a `Dataset` called `name`.
 * `classes` is the largest label seen (train or test) + 1, so it is at most 256.
 * `where` (e.g. the suite field that named the folder) is attached to every error.
 */
export function readIdxFolder(folder: string, name: string, where?: string): Dataset {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    const problem = existsSync(folder) ? 'is not a folder' : 'does not exist';
    throw new UserError(`IDX folder ${folder} ${problem}`, where, IDX_LAYOUT);
  }
  const train = readSplit(folder, IDX_FILES.trainImages, IDX_FILES.trainLabels, where);
  const test = readSplit(folder, IDX_FILES.testImages, IDX_FILES.testLabels, where);
  if (train.shape[0] !== test.shape[0] || train.shape[1] !== test.shape[1]) {
    throw idxError(
      test.imagesPath,
      `has ${test.shape.join('×')} images but ${train.imagesPath} has ${train.shape.join('×')}; they must agree`,
      where,
    );
  }
  // Labels are bytes, so every label is < classes <= 256 by construction of `classes`.
  const classes = Math.max(maxLabel(train.split.labels), maxLabel(test.split.labels)) + 1;
  const [rows, cols] = train.shape;
  return {
    name,
    description: `IDX images from ${folder}: ${train.split.count} train / ${test.split.count} test, ${rows}×${cols}, ${classes} classes`,
    features: rows * cols,
    shape: train.shape,
    classes,
    train: train.split,
    test: test.split,
  };
}
