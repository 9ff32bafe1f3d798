import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../core/errors.js';
import { DATASETS, loadDataset } from '../../scenarios/datasets/index.js';
import { IDX_FILES, parseIdx, readIdxFolder } from '../../scenarios/datasets/idx.js';
import {
  loadMnistEmbedded,
  MNIST_TEST_FRACTION,
  readMnistEmbedded,
} from '../../scenarios/datasets/mnistEmbedded.js';
import { loadMnistFull } from '../../scenarios/datasets/mnistFull.js';
import { makeSynthetic } from '../../scenarios/datasets/synthetic.js';
import type { Dataset, ImageSplit } from '../../scenarios/types.js';

/** An unsigned-byte IDX file: 0 0 8 ndims, big-endian dims, data. */
function idx(dims: number[], data: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

/** A tiny dataset: `count` 2×3 images whose pixels encode their index, labels i % 3. */
function tinySplit(count: number, offset: number) {
  const images = Array.from({ length: count * 6 }, (_, k) => (offset + k) % 256);
  const labels = Array.from({ length: count }, (_, i) => i % 3);
  return { images: idx([count, 2, 3], images), labels: idx([count], labels), rawImages: images, rawLabels: labels };
}

function writeFolder(folder: string, gz = false, names: Partial<Record<keyof typeof IDX_FILES, string>> = {}) {
  mkdirSync(folder, { recursive: true });
  const train = tinySplit(5, 0);
  const test = tinySplit(4, 100);
  const files = { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
  for (const key of Object.keys(files) as (keyof typeof IDX_FILES)[]) {
    const name = (names[key] ?? IDX_FILES[key]) + (gz ? '.gz' : '');
    writeFileSync(join(folder, name), gz ? gzipSync(files[key]) : files[key]);
  }
  return { train, test };
}

/** Runs `fn`, expecting a UserError; returns it. */
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

function imageKeys(split: ImageSplit, features: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < split.count; i++) {
    keys.push(Buffer.from(split.images.subarray(i * features, (i + 1) * features)).toString('base64'));
  }
  return keys;
}

function sameData(a: Dataset, b: Dataset): boolean {
  return (
    Buffer.compare(Buffer.from(a.train.images), Buffer.from(b.train.images)) === 0 &&
    Buffer.compare(Buffer.from(a.train.labels), Buffer.from(b.train.labels)) === 0 &&
    Buffer.compare(Buffer.from(a.test.images), Buffer.from(b.test.images)) === 0 &&
    Buffer.compare(Buffer.from(a.test.labels), Buffer.from(b.test.labels)) === 0
  );
}

describe('datasets', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'clbench-datasets-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('IDX reader', () => {
    it('parses an unsigned-byte IDX buffer', () => {
      const parsed = parseIdx(idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), 'x');
      expect(parsed.dims).to.deep.equal([2, 2, 2]);
      expect(Array.from(parsed.data)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    for (const gz of [false, true]) {
      it(`reads a folder of ${gz ? '.gz' : 'raw'} files back`, () => {
        const folder = join(tmp, gz ? 'round-gz' : 'round-raw');
        const { train, test } = writeFolder(folder, gz);
        const ds = readIdxFolder(folder, 'tiny');
        expect(ds.name).to.equal('tiny');
        expect(ds.shape).to.deep.equal([2, 3]);
        expect(ds.features).to.equal(6);
        expect(ds.classes).to.equal(3);
        expect(ds.train.count).to.equal(5);
        expect(ds.test.count).to.equal(4);
        expect(ds.train.images).to.be.instanceOf(Uint8Array);
        expect(Array.from(ds.train.images)).to.deep.equal(train.rawImages);
        expect(Array.from(ds.train.labels)).to.deep.equal(train.rawLabels);
        expect(Array.from(ds.test.images)).to.deep.equal(test.rawImages);
        expect(Array.from(ds.test.labels)).to.deep.equal(test.rawLabels);
      });
    }

    it('accepts the train-images.idx3-ubyte name variant', () => {
      const folder = join(tmp, 'dotted');
      writeFolder(folder, false, {
        trainImages: 'train-images.idx3-ubyte',
        trainLabels: 'train-labels.idx1-ubyte',
        testImages: 't10k-images.idx3-ubyte',
        testLabels: 't10k-labels.idx1-ubyte',
      });
      expect(readIdxFolder(folder, 'dotted').train.count).to.equal(5);
    });

    describe('errors name the file and the expected layout', () => {
      function broken(name: string, file: keyof typeof IDX_FILES, contents: Buffer, gz = false) {
        const folder = join(tmp, name);
        writeFolder(folder, gz);
        const path = join(folder, IDX_FILES[file] + (gz ? '.gz' : ''));
        writeFileSync(path, contents);
        const err = userError(() => readIdxFolder(folder, name));
        expect(err.message).to.include(path);
        expect(err.fix).to.include('train-images-idx3-ubyte').and.include('t10k-labels-idx1-ubyte');
        return err;
      }

      it('wrong magic', () => {
        const err = broken('magic', 'trainImages', Buffer.from('GIF89a this is not idx'));
        expect(err.message).to.match(/not an IDX file: magic 0x47494638/);
      });

      it('labels file where images are expected', () => {
        const err = broken('swapped', 'trainImages', idx([5], [0, 1, 2, 0, 1]));
        expect(err.message).to.include('magic 0x00000801').and.include('expected 0x00000803');
      });

      it('unsupported data type', () => {
        const file = idx([5], [0, 1, 2, 0, 1]);
        file[2] = 0x0d; // float
        const err = broken('float', 'trainLabels', file);
        expect(err.message).to.include('data type 0x0d');
      });

      it('truncated file', () => {
        const err = broken('truncated', 'testImages', tinySplit(4, 0).images.subarray(0, 30));
        expect(err.message).to.include('truncated').and.include('30 bytes, expected 40');
      });

      it('label and image counts disagree', () => {
        const err = broken('counts', 'trainLabels', idx([4], [0, 1, 2, 0]));
        expect(err.message).to.include('4 labels').and.include('5 images');
      });

      it('train and test shapes disagree', () => {
        const err = broken('shapes', 'testImages', idx([4, 3, 2], new Array(24).fill(0)));
        expect(err.message).to.include('3×2').and.include('2×3');
      });

      it('a .gz that is not gzip', () => {
        const err = broken('notgzip', 'trainLabels', tinySplit(5, 0).labels, true);
        expect(err.message).to.include('is not gzip data');
      });

      it('a missing file names the paths looked for', () => {
        const folder = join(tmp, 'missing');
        writeFolder(folder);
        rmSync(join(folder, IDX_FILES.testLabels));
        const err = userError(() => readIdxFolder(folder, 'missing'));
        expect(err.message).to.include(join(folder, 't10k-labels-idx1-ubyte.gz'));
      });

      it('a missing folder', () => {
        const folder = join(tmp, 'nowhere');
        expect(userError(() => readIdxFolder(folder, 'x')).message).to.include(folder).and.include('does not exist');
      });
    });
  });

  describe('mnist (embedded 10k)', () => {
    it('holds 10,000 digits split 5/6 : 1/6 per class, train and test disjoint', () => {
      const ds = loadMnistEmbedded();
      expect(ds.name).to.equal('mnist');
      expect(ds.features).to.equal(784);
      expect(ds.shape).to.deep.equal([28, 28]);
      expect(ds.classes).to.equal(10);
      expect(ds.train.count + ds.test.count).to.equal(10_000);
      expect(ds.train.images.length).to.equal(ds.train.count * 784);
      const total = new Array(10).fill(0);
      const test = new Array(10).fill(0);
      ds.train.labels.forEach((l) => total[l]++);
      ds.test.labels.forEach((l) => {
        total[l]++;
        test[l]++;
      });
      for (let c = 0; c < 10; c++) expect(Math.abs(test[c] - total[c] * MNIST_TEST_FRACTION)).to.be.at.most(1);
      const trainKeys = new Set(imageKeys(ds.train, 784));
      expect(trainKeys.size).to.equal(ds.train.count);
      expect(imageKeys(ds.test, 784).filter((k) => trainKeys.has(k))).to.be.empty;
    });

    it('makes the same split every time, and caches it', () => {
      expect(sameData(readMnistEmbedded(), loadMnistEmbedded())).to.equal(true);
      expect(loadMnistEmbedded()).to.equal(loadMnistEmbedded());
    });
  });

  describe('mnist-full', () => {
    it('loads 60,000 / 10,000 digits of 784 bytes quickly, outside the JS heap', () => {
      const heapBefore = process.memoryUsage().heapUsed;
      const start = performance.now();
      const ds = loadMnistFull();
      const seconds = (performance.now() - start) / 1000;
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(seconds).to.be.below(3);
      expect(ds.train.count).to.equal(60_000);
      expect(ds.test.count).to.equal(10_000);
      expect(ds.features).to.equal(784);
      expect(ds.shape).to.deep.equal([28, 28]);
      expect(ds.classes).to.equal(10);
      expect(ds.train.labels[0]).to.equal(5);
      expect(ds.train.images).to.be.instanceOf(Uint8Array);
      expect(ds.train.images.byteLength).to.equal(47_040_000);
      expect(ds.test.images.byteLength).to.equal(7_840_000);
      expect(heapGrowth).to.be.below(20 * 2 ** 20);
    });
  });

  describe('synthetic', () => {
    it('is deterministic in its seed and differs across seeds', () => {
      expect(sameData(makeSynthetic({ seed: 3 }), makeSynthetic({ seed: 3 }))).to.equal(true);
      expect(sameData(makeSynthetic({ seed: 3 }), makeSynthetic({ seed: 4 }))).to.equal(false);
    });

    it('has the default shape and sizes', () => {
      const ds = makeSynthetic();
      expect(ds.shape).to.deep.equal([8, 8]);
      expect(ds.features).to.equal(64);
      expect(ds.classes).to.equal(10);
      expect(ds.train.count).to.equal(1000);
      expect(ds.test.count).to.equal(400);
    });

    it('is separable from all features but not from any single one', () => {
      const ds = makeSynthetic();
      const F = ds.features;
      const perClass = ds.train.count / ds.classes;
      const means = new Float64Array(ds.classes * F);
      for (let i = 0; i < ds.train.count; i++) {
        for (let f = 0; f < F; f++) means[ds.train.labels[i] * F + f] += ds.train.images[i * F + f] / perClass;
      }
      /** test accuracy of nearest class mean over the features in `use` */
      const accuracy = (use: number[]) => {
        let correct = 0;
        for (let i = 0; i < ds.test.count; i++) {
          let best = -1;
          let bestDistance = Infinity;
          for (let c = 0; c < ds.classes; c++) {
            let d = 0;
            for (const f of use) d += (ds.test.images[i * F + f] - means[c * F + f]) ** 2;
            if (d < bestDistance) [best, bestDistance] = [c, d];
          }
          if (best === ds.test.labels[i]) correct++;
        }
        return correct / ds.test.count;
      };
      expect(accuracy([...Array(F).keys()])).to.be.above(0.95);
      for (let f = 0; f < F; f++) expect(accuracy([f])).to.be.below(0.5);
    });
  });

  describe('loadDataset', () => {
    it('knows mnist, mnist-full, synthetic and idx:', () => {
      expect(loadDataset('mnist').train.count).to.be.above(8000);
      expect(loadDataset('mnist-full').train.count).to.equal(60_000);
      expect(loadDataset('synthetic').classes).to.equal(10);
      writeFolder(join(tmp, 'suite', 'data'));
      const ds = loadDataset('idx:data', { baseDir: join(tmp, 'suite') });
      expect(ds.name).to.equal('idx:data');
      expect(ds.train.count).to.equal(5);
    });

    it('reads synthetic parameters from the spec, then options, then the seed', () => {
      const ds = loadDataset('synthetic:classes=4,features=16', { syntheticOptions: { trainPerClass: 7 } });
      expect(ds.name).to.equal('synthetic:classes=4,features=16');
      expect([ds.classes, ds.features, ds.train.count, ds.test.count]).to.deep.equal([4, 16, 28, 160]);
      expect(ds.shape).to.deep.equal([4, 4]);
      expect(sameData(loadDataset('synthetic', { seed: 5 }), makeSynthetic({ seed: 5 }))).to.equal(true);
      expect(sameData(loadDataset('synthetic:seed=2', { seed: 5 }), makeSynthetic({ seed: 2 }))).to.equal(true);
    });

    it('rejects unknown names and bad parameters with a UserError', () => {
      const err = userError(() => loadDataset('cifar', { where: 'suite.json: dataset' }));
      expect(err.message).to.include("'cifar'");
      expect(err.where).to.equal('suite.json: dataset');
      expect(err.fix).to.include('mnist-full').and.include('idx:<folder>');
      expect(userError(() => loadDataset('synthetic:colours=3')).fix).to.include('classes');
      expect(userError(() => loadDataset('synthetic:classes=x')).message).to.include('classes=x');
      expect(userError(() => loadDataset('synthetic:classes=1')).message).to.include('classes');
      expect(userError(() => loadDataset('idx:')).message).to.include('no folder');
    });

    it('describes every dataset for `clbench list`', () => {
      expect(DATASETS.map((d) => d.name)).to.deep.equal(['mnist', 'mnist-full', 'fashion-mnist', 'synthetic', 'idx:<folder>']);
      for (const d of DATASETS) expect(d.description).to.be.a('string').and.not.empty;
    });
  });
});
