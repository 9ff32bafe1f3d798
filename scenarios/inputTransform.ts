/**
 * What a network's input is made of beyond pixel / 255: a scenario's optional `input` — zero padding around
 * each image and a normalisation (x − mean) / std — as torchvision's `Pad` + `ToTensor` + `Normalize` in
 * the published pipelines. Hsu et al. 2018 (`dataloaders/base.py`) pad MNIST to 32 × 32 and normalise with
 * mean 0.1, std 0.2752 for every scenario; the input scale matters to plain SGD (on split MNIST task-IL,
 * SGD at lr 0.01 ends ~2 points lower on [0, 1] pixels), so their protocol needs it.
 *
 * A pixel's value goes through float32 as torchvision computes it — v / 255, minus mean, divided by std,
 * each rounded to float32 — looked up in a 256-entry table.
 *
 * What a permuted task's permutation moves (`permute`): 'image' (the default) the image's own pixels, the
 * padding staying around them in every task; 'padded' every input of the padded, normalised image, padding
 * included, as Hsu et al.'s PermutedGen (`dataloaders/datasetGen.py`, permuting the transformed 32 × 32
 * tensor's 1,024 values) and van de Ven & Tolias's code do. The two are not the same stream: with 'image'
 * the same 240 inputs are padding in every task, with 'padded' each task has its padding elsewhere, so
 * tasks share fewer inputs (and first-layer weights).
 */
import { UserError } from '../core/errors.js';
import type { Dataset, InputTransform } from './types.js';

export interface InputSpec {
  /** zero pixels added on every side of each image before normalising (Hsu et al.: 2, 28 × 28 → 32 × 32) */
  pad?: number;
  /** normalisation (x − mean) / std of x = pixel / 255; both or neither */
  mean?: number;
  std?: number;
  /** what a permuted task permutes: the image's pixels inside the padding ('image', default) or every padded input */
  permute?: 'image' | 'padded';
}

/** The transform a scenario's `input` asks for, or null for plain pixel / 255 (the default). */
export function resolveInputTransform(spec: InputSpec | undefined, dataset: Dataset, where: string): InputTransform | null {
  if (spec === undefined) return null;
  const pad = spec.pad ?? 0;
  if ((spec.mean === undefined) !== (spec.std === undefined))
    throw new UserError('mean and std come together', `${where}.input`, 'give both (e.g. "mean": 0.1, "std": 0.2752, Hsu et al.\'s MNIST values) or neither');
  const [height, width] = dataset.shape;
  if (pad > 0 && height === 1)
    throw new UserError(`${dataset.name} has no image shape to pad (its examples are vectors of ${dataset.features})`, `${where}.input.pad`, 'remove pad, or use an image dataset');
  const f32 = Math.fround;
  const [mean, std] = [f32(spec.mean ?? 0), f32(spec.std ?? 1)];
  const table = Float32Array.from({ length: 256 }, (_, v) => f32(f32(f32(v / 255) - mean) / std));
  const paddedWidth = width + 2 * pad;
  const source = new Int32Array((height + 2 * pad) * paddedWidth).fill(-1);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) source[(r + pad) * paddedWidth + c + pad] = r * width + c;
  return { table, source, permutesPadding: spec.permute === 'padded' };
}
