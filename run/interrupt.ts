/**
 * Stopping on request (Ctrl-C): one flag in shared memory, set by the main thread's SIGINT handler and
 * read by every run — in this thread or in a worker thread — after each training step and each phase.
 * Shared memory, not a message, because a worker busy training reads it without waiting for its event
 * loop.
 */
import { RunInterrupted } from '../core/errors.js';

export type InterruptFlag = Int32Array;

export function createInterruptFlag(): InterruptFlag {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function requestInterrupt(flag: InterruptFlag): void {
  Atomics.store(flag, 0, 1);
}

export function interruptRequested(flag: InterruptFlag | undefined): boolean {
  return flag !== undefined && Atomics.load(flag, 0) !== 0;
}

/** Throw RunInterrupted when a stop was asked for. */
export function stopIfAsked(flag: InterruptFlag | undefined): void {
  if (interruptRequested(flag)) throw new RunInterrupted();
}

/**
 * One turn of the event loop. Training runs as one long chain of promises; the SIGINT handler (like any
 * I/O callback) only runs when the loop polls. The base learner yields every 200 ms, and a run yields
 * here after every phase, so Ctrl-C is seen whatever the length of a phase or the learner.
 */
export function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
