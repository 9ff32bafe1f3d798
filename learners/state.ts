/**
 * Declared learner state: what a learner keeps across phases, named once, saved and restored by the base
 * learner (./base.ts) for checkpoints. A learner declares three kinds of state and writes no save/restore
 * code of its own:
 *
 *   parts    objects that save and load themselves (`Stateful`): penalties, replay memories, a generator
 *            (`Rng`), batch statistics …  — `private readonly consolidated = this.remember('consolidated', new QuadraticPenalty())`
 *   tensors  fields holding a list of tensors the learner owns (or null)         — `private importance = this.rememberTensors('importance')`
 *   fields   fields holding plain values: numbers, strings, arrays, objects, typed arrays — `private tasksSeen = this.rememberField('tasksSeen', 0)`
 *
 * In a checkpoint they sit beside the base's own state (model, optimizer, batch order): tensors of a part
 * under `part/<name>/`, of a tensor field under `tensors/<name>/<i>`, typed arrays of plain fields under
 * `field/<n>` (binary, exact), everything else in the JSON.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { LearnerState } from './contract.js';
import { copyTensor, copyValues } from './parts/parameterCopies.js';

/** A piece of learner state that saves and loads itself. */
export interface Stateful {
  /** what the part holds: tensors are copies the caller disposes; JSON for the rest */
  saveState(): LearnerState | Promise<LearnerState>;
  /** replace what the part holds by a saved state; copy the tensors you keep (the caller disposes them) */
  loadState(state: LearnerState): void | Promise<void>;
}

/** The checkpoint layout of declared state; a checkpoint without it predates declared state. */
export const DECLARED_STATE_LAYOUT = 2;

/** The JSON side of declared state in a checkpoint. */
export interface DeclaredStateJson {
  layout: typeof DECLARED_STATE_LAYOUT;
  parts: Record<string, unknown>;
  fields: Record<string, unknown>;
}

/** A generator as a part: its four words of state. */
function rngPart(rng: Rng): Stateful {
  return {
    saveState: () => ({ tensors: {}, json: rng.state() }),
    loadState: (state) => rng.setState(state.json as ReturnType<Rng['state']>),
  };
}

/** The typed arrays a plain field may hold, by name (they travel as tensors). */
const TYPED = { Float32Array, Int32Array, Uint32Array, Uint16Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

/** Marks a typed array in a field's JSON: its values are tensor `field/<tensor>` of the checkpoint. */
interface TypedRef {
  $typed: TypedName;
  tensor: number;
}

/**
 * The state a learner declared. The base learner owns one; `save` and `load` are called by its `state()`
 * and `restore()`.
 */
export class DeclaredState {
  private readonly parts = new Map<string, Stateful>();
  private readonly tensorFields: string[] = [];
  private readonly plainFields: string[] = [];

  /** @param owner the learner whose fields `tensors` and `fields` name */
  constructor(private readonly owner: object) {}

  get empty(): boolean {
    return this.parts.size === 0 && this.tensorFields.length === 0 && this.plainFields.length === 0;
  }

  /** The names declared so far, for messages. */
  names(): string[] {
    return [...this.parts.keys(), ...this.tensorFields, ...this.plainFields];
  }

  addPart(name: string, part: Stateful | Rng): void {
    this.claim(name);
    this.parts.set(name, part instanceof Rng ? rngPart(part) : part);
  }

  addTensorFields(names: string[]): void {
    for (const name of names) this.claim(name);
    this.tensorFields.push(...names);
  }

  addPlainFields(names: string[]): void {
    for (const name of names) this.claim(name);
    this.plainFields.push(...names);
  }

  /** Everything declared, as checkpoint tensors (copies the caller disposes) and JSON. */
  async save(): Promise<{ tensors: Record<string, tf.Tensor>; json: DeclaredStateJson }> {
    const tensors: Record<string, tf.Tensor> = {};
    const json: DeclaredStateJson = { layout: DECLARED_STATE_LAYOUT, parts: {}, fields: {} };
    for (const [name, part] of this.parts) {
      const saved = await part.saveState();
      for (const [key, t] of Object.entries(saved.tensors)) tensors[`part/${name}/${key}`] = t;
      json.parts[name] = saved.json ?? null;
    }
    for (const name of this.tensorFields) {
      const list = this.field(name) as tf.Tensor[] | null;
      list?.forEach((t, i) => (tensors[`tensors/${name}/${i}`] = copyTensor(t)));
    }
    const typed: TypedArrayList = [];
    for (const name of this.plainFields) json.fields[name] = encode(this.field(name), typed, name);
    typed.forEach((values, n) => (tensors[`field/${n}`] = values instanceof Float32Array ? tf.tensor1d(values, 'float32') : tf.tensor1d(Int32Array.from(values), 'int32')));
    return { tensors, json };
  }

  /** Load what `save` wrote; `tensors` stay the caller's (what is kept is copied). */
  async load(tensors: Record<string, tf.Tensor>, json: DeclaredStateJson | undefined): Promise<void> {
    if (this.empty) return;
    if (json?.layout !== DECLARED_STATE_LAYOUT)
      throw new Error(`the checkpoint predates declared learner state (written by an earlier clbench), so its ${this.names().join(', ')} cannot be read from it`);
    for (const [name, part] of this.parts) {
      if (!(name in json.parts)) throw new Error(`the saved state has no part '${name}'`);
      await part.loadState({ tensors: underPrefix(`part/${name}/`, tensors), json: json.parts[name] });
    }
    for (const name of this.tensorFields) {
      const saved = underPrefix(`tensors/${name}/`, tensors);
      const count = Object.keys(saved).length;
      const old = this.field(name) as tf.Tensor[] | null;
      if (old) tf.dispose(old);
      this.setField(name, count ? copyValues(Array.from({ length: count }, (_, i) => saved[i])) : null);
    }
    const arrays = await Promise.all(
      Object.keys(tensors)
        .filter((key) => key.startsWith('field/'))
        .map(async (key) => [Number(key.slice('field/'.length)), await tensors[key].data()] as const),
    );
    const typed = new Map(arrays);
    for (const name of this.plainFields) {
      if (!(name in json.fields)) throw new Error(`the saved state has no field '${name}'`);
      this.setField(name, decode(json.fields[name], typed));
    }
  }

  /** Frees what the declared parts and tensor fields hold (the learner is being disposed). */
  dispose(): void {
    for (const part of this.parts.values()) (part as Partial<{ dispose(): void }>).dispose?.();
    for (const name of this.tensorFields) {
      const list = this.field(name) as tf.Tensor[] | null;
      if (list) tf.dispose(list);
      this.setField(name, null);
    }
  }

  private claim(name: string): void {
    if (this.names().includes(name)) throw new Error(`learner state '${name}' is declared twice`);
    if (name.includes('/')) throw new Error(`learner state name '${name}' may not contain '/'`);
  }

  private field(name: string): unknown {
    if (!(name in this.owner)) throw new Error(`the learner has no field '${name}' (declared as learner state)`);
    return (this.owner as Record<string, unknown>)[name];
  }

  private setField(name: string, value: unknown): void {
    (this.owner as Record<string, unknown>)[name] = value;
  }
}

type TypedArrayList = (Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array)[];

/** `value` as JSON, its typed arrays moved to `typed` (they are saved as tensors, exactly and compactly). */
function encode(value: unknown, typed: TypedArrayList, where: string): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`learner state '${where}' holds ${value}, which JSON cannot keep`);
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Error(`learner state '${where}' holds a ${typeof value}`);
    return value;
  }
  for (const name of Object.keys(TYPED) as TypedName[])
    if (value instanceof TYPED[name]) {
      typed.push(value as TypedArrayList[number]);
      return { $typed: name, tensor: typed.length - 1 } satisfies TypedRef;
    }
  if (value instanceof tf.Tensor) throw new Error(`learner state '${where}' holds a tensor: declare it with rememberTensors or keep it in a Stateful part`);
  if (Array.isArray(value)) return value.map((v, i) => encode(v, typed, `${where}[${i}]`));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, typed, `${where}.${k}`)]));
}

function decode(value: unknown, typed: Map<number, ArrayLike<number>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decode(v, typed));
  const ref = value as Partial<TypedRef>;
  if (ref.$typed && ref.$typed in TYPED && typeof ref.tensor === 'number') {
    const values = typed.get(ref.tensor);
    if (!values) throw new Error(`the saved state has no tensor 'field/${ref.tensor}'`);
    return TYPED[ref.$typed].from(values);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v, typed)]));
}

/** The tensors named `<prefix>…`, with the prefix taken off. */
function underPrefix(prefix: string, tensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(tensors).filter(([name]) => name.startsWith(prefix)).map(([name, t]) => [name.slice(prefix.length), t]));
}
