/**
 * Replay memories: which training examples a rehearsal learner keeps. A memory holds references (task id +
 * index into the training data, an ExampleSet), never pixels. Three policies:
 *
 *   'reservoir'      a fixed total capacity K filled by reservoir sampling (Vitter 1985, algorithm R) over
 *                    the stream of distinct examples as training first meets them (Chaudhry et al. 2019,
 *                    "On Tiny Episodic Memories"): the n-th distinct example (0-based) is stored while
 *                    n < K, else it replaces slot r ~ U{0..n} when r < K. Every example of the stream ends up
 *                    in memory with the same probability K/N.
 *   'per-task'       K split equally over the tasks seen, ⌊K / tasks⌋ each (capped at the task's size),
 *                    updated at the end of each task: earlier tasks' slots shrink (keeping a random subset),
 *                    the new task gets a seeded random choice of its examples (Hsu et al. 2018's "naive
 *                    rehearsal", agents/exp_replay.py).
 *   'class-balanced' K split equally over the classes seen, ⌊K / classes⌋ each, updated the same way at the
 *                    end of each task (van de Ven et al. 2022's budget per class). A class is a (task, label)
 *                    pair: in permuted MNIST every task's digits are separate classes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng, RngState } from '../../core/random.js';
import { concatExamples, selectExamples } from '../../scenarios/examples.js';
import type { ExampleSet } from '../../scenarios/types.js';
import type { LearnerState } from '../contract.js';
import type { Stateful } from '../state.js';

export type MemoryPolicy = 'reservoir' | 'per-task' | 'class-balanced';
export const MEMORY_POLICIES: readonly MemoryPolicy[] = ['reservoir', 'per-task', 'class-balanced'];

/** A memory is a declared part of a learner's state (../state.ts): `saveState`/`loadState` go through `save`/`load`. */
export interface ReplayMemory extends Stateful {
  /** the examples stored now */
  examples(): ExampleSet;
  /** examples `positions` of `set` were just trained on (the reservoir watches this stream) */
  observe(set: ExampleSet, positions: ArrayLike<number>): void;
  /** task `taskId` ended; `targets()` gives the output unit of each of its examples (class-balanced needs it) */
  endTask(taskId: number, examples: ExampleSet, targets: () => Int32Array): void;
  /** contents and generator state, for checkpoints */
  save(): MemorySnapshot;
  /** continue from the `save()` of a memory of the same policy and capacity */
  load(snapshot: MemorySnapshot): void;
}

/** A memory for a checkpoint: integer arrays (example references) and plain JSON (counters, generator). */
export interface MemorySnapshot {
  arrays: Record<string, Int32Array>;
  json: unknown;
}

/**
 * The training set of a phase with the memory rehearsed as Hsu et al. 2018's naive rehearsal does it
 * (agents/exp_replay.py, Naive_Rehearsal.learn_batch): the stored examples, repeated max(⌊n / K⌋, 1) times
 * (n = the phase's examples, K = the capacity) so that old and new are about 1 : 1, then the phase's own.
 */
export function withRehearsal(phaseExamples: ExampleSet, stored: ExampleSet, capacity: number): ExampleSet {
  if (stored.indices.length === 0) return phaseExamples;
  const copies = rehearsalCopies(phaseExamples.indices.length, capacity);
  return concatExamples([...Array.from({ length: copies }, () => stored), phaseExamples]);
}

/** The size of `withRehearsal`'s set, from sizes alone (a phase's cost estimate). */
export function rehearsedSize(phaseExamples: number, stored: number, capacity: number): number {
  return stored === 0 ? phaseExamples : phaseExamples + rehearsalCopies(phaseExamples, capacity) * stored;
}

function rehearsalCopies(phaseExamples: number, capacity: number): number {
  return Math.max(Math.floor(phaseExamples / capacity), 1);
}

/** A memory's snapshot as checkpoint tensors (`memory/<array>`, int32) and JSON. */
export function memoryState(memory: ReplayMemory): { tensors: Record<string, tf.Tensor>; json: unknown } {
  const { arrays, json } = memory.save();
  return { tensors: Object.fromEntries(Object.entries(arrays).map(([name, values]) => [`memory/${name}`, tf.tensor1d(values, 'int32')])), json };
}

/** Load into `memory` what `memoryState` saved (the `memory/` tensors of a checkpoint). */
export async function restoreMemory(memory: ReplayMemory, tensors: Record<string, tf.Tensor>, json: unknown): Promise<void> {
  const arrays: Record<string, Int32Array> = {};
  for (const [name, tensor] of Object.entries(tensors)) if (name.startsWith('memory/')) arrays[name.slice('memory/'.length)] = Int32Array.from(await tensor.data());
  memory.load({ arrays, json });
}

/** Reservoir keys are task id × 2³² + index: split in two so that each part fits an int32. */
const KEY_BASE = 4294967296;

export function createMemory(policy: MemoryPolicy, capacity: number, rng: Rng): ReplayMemory {
  switch (policy) {
    case 'reservoir':
      return new ReservoirMemory(capacity, rng);
    case 'per-task':
      return new PerTaskMemory(capacity, rng);
    case 'class-balanced':
      return new ClassBalancedMemory(capacity, rng);
  }
}

export class ReservoirMemory implements ReplayMemory {
  private readonly taskIds: Uint16Array;
  private readonly indices: Uint32Array;
  /** distinct examples offered so far */
  private seen = 0;
  /** keys (task id, index) of the examples offered, so a later epoch or a rehearsed example is not offered twice */
  private readonly offered = new Set<number>();

  constructor(
    readonly capacity: number,
    private readonly rng: Rng,
  ) {
    this.taskIds = new Uint16Array(capacity);
    this.indices = new Uint32Array(capacity);
  }

  observe(set: ExampleSet, positions: ArrayLike<number>): void {
    for (let k = 0; k < positions.length; k++) this.offer(set.taskIds[positions[k]], set.indices[positions[k]]);
  }

  /** Algorithm R for one example; a repeat of an example already offered is ignored. */
  offer(taskId: number, index: number): void {
    const key = taskId * 4294967296 + index;
    if (this.offered.has(key)) return;
    this.offered.add(key);
    const slot = this.seen < this.capacity ? this.seen : this.rng.int(this.seen + 1);
    if (slot < this.capacity) {
      this.taskIds[slot] = taskId;
      this.indices[slot] = index;
    }
    this.seen++;
  }

  endTask(): void {}

  save(): MemorySnapshot {
    const offered = [...this.offered];
    return {
      arrays: {
        taskIds: Int32Array.from(this.taskIds),
        indices: Int32Array.from(this.indices),
        offeredTasks: Int32Array.from(offered, (key) => Math.floor(key / KEY_BASE)),
        offeredIndices: Int32Array.from(offered, (key) => key % KEY_BASE),
      },
      json: { seen: this.seen, rng: this.rng.state() },
    };
  }

  load({ arrays, json }: MemorySnapshot): void {
    const { seen, rng } = json as { seen: number; rng: RngState };
    this.taskIds.set(arrays.taskIds);
    this.indices.set(arrays.indices);
    this.offered.clear();
    arrays.offeredTasks.forEach((task, i) => this.offered.add(task * KEY_BASE + arrays.offeredIndices[i]));
    this.seen = seen;
    this.rng.setState(rng);
  }

  /** Views of the stored examples (valid until the next `observe`). */
  examples(): ExampleSet {
    const size = Math.min(this.seen, this.capacity);
    return { taskIds: this.taskIds.subarray(0, size), indices: this.indices.subarray(0, size) };
  }

  saveState(): LearnerState {
    return memoryState(this);
  }

  loadState(state: LearnerState): Promise<void> {
    return restoreMemory(this, state.tensors, state.json);
  }
}

/**
 * Memory split equally over groups (tasks or classes). Each group's examples are kept in a random order, so
 * shrinking a group to its first m keeps a uniformly random subset.
 */
abstract class GroupedMemory implements ReplayMemory {
  protected readonly groups = new Map<string, ExampleSet>();
  /** the groups concatenated, rebuilt when they change */
  private stored: ExampleSet = { taskIds: new Uint16Array(0), indices: new Uint32Array(0) };

  constructor(
    readonly capacity: number,
    protected readonly rng: Rng,
  ) {}

  observe(): void {}

  abstract endTask(taskId: number, examples: ExampleSet, targets: () => Int32Array): void;

  examples(): ExampleSet {
    return this.stored;
  }

  save(): MemorySnapshot {
    const keys = [...this.groups.keys()];
    const arrays: Record<string, Int32Array> = {};
    keys.forEach((key, g) => {
      const set = this.groups.get(key)!;
      arrays[`${g}/taskIds`] = Int32Array.from(set.taskIds);
      arrays[`${g}/indices`] = Int32Array.from(set.indices);
    });
    return { arrays, json: { keys, rng: this.rng.state() } };
  }

  load({ arrays, json }: MemorySnapshot): void {
    const { keys, rng } = json as { keys: string[]; rng: RngState };
    this.groups.clear();
    keys.forEach((key, g) => this.groups.set(key, { taskIds: Uint16Array.from(arrays[`${g}/taskIds`]), indices: Uint32Array.from(arrays[`${g}/indices`]) }));
    this.stored = concatExamples([...this.groups.values()]);
    this.rng.setState(rng);
  }

  /** Adds the new groups (each the positions of `examples` it owns), then gives every group ⌊K / groups⌋ slots. */
  protected addGroups(examples: ExampleSet, added: Map<string, number[]>): void {
    for (const [key, positions] of added) this.groups.set(key, selectExamples(examples, this.rng.shuffle(Uint32Array.from(positions))));
    const slots = Math.floor(this.capacity / this.groups.size);
    for (const [key, set] of this.groups) this.groups.set(key, { taskIds: set.taskIds.slice(0, slots), indices: set.indices.slice(0, slots) });
    this.stored = concatExamples([...this.groups.values()]);
  }

  saveState(): LearnerState {
    return memoryState(this);
  }

  loadState(state: LearnerState): Promise<void> {
    return restoreMemory(this, state.tensors, state.json);
  }
}

export class PerTaskMemory extends GroupedMemory {
  endTask(taskId: number, examples: ExampleSet, _targets?: () => Int32Array): void {
    const all = Array.from({ length: examples.indices.length }, (_, i) => i);
    this.addGroups(examples, new Map([[`task ${taskId}`, all]]));
  }
}

export class ClassBalancedMemory extends GroupedMemory {
  endTask(taskId: number, examples: ExampleSet, targets: () => Int32Array): void {
    const byClass = new Map<string, number[]>();
    const labels = targets();
    for (let i = 0; i < labels.length; i++) {
      const key = `task ${taskId} class ${labels[i]}`;
      let positions = byClass.get(key);
      if (!positions) byClass.set(key, (positions = []));
      positions.push(i);
    }
    this.addGroups(examples, byClass);
  }
}
