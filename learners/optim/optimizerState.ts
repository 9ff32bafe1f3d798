/**
 * An optimizer's state (Adam moments and step, momentum accumulators, iteration counts) for checkpoints.
 *
 * tfjs optimizers name their slots after the variables they update (`<variable name>/m`), and variable
 * names are per-process counters: the same model built again, in another process or later in this one,
 * gets other names. Saved names therefore refer to variables by their position in the model (`#3/m`)
 * and are mapped back to the current variables' names on restore. Slots keep their order (tfjs momentum
 * restores its accumulators by position, its iteration count from the first entry).
 */
import * as tf from '@tensorflow/tfjs';
import { copyTensor } from '../parts/parameterCopies.js';

export interface SavedOptimizer {
  /** portable slot names, in the optimizer's order */
  names: string[];
  /** the slots' values, copies owned by the caller, in the same order */
  tensors: tf.Tensor[];
}

export async function saveOptimizer(optimizer: tf.Optimizer, variables: tf.Variable[]): Promise<SavedOptimizer> {
  const weights = await optimizer.getWeights();
  return {
    names: weights.map((w) => portableName(w.name, variables)),
    // Slots that are the optimizer's own variables are copied; anything else getWeights made is fresh.
    tensors: weights.map((w) => (w.tensor instanceof tf.Variable ? copyTensor(w.tensor) : w.tensor)),
  };
}

/** Load saved slots into `optimizer` (which shares them by reference count; the caller may dispose its tensors). */
export async function restoreOptimizer(optimizer: tf.Optimizer, saved: SavedOptimizer, variables: tf.Variable[]): Promise<void> {
  if (saved.names.length === 0) return;
  await optimizer.setWeights(saved.names.map((name, i) => ({ name: localName(name, variables), tensor: saved.tensors[i] })));
}

function portableName(name: string, variables: tf.Variable[]): string {
  const index = variables.findIndex((v) => name === v.name || name.startsWith(`${v.name}/`));
  return index < 0 ? name : `#${index}${name.slice(variables[index].name.length)}`;
}

function localName(name: string, variables: tf.Variable[]): string {
  const match = /^#(\d+)(\/.*)?$/.exec(name);
  if (!match) return name;
  const variable = variables[Number(match[1])];
  if (!variable) throw new Error(`optimizer state names variable ${match[1]}, the model has ${variables.length}`);
  return `${variable.name}${match[2] ?? ''}`;
}
