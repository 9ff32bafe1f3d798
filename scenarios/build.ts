/**
 * Turns a dataset into a task stream in one of the three settings of van de Ven & Tolias (2019) /
 * Hsu et al. (2018):
 *   task   — the task id is known: each task has its own head (its block of outputs); loss and prediction
 *            use only that block.
 *   domain — no task id; every task maps its labels onto one shared head (split: position within the task,
 *            permuted: the digit itself).
 *   class  — no task id; one head with an output for every class of every task; the loss runs over all outputs.
 *
 * Output layout: split tasks put the classes in presentation order (task j owns outputs
 * [j·c, (j+1)·c) with c classes a task); permuted tasks own blocks of `dataset.classes` outputs.
 */
import { Rng } from '../core/random.js';
import { UserError } from '../core/errors.js';
import { resolveInputTransform, type InputSpec } from './inputTransform.js';
import type { Dataset, ImageSplit, Scenario, Setting, Task } from './types.js';

export interface ScenarioSpec {
  /** name shown in leaderboards; default `<kind>-<dataset>-<setting>` */
  name?: string;
  dataset: string;
  kind: 'split' | 'permuted';
  setting: Setting;
  /** number of tasks: split default = classes / 2, permuted default = 10 */
  tasks?: number;
  /** split: the order in which classes are presented ('random' = seeded shuffle); default natural order */
  classOrder?: number[] | 'random';
  /** split: explicit class groups, overrides tasks/classOrder, e.g. [[0,1],[2,3]] */
  taskClasses?: number[][];
  /** permuted: the first task sees unpermuted images (as in van de Ven's code) */
  identityFirstTask?: boolean;
  /** keep only this many training examples a task (seeded, stratified by class); default all */
  trainPerTask?: number;
  /** keep only this many test examples a task; default all */
  testPerTask?: number;
  /** padding and normalisation of the inputs (./inputTransform.ts); absent = pixel / 255 */
  input?: InputSpec;
}

export function scenarioName(spec: ScenarioSpec): string {
  return spec.name ?? `${spec.kind}-${spec.dataset.replace(/^idx:.*[\\/]/, 'idx-')}-${spec.setting}`;
}

/** Build the task stream. `rng` fixes permutations, random class orders and subsamples. */
export function buildScenario(spec: ScenarioSpec, dataset: Dataset, rng: Rng, where = 'scenario'): Scenario {
  const input = resolveInputTransform(spec.input, dataset, where);
  if (input?.permutesPadding && spec.kind !== 'permuted')
    throw new UserError(`input.permute 'padded' says what a permuted task permutes, and this scenario is '${spec.kind}'`, `${where}.input.permute`, 'remove it (or use kind "permuted")');
  const permutedInputs = input?.permutesPadding ? input.source.length : dataset.features;
  const tasks = spec.kind === 'split' ? splitTasks(spec, dataset, rng, where) : permutedTasks(spec, dataset, permutedInputs, rng, where);
  const outputs = Math.max(...tasks.flatMap((t) => t.outputs)) + 1;
  return { name: scenarioName(spec), kind: spec.kind, setting: spec.setting, dataset, tasks, outputs, inputSize: input ? input.source.length : dataset.features, input };
}

function splitTasks(spec: ScenarioSpec, dataset: Dataset, rng: Rng, where: string): Task[] {
  const groups = spec.taskClasses ?? groupClasses(spec, dataset, rng, where);
  const seen = new Set<number>();
  for (const [t, group] of groups.entries()) {
    if (group.length === 0) throw new UserError(`task ${t} has no classes`, `${where}.taskClasses`, 'give every task at least one class');
    for (const c of group) {
      if (!Number.isInteger(c) || c < 0 || c >= dataset.classes)
        throw new UserError(`class ${c} does not exist in ${dataset.name} (classes 0..${dataset.classes - 1})`, `${where}.taskClasses`, `use classes 0..${dataset.classes - 1}`);
      if (seen.has(c)) throw new UserError(`class ${c} appears in two tasks`, `${where}.taskClasses`, 'give every class to one task only');
      seen.add(c);
    }
  }
  const width = groups[0].length;
  if (spec.setting === 'domain' && groups.some((g) => g.length !== width))
    throw new UserError('domain-incremental split tasks need the same number of classes each', `${where}.taskClasses`, 'use equal-sized class groups');
  const subsample = rng.derive('subsample');
  let offset = 0;
  return groups.map((classes, id) => {
    const targetOf = new Int32Array(dataset.classes).fill(-1);
    classes.forEach((c, k) => (targetOf[c] = spec.setting === 'domain' ? k : offset + k));
    const outputs = classes.map((_, k) => (spec.setting === 'domain' ? k : offset + k));
    offset += classes.length;
    return {
      id,
      name: `classes ${classes.join(',')}`,
      classes,
      permutation: null,
      trainIndices: limit(indicesOfClasses(dataset.train, classes), spec.trainPerTask, dataset.train, subsample),
      testIndices: limit(indicesOfClasses(dataset.test, classes), spec.testPerTask, dataset.test, subsample),
      targetOf,
      outputs,
    };
  });
}

function groupClasses(spec: ScenarioSpec, dataset: Dataset, rng: Rng, where: string): number[][] {
  let order: number[];
  if (spec.classOrder === 'random') order = Array.from(rng.derive('class-order').permutation(dataset.classes));
  else if (Array.isArray(spec.classOrder)) order = spec.classOrder;
  else order = Array.from({ length: dataset.classes }, (_, c) => c);
  const tasks = spec.tasks ?? Math.floor(order.length / 2);
  if (!Number.isInteger(tasks) || tasks < 1 || order.length % tasks !== 0)
    throw new UserError(
      `${order.length} classes cannot be split into ${tasks} equal tasks`,
      `${where}.tasks`,
      `use a divisor of ${order.length}, or list the groups in "taskClasses"`,
    );
  const width = order.length / tasks;
  return Array.from({ length: tasks }, (_, t) => order.slice(t * width, (t + 1) * width));
}

/** Permuted tasks; each permutation is of `inputs` values (the image's pixels, or the padded image's inputs). */
function permutedTasks(spec: ScenarioSpec, dataset: Dataset, inputs: number, rng: Rng, where: string): Task[] {
  const count = spec.tasks ?? 10;
  if (!(Number.isInteger(count) && count >= 1)) throw new UserError(`tasks must be a positive integer, got ${count}`, `${where}.tasks`, 'e.g. "tasks": 10');
  const permRng = rng.derive('permutations');
  const subsample = rng.derive('subsample');
  const allClasses = Array.from({ length: dataset.classes }, (_, c) => c);
  const allTrain = Uint32Array.from({ length: dataset.train.count }, (_, i) => i);
  const allTest = Uint32Array.from({ length: dataset.test.count }, (_, i) => i);
  return Array.from({ length: count }, (_, id) => {
    const permutation = id === 0 && spec.identityFirstTask ? null : permRng.permutation(inputs);
    const offset = spec.setting === 'domain' ? 0 : id * dataset.classes;
    const targetOf = Int32Array.from(allClasses, (c) => offset + c);
    return {
      id,
      name: permutation ? `permutation ${id}` : 'identity',
      classes: allClasses,
      permutation,
      trainIndices: limit(allTrain, spec.trainPerTask, dataset.train, subsample),
      testIndices: limit(allTest, spec.testPerTask, dataset.test, subsample),
      targetOf,
      outputs: allClasses.map((c) => offset + c),
    };
  });
}

function indicesOfClasses(split: ImageSplit, classes: number[]): Uint32Array {
  const wanted = new Set(classes);
  const out: number[] = [];
  for (let i = 0; i < split.count; i++) if (wanted.has(split.labels[i])) out.push(i);
  return Uint32Array.from(out);
}

/** A stratified seeded subsample of `indices` of size `count` (kept in ascending order). */
function limit(indices: Uint32Array, count: number | undefined, split: ImageSplit, rng: Rng): Uint32Array {
  if (count === undefined || count >= indices.length) return indices;
  const byClass = new Map<number, number[]>();
  for (const i of indices) {
    const list = byClass.get(split.labels[i]) ?? [];
    list.push(i);
    byClass.set(split.labels[i], list);
  }
  // Largest-remainder allocation keeps class proportions and hits `count` exactly.
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = classes.map((c) => (byClass.get(c)!.length * count) / indices.length);
  const take = quotas.map(Math.floor);
  let left = count - take.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, k) => [q - Math.floor(q), k]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, k] of order) if (left-- > 0) take[k]++;
  const kept = classes.flatMap((c, k) => Array.from(rng.sample(byClass.get(c)!, take[k])));
  return Uint32Array.from(kept.sort((a, b) => a - b));
}
