/**
 * The 'native' tfjs backend: the WASM backend with its matrix products done by the system's BLAS
 * (OpenBLAS / Accelerate) through clbench's native addon (core/nativeAddon.ts).
 *
 * Why this shape (measured, README "Speed"): ~80% of a training step is matMul, and the WASM backend's
 * XNNPACK GEMM (128-bit SIMD, no FMA) tops out near 30 GFLOP/s where OpenBLAS reaches 45–81 on the same
 * core. Every other kernel of the WASM backend is already fast enough; tfjs's pure-JS CPU backend is not
 * (its element-wise kernels allocate a new array each). So 'native' is the WASM backend instance itself,
 * registered under a second name with every WASM kernel, and BatchMatMul / _FusedMatMul replaced by calls
 * into the addon that read and write the tensors where they live, in the WASM memory (no copies). The
 * fused Adam kernel registers its own native version (learners/optim/fusedAdam.ts).
 *
 * Transposed products cost nothing extra in BLAS, unlike on WASM, so models/dense.ts uses them here.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeAddon, type NativeAddon } from '../core/nativeAddon.js';

export const NATIVE_BACKEND = 'native';

interface TensorData {
  memoryOffset: number;
}
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): TensorData };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

let registered = false;

/**
 * Registers the 'native' backend over an initialised WASM backend; false (and nothing registered) when the
 * addon is absent.
 */
export async function registerNativeBackend(): Promise<boolean> {
  const addon = nativeAddon();
  if (!addon) return false;
  if (registered) return true;
  await import('@tensorflow/tfjs-backend-wasm');
  const previous = tf.getBackend();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  const wasm = tf.findBackend('wasm');
  if (previous && previous !== 'wasm') await tf.setBackend(previous);
  // One instance under two names: tensors never move between them, and the WASM kernels keep working.
  tf.registerBackend(NATIVE_BACKEND, () => wasm, 0);
  // (kernels registered for 'native' already, e.g. the fused Adam's native one, stay)
  for (const kernel of tf.getKernelsForBackend('wasm'))
    if (!tf.getKernel(kernel.kernelName, NATIVE_BACKEND)) tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
  replaceKernel('BatchMatMul', (args, fallback) => batchMatMul(addon, args, fallback));
  replaceKernel('_FusedMatMul', (args, fallback) => fusedMatMul(addon, args, fallback));
  registered = true;
  return true;
}

function replaceKernel(name: string, kernel: (args: KernelArgs, fallback: tf.KernelFunc) => tf.TensorInfo): void {
  const original = tf.getKernel(name, NATIVE_BACKEND)!;
  tf.unregisterKernel(name, NATIVE_BACKEND);
  tf.registerKernel({ ...original, kernelFunc: (args) => kernel(args, original.kernelFunc) });
}

interface Product {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: tf.TensorInfo;
  relu: boolean;
}

/** C = op(A)·op(B) (+ bias, ReLU) for rank ≥ 2 operands whose batch dims are equal or one of them 1; null otherwise. */
function product(addon: NativeAddon, backend: WasmBackend, { a, b, transposeA, transposeB, bias, relu }: Product): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const [ra, rb] = [a.shape.length, b.shape.length];
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null; // the WASM kernel words the shape error
  const outer = (t: tf.TensorInfo) => t.shape.slice(0, -2);
  const batchA = size(outer(a));
  const batchB = size(outer(b));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const biasSize = bias ? size(bias.shape) : 0;
  if (bias && (bias.shape.length !== 1 || (biasSize !== n && biasSize !== 1))) return null;
  const outerShape = tf.backend_util.assertAndGetBroadcastShape(outer(a), outer(b));
  const batch = Math.max(batchA, batchB);
  // Allocate first: growing the WASM memory replaces its ArrayBuffer.
  const out = backend.makeOutput([...outerShape, m, n], 'float32');
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  addon.gemm(
    backend.wasm.HEAPU8.buffer as ArrayBuffer, transposeA, transposeB, m, n, k, at(a), at(b), at(out), batch,
    batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n, bias ? at(bias) : -1, biasSize, relu,
  );
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

function batchMatMul(addon: NativeAddon, args: KernelArgs, fallback: tf.KernelFunc): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  return product(addon, args.backend as unknown as WasmBackend, { a, b, transposeA, transposeB, relu: false }) ?? (fallback(args) as tf.TensorInfo);
}

function fusedMatMul(addon: NativeAddon, args: KernelArgs, fallback: tf.KernelFunc): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
  const backend = args.backend as unknown as WasmBackend;
  const relu = activation === 'relu';
  const z = product(addon, backend, { a: a!, b: b!, transposeA, transposeB, bias, relu });
  if (!z) return fallback(args) as tf.TensorInfo;
  if (relu || activation === 'linear') return z;
  // Other activations: the backend's own kernel on the product (the WASM fused kernel would misread a [1] bias).
  const [kernel, inputs, attrs]: [string, Record<string, tf.TensorInfo>, Record<string, unknown>] =
    activation === 'prelu' ? ['Prelu', { x: z, alpha: preluActivationWeights! }, {}]
    : activation === 'leakyrelu' ? ['LeakyRelu', { x: z }, { alpha: leakyreluAlpha }]
    : [{ elu: 'Elu', relu6: 'Relu6', sigmoid: 'Sigmoid' }[activation] ?? activation, { x: z }, {}];
  const out = tf.getKernel(kernel, NATIVE_BACKEND)!.kernelFunc({ inputs, backend: args.backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  (args.backend as unknown as tf.KernelBackend).disposeData(z.dataId);
  return out;
}
