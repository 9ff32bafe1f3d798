/**
 * What one run needs in memory, estimated from the suite before anything trains, and the limit past which
 * a run is refused. tfjs keeps tensors in the WASM backends' heap, which cannot pass 4 GiB (32-bit
 * WebAssembly): a model past it ended in `Aborted()` or "memory access out of bounds" (exit 70) somewhere
 * in the first phase. The same estimate sizes the worker pool (exec/runSuite.ts).
 *
 *   weights, gradients      P parameters each (dense layers and biases; float32)
 *   optimizer state         adam 2P, momentum and adagrad P, sgd none
 *   the learner's own       4P, a rough allowance: penalty terms (EWC's Fisher and anchor, SI's paths),
 *                           a teacher's copy (LwF), projected gradients (GEM)
 *   activations             a training batch through every layer, forward and backward (~4 copies)
 *   evaluation              an evaluation batch through every layer, and its input buffer
 *   data                    the dataset's pixels as bytes (outside the tensor heap, but in the process)
 *
 * Rough by design: it is to stop a run that cannot fit, not to predict its footprint to the megabyte.
 */
import { UserError } from '../core/errors.js';
import type { Scenario } from '../scenarios/types.js';
import type { Job } from './suite.js';

const FLOAT = 4;
const GIB = 1024 ** 3;
/** the default limit on a run's estimate: below the 4 GiB WASM heap, with room for what the estimate misses */
export const DEFAULT_RUN_MEMORY_GIB = 3;
export const RUN_MEMORY_ENV = 'CLBENCH_MAX_RUN_MEMORY';

const OPTIMIZER_SLOTS: Record<string, number> = { adam: 2, momentum: 1, adagrad: 1, sgd: 0 };
const LEARNER_ALLOWANCE = 4;

/** Bytes one run of `job` is estimated to need (the scenario built from it), in all and by the part of the suite that sets them. */
export function estimateRunMemory(job: Job, scenario: Scenario): { bytes: number; parts: Record<'model' | 'training' | 'evaluation' | 'data', number> } {
  const widths = [scenario.inputSize, ...job.model.hidden, scenario.outputs];
  let parameters = 0;
  for (let i = 1; i < widths.length; i++) parameters += (widths[i - 1] + 1) * widths[i];
  const slots = 2 + (OPTIMIZER_SLOTS[job.training.optimizer] ?? 2) + LEARNER_ALLOWANCE;
  const units = widths.reduce((a, b) => a + b, 0);
  const trainExamples = scenario.tasks.reduce((sum, t) => sum + t.trainIndices.length, 0);
  const batch = Math.min(job.training.batchSize, Math.max(1, trainExamples));
  const evalBatch = job.evaluation.batchSize;
  const data = (scenario.dataset.train.labels.length + scenario.dataset.test.labels.length) * scenario.inputSize;
  const parts = { model: FLOAT * parameters * slots, training: FLOAT * 4 * batch * units, evaluation: FLOAT * evalBatch * (2 * units + scenario.inputSize), data };
  return { bytes: parts.model + parts.training + parts.evaluation + parts.data, parts };
}

/** The limit on one run's estimate, in bytes: CLBENCH_MAX_RUN_MEMORY (GiB) when set, else the default. */
export function runMemoryLimit(): number {
  const given = process.env[RUN_MEMORY_ENV];
  if (given === undefined || given === '') return DEFAULT_RUN_MEMORY_GIB * GIB;
  const gib = Number(given);
  if (!Number.isFinite(gib) || gib <= 0) throw new UserError(`'${given}' is not a number of GiB`, RUN_MEMORY_ENV, `set it to a positive number, e.g. ${RUN_MEMORY_ENV}=8`);
  return gib * GIB;
}

/** '3.2 GiB', '140 MiB' */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than any machine has';
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}
