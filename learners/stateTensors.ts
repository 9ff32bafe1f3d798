/**
 * Small helpers for hand-written checkpoint state (a `Stateful` part's saveState/loadState, or the
 * `extraState` / `restoreExtraState` hooks of plugins written before declared state, ./state.ts): lists of
 * tensors and example sets as named state tensors, and name prefixes to keep several parts apart.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExampleSet } from '../scenarios/types.js';
import type { LearnerState } from './contract.js';
import { copyTensor } from './parts/parameterCopies.js';

/** Copies of `list` under `<prefix>/0`, `<prefix>/1` … (nothing for null); the caller disposes them. */
export function listState(prefix: string, list: readonly tf.Tensor[] | null): Record<string, tf.Tensor> {
  return Object.fromEntries((list ?? []).map((t, i) => [`${prefix}/${i}`, copyTensor(t)]));
}

/** The list `listState` saved, as deep copies the learner keeps; null when it saved none. */
export function listFromState(prefix: string, tensors: LearnerState['tensors']): tf.Tensor[] | null {
  const list: tf.Tensor[] = [];
  for (let i = 0; tensors[`${prefix}/${i}`]; i++) list.push(tf.keep(copyTensor(tensors[`${prefix}/${i}`])));
  return list.length ? list : null;
}

/** `tensors` with every name put under `<prefix>/`. */
export function withPrefix(prefix: string, tensors: LearnerState['tensors']): LearnerState['tensors'] {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`${prefix}/${name}`, t]));
}

/** The tensors named `<prefix>/…`, with the prefix taken off. */
export function underPrefix(prefix: string, tensors: LearnerState['tensors']): LearnerState['tensors'] {
  const start = `${prefix}/`;
  return Object.fromEntries(Object.entries(tensors).filter(([name]) => name.startsWith(start)).map(([name, t]) => [name.slice(start.length), t]));
}

/** An example set (references into the training data) as two int32 tensors. */
export function examplesState(prefix: string, set: ExampleSet): Record<string, tf.Tensor> {
  return {
    [`${prefix}/taskIds`]: tf.tensor1d(Int32Array.from(set.taskIds), 'int32'),
    [`${prefix}/indices`]: tf.tensor1d(Int32Array.from(set.indices), 'int32'),
  };
}

/** The example set `examplesState` saved under `prefix`. */
export async function examplesFromState(prefix: string, tensors: LearnerState['tensors']): Promise<ExampleSet> {
  const part = (name: string) => {
    const t = tensors[`${prefix}/${name}`];
    if (!t) throw new Error(`the saved state has no tensor '${prefix}/${name}'`);
    return t.data();
  };
  return { taskIds: Uint16Array.from(await part('taskIds')), indices: Uint32Array.from(await part('indices')) };
}
