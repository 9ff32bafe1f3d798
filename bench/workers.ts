/**
 * `npm run bench:workers`: how well `clbench run --workers N` uses the cores. Runs one suite of
 * equal-sized runs (naive fine-tuning on class-incremental split full MNIST, MLP 2×400, one run per seed,
 * so no run is left alone at the end) with one worker, then with N, each through the real CLI and
 * alternating, for `--repeat` rounds; every run uses one BLAS thread (`--threads 1`), so the comparison is
 * of workers only. Reports the suite's wall time (process start and data loading included), the
 * speed-up over one worker and how much slower a run is beside others than alone (from the records' own
 * timings). Backend: native when it is built, else WASM (`--backend` to choose).
 *
 *   npm run bench:workers -- [--workers 2] [--runs 12] [--epochs 6] [--repeat 1] [--backend native|wasm] [--out bench-workers.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../core/nativeAddon.js';
import { readRecords } from '../store/records.js';
import { Option } from 'commander';
import { positiveInteger } from '../cli/argParsers.js';
import { BENCH_BACKENDS, benchCommand } from './command.js';

const options = benchCommand('npm run bench:workers --', 'wall time of one suite of equal runs with one worker against N, through the real CLI')
  .option('--workers <n>', 'workers to compare with one', positiveInteger, os.availableParallelism())
  .option('--runs <n>', 'runs in the suite (one a seed)', positiveInteger, 12)
  .option('--epochs <n>', 'epochs a task', positiveInteger, 6)
  .option('--repeat <n>', 'rounds of the two settings, alternating', positiveInteger, 1)
  .addOption(new Option('--backend <name>', 'tfjs backend (default: native when it is built, else wasm)').choices(BENCH_BACKENDS))
  .option('--out <file>', 'JSON file to write', 'bench-workers.json')
  .parse()
  .opts<{ workers: number; runs: number; epochs: number; repeat: number; backend?: string; out: string }>();
const workers = options.workers;
const runs = options.runs;
const epochs = options.epochs;
const backend = options.backend ?? (nativeAddon() ? 'native' : 'wasm');
const repeat = options.repeat;
const outFile = options.out;

const cli = fileURLToPath(new URL('../cli/clbench.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'clbench-bench-workers-'));
const suiteFile = path.join(dir, 'suite.json');
writeFileSync(
  suiteFile,
  JSON.stringify({
    name: 'bench-workers',
    scenario: { dataset: 'mnist-full', kind: 'split', tasks: 5, setting: 'class' },
    model: { hidden: [400, 400] },
    training: { epochs, batchSize: 128, optimizer: 'adam', lr: 0.001 },
    learners: [{ name: 'naive' }],
    seeds: Array.from({ length: runs }, (_, i) => i),
  }),
);

interface Case {
  label: string;
  workers: number;
}
interface Result extends Case {
  wallSeconds: number;
  meanRunSeconds: number;
}

function measure(c: Case, round: number): Result {
  const out = path.join(dir, `out-${c.workers}-${round}`);
  const start = performance.now();
  const run = spawnSync(process.execPath, [cli, 'run', suiteFile, '--out', out, '--workers', String(c.workers), '--threads', '1', '--backend', backend, '--quiet'], {
    encoding: 'utf8',
  });
  const wallSeconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${c.label}: clbench exited with ${run.status}\n${run.stderr}`);
  const records = readRecords([out]);
  const meanRunSeconds = records.reduce((sum, r) => sum + r.timings.totalSeconds, 0) / records.length;
  return { ...c, wallSeconds, meanRunSeconds };
}

const cases: Case[] = [
  { label: '1 worker', workers: 1 },
  { label: `${workers} workers`, workers },
];
console.log(`bench:workers — ${runs} runs of naive class-IL split MNIST (full, 2×400 MLP, ${epochs} epochs) on ${backend}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${repeat} round(s)`);
const results: Result[] = [];
for (let round = 0; round < repeat; round++) {
  for (const c of cases) {
    const r = measure(c, round);
    results.push(r);
    process.stderr.write(`  round ${round + 1}: ${r.label}: ${r.wallSeconds.toFixed(1)} s\n`);
  }
}
rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const summary = cases.map((c) => {
  const mine = results.filter((r) => r.label === c.label);
  return { ...c, wallSeconds: mean(mine.map((r) => r.wallSeconds)), meanRunSeconds: mean(mine.map((r) => r.meanRunSeconds)) };
});
const alone = summary[0];
console.log('| setting | suite wall s | speed-up | mean run s | run slowdown beside others |');
console.log('|---|---|---|---|---|');
for (const s of summary) {
  const change = (s.meanRunSeconds / alone.meanRunSeconds - 1) * 100;
  const slowdown = s === alone ? '—' : `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
  console.log(`| ${s.label} | ${s.wallSeconds.toFixed(1)} | ${(alone.wallSeconds / s.wallSeconds).toFixed(2)}× | ${s.meanRunSeconds.toFixed(2)} | ${slowdown} |`);
}
writeFileSync(outFile, JSON.stringify({ backend, runs, epochs, repeat, cores: os.cpus().length, results, summary }, null, 2));
console.log(`wrote ${outFile}`);
