/**
 * A worker thread of the run pool: its own tfjs engine and backend, its own copy of the datasets. It
 * receives jobs, runs them and posts back progress events and the finished record.
 *
 * Plugin code runs guarded here (plugins/guard.ts): its process.exit throws into the call that made it,
 * and an error it throws outside any call (a timer, a promise nobody awaited) is reported as a `fault` of
 * the run in progress. The pool then records that run as failed and replaces this worker: the run's
 * learner may be left waiting on something that will never happen, and its tensors are lost with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunInterrupted, UserError } from '../core/errors.js';
import { useBackend, type BackendChoice, type BackendInfo } from '../backends/backend.js';
import { runJob } from '../run/runJob.js';
import type { Job } from '../suite/suite.js';
import { loadPlugins } from '../plugins/load.js';
import { describeStray, guardPluginCode } from '../plugins/guard.js';

export type ToWorker = { type: 'job'; index: number; job: Job; checkpointDir?: string } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'started'; index: number; backend: BackendInfo }
  | { type: 'event'; index: number; event: import('../run/runJob.js').RunEvent }
  | { type: 'record'; index: number; record: import('../results/record.js').RunRecord }
  | { type: 'interrupted'; index: number }
  | { type: 'error'; index: number; message: string; user: { where?: string; fix?: string } | null }
  /** an error no call caught; `index`: the run in progress (null between runs) */
  | { type: 'fault'; index: number | null; message: string };

const { backend: choice, threads, plugins, interrupt } = workerData as { backend: BackendChoice; threads?: number; plugins: string[]; interrupt?: Int32Array };
const port = parentPort!;
/** the run in progress */
let current: number | null = null;

// Without plugins only clbench's own code runs here: an error nothing caught is then a bug of clbench's.
const stray = (error: unknown) =>
  plugins.length ? describeStray(error) : `an error no call caught (a bug of clbench's: please report it): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
guardPluginCode((error) => port.postMessage({ type: 'fault', index: current, message: stray(error) } satisfies FromWorker));

const setup = (async () => {
  await loadPlugins(plugins);
  return useBackend(choice, { threads });
})();
// A failure (e.g. a plugin that does not load here) is reported with the first job, as a UserError;
// without this handler it would crash the thread first as an unhandled rejection.
setup.catch(() => {});

port.on('message', async (message: ToWorker) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  const { index, job, checkpointDir } = message;
  current = index;
  try {
    const backend = await setup;
    port.postMessage({ type: 'started', index, backend } satisfies FromWorker);
    const onEvent = (event: import('../run/runJob.js').RunEvent) => port.postMessage({ type: 'event', index, event } satisfies FromWorker);
    const record = await runJob(job, { backend, onEvent, checkpointDir, interrupt });
    port.postMessage({ type: 'record', index, record } satisfies FromWorker);
  } catch (error) {
    if (error instanceof RunInterrupted) {
      port.postMessage({ type: 'interrupted', index } satisfies FromWorker);
      return;
    }
    const user = error instanceof UserError ? { where: error.where, fix: error.fix } : null;
    port.postMessage({ type: 'error', index, message: (error as Error)?.message ?? String(error), user } satisfies FromWorker);
  } finally {
    current = null;
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
