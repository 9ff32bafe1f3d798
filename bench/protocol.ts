/**
 * `npm run bench:protocol`: the user-level speed comparison. Three runs of Hsu et al.'s split-MNIST
 * class-incremental protocol — fine-tune, EWC (λ 600) and naive rehearsal (1100, per task) on full MNIST,
 * MLP 784-400-400-10, Adam 1e-3 not reset, batch 128, 4 epochs a task, every task evaluated after every
 * phase — in clbench (one thread: the native backend with 1 BLAS thread; WASM is single-threaded) and in
 * bench/pytorch_protocol.py, the same protocol in PyTorch on 1 thread, one after the other in this
 * command. Prints each run's wall time, the totals and the ratio PyTorch ÷ clbench (≥ 1: clbench is faster).
 * Data loading is outside the timings on both sides.
 *
 *   npm run bench:protocol -- [--backends native,wasm] [--epochs 4] [--no-pytorch] [--out bench-protocol.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { useBackend, type BackendChoice } from '../backends/backend.js';
import { choiceList, positiveInteger } from '../cli/argParsers.js';
import { BENCH_BACKENDS, benchCommand } from './command.js';
import { runJob } from '../run/runJob.js';
import { scenarioFor } from '../suite/jobInputs.js';
import { expandSuite, parseSuite } from '../suite/suite.js';
import { runPytorch } from './pytorch.js';

const options = benchCommand('npm run bench:protocol --', "three runs of Hsu et al.'s split-MNIST class-IL protocol in clbench and in PyTorch, one after the other")
  .option('--backends <list>', 'comma-separated tfjs backends to run clbench on', choiceList(BENCH_BACKENDS), ['native'])
  .option('--epochs <n>', 'epochs a task', positiveInteger, 4)
  .option('--no-pytorch', 'skip the PyTorch side')
  .option('--out <file>', 'JSON file to write', 'bench-protocol.json')
  .parse()
  .opts<{ backends: BackendChoice[]; epochs: number; pytorch: boolean; out: string }>();
const backends = options.backends;
const epochs = options.epochs;
const outFile = options.out;

const RUNS = [
  { name: 'naive', pytorch: 'naive' },
  { name: 'ewc', options: { lambda: 600 }, pytorch: 'ewc' },
  { name: 'replay', options: { policy: 'per-task', capacity: 1100, mix: 'dataset' }, pytorch: 'replay' },
];

const suite = {
  name: 'bench-protocol',
  scenario: { name: 'split-mnist-class', dataset: 'mnist-full', kind: 'split', tasks: 5, setting: 'class' },
  model: { hidden: [400, 400] },
  training: { epochs, batchSize: 128, optimizer: 'adam', lr: 0.001, resetOptimizer: false },
  learners: RUNS.map(({ name, options }) => ({ name, ...(options ? { options } : {}) })),
  seeds: [0],
};
const jobs = expandSuite(parseSuite(JSON.stringify(suite), 'bench-protocol'), 'bench-protocol');
scenarioFor(jobs[0]); // loads full MNIST once, outside the timings

interface Timed {
  run: string;
  seconds: number;
  finalAverageAccuracy: number;
  /** every accuracy after every phase (clbench runs) */
  matrix?: number[][];
}
const clbench: Record<string, Timed[]> = {};
for (const name of backends) {
  const backend = await useBackend(name, { threads: 1 });
  clbench[name] = [];
  for (const job of jobs) {
    const start = performance.now();
    const record = await runJob(job, { backend });
    const seconds = (performance.now() - start) / 1000;
    const last = record.accuracy.matrix[record.accuracy.matrix.length - 1];
    const timed = { run: job.learner.name, seconds, finalAverageAccuracy: last.reduce((a, b) => a + b, 0) / last.length, matrix: record.accuracy.matrix };
    clbench[name].push(timed);
    process.stderr.write(`clbench ${name} ${timed.run}: ${seconds.toFixed(1)} s, final average accuracy ${(100 * timed.finalAverageAccuracy).toFixed(2)}%\n`);
  }
}
const pytorchLines = options.pytorch ? runPytorch<Timed & { totalSeconds?: number; framework: string }>('pytorch_protocol.py', ['--epochs', String(epochs)]) : null;
const pytorch = pytorchLines?.filter((l) => l.run !== undefined) ?? [];

const s = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(1));
const pct = (x: number | undefined) => (x === undefined ? '—' : (100 * x).toFixed(2));
const total = (rows: Timed[]) => (rows.length ? rows.reduce((a, r) => a + r.seconds, 0) : undefined);
const header = ['run', ...backends.map((b) => `clbench ${b} (s)`), 'PyTorch (s)', ...backends.map((b) => `PyTorch ÷ ${b}`), ...backends.map((b) => `ACC ${b} %`), 'ACC PyTorch %'];
const row = (label: string, get: (rows: Timed[]) => number | undefined, acc: (rows: Timed[]) => number | undefined) => {
  const torch = get(pytorch);
  return `| ${[label, ...backends.map((b) => s(get(clbench[b]))), s(torch), ...backends.map((b) => (torch === undefined ? '—' : `${(torch / get(clbench[b])!).toFixed(2)}×`)), ...backends.map((b) => pct(acc(clbench[b]))), pct(acc(pytorch))].join(' | ')} |`;
};
const lines = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => ' --- ').join('|')}|`,
  ...RUNS.map(({ name, pytorch: p }) => {
    const pick = (rows: Timed[]) => rows.find((r) => r.run === name || (rows === pytorch && r.run === p));
    return row(name, (rows) => pick(rows)?.seconds, (rows) => pick(rows)?.finalAverageAccuracy);
  }),
  row('total', total, () => undefined),
  '',
  ...backends.slice(1).map((b) => {
    // the same runs on two backends differ only by float rounding: the largest accuracy difference of any task after any phase
    const diff = Math.max(...clbench[b].flatMap((r, i) => r.matrix!.flatMap((row, p) => row.map((a, t) => Math.abs(a - clbench[backends[0]][i].matrix![p][t])))));
    return `Largest accuracy difference between ${backends[0]} and ${b}, any task after any phase of the three runs: ${(100 * diff).toFixed(2)} points.`;
  }),
  `Hsu et al. split-MNIST class-IL, MLP 784-400-400-10, Adam 1e-3, batch 128, ${epochs} epochs a task, 1 thread each. Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${pytorchLines ? `, ${pytorchLines[0].framework}` : ''}.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), epochs, clbench, pytorch, cpu: os.cpus()[0]?.model, node: process.version }, null, 1)}\n`);
process.stderr.write(`wrote ${outFile}\n`);
