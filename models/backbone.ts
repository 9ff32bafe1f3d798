/**
 * A backbone: the hidden dense layers of an `Mlp` (everything but the output layer), as plain arrays, so a
 * network pre-trained on one dataset can start another stream (SLCA's pre-trained model, Zhang et al. 2023, Sec. 3).
 * Reading and writing the file format is the runner's (models/backboneFile.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from './mlp.js';

export interface BackboneWeights {
  inputs: number;
  hidden: number[];
  /** layer l: weight [fan-in × hidden[l]] row-major, bias [hidden[l]] */
  layers: { weight: Float32Array; bias: Float32Array }[];
}

/** Copies of `mlp`'s hidden layers (read asynchronously: WebGPU allows no synchronous read). */
export async function extractBackbone(mlp: Mlp): Promise<BackboneWeights> {
  const hiddenLayers = mlp.weights.length - 1;
  const layers = await Promise.all(
    Array.from({ length: hiddenLayers }, async (_, l) => ({
      weight: Float32Array.from(await mlp.weights[l].data()),
      bias: Float32Array.from(await mlp.biases[l].data()),
    })),
  );
  return { inputs: mlp.weights[0].shape[0], hidden: layers.map((_, l) => mlp.weights[l].shape[1]), layers };
}

/** Why `backbone` does not fit `mlp` (input size, hidden widths), or null when it fits. */
export function backboneMismatch(mlp: Mlp, backbone: BackboneWeights): string | null {
  const inputs = mlp.weights[0].shape[0];
  const hidden = mlp.weights.slice(0, -1).map((w) => w.shape[1]);
  if (inputs !== backbone.inputs) return `the backbone takes ${backbone.inputs} inputs, the stream's data has ${inputs}`;
  if (hidden.join() !== backbone.hidden.join()) return `the backbone's hidden layers are [${backbone.hidden.join(', ')}], the model's [${hidden.join(', ')}]`;
  return null;
}

/** Overwrites `mlp`'s hidden layers with the backbone's values (the output layer keeps its initial values). */
export function loadBackbone(mlp: Mlp, backbone: BackboneWeights): void {
  const problem = backboneMismatch(mlp, backbone);
  if (problem) throw new Error(problem);
  tf.tidy(() =>
    backbone.layers.forEach(({ weight, bias }, l) => {
      mlp.weights[l].assign(tf.tensor2d(weight, mlp.weights[l].shape));
      mlp.biases[l].assign(tf.tensor1d(bias));
    }),
  );
}
