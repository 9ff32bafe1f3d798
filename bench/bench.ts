/**
 * `npm run bench`: training and evaluation throughput of the standard MLPs on every backend that loads,
 * clbench's formulation (fused dense layers + fused Adam) against the plain tfjs one (matMul autograd +
 * tf.train.adam) measured in the same process, PyTorch's throughput on the same MLPs measured by the same
 * command (bench/pytorch_mlp.py, when `import torch` works; 1 thread, OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
 * unset for that process only), plus the wall time and peak memory of one run of the Hsu et al.
 * split-MNIST protocol. Prints a table and writes JSON. The native backend runs with 1 BLAS thread, as
 * PyTorch does here.
 *
 *   npm run bench -- [--backends native,wasm,cpu] [--batches 128,256] [--quick] [--no-protocol] [--no-pytorch] [--out bench-results.json]
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Rng } from '../core/random.js';
import { FusedAdam } from '../learners/optim/fusedAdam.js';
import { crossEntropy } from '../learners/parts/losses.js';
import { createMlp } from '../models/mlp.js';
import { useBackend, type BackendInfo } from '../backends/backend.js';
import { gpuDriverLikely } from '../backends/webgpu.js';
import { choiceList, positiveIntegerList } from '../cli/argParsers.js';
import { BENCH_BACKENDS, benchCommand } from './command.js';
import { runPytorch } from './pytorch.js';
import { runJob } from '../run/runJob.js';
import { expandSuite, parseSuite } from '../suite/suite.js';
import { loadDataset } from '../scenarios/datasets/index.js';

interface Measurement {
  backend: string;
  model: string;
  batch: number;
  formulation: 'plain' | 'clbench';
  trainSamplesPerSecond: number;
  evalSamplesPerSecond: number;
}

const options = benchCommand('npm run bench --', 'training and evaluation throughput of the standard MLPs on every backend that loads, against PyTorch')
  .option('--backends <list>', 'comma-separated tfjs backends (default: tensorflow,native,wasm,cpu, and webgpu when a GPU driver is likely)', choiceList(BENCH_BACKENDS))
  .option('--batches <list>', 'comma-separated batch sizes', positiveIntegerList, [128, 256])
  .option('--quick', 'shorter measurements')
  .option('--no-protocol', 'skip the run of the Hsu et al. split-MNIST protocol')
  .option('--no-pytorch', 'skip the PyTorch side')
  .option('--out <file>', 'JSON file to write', 'bench-results.json')
  .parse()
  .opts<{ backends?: string[]; batches: number[]; quick?: boolean; protocol: boolean; pytorch: boolean; out: string }>();
const quick = options.quick === true;
const backends = options.backends ?? (gpuDriverLikely() ? ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] : ['tensorflow', 'native', 'wasm', 'cpu']);
const batches = options.batches;
const outFile = options.out;
/** training examples the throughput measurements cycle through (bench/pytorch_mlp.py uses the same) */
const TRAIN_POOL = 16384;
const mnist = loadDataset('mnist-full');

/**
 * Runs `step` until `seconds` have passed (at least `minSteps` times) and returns steps per second. Each
 * step's result is read asynchronously, as a run reads its losses (the WebGPU backend cannot read
 * synchronously under Node), so the time includes waiting for the device.
 */
async function rate(step: () => tf.Tensor, seconds: number, minSteps = 5): Promise<number> {
  const read = async () => {
    const out = step();
    await out.data();
    out.dispose();
  };
  for (let i = 0; i < 3; i++) await read();
  const start = performance.now();
  let steps = 0;
  while (steps < minSteps || performance.now() - start < seconds * 1000) {
    await read();
    steps++;
  }
  return (steps * 1000) / (performance.now() - start);
}

/** The first `count` examples of a split of full MNIST as float batches of `size` (pixels / 255), cycled through. */
function batchesOf(split: 'train' | 'test', size: number, count: number): { x: tf.Tensor2D; y: tf.Tensor1D }[] {
  const { images, labels } = mnist[split];
  return Array.from({ length: count }, (_, b) => {
    const x = new Float32Array(size * 784);
    for (let i = 0; i < x.length; i++) x[i] = images[b * size * 784 + i] / 255;
    return { x: tf.tensor2d(x, [size, 784]), y: tf.tensor1d(Int32Array.from(labels.subarray(b * size, (b + 1) * size)), 'int32') };
  });
}

async function measure(backend: string, hidden: number[], batch: number, formulation: 'plain' | 'clbench', seconds: number): Promise<Measurement> {
  const model = createMlp({ hidden, dense: formulation === 'plain' ? 'plain' : 'fast' }, { inputs: 784, outputs: 10 }, new Rng(0));
  const optimizer: tf.Optimizer = formulation === 'plain' ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : new FusedAdam(1e-3);
  // Real digits, a different batch each step, as in a run (one fixed batch trained over and over is
  // memorised, and its tiny gradients are not what a benchmark of training should measure).
  const train = batchesOf('train', batch, Math.floor(TRAIN_POOL / batch));
  const test = batchesOf('test', 1000, 5);
  let step = 0;
  const trainStep = () =>
    tf.tidy(() => {
      const { x, y } = train[step++ % train.length];
      const { value: loss, grads } = tf.variableGrads(() => crossEntropy(model.forward(x), y), model.variables);
      optimizer.applyGradients(grads as unknown as Parameters<tf.Optimizer['applyGradients']>[0]);
      return loss;
    });
  let evalStep = 0;
  const evaluate = () => tf.tidy(() => tf.argMax(model.forward(test[evalStep++ % test.length].x), 1));
  const trainRate = (await rate(trainStep, seconds)) * batch;
  const evalRate = (await rate(evaluate, seconds / 2, 3)) * 1000;
  tf.dispose([...train, ...test].flatMap(({ x, y }) => [x, y]));
  optimizer.dispose();
  model.dispose();
  return { backend, model: `784-${hidden.join('-')}-10`, batch, formulation, trainSamplesPerSecond: trainRate, evalSamplesPerSecond: evalRate };
}

async function protocolRun(backend: BackendInfo): Promise<{ seconds: number; examples: number; averageAccuracy: number }> {
  const suite = {
    name: 'bench-hsu2018',
    scenario: { name: 'split-mnist-class', dataset: 'mnist-full', kind: 'split', tasks: 5, setting: 'class' },
    model: { hidden: [400, 400] },
    training: { epochs: 4, batchSize: 128, optimizer: 'adam', lr: 0.001, resetOptimizer: true },
    learners: [{ name: 'naive' }],
    seeds: [0],
  };
  const [job] = expandSuite(parseSuite(JSON.stringify(suite), 'bench'), 'bench');
  const start = performance.now();
  const record = await runJob(job, { backend });
  const last = record.accuracy.matrix[record.accuracy.matrix.length - 1];
  return { seconds: (performance.now() - start) / 1000, examples: record.examplesPerPhase.reduce((a, b) => a + b, 0), averageAccuracy: last.reduce((a, b) => a + b, 0) / last.length };
}

const results: Measurement[] = [];
const loaded: BackendInfo[] = [];
let protocol: { backend: string; seconds: number; examples: number; averageAccuracy: number } | null = null;
for (const name of backends) {
  let info: BackendInfo;
  try {
    info = await useBackend(name as 'wasm', { threads: 1 });
  } catch (error) {
    process.stderr.write(`backend ${name}: not available (${(error as Error).message.split('\n')[0]})\n`);
    continue;
  }
  loaded.push(info);
  const slow = name === 'cpu';
  const seconds = quick || slow ? 1 : 3;
  for (const hidden of [[400, 400], [1000, 1000]]) {
    for (const batch of batches) {
      if (slow && (hidden[0] > 400 || batch > 128)) continue; // the pure-JS backend is ~30× slower; one point is enough
      for (const formulation of ['plain', 'clbench'] as const) {
        const m = await measure(name, hidden, batch, formulation, seconds);
        results.push(m);
        process.stderr.write(`${name} ${m.model} batch ${batch} ${formulation}: train ${Math.round(m.trainSamplesPerSecond)}/s, eval ${Math.round(m.evalSamplesPerSecond)}/s\n`);
      }
    }
  }
  if (options.protocol && !protocol && name !== 'cpu') {
    process.stderr.write(`${name}: one run of the Hsu et al. split-MNIST protocol (naive, class-IL, 5 tasks × 4 epochs)…\n`);
    protocol = { backend: name, ...(await protocolRun(info)) };
  }
}

const pytorch = options.pytorch ? measurePytorch(quick ? 1 : 3) : [];
const found = (backend: string, model: string, batch: number, formulation: 'plain' | 'clbench') =>
  results.find((r) => r.backend === backend && r.model === model && r.batch === batch && r.formulation === formulation);
const n = (x: number | undefined) => (x === undefined ? '—' : String(Math.round(x)));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
const points = [...new Map(results.map((r) => [`${r.model}/${r.batch}`, r])).values()];
const lines = [
  '| MLP | batch | train: plain tfjs (WASM) | clbench WASM | clbench native | PyTorch | native ÷ WASM | native ÷ PyTorch | eval: WASM | native | native ÷ WASM |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...points.map(({ model, batch }) => {
    const wasm = found('wasm', model, batch, 'clbench');
    const native = found('native', model, batch, 'clbench');
    const torch = pytorch.find((p) => p.model === model && p.batch === batch)?.trainSamplesPerSecond;
    return `| ${model} | ${batch} | ${n(found('wasm', model, batch, 'plain')?.trainSamplesPerSecond)} | ${n(wasm?.trainSamplesPerSecond)} | ${n(native?.trainSamplesPerSecond)} | ${n(torch)} | ${ratio(native?.trainSamplesPerSecond, wasm?.trainSamplesPerSecond)} | ${ratio(native?.trainSamplesPerSecond, torch)} | ${n(wasm?.evalSamplesPerSecond)} | ${n(native?.evalSamplesPerSecond)} | ${ratio(native?.evalSamplesPerSecond, wasm?.evalSamplesPerSecond)} |`;
  }),
];
const others = results.filter((r) => !['wasm', 'native'].includes(r.backend) && r.formulation === 'clbench');
for (const r of others) lines.push(`${r.backend} ${r.model} batch ${r.batch}: train plain ${n(found(r.backend, r.model, r.batch, 'plain')?.trainSamplesPerSecond)}/s, clbench ${n(r.trainSamplesPerSecond)}/s; eval ${n(r.evalSamplesPerSecond)}/s`);
if (pytorch.length) lines.push(`PyTorch: ${pytorch[0].framework}, ${pytorch[0].device}.`);
else if (options.pytorch) lines.push('PyTorch: not measured (see above).');
const peakRssMb = process.resourceUsage().maxRSS / 1024;
if (protocol)
  lines.push('', `Hsu et al. 2018 split-MNIST protocol, one run (naive, class-IL, MLP 2×400, 5 tasks × 4 epochs, ${protocol.examples} training examples) on ${protocol.backend}: ${protocol.seconds.toFixed(1)} s wall (${Math.round(protocol.examples / protocol.seconds)} examples/s incl. evaluation), final average accuracy ${(100 * protocol.averageAccuracy).toFixed(2)}%`);
lines.push(`Peak RSS of this process: ${peakRssMb.toFixed(0)} MB. Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`);
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), backends: loaded, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, measurements: results, pytorch, protocol, peakRssMb }, null, 1)}\n`);
process.stderr.write(`wrote ${outFile}\n`);

interface PytorchMeasurement {
  framework: string;
  device: string;
  model: string;
  batch: number;
  trainSamplesPerSecond: number;
}

/** PyTorch on the same MLPs and batches, 1 thread. */
function measurePytorch(seconds: number): PytorchMeasurement[] {
  return runPytorch<PytorchMeasurement>('pytorch_mlp.py', ['--batches', batches.join(','), '--hidden', '400,1000', '--seconds', String(seconds), '--threads', '1']) ?? [];
}
