/**
 * How many workers a suite's runs fit in this machine's memory (the estimate that refuses a run past its
 * limit, suite/memory.ts, sizes the pool too): each worker holds its largest run plus what a worker needs
 * empty (Node, a tfjs backend, the datasets). Fewer than asked are said so; one always runs.
 */
import os from 'node:os';
import { cachedScenarios } from '../suite/jobInputs.js';
import { estimateRunMemory, formatBytes } from '../suite/memory.js';
import type { Job } from '../suite/suite.js';

/** What a worker thread holds before its first run: Node, a tfjs backend, a dataset. */
export const WORKER_BASE_BYTES = 300 * 1024 ** 2;
/** The share of the machine's memory the workers may count on (the main thread and the system keep the rest). */
const USABLE = 0.8;

export function workersThatFit(jobs: Job[], asked: number, log: (line: string) => void, totalMemory = os.totalmem()): number {
  if (asked <= 1 || jobs.length === 0) return asked;
  const scenarioOf = cachedScenarios();
  const largest = Math.max(...jobs.map((job) => estimateRunMemory(job, scenarioOf(job)).bytes));
  const fit = Math.max(1, Math.floor((USABLE * totalMemory) / (largest + WORKER_BASE_BYTES)));
  if (fit >= asked) return asked;
  log(`${fit} worker(s) instead of ${asked}: a run needs up to ${formatBytes(largest)} and a worker ${formatBytes(WORKER_BASE_BYTES)} more; this machine has ${formatBytes(totalMemory)}`);
  return fit;
}
