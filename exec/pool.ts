/**
 * Runs jobs on a pool of worker threads, one job per worker at a time. Independent runs share nothing,
 * so N workers on N cores finish a suite ~N times faster; each record is the same as a one-worker run
 * (same seed, same backend), only the timings differ.
 *
 * A worker that faults (plugin code threw where no call caught it, exec/worker.ts) or dies while running a
 * job is replaced by a fresh one; the job is handed to `onLost` to be recorded as failed, and the other
 * jobs go on.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/errors.js';
import type { RunRecord } from '../results/record.js';
import type { BackendChoice, BackendInfo } from '../backends/backend.js';
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
  /**
   * a job whose worker was lost (plugin code threw outside any call, or the thread died): record it as
   * failed with `reason`; `backend` as that worker reported it (absent if it died before loading one)
   */
  onLost(index: number, slot: number, reason: string, backend: BackendInfo | undefined, startedAt: Date): void;
}

export function runPool(jobs: Job[], options: PoolOptions): Promise<void> {
  const size = Math.max(1, Math.min(options.workers, jobs.length));
  let next = 0;
  let running = 0;
  const slots: Slot[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    let done = false;
    const stopAll = () => {
      for (const s of slots) void s.worker.terminate();
    };
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(error);
    };
    const settleIfIdle = () => {
      if (running === 0 && !done && !failed) {
        done = true;
        resolve();
      }
    };
    const more = () => next < jobs.length && !interruptRequested(options.interrupt);
    // Give the worker the next job it may run; with none left (or a stop requested) let it go, and
    // settle once no job is running.
    const feed = (slot: Slot) => {
      while (more()) {
        const index = next++;
        if (options.claim && !options.claim(index)) continue;
        running++;
        Object.assign(slot, { job: index, backend: undefined, startedAt: new Date() });
        options.onStart(index, slot.index);
        slot.worker.postMessage({ type: 'job', index, job: jobs[index], checkpointDir: options.checkpointDirOf?.(jobs[index]) } satisfies ToWorker);
        return;
      }
      slot.worker.postMessage({ type: 'stop' } satisfies ToWorker);
      settleIfIdle();
    };
    // The worker is lost with the run it held (a fault of plugin code, or the thread died): that run is
    // recorded as failed, and a fresh worker takes the slot while jobs remain.
    const lose = (slot: Slot, reason: string) => {
      if (slot.retired || failed) return;
      slot.retired = true;
      void slot.worker.terminate();
      const index = slot.job;
      slot.job = null;
      try {
        if (index !== null) {
          running--;
          options.onLost(index, slot.index, reason, slot.backend, slot.startedAt ?? new Date());
        }
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (more()) slots[slot.index] = start(slot.index);
      else settleIfIdle();
    };
    const start = (index: number): Slot => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { backend: options.backend, threads: options.threads, plugins: options.plugins, interrupt: options.interrupt } });
      const slot: Slot = { index, worker, job: null, retired: false };
      worker.on('message', (message: FromWorker) => {
        if (failed || slot.retired) return;
        try {
          switch (message.type) {
            case 'ready':
              feed(slot);
              break;
            case 'started':
              slot.backend = message.backend;
              break;
            case 'event':
              options.onEvent(message.index, slot.index, message.event);
              break;
            case 'record':
              running--;
              slot.job = null;
              options.onRecord(message.index, message.record);
              feed(slot);
              break;
            case 'interrupted':
              running--;
              slot.job = null;
              options.onInterrupted?.(message.index);
              feed(slot);
              break;
            case 'fault':
              // between runs (index null) the job just sent to it, if any, is lost with it
              lose(slot, message.message);
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
      worker.on('error', (error) => {
        if (slot.job !== null) lose(slot, `its worker thread crashed: ${error?.message ?? error}`);
        else if (!slot.retired) fail(error);
      });
      worker.on('exit', (code) => {
        if (slot.retired || done) return;
        if (slot.job !== null) lose(slot, `its worker thread ended while running it (exit code ${code})`);
        else if (code !== 0) fail(new Error(`worker ${slot.index} exited with code ${code}`));
      });
      return slot;
    };
    for (let i = 0; i < size; i++) slots.push(start(i));
  });
}

interface Slot {
  index: number;
  worker: Worker;
  /** the job it runs, null while idle */
  job: number | null;
  /** the backend its runs use, as the worker reported it */
  backend?: BackendInfo;
  startedAt?: Date;
  /** lost: its messages and its end no longer count */
  retired: boolean;
}
