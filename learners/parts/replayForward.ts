/**
 * How a rehearsal step that trains on the current batch and replay batches feeds them through a normalising
 * network (DER++ ../methods/derpp.ts, ER-ACE ../methods/erAce.ts), the `forward` option:
 *
 *   'joint'     one training forward over the rows of all parts together [x; x₁; x₂]: the batch statistics see
 *               current and replayed rows at once (the official AdaB²N code, models/derpp_ada.py, er_ace_ada.py)
 *   'separate'  one training forward per part, in order (current, then each replay batch): each part is
 *               normalised with its own statistics and the running statistics take one update per part, as
 *               PyTorch's in-place updates do (the official BN baseline, models/derpp.py, er_ace.py — its
 *               utils/main.py switches to the _ada files only for `--nl AdaB2N`)
 *   'official'  what the official code runs for the model's normalisation: 'separate' with BatchNorm,
 *               'joint' otherwise (AdaB²N; and without normalisation the two are the same function)
 *
 * Run keys: a suite entry's options are recorded with `forward` resolved for its model, and without it when it
 * resolves to 'joint', the only behaviour before the option existed — so keys of AdaB²N and plain-MLP runs that
 * do not name it are unchanged, and a BatchNorm run that does not name it gets a new key (it now runs the
 * official separate forwards).
 */
import * as tf from '@tensorflow/tfjs';
import { NormMlp } from '../../models/normMlp.js';
import type { Model, ModelSpec, NormKind } from '../../models/types.js';

export type ReplayForward = 'official' | 'separate' | 'joint';

export const FORWARD_SCHEMA = {
  enum: ['official', 'separate', 'joint'],
  default: 'official',
  description:
    "how the current and replay batches go through the network: 'joint' = one forward over [x; replay] (official AdaB2N code), 'separate' = one per batch (official BN baseline), 'official' = separate with batchnorm, joint otherwise",
} as const;

/** The forward a step makes with a model of normalisation `norm`. */
export function resolveForward(forward: ReplayForward | undefined, norm: NormKind | undefined): 'separate' | 'joint' {
  if (forward === undefined) return 'joint';
  if (forward === 'official') return norm === 'batchnorm' ? 'separate' : 'joint';
  return forward;
}

/** The normalisation of a built model. */
export function normOf(model: Model): NormKind {
  return model instanceof NormMlp ? model.kind : 'none';
}

/** The options a run of DER++ / ER-ACE is keyed and recorded under (see the run-key note above). */
export function forwardKeyOptions<O extends { forward?: ReplayForward }>(options: O, model: ModelSpec): O {
  const { forward, ...rest } = options;
  const resolved = resolveForward(forward, model.norm);
  return (resolved === 'joint' ? rest : { ...rest, forward: resolved }) as O;
}

/**
 * Training-mode logits of the rows of `x`, made of consecutive parts of `sizes` rows: one forward over all of
 * them ('joint'), or one forward per part in order ('separate'), each told its own rows' tasks (AdaB²N weighs
 * its statistics by them; the caller's `setBatchTasks` for the whole batch is then replaced part by part).
 */
export function partLogits(model: Model, x: tf.Tensor2D, sizes: number[], taskIds: ArrayLike<number>, tasksDone: number, forward: 'separate' | 'joint'): tf.Tensor2D {
  if (forward === 'joint' || sizes.length === 1) return model.forward(x, true);
  const parts: tf.Tensor2D[] = [];
  let start = 0;
  for (const rows of sizes) {
    model.setBatchTasks?.(Array.prototype.slice.call(taskIds, start, start + rows), tasksDone);
    parts.push(model.forward(tf.slice(x, [start, 0], [rows, x.shape[1]]), true));
    start += rows;
  }
  return tf.concat(parts, 0);
}
