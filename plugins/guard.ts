/**
 * Plugin code runs inside clbench's own process, so the calls that would end that process or crash it are
 * trapped in every thread that runs plugin code (the worker threads of `clbench run`, the main thread of
 * `check-plugin`, and the main thread while plugins are imported):
 *
 *   process.exit(n)       throws a PluginExit instead: where clbench called the plugin (train, predict,
 *                         import) it arrives as the plugin's error, and the run is recorded as failed
 *   an uncaught error     thrown from a timer or an event, or a promise rejected that nobody awaited:
 *                         it cannot be tied to a call, so it goes to the thread's `onStray` handler (a
 *                         worker gives up the run it was running and is replaced, exec/worker.ts)
 *
 * Node's uncaught-exception capture callback is used rather than an 'uncaughtException' listener because the
 * WASM backend's Emscripten runtime installs listeners that rethrow (a crash with exit code 7); the capture
 * callback runs instead of every listener. What stays out of reach: `process.kill`, `process.abort` and
 * native crashes end clbench as they would any program, and a plugin that never returns blocks its thread.
 */

/** Thrown where plugin code calls `process.exit`. */
export class PluginExit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`plugin code called process.exit(${code ?? ''}), which would end clbench; a learner reports a failure by throwing an Error`);
    this.name = 'PluginExit';
  }
}

const realExit = process.exit.bind(process);
let installed = false;
let stray: (error: unknown) => void = () => {};

/**
 * Trap `process.exit` and uncaught errors in this thread from now on; uncaught errors go to `onStray`
 * (a later call replaces the handler).
 */
export function guardPluginCode(onStray: (error: unknown) => void): void {
  stray = onStray;
  if (installed) return;
  installed = true;
  process.exit = ((code?: number | string | null) => {
    throw new PluginExit(code);
  }) as typeof process.exit;
  process.setUncaughtExceptionCaptureCallback((error) => stray(error));
}

/** `guardPluginCode` with a handler that reports a stray error on stderr, unless this thread is guarded already. */
export function ensureGuarded(): void {
  if (!installed) guardPluginCode((error) => process.stderr.write(`clbench: warning: ${describeStray(error)}\n`));
}

/** End the process (or, in a worker, the thread) for real: clbench's own exits (a second Ctrl-C). */
export function exitNow(code: number): never {
  return realExit(code);
}

/** One line about an error that came from nowhere clbench called. */
export function describeStray(error: unknown): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `a thrown ${error === null ? 'null' : typeof error} (${String(error)})`;
  return `plugin code threw outside any call clbench made (from a timer, an event or a promise nobody awaited): ${what}`;
}
