/**
 * A scenario's `input` (scenarios/inputTransform.ts): zero padding around each image and (x − mean) / std,
 * as torchvision's Pad + ToTensor + Normalize in Hsu et al.'s data loader — checked pixel by pixel on a
 * hand-made 3 × 3 dataset, with values computed in float32 by NumPy (the 0, 1, 128 and 255 of the test
 * below: `(np.float32(v) / np.float32(255) - np.float32(0.1)) / np.float32(0.2752)`).
 */
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { buildScenario } from '../../scenarios/build.js';
import { loadDataset } from '../../scenarios/datasets/index.js';
import { gatherBatch, taskExamples } from '../../scenarios/examples.js';
import { resolveInputTransform } from '../../scenarios/inputTransform.js';
import type { Dataset } from '../../scenarios/types.js';

const HSU = { pad: 2, mean: 0.1, std: 0.2752 };

/** Two 3 × 3 images of two classes: image i's pixel (r, c) is 10·(3r + c) + i. */
function tinyImages(): Dataset {
  const images = Uint8Array.from({ length: 18 }, (_, k) => 10 * (k % 9) + Math.floor(k / 9));
  const split = { images, labels: Uint8Array.from([0, 1]), count: 2 };
  return { name: 'tiny-images', description: 'test', features: 9, shape: [3, 3], classes: 2, train: split, test: split };
}

describe('scenario input: padding and normalisation', () => {
  it('maps a byte as torchvision does in float32 (ToTensor, then Normalize)', () => {
    const { table } = resolveInputTransform(HSU, tinyImages(), 'scenario')!;
    expect(table[0]).to.equal(-0.3633720874786377);
    expect(table[1]).to.equal(-0.34912219643592834);
    expect(table[128]).to.equal(1.4606133699417114);
    expect(table[255]).to.equal(3.27034854888916);
  });

  it('pads every side with zero pixels (normalised like any zero) and puts each pixel at its padded place', () => {
    const dataset = tinyImages();
    const scenario = buildScenario({ dataset: 'tiny-images', kind: 'split', setting: 'domain', tasks: 1, input: { pad: 1, mean: 0.5, std: 0.25 } }, dataset, new Rng(0, 'scenario'));
    expect(scenario.inputSize).to.equal(25);
    const batch = gatherBatch(scenario, 'train', taskExamples(scenario, 0), null);
    const value = (byte: number) => Math.fround(Math.fround(Math.fround(byte / 255) - 0.5) / 0.25);
    for (let image = 0; image < 2; image++)
      for (let r = 0; r < 5; r++)
        for (let c = 0; c < 5; c++) {
          const inside = r >= 1 && r <= 3 && c >= 1 && c <= 3;
          const byte = inside ? 10 * (3 * (r - 1) + (c - 1)) + image : 0;
          expect(batch.x[image * 25 + r * 5 + c], `image ${image} (${r}, ${c})`).to.equal(value(byte));
        }
  });

  it('permutes the image pixels of a permuted task and leaves the padding around them', () => {
    const dataset = tinyImages();
    const scenario = buildScenario({ dataset: 'tiny-images', kind: 'permuted', setting: 'domain', tasks: 2, input: { pad: 1 } }, dataset, new Rng(3, 'scenario'));
    const perm = scenario.tasks[1].permutation!;
    const batch = gatherBatch(scenario, 'train', taskExamples(scenario, 1), null);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) expect(batch.x[(r + 1) * 5 + c + 1]).to.equal(Math.fround(dataset.train.images[perm[3 * r + c]] / 255));
    expect([batch.x[0], batch.x[4], batch.x[20], batch.x[24]]).to.deep.equal([0, 0, 0, 0]);
  });

  it("permute 'padded' permutes every input of the padded image, padding included (Hsu et al.'s PermutedGen)", () => {
    const dataset = tinyImages();
    const spec = { dataset: 'tiny-images', kind: 'permuted' as const, setting: 'domain' as const, tasks: 3, identityFirstTask: true };
    const scenario = buildScenario({ ...spec, input: { pad: 1, permute: 'padded' } }, dataset, new Rng(3, 'scenario'));
    expect(scenario.inputSize).to.equal(25);
    expect(scenario.tasks[0].permutation).to.equal(null);
    const byte = (image: number, k: number) => {
      const [r, c] = [Math.floor(k / 5), k % 5];
      return r >= 1 && r <= 3 && c >= 1 && c <= 3 ? dataset.train.images[image * 9 + 3 * (r - 1) + (c - 1)] : 0;
    };
    for (const t of [1, 2]) {
      const perm = scenario.tasks[t].permutation!;
      expect(perm.length, `task ${t}`).to.equal(25);
      expect([...perm].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 25 }, (_, k) => k));
      const batch = gatherBatch(scenario, 'train', taskExamples(scenario, t), null);
      for (let image = 0; image < 2; image++)
        for (let k = 0; k < 25; k++) expect(batch.x[image * 25 + k], `task ${t} image ${image} input ${k}`).to.equal(Math.fround(byte(image, perm[k]) / 255));
      // an image pixel lands on the border and padding inside it: not the 'image' stream
      const border = (k: number) => k < 5 || k >= 20 || k % 5 === 0 || k % 5 === 4;
      expect(Array.from(perm).some((from, k) => border(k) && !border(from)), `task ${t}`).to.equal(true);
    }
    // 'image' (the default) permutes the 9 pixels only
    const imageOnly = buildScenario({ ...spec, input: { pad: 1, permute: 'image' } }, dataset, new Rng(3, 'scenario'));
    expect(imageOnly.tasks[1].permutation!.length).to.equal(9);
  });

  it("refuses permute 'padded' outside a permuted scenario", () => {
    expect(() => buildScenario({ dataset: 'tiny-images', kind: 'split', setting: 'domain', tasks: 1, input: { pad: 1, permute: 'padded' } }, tinyImages(), new Rng(0, 'scenario'))).to.throw(
      UserError,
      /input.permute 'padded'.*'split'/,
    );
  });

  it('is absent by default: pixel / 255, the dataset\'s width', () => {
    const scenario = buildScenario({ dataset: 'tiny-images', kind: 'split', setting: 'domain', tasks: 1 }, tinyImages(), new Rng(0, 'scenario'));
    expect(scenario.input).to.equal(null);
    expect(scenario.inputSize).to.equal(9);
    expect(gatherBatch(scenario, 'train', taskExamples(scenario, 0), null).x[4]).to.equal(Math.fround(40 / 255));
  });

  it('refuses mean without std, and padding of data without an image shape', () => {
    expect(() => resolveInputTransform({ mean: 0.1 }, tinyImages(), "scenario 'x'")).to.throw(UserError, /mean and std come together/);
    // 10 features are no square: a synthetic dataset of them is vectors, shape [1, 10]
    const vectors = loadDataset('synthetic:classes=2,features=10,trainPerClass=2,testPerClass=1');
    expect(() => resolveInputTransform({ pad: 2 }, vectors, "scenario 'x'")).to.throw(UserError, /no image shape to pad/);
  });
});
