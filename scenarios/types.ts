/**
 * Plain data shared by the scenario room: datasets, tasks, settings and the example sets a phase trains on.
 * Images stay `Uint8Array` (one byte a pixel, row-major, `features` bytes an image) until a batch is built,
 * so full MNIST costs ~55 MB instead of ~220 MB as float32.
 */

export interface ImageSplit {
  /** `count × features` pixels, 0..255 */
  images: Uint8Array;
  /** `count` labels, 0..classes-1 */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** name as written in a suite: 'mnist', 'mnist-full', 'idx:/path', 'synthetic' */
  name: string;
  description: string;
  /** pixels per example (784 for MNIST) */
  features: number;
  /** [height, width] of one image, or [1, features] for vector data */
  shape: [number, number];
  classes: number;
  train: ImageSplit;
  test: ImageSplit;
}

/** A scenario's padding and normalisation of its inputs, resolved (./inputTransform.ts). */
export interface InputTransform {
  /** value of each byte 0…255 as an input */
  readonly table: Float32Array;
  /** for every input, the image pixel it shows (before a task's permutation), or −1 for padding */
  readonly source: Int32Array;
  /** a task's permutation moves every input, padding included (`input.permute` 'padded'), not only the image's pixels */
  readonly permutesPadding: boolean;
}

/** The continual-learning setting: task-, domain- or class-incremental (see the suite reference, docs/suites.md). */
export type Setting = 'task' | 'domain' | 'class';
export const SETTINGS: readonly Setting[] = ['task', 'domain', 'class'];

export interface Task {
  /** 0-based position in the stream */
  id: number;
  name: string;
  /** original dataset labels this task holds */
  classes: number[];
  /**
   * pixel order of this task: input[k] = image[permutation[k]] (with `input.permute` 'padded': input[k] =
   * padded[permutation[k]], over every input of the padded image); null = identity
   */
  permutation: Uint32Array | null;
  /** indices into dataset.train / dataset.test */
  trainIndices: Uint32Array;
  testIndices: Uint32Array;
  /** output unit for each original label (length dataset.classes), -1 where the label is not in the task */
  targetOf: Int32Array;
  /** the outputs that belong to this task (its head in task-IL, its label block otherwise) */
  outputs: number[];
}

export interface Scenario {
  /** e.g. 'split-mnist-class' */
  name: string;
  kind: 'split' | 'permuted';
  setting: Setting;
  dataset: Dataset;
  tasks: Task[];
  /** width of the network's output layer */
  outputs: number;
  /** values per input: the dataset's pixels, or the padded image's with `input.pad` */
  inputSize: number;
  /** padding and normalisation of every input (./inputTransform.ts); null = pixel / 255 */
  input: InputTransform | null;
}

/**
 * Examples a phase trains on, as references into the scenario's training data: example `i` is image
 * `indices[i]` of `dataset.train`, seen through task `taskIds[i]` (its permutation and label map).
 */
export interface ExampleSet {
  /** each example's task id */
  taskIds: Uint16Array;
  /** each example's index into its dataset's training images */
  indices: Uint32Array;
}

/** A materialised mini-batch, ready to become tensors. */
export interface Batch {
  /** `size × inputSize`: pixel / 255, or as the scenario's `input` transform makes it */
  x: Float32Array;
  /** output unit of each example's label */
  targets: Int32Array;
  /** each example's task id */
  taskIds: Uint16Array;
  /** examples in the batch */
  size: number;
}
