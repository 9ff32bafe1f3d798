/**
 * The backbone file format written by `clbench pretrain` and read by suites (`model.backbone`):
 *
 *   <name>.json   the manifest (below), written last
 *   <name>.bin    the weights: float32 little-endian, the tensors of `manifest.tensors` one after another
 *                 (layer l's weight [fan-in × width] row-major, then its bias), SHA-256 in `manifest.sha256`
 *
 * Both are written atomically (temporary file, fsync, rename), the manifest after the weights, so a manifest
 * always describes complete weights. A suite names the manifest.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { BackboneWeights } from './backbone.js';
import { writeFileAtomic } from '../core/files.js';

export const BACKBONE_FORMAT = 'clbench-backbone';

export interface BackboneManifest {
  format: typeof BACKBONE_FORMAT;
  version: 1;
  /** the dataset it was trained on, as a suite names it ('fashion-mnist') */
  dataset: string;
  /** which data that is (suite/backboneCheck.ts): 'mnist' for both mnist and mnist-full */
  datasetFamily: string;
  /** the dataset's classes it was trained on */
  classes: number[];
  inputs: number;
  hidden: number[];
  /** the weights file, relative to the manifest's folder */
  weights: string;
  /** SHA-256 (hex) of the weights file */
  sha256: string;
  tensors: { name: string; shape: number[] }[];
  /** how it was made: settings, test accuracy of the pre-training head, versions, the command */
  pretraining: Record<string, unknown>;
}

/** Writes weights and manifest next to each other (`<file>.json` → `<file>.bin`); returns the manifest. */
export function writeBackbone(manifestFile: string, weights: BackboneWeights, info: Pick<BackboneManifest, 'dataset' | 'datasetFamily' | 'classes' | 'pretraining'>): BackboneManifest {
  const tensors: BackboneManifest['tensors'] = [];
  const parts: Float32Array[] = [];
  let fanIn = weights.inputs;
  weights.layers.forEach(({ weight, bias }, l) => {
    const width = weights.hidden[l];
    tensors.push({ name: `hidden${l}/weight`, shape: [fanIn, width] }, { name: `hidden${l}/bias`, shape: [width] });
    parts.push(weight, bias);
    fanIn = width;
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) * 4);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const part of parts) for (const value of part) view.setFloat32((at++) * 4, value, true);
  const binName = `${path.basename(manifestFile).replace(/\.json$/i, '')}.bin`;
  writeFileAtomic(path.join(path.dirname(manifestFile), binName), bytes);
  const manifest: BackboneManifest = {
    format: BACKBONE_FORMAT,
    version: 1,
    ...info,
    inputs: weights.inputs,
    hidden: weights.hidden,
    weights: binName,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tensors,
  };
  writeFileAtomic(manifestFile, `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

const MAKE_ONE = 'make it with `clbench pretrain` (README, "Pre-trained backbones")';

/** The manifest at `file`, checked; UserError naming `where` (the suite field) when it is missing or malformed. */
export function readBackboneManifest(file: string, where: string): BackboneManifest {
  checkFile(file, MANIFEST_BYTES_LIMIT, 'backbone manifest', where);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code ? `cannot read the backbone manifest ${file} (${code})` : `the backbone manifest ${file} is not valid JSON`, where, MAKE_ONE);
  }
  const m = data as Partial<BackboneManifest>;
  const problem =
    m?.format !== BACKBONE_FORMAT || m.version !== 1
      ? `is not a ${BACKBONE_FORMAT} version 1 manifest`
      : typeof m.dataset !== 'string' || typeof m.datasetFamily !== 'string'
        ? 'names no dataset'
        : !Array.isArray(m.classes) || !m.classes.every(Number.isInteger)
          ? 'lists no classes'
          : !Number.isInteger(m.inputs) || !Array.isArray(m.hidden) || !m.hidden.every((w) => Number.isInteger(w) && w > 0)
            ? 'has no valid inputs/hidden sizes'
            : typeof m.weights !== 'string' || typeof m.sha256 !== 'string'
              ? 'names no weights file'
              : null;
  if (problem) throw new UserError(`the backbone manifest ${file} ${problem}`, where, MAKE_ONE);
  return m as BackboneManifest;
}

/** A manifest is a page of JSON; one past this is not a manifest. */
const MANIFEST_BYTES_LIMIT = 1024 * 1024;

/**
 * The size of `file` when it is a regular file of at most `limit` bytes; else a UserError. Reading first
 * hung on /dev/zero (a device never ends) and took gigabytes on a huge file, in `validate` already.
 */
function checkFile(file: string, limit: number, what: string, where: string): number {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    throw new UserError(`cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? error})`, where, MAKE_ONE);
  }
  if (!stat.isFile()) throw new UserError(`the ${what} ${file} is ${stat.isDirectory() ? 'a folder' : 'not a regular file (a device, a pipe or a socket)'}`, where, MAKE_ONE);
  if (stat.size > limit) throw new UserError(`the ${what} ${file} is ${stat.size} bytes, more than a ${what} can be (${limit} bytes)`, where, MAKE_ONE);
  return stat.size;
}

/** Manifest and weights of a backbone, the weights checked against the manifest's size and SHA-256. */
export function readBackbone(file: string, where: string): { manifest: BackboneManifest; weights: BackboneWeights } {
  const manifest = readBackboneManifest(file, where);
  const binFile = path.resolve(path.dirname(file), manifest.weights);
  const widths = [manifest.inputs, ...manifest.hidden];
  const expected = manifest.hidden.reduce((n, w, l) => n + widths[l] * w + w, 0);
  // the size is checked before reading: a manifest may name a device or a file of any size
  const size = checkFile(binFile, expected * 4, 'backbone weights', where);
  if (size !== expected * 4) throw new UserError(`the backbone weights ${binFile} hold ${size / 4} values, the manifest's layers ${expected}`, where, `${MAKE_ONE} again`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(binFile);
  } catch (error) {
    throw new UserError(`cannot read the backbone weights ${binFile} (${(error as NodeJS.ErrnoException).code ?? error})`, where, MAKE_ONE);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.sha256) throw new UserError(`the backbone weights ${binFile} do not match their manifest (SHA-256 differs)`, where, `${MAKE_ONE} again`);
  if (bytes.length !== expected * 4) throw new UserError(`the backbone weights ${binFile} hold ${bytes.length / 4} values, the manifest's layers ${expected}`, where, `${MAKE_ONE} again`);
  let at = 0;
  const take = (n: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE((at++) * 4);
    return out;
  };
  const layers = manifest.hidden.map((w, l) => ({ weight: take(widths[l] * w), bias: take(w) }));
  return { manifest, weights: { inputs: manifest.inputs, hidden: manifest.hidden, layers } };
}
