/**
 * `npm run bench:gem`: what a GEM step costs against a plain rehearsal step on the network and memory of
 * suites/hsu2018-permuted-mnist-2x1000-gem.json (MLP 1024-1000-1000-10, Hsu's padded permuted MNIST, 4,000
 * memory examples split over the tasks seen, rehearsed ~1:1), so that the suite's cost can be planned from a
 * measurement. Both runs walk the same 10-task stream, cut to `--train` examples a task (1 epoch a phase) so
 * that the memory is full (4,000) by the last phase; the number reported is the last phase's time a step
 * (its evaluation, the same for both, included), GEM ÷ naive rehearsal of the same memory, measured one after
 * the other in this command.
 *
 *   npm run bench:gem -- [--backend native] [--threads 1] [--train 1280] [--out bench-gem.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Option } from 'commander';
import { positiveInteger } from '../cli/argParsers.js';
import { BENCH_BACKENDS, benchCommand } from './command.js';
import { useBackend, type BackendChoice } from '../backends/backend.js';
import { runJob } from '../run/runJob.js';
import { scenarioFor } from '../suite/jobInputs.js';
import { expandSuite, parseSuite } from '../suite/suite.js';

const options = benchCommand('npm run bench:gem --', 'time a step of GEM against one of naive rehearsal with the same memory (MLP 2×1000, 4,000 examples)')
  .addOption(new Option('--backend <name>', 'tfjs backend').choices(BENCH_BACKENDS).default('native'))
  .option('--threads <n>', "threads of the native backend's matrix products", positiveInteger, 1)
  .option('--train <n>', 'training examples a task (1 epoch a phase)', positiveInteger, 1280)
  .option('--out <file>', 'JSON file to write', 'bench-gem.json')
  .parse()
  .opts<{ backend: BackendChoice; threads: number; train: number; out: string }>();
const backendName = options.backend;
const threads = options.threads;
const trainPerTask = options.train;
const outFile = options.out;
const MEMORY = 4000;

const suite = {
  name: 'bench-gem',
  scenario: {
    name: 'permuted-mnist-domain',
    dataset: 'mnist-full',
    kind: 'permuted',
    tasks: 10,
    setting: 'domain',
    identityFirstTask: true,
    input: { pad: 2, mean: 0.1, std: 0.2752, permute: 'padded' },
    trainPerTask,
    testPerTask: 500,
  },
  model: { hidden: [1000, 1000] },
  training: { epochs: 1, batchSize: 128, optimizer: 'sgd', lr: 0.1, resetOptimizer: false },
  learners: [
    { name: 'replay', label: 'naive rehearsal', options: { policy: 'per-task', capacity: MEMORY, mix: 'dataset' } },
    { name: 'gem', label: 'gem', options: { memorySize: MEMORY, memoryStrength: 0.5, rehearse: true } },
  ],
  seeds: [0],
};
const jobs = expandSuite(parseSuite(JSON.stringify(suite), 'bench-gem'), 'bench-gem');
scenarioFor(jobs[0]); // loads full MNIST once, outside the timings
const backend = await useBackend(backendName, { threads });

interface Timed {
  learner: string;
  lastPhaseSeconds: number;
  lastPhaseSteps: number;
  secondsPerStep: number;
  runSeconds: number;
}
const timed: Timed[] = [];
for (const job of jobs) {
  const start = performance.now();
  const record = await runJob(job, { backend });
  if (record.status !== 'completed') throw new Error(`${job.learner.label}: ${record.status} ${record.error ?? ''}`);
  const last = record.timings.phaseSeconds.length - 1;
  const steps = Math.ceil(record.examplesPerPhase[last] / job.training.batchSize);
  timed.push({
    learner: job.learner.label,
    lastPhaseSeconds: record.timings.phaseSeconds[last],
    lastPhaseSteps: steps,
    secondsPerStep: record.timings.phaseSeconds[last] / steps,
    runSeconds: (performance.now() - start) / 1000,
  });
  process.stderr.write(`${job.learner.label}: last phase ${record.timings.phaseSeconds[last].toFixed(1)} s for ${steps} steps\n`);
}
const [plain, gem] = timed;
const ratio = gem.secondsPerStep / plain.secondsPerStep;
console.log(`| learner | last phase (s) | steps | s a step |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const t of timed) console.log(`| ${t.learner} | ${t.lastPhaseSeconds.toFixed(1)} | ${t.lastPhaseSteps} | ${t.secondsPerStep.toFixed(3)} |`);
console.log(`\nGEM step ÷ rehearsal step (memory ${MEMORY}, ${backend.name}, ${threads} thread(s)): ${ratio.toFixed(1)}×`);
writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, backend: backend.name, threads, trainPerTask, memory: MEMORY, timed, ratio }, null, 2));
