/**
 * The memory a run keeps: how many training examples of past tasks a method holds to use later (issue 20's
 * `memory_examples`; Díaz-Rodríguez et al. 2018's samples-storage size, counted in examples). Counted at the
 * last phase, when the stream's T − 1 past tasks are behind it:
 *
 * - an environment that rehearses (a schedule with any past-task count n[p][j] > 0) redraws from every past
 *   task's training data in every phase, so it keeps all of it: Σ_{j<T} size_j over the past tasks; `joint`
 *   (trained on every seen task in full) likewise. A learner's own memory is a subset of that data.
 * - replay memories: `replay`, `derpp`, `er-ace` their `capacity`; `gem` its `memorySize`; `agem`
 *   `memoryPerTask` for each of the T − 1 finished tasks.
 * - learners that keep no examples: 0. The regularisers (`ewc`, `online-ewc`, `si`, `mas`, `l2`) keep parameter
 *   anchors and importances, `lwf` a frozen copy of the model, `slca` class Gaussians of features — none of
 *   them examples, so 0 (their stored state is parameters, not data).
 * - a plugin learner: unknown, null.
 */
import type { RunRecord } from './record.js';

const NO_EXAMPLES = new Set(['naive', 'ewc', 'online-ewc', 'si', 'mas', 'l2', 'lwf', 'slca']);
const CAPACITY: Record<string, string> = { replay: 'capacity', derpp: 'capacity', 'er-ace': 'capacity', gem: 'memorySize' };

type MemoryInput = Pick<RunRecord, 'tasks' | 'schedule'> & { learner: Pick<RunRecord['learner'], 'name' | 'options'> };

/** Past-task training examples the run keeps at its last phase (see above); null for a learner it cannot tell. */
export function memoryExamples(record: MemoryInput): number | null {
  // hand-made or truncated records may lack the task list: what depends on it is then unknown
  const past = record.tasks?.slice(0, -1) ?? null;
  const allPastData = past === null ? null : past.reduce((sum, task) => sum + task.train, 0);
  const counts = record.schedule?.counts ?? [];
  const rehearses = counts.some((row, p) => row.some((n, j) => j < p && n > 0));
  const { name, options } = record.learner;
  if (rehearses || name === 'joint') return allPastData;
  if (NO_EXAMPLES.has(name)) return 0;
  if (name in CAPACITY) return option(options, CAPACITY[name]);
  if (name === 'agem') {
    const perTask = option(options, 'memoryPerTask');
    return perTask === null || past === null ? null : perTask * past.length;
  }
  return null;
}

function option(options: Record<string, unknown>, key: string): number | null {
  const value = options[key];
  return typeof value === 'number' ? value : null;
}
