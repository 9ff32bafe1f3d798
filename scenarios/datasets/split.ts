/**
 * Helpers for datasets that come as one pool of examples and must be cut into train and test.
 */
import type { Rng } from '../../core/random.js';
import type { ImageSplit } from '../types.js';

/**
 * Splits example indices into train and test, class by class: each class puts
 * `Math.round(count × testFraction)` of its examples, drawn by `rng`, into test. Both lists are then
 * shuffled so the classes are interleaved, as in MNIST's own files.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  testFraction: number,
  rng: Rng,
): { train: Uint32Array; test: Uint32Array } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const train: number[] = [];
  const test: number[] = [];
  // Visit classes in label order so the draws do not depend on which label came first.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(byClass.get(label)!);
    const testCount = Math.round(members.length * testFraction);
    test.push(...members.slice(0, testCount));
    train.push(...members.slice(testCount));
  }
  return { train: rng.shuffle(Uint32Array.from(train)), test: rng.shuffle(Uint32Array.from(test)) };
}

/** Copies the examples at `indices` out of a pool of `features`-byte images into a new split. */
export function gather(images: Uint8Array, labels: Uint8Array, features: number, indices: Uint32Array): ImageSplit {
  const out: ImageSplit = {
    images: new Uint8Array(indices.length * features),
    labels: new Uint8Array(indices.length),
    count: indices.length,
  };
  indices.forEach((from, to) => {
    out.images.set(images.subarray(from * features, (from + 1) * features), to * features);
    out.labels[to] = labels[from];
  });
  return out;
}
