/**
 * The replay buffer of Mammoth (utils/buffer.py), which the DER++ and ER-ACE code of AdaB²N (Lyu et al.
 * 2023, lvyilin/AdaB2N) uses: reservoir sampling over the stream of presented examples, every presentation counted —
 * an example trained on again in a later epoch is offered again — with optional stored logits (DER++'s "dark
 * knowledge"). Slot for the n-th presentation (0-based): n while n < K, else r ~ U{0..n}, kept when r < K.
 * Draws for replay are uniform without replacement over the filled slots.
 *
 * It holds references (task id, index into the training data), never pixels: a replayed example is gathered
 * like any other. (`replay`'s reservoir policy, ./replayMemory.ts, counts distinct examples instead, as Chaudhry
 * et al. describe it; the two agree in the one-epoch online setting.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng, RngState } from '../../core/random.js';
import type { ExampleSet } from '../../scenarios/types.js';
import type { LearnerState } from '../contract.js';
import type { Stateful } from '../state.js';

export interface StreamBufferSnapshot {
  taskIds: Int32Array;
  indices: Int32Array;
  /** capacity × width stored logits (empty without logits) */
  logits: Float32Array;
  json: { seen: number; rng: RngState };
}

/**
 * A replay memory of `capacity` slots filled by reservoir sampling over every presented example (Mammoth's
 * buffer; see the module comment), holding references and, when `logitWidth` > 0, each example's logits.
 * A learner declares it as part of its state (`this.remember('buffer', new StreamBuffer(…))`, ../state.ts);
 * `streamBufferState` / `restoreStreamBuffer` remain for hand-written checkpoint code.
 */
export class StreamBuffer implements Stateful {
  private readonly taskIds: Uint16Array;
  private readonly indices: Uint32Array;
  /** row-major capacity × logitWidth; empty when logitWidth = 0 */
  private readonly logits: Float32Array;
  /** presentations offered so far (Mammoth's num_seen_examples) */
  private seen = 0;

  constructor(
    readonly capacity: number,
    readonly logitWidth: number,
    private readonly rng: Rng,
  ) {
    this.taskIds = new Uint16Array(capacity);
    this.indices = new Uint32Array(capacity);
    this.logits = new Float32Array(capacity * logitWidth);
  }

  /** filled slots */
  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  /**
   * Offers examples `positions` of `set` in order; `logits` holds one row of `logitWidth` values per position
   * (required when the buffer stores logits).
   */
  add(set: ExampleSet, positions: ArrayLike<number>, logits?: Float32Array): void {
    const width = this.logitWidth;
    if (width > 0 && (!logits || logits.length !== positions.length * width))
      throw new Error(`StreamBuffer.add: ${positions.length} examples need ${positions.length * width} logits, got ${logits?.length ?? 0}`);
    for (let k = 0; k < positions.length; k++) {
      const slot = this.seen < this.capacity ? this.seen : this.rng.int(this.seen + 1);
      this.seen++;
      if (slot >= this.capacity) continue;
      this.taskIds[slot] = set.taskIds[positions[k]];
      this.indices[slot] = set.indices[positions[k]];
      if (width > 0) this.logits.set(logits!.subarray(k * width, (k + 1) * width), slot * width);
    }
  }

  /** `count` distinct filled slots (fewer when fewer are filled), uniformly at random */
  sample(count: number, rng: Rng): Uint32Array {
    const size = this.size;
    return rng.sample(Uint32Array.from({ length: size }, (_, i) => i), Math.min(count, size));
  }

  /** the examples in `slots`, as an example set */
  examplesAt(slots: ArrayLike<number>): ExampleSet {
    const taskIds = new Uint16Array(slots.length);
    const indices = new Uint32Array(slots.length);
    for (let k = 0; k < slots.length; k++) {
      taskIds[k] = this.taskIds[slots[k]];
      indices[k] = this.indices[slots[k]];
    }
    return { taskIds, indices };
  }

  /** the stored logits of `slots`, row after row */
  logitsAt(slots: ArrayLike<number>): Float32Array {
    const width = this.logitWidth;
    const out = new Float32Array(slots.length * width);
    for (let k = 0; k < slots.length; k++) out.set(this.logits.subarray(slots[k] * width, (slots[k] + 1) * width), k * width);
    return out;
  }

  /** A copy of the buffer's contents and its generator's state (`load` takes it back). */
  save(): StreamBufferSnapshot {
    return {
      taskIds: Int32Array.from(this.taskIds),
      indices: Int32Array.from(this.indices),
      logits: Float32Array.from(this.logits),
      json: { seen: this.seen, rng: this.rng.state() },
    };
  }

  /** The buffer as a declared part of a learner's state (../state.ts). */
  saveState(): LearnerState {
    return streamBufferState('buffer', this);
  }

  loadState(state: LearnerState): Promise<void> {
    return restoreStreamBuffer('buffer', this, state.tensors, state.json as StreamBufferSnapshot['json']);
  }

  /** continue from the `save()` of a buffer of the same capacity and logit width */
  load(snapshot: StreamBufferSnapshot): void {
    this.taskIds.set(snapshot.taskIds);
    this.indices.set(snapshot.indices);
    this.logits.set(snapshot.logits);
    this.seen = snapshot.json.seen;
    this.rng.setState(snapshot.json.rng);
  }
}

/** The buffer as named state tensors (copies the caller disposes) and JSON. */
export function streamBufferState(prefix: string, buffer: StreamBuffer): { tensors: Record<string, tf.Tensor>; json: StreamBufferSnapshot['json'] } {
  const s = buffer.save();
  const tensors: Record<string, tf.Tensor> = {
    [`${prefix}/taskIds`]: tf.tensor1d(s.taskIds, 'int32'),
    [`${prefix}/indices`]: tf.tensor1d(s.indices, 'int32'),
  };
  if (s.logits.length) tensors[`${prefix}/logits`] = tf.tensor1d(s.logits, 'float32');
  return { tensors, json: s.json };
}

/** Loads what `streamBufferState` saved into `buffer`. */
export async function restoreStreamBuffer(prefix: string, buffer: StreamBuffer, tensors: Record<string, tf.Tensor>, json: StreamBufferSnapshot['json']): Promise<void> {
  const read = async (name: string) => {
    const t = tensors[`${prefix}/${name}`];
    if (!t) throw new Error(`the saved state has no tensor '${prefix}/${name}'`);
    return t.data();
  };
  buffer.load({
    taskIds: Int32Array.from(await read('taskIds')),
    indices: Int32Array.from(await read('indices')),
    logits: buffer.logitWidth > 0 ? Float32Array.from(await read('logits')) : new Float32Array(0),
    json,
  });
}
