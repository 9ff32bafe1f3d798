/**
 * Runs jobs on a pool of worker processes, one job per worker at a time. Independent runs share nothing,
 * so N workers on N cores finish a suite up to N times faster; each record is the same as a one-worker
 * run (same seed, same backend), only the timings differ.
 *
 * Processes, not worker threads, because V8's flags are per process: each worker runs with
 * `--single-threaded-gc`, so its garbage collector does not start helper threads that take the other
 * workers' cores (`npm run bench:workers` measures it; the README's "Speed" section has the numbers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import type { RunRecord } from '../results/record.js';
import type { BackendChoice } from './backend.js';
import { interruptRequested, type InterruptFlag } from './interrupt.js';
import type { RunEvent } from './runJob.js';
import type { Job } from './suite.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker.js';

export interface PoolOptions {
  workers: number;
  backend: BackendChoice;
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

/**
 * V8 flags of a worker process: the parent's (e.g. --enable-source-maps) and a GC without helper
 * threads, unless CLBENCH_WORKER_GC=concurrent (V8's default GC; bench/workers.ts compares the two).
 */
export function workerExecArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  const inherited = process.execArgv.filter((a) => a !== '--single-threaded-gc');
  return env.CLBENCH_WORKER_GC === 'concurrent' ? inherited : [...inherited, '--single-threaded-gc'];
}

/** How often the pool looks for a stop request to pass on to its workers (they see it at their next step). */
const INTERRUPT_POLL_MS = 50;

export function runPool(jobs: Job[], options: PoolOptions): Promise<void> {
  const size = Math.max(1, Math.min(options.workers, jobs.length));
  let next = 0;
  let running = 0;
  const workers: ChildProcess[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    let done = false;
    // The stop flag lives in this process's memory; a worker process gets it as a message.
    const passOnInterrupt = setInterval(() => {
      if (!interruptRequested(options.interrupt)) return;
      clearInterval(passOnInterrupt);
      for (const w of workers) if (w.connected) w.send({ type: 'interrupt' } satisfies ToWorker);
    }, INTERRUPT_POLL_MS);
    const settle = () => {
      done = true;
      clearInterval(passOnInterrupt);
    };
    const stopAll = () => {
      for (const w of workers) w.kill();
    };
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      settle();
      stopAll();
      reject(error);
    };
    // Give the worker the next job it may run; with none left (or a stop requested) let it go, and
    // settle once no job is running.
    const feed = (worker: ChildProcess, slot: number) => {
      while (next < jobs.length && !interruptRequested(options.interrupt)) {
        const index = next++;
        if (options.claim && !options.claim(index)) continue;
        running++;
        options.onStart(index, slot);
        worker.send({ type: 'job', index, job: jobs[index], checkpointDir: options.checkpointDirOf?.(jobs[index]) } satisfies ToWorker);
        return;
      }
      if (worker.connected) worker.send({ type: 'stop' } satisfies ToWorker);
      if (running === 0 && !done) {
        settle();
        resolve();
      }
    };
    for (let slot = 0; slot < size; slot++) {
      const setup: WorkerSetup = { backend: options.backend, plugins: options.plugins };
      // stdin closed; stdout and stderr shared, so a worker that crashes hard still says why.
      const worker = fork(fileURLToPath(new URL('./worker.js', import.meta.url)), [JSON.stringify(setup)], {
        execArgv: workerExecArgv(),
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
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
      worker.on('exit', (code, signal) => {
        if (code !== 0 && !done) fail(new Error(`worker ${slot} exited with ${signal ? `signal ${signal}` : `code ${code}`}`));
      });
    }
  });
}
