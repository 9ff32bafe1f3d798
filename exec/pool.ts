/**
 * Runs jobs on a pool of worker threads, one job per worker at a time. Independent runs share nothing,
 * so N workers on N cores finish a suite ~N times faster; each record is the same as a one-worker run
 * (same seed, same backend), only the timings differ.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/errors.js';
import type { RunRecord } from '../results/record.js';
import type { BackendChoice } from '../backends/backend.js';
import { interruptRequested, type InterruptFlag } from '../run/interrupt.js';
import type { RunEvent } from '../run/runJob.js';
import type { Job } from '../suite/suite.js';
import type { FromWorker, ToWorker } from './worker.js';

export interface PoolOptions {
  workers: number;
  backend: BackendChoice;
  /** threads of the native backend's products in each worker */
  threads?: number;
  plugins: string[];
  /** a job starts on worker `slot` */
  onStart(index: number, slot: number): void;
  onEvent(index: number, slot: number, event: RunEvent): void;
  /** called once per job, in completion order; may throw to stop the pool (e.g. a failed write) */
  onRecord(index: number, record: RunRecord): void;
  /** asked right before a job would start; false skips it (e.g. another process holds it) */
  claim?(index: number): boolean;
  /** where a job keeps its phase checkpoints (none: no checkpoints) */
  checkpointDirOf?(job: Job): string | undefined;
  /** a stop request: no job starts after it, running ones end after their current step */
  interrupt?: InterruptFlag;
  /** a job that stopped on request (it has no record) */
  onInterrupted?(index: number): void;
}

export function runPool(jobs: Job[], options: PoolOptions): Promise<void> {
  const size = Math.max(1, Math.min(options.workers, jobs.length));
  let next = 0;
  let running = 0;
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    let done = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(error);
    };
    // Give the worker the next job it may run; with none left (or a stop requested) let it go, and
    // settle once no job is running.
    const feed = (worker: Worker, slot: number) => {
      while (next < jobs.length && !interruptRequested(options.interrupt)) {
        const index = next++;
        if (options.claim && !options.claim(index)) continue;
        running++;
        options.onStart(index, slot);
        worker.postMessage({ type: 'job', index, job: jobs[index], checkpointDir: options.checkpointDirOf?.(jobs[index]) } satisfies ToWorker);
        return;
      }
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      if (running === 0 && !done) {
        done = true;
        resolve();
      }
    };
    for (let slot = 0; slot < size; slot++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { backend: options.backend, threads: options.threads, plugins: options.plugins, interrupt: options.interrupt } });
      workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        if (failed) return;
        try {
          switch (message.type) {
            case 'ready':
              feed(worker, slot);
              break;
            case 'event':
              options.onEvent(message.index, slot, message.event);
              break;
            case 'record':
              running--;
              options.onRecord(message.index, message.record);
              feed(worker, slot);
              break;
            case 'interrupted':
              running--;
              options.onInterrupted?.(message.index);
              feed(worker, slot);
              break;
            case 'error':
              // A user error (e.g. a missing data file) keeps its file, field and fix across the thread.
              fail(message.user ? new UserError(message.message, message.user.where, message.user.fix) : new Error(`run ${jobs[message.index].id}: ${message.message}`));
              break;
          }
        } catch (error) {
          fail(error as Error);
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && !done) fail(new Error(`worker ${slot} exited with code ${code}`));
      });
    }
  });
}
