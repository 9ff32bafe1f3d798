/**
 * A worker process of the run pool (started by runner/pool.ts): its own tfjs engine and backend, its own
 * copy of the datasets. It receives jobs over the IPC channel, runs them and sends back progress events
 * and the finished record.
 */
import { RunInterrupted, UserError } from '../core/errors.js';
import { useBackend, type BackendChoice } from './backend.js';
import { createInterruptFlag, requestInterrupt } from './interrupt.js';
import { runJob } from './runJob.js';
import type { Job } from './suite.js';
import { loadPlugins } from './plugins.js';

export type ToWorker = { type: 'job'; index: number; job: Job; checkpointDir?: string } | { type: 'interrupt' } | { type: 'stop' };
/** what a worker needs before its first job (its one command-line argument, as JSON) */
export interface WorkerSetup {
  backend: BackendChoice;
  plugins: string[];
}
export type FromWorker =
  | { type: 'ready' }
  | { type: 'event'; index: number; event: import('./runJob.js').RunEvent }
  | { type: 'record'; index: number; record: import('../results/record.js').RunRecord }
  | { type: 'interrupted'; index: number }
  | { type: 'error'; index: number; message: string; user: { where?: string; fix?: string } | null };

const { backend: choice, plugins } = JSON.parse(process.argv[2]) as WorkerSetup;
const send = (message: FromWorker) => {
  if (process.connected) process.send!(message);
};
// The pool passes Ctrl-C on as an 'interrupt' message; the runs read this flag after every step.
const interrupt = createInterruptFlag();
// Ctrl-C in a terminal reaches the whole process group: only the pool decides what it means.
process.on('SIGINT', () => {});
// The pool is gone (killed, or Ctrl-C twice): nothing would receive this worker's record.
process.on('disconnect', () => process.exit(0));

const setup = (async () => {
  await loadPlugins(plugins);
  return useBackend(choice);
})();
// A failure (e.g. a plugin that does not load here) is reported with the first job, as a UserError;
// without this handler it would crash the process first as an unhandled rejection.
setup.catch(() => {});

process.on('message', async (message: ToWorker) => {
  if (message.type === 'interrupt') {
    requestInterrupt(interrupt);
    return;
  }
  if (message.type === 'stop') {
    process.disconnect();
    return;
  }
  const { index, job, checkpointDir } = message;
  try {
    const backend = await setup;
    const onEvent = (event: import('./runJob.js').RunEvent) => send({ type: 'event', index, event });
    const record = await runJob(job, { backend, onEvent, checkpointDir, interrupt });
    send({ type: 'record', index, record });
  } catch (error) {
    if (error instanceof RunInterrupted) {
      send({ type: 'interrupted', index });
      return;
    }
    const user = error instanceof UserError ? { where: error.where, fix: error.fix } : null;
    send({ type: 'error', index, message: (error as Error)?.message ?? String(error), user });
  }
});
send({ type: 'ready' });
