/**
 * `npm run bench:gemm`: GFLOP/s of the native addon's matrix products on the shapes a 784-400-400-10 and a
 * 784-1000-1000-10 MLP train with at batch 128 (forward, both backward products, evaluation at batch 1000),
 * clbench's own product (native/gemm.c) against the BLAS library's (CLBENCH_GEMM=blas), one thread, in the
 * same process. The BLAS library runs in the environment as it is (this project's machine pins
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE; unset them in the command to see OpenBLAS's own choice).
 *
 *   npm run bench:gemm -- [--seconds 1] [--threads 1]
 */
import { nativeAbsence, nativeAddon } from '../core/nativeAddon.js';
import { positiveInteger, positiveNumber } from '../cli/argParsers.js';
import { benchCommand } from './command.js';

const options = benchCommand('npm run bench:gemm --', "GFLOP/s of the native addon's matrix products, its own GEMM against the BLAS library's")
  .option('--seconds <s>', 'time spent on each shape and product', positiveNumber, 1)
  .option('--threads <n>', "threads of the addon's matrix products", positiveInteger, 1)
  .parse()
  .opts<{ seconds: number; threads: number }>();
const seconds = options.seconds;
const addon = nativeAddon();
if (!addon) {
  process.stderr.write(`bench:gemm: the native addon is not built: ${nativeAbsence()}\n`);
  process.exit(1);
}
addon.setThreads(options.threads);

// [m, n, k, transposeA, transposeB, what]
const SHAPES: [number, number, number, boolean, boolean, string][] = [
  [128, 400, 784, false, false, 'forward, layer 1'],
  [784, 400, 128, true, false, 'dW, layer 1 (Xᵀ·dZ)'],
  [128, 400, 400, false, false, 'forward, layer 2'],
  [128, 400, 400, false, true, 'dX, layer 2 (dZ·Wᵀ)'],
  [1000, 400, 784, false, false, 'evaluation, layer 1'],
  [128, 1000, 784, false, false, '2×1000 forward, layer 1'],
  [128, 1000, 1000, false, false, '2×1000 forward, layer 2'],
  [1000, 1000, 128, true, false, '2×1000 dW, layer 2'],
  // GEM's projected step g + Σ_k v_k g_k over ~575,000 parameters (784-400-400-10) and 4 earlier tasks: k is tiny, n huge
  [1, 575000, 4, false, false, "GEM's step (v · G)"],
];

const memory = new ArrayBuffer(48 << 20);
const values = new Float32Array(memory);
for (let i = 0; i < values.length; i++) values[i] = Math.sin(i) * 0.5;

function gflops(m: number, n: number, k: number, ta: boolean, tb: boolean): number {
  const [a, b, c] = [0, 4 * m * k, 4 * (m * k + k * n)];
  const run = () => addon!.gemm(memory, ta, tb, m, n, k, a, b, c, 1, 0, 0, 0, -1, 0, false);
  for (let i = 0; i < 3; i++) run();
  let reps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    run();
    reps++;
  }
  return (2 * m * n * k * reps) / ((performance.now() - start) / 1000) / 1e9;
}

const hasBlas = !addon.blas().includes('no BLAS library');
const lines = ['| product (m × n × k) | what | clbench GEMM GFLOP/s | BLAS GFLOP/s |', '| --- | --- | ---: | ---: |'];
for (const [m, n, k, ta, tb, what] of SHAPES) {
  addon.useBlas(false);
  const own = gflops(m, n, k, ta, tb);
  let blas = NaN;
  if (hasBlas) {
    addon.useBlas(true);
    blas = gflops(m, n, k, ta, tb);
  }
  lines.push(`| ${m} × ${n} × ${k}${ta ? ' (Aᵀ)' : ''}${tb ? ' (Bᵀ)' : ''} | ${what} | ${own.toFixed(1)} | ${hasBlas ? blas.toFixed(1) : '—'} |`);
}
addon.useBlas(false);
lines.push('', `${addon.blas()}; ${addon.threads()} thread(s); OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'}, OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? '(unset)'}`);
process.stdout.write(`${lines.join('\n')}\n`);
