/**
 * A worker thread of the run pool: its own tfjs engine and backend, its own copy of the datasets. It
 * receives jobs, runs them and posts back progress events and the finished record.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../core/errors.js';
import { useBackend, type BackendChoice } from './backend.js';
import { runJob } from './runJob.js';
import type { Job } from './suite.js';
import { loadPlugins } from './plugins.js';

export type ToWorker = { type: 'job'; index: number; job: Job } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'event'; index: number; event: import('./runJob.js').RunEvent }
  | { type: 'record'; index: number; record: import('../results/record.js').RunRecord }
  | { type: 'error'; index: number; message: string; user: { where?: string; fix?: string } | null };

const { backend: choice, plugins } = workerData as { backend: BackendChoice; plugins: string[] };
const port = parentPort!;

const setup = (async () => {
  await loadPlugins(plugins);
  return useBackend(choice);
})();

port.on('message', async (message: ToWorker) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  const { index, job } = message;
  try {
    const backend = await setup;
    const record = await runJob(job, { backend, onEvent: (event) => port.postMessage({ type: 'event', index, event } satisfies FromWorker) });
    port.postMessage({ type: 'record', index, record } satisfies FromWorker);
  } catch (error) {
    const user = error instanceof UserError ? { where: error.where, fix: error.fix } : null;
    port.postMessage({ type: 'error', index, message: (error as Error)?.message ?? String(error), user } satisfies FromWorker);
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
