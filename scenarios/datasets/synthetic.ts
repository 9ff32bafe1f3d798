/**
 * `synthetic`: class-separable Gaussian blobs in byte space, so tests and smoke runs take seconds.
 * Each class has a mean image drawn uniformly in 40..215 per feature; an example is its class mean
 * plus N(0, spread²) noise per feature, rounded and clamped to 0..255.
 *
 * The default spread (60) makes one feature a weak cue (two class means differ by ~70 on a feature,
 * about one noise sd) while all 64 together separate the classes easily, so a small MLP gets
 * above 90% within a few epochs (3 epochs of SGD, lr 0.1, one 32-unit hidden layer) while the best
 * single pixel classifies only ~25% of the test set.
 */
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import type { Dataset, ImageSplit } from '../types.js';

export interface SyntheticOptions {
  classes?: number;
  /** pixels per example; a perfect square gets a square shape, anything else [1, features] */
  features?: number;
  trainPerClass?: number;
  testPerClass?: number;
  /** seed of the data itself (means and noise), not of the run */
  seed?: number;
  /** standard deviation of the noise, in pixel units (0..255) */
  spread?: number;
}

export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  classes: 10,
  features: 64,
  trainPerClass: 100,
  testPerClass: 40,
  seed: 0,
  spread: 60,
};

const MEAN_LOW = 40;
const MEAN_HIGH = 215;

function checkOptions(o: Required<SyntheticOptions>, where?: string): void {
  const fix = 'synthetic takes classes (2..256), features (>= 1), trainPerClass (>= 1), testPerClass (>= 1), seed, spread (>= 0)';
  const bad = (key: string, value: number): never => {
    throw new UserError(`synthetic dataset: bad ${key} ${value}`, where, fix);
  };
  if (!Number.isInteger(o.classes) || o.classes < 2 || o.classes > 256) bad('classes', o.classes);
  if (!Number.isInteger(o.features) || o.features < 1) bad('features', o.features);
  if (!Number.isInteger(o.trainPerClass) || o.trainPerClass < 1) bad('trainPerClass', o.trainPerClass);
  if (!Number.isInteger(o.testPerClass) || o.testPerClass < 1) bad('testPerClass', o.testPerClass);
  if (!Number.isFinite(o.seed)) bad('seed', o.seed);
  if (!Number.isFinite(o.spread) || o.spread < 0) bad('spread', o.spread);
  // the pixels are one byte array per split: past this, allocating them fails (or takes the machine's memory)
  const bytes = o.classes * Math.max(o.trainPerClass, o.testPerClass) * o.features;
  if (bytes > SYNTHETIC_BYTES_LIMIT)
    throw new UserError(`synthetic dataset: ${o.classes} classes × ${Math.max(o.trainPerClass, o.testPerClass)} examples × ${o.features} features is ${bytes.toExponential(2)} bytes, past the limit of ${SYNTHETIC_BYTES_LIMIT.toExponential(0)}`, where, 'use fewer examples per class or fewer features');
}

/** Bytes of one split of a synthetic dataset. */
const SYNTHETIC_BYTES_LIMIT = 1e9;

/** `perClass` examples of every class, interleaved (example i has label i mod classes). */
function sample(means: Float64Array, o: Required<SyntheticOptions>, perClass: number, rng: Rng): ImageSplit {
  const count = perClass * o.classes;
  const images = new Uint8Array(count * o.features);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % o.classes;
    labels[i] = label;
    for (let f = 0; f < o.features; f++) {
      const value = means[label * o.features + f] + o.spread * rng.normal();
      images[i * o.features + f] = Math.min(255, Math.max(0, Math.round(value)));
    }
  }
  return { images, labels, count };
}

/** Drops keys set to `undefined`, which would otherwise override the defaults in a spread. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function shapeOf(features: number): [number, number] {
  const side = Math.round(Math.sqrt(features));
  return side * side === features ? [side, side] : [1, features];
}

export function makeSynthetic(options: SyntheticOptions = {}, name = 'synthetic', where?: string): Dataset {
  const o = { ...SYNTHETIC_DEFAULTS, ...definedOnly(options) };
  checkOptions(o, where);
  // Separate streams, so asking for more test examples leaves the means and the training data unchanged.
  const root = new Rng(o.seed, 'synthetic');
  const meanRng = root.derive('means');
  const trainRng = root.derive('train');
  const testRng = root.derive('test');
  const means = new Float64Array(o.classes * o.features);
  for (let i = 0; i < means.length; i++) means[i] = MEAN_LOW + (MEAN_HIGH - MEAN_LOW) * meanRng.next();
  return {
    name,
    description:
      `synthetic Gaussian blobs: ${o.classes} classes, ${o.features} features, ` +
      `${o.trainPerClass}/${o.testPerClass} train/test per class, spread ${o.spread}, seed ${o.seed}`,
    features: o.features,
    shape: shapeOf(o.features),
    classes: o.classes,
    train: sample(means, o, o.trainPerClass, trainRng),
    test: sample(means, o, o.testPerClass, testRng),
  };
}
