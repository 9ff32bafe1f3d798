/**
 * Picks the tfjs backend: `auto` tries tfjs-node-gpu, then WebGPU (Dawn) when a GPU driver is present,
 * then tfjs-node (tfjs-node and tfjs-node-gpu need libtensorflow, which their install script downloads),
 * then clbench's native CPU backend (WASM + native matrix products, built at install time), then WASM, then the
 * pure-JS CPU backend. A backend asked for by name that cannot load fails with the reason and how to get it.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { nativeAbsence, nativeAddon } from '../core/nativeAddon.js';
import { UserError } from '../core/errors.js';
import { registerNativeBackend } from './native.js';
import { CLBENCH_VERSION } from '../core/version.js';
import { gpuDriverLikely, prepareWebGpu, watchDeviceErrors } from './webgpu.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'native' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu'];

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow', 'webgpu', 'native', 'wasm' or 'cpu' */
  name: string;
  /** npm package that provides it */
  package: string;
  version: string;
  /** e.g. 'simd+single-thread', 'CUDA', the WebGPU adapter, the BLAS library */
  detail: string;
  /** threads the backend's kernels may use (the native backend's product threads; 1 for WASM) */
  threads?: number;
}

const require = createRequire(import.meta.url);
let active: BackendInfo | null = null;

/** The packages that provide the 'tensorflow' backend, in order of preference. */
export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

export interface BackendOptions {
  /** module specifiers tried for the 'tensorflow' backend (tests substitute a stand-in) */
  tensorflowPackages?: string[];
  /** threads of the native backend's products (default 1: runs are single-threaded unless asked) */
  threads?: number;
}

export async function useBackend(choice: BackendChoice = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  // Once a backend is up, `auto` keeps it (a worker asks again for every job); explicit packages re-probe.
  if (active && !options.tensorflowPackages && (choice === 'auto' || choice === active.name)) {
    if (active.name === 'native' && options.threads !== undefined && options.threads !== active.threads) active = nativeInfo(options.threads);
    return active;
  }
  const attempts: string[] = [];
  const order: Exclude<BackendChoice, 'auto'>[] = choice === 'auto' ? autoOrder(options) : [choice];
  for (const name of order) {
    try {
      active = await load(name, options.tensorflowPackages ?? TENSORFLOW_PACKAGES, options.threads ?? 1);
      return active;
    } catch (error) {
      attempts.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
      if (choice !== 'auto') throw backendError(name, attempts);
    }
  }
  throw new UserError(`no tfjs backend could be loaded (${attempts.join('; ')})`, '--backend', 'reinstall with `npm install`');
}

/**
 * tfjs-node-gpu first (CUDA), then WebGPU when a GPU driver is there, then tfjs-node (CPU), native, WASM, JS.
 * The 'tensorflow' step covers both tfjs-node packages, so WebGPU is tried before it only when the GPU
 * build is absent but a WebGPU driver is present.
 */
function autoOrder(options: BackendOptions): Exclude<BackendChoice, 'auto'>[] {
  const packages = options.tensorflowPackages ?? TENSORFLOW_PACKAGES;
  const hasNodeGpu = packages.some((p) => p.endsWith('-gpu') && resolvable(p));
  const webgpu = gpuDriverLikely() ? (['webgpu'] as const) : [];
  return hasNodeGpu ? ['tensorflow', ...webgpu, 'native', 'wasm', 'cpu'] : [...webgpu, 'tensorflow', 'native', 'wasm', 'cpu'];
}

function resolvable(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

async function load(name: Exclude<BackendChoice, 'auto'>, tensorflowPackages: string[], threads: number): Promise<BackendInfo> {
  switch (name) {
    case 'native': {
      if (!(await registerNativeBackend())) throw new Error(`the native CPU backend is not built: ${nativeAbsence()}`);
      if (!(await tf.setBackend('native'))) throw new Error('the native backend did not initialise');
      return nativeInfo(threads);
    }
    case 'webgpu': {
      const adapter = await prepareWebGpu();
      if (!(await tf.setBackend('webgpu'))) throw new Error("the 'webgpu' backend did not initialise");
      watchDeviceErrors(tf.backend());
      const detail = [adapter.vendor, adapter.architecture, adapter.description || adapter.device].filter(Boolean).join(' ') || 'WebGPU adapter';
      return { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', version: versionOf('@tensorflow/tfjs-backend-webgpu'), detail: `Dawn ${versionOf('webgpu')}: ${detail}` };
    }
    case 'tensorflow': {
      const errors: string[] = [];
      for (const pkg of tensorflowPackages) {
        try {
          await import(pkg);
          if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
          return { name: 'tensorflow', package: pkg, version: versionOf(pkg), detail: pkg.endsWith('gpu') ? 'CUDA' : 'CPU' };
        } catch (error) {
          errors.push(`${pkg}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      throw new Error(errors.join('; '));
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: versionOf('@tensorflow/tfjs-backend-wasm'), detail: [simd ? 'simd' : 'no-simd', threads ? 'threads' : 'single-thread'].join('+'), threads: 1 };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      // The CPU backend prints an "install tfjs-node" banner on first use; we already report the backend.
      (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
      return { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: versionOf('@tensorflow/tfjs-backend-cpu'), detail: 'pure JavaScript' };
    }
  }
}

/** Sets the product threads (process-wide) and describes the native backend. */
function nativeInfo(threads: number): BackendInfo {
  const addon = nativeAddon()!;
  addon.setThreads(threads);
  const blas = addon.blas();
  return { name: 'native', package: 'clbench native addon', version: CLBENCH_VERSION, detail: `WASM + ${blas}, ${addon.threads()} thread${addon.threads() === 1 ? '' : 's'}`, threads: addon.threads() };
}

function backendError(name: string, attempts: string[]): UserError {
  const how: Record<string, string> = {
    native:
      'the native CPU backend is built at install time from native/clbench.c: install a C compiler and OpenBLAS (Debian/Ubuntu: `apt-get install build-essential libopenblas-dev`; macOS: the Xcode command-line tools), then `npm rebuild clbench` (or `npm run build` in a checkout); or use --backend wasm',
    webgpu:
      'WebGPU needs the optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu` (npm installs them) and a GPU driver: on Linux a Vulkan driver (libvulkan1 and the vendor\'s ICD, e.g. VK_DRIVER_FILES=/usr/share/vulkan/icd.d/nvidia_icd.json); or use --backend wasm',
    tensorflow:
      'install `@tensorflow/tfjs-node-gpu` (NVIDIA GPU; needs CUDA 11.2 and cuDNN 8.1 and downloads libtensorflow at install time) or `@tensorflow/tfjs-node` (CPU), or use --backend wasm',
    wasm: 'reinstall dependencies with `npm install` (the package @tensorflow/tfjs-backend-wasm ships the .wasm files)',
    cpu: 'reinstall dependencies with `npm install`',
  };
  return new UserError(`backend '${name}' cannot be loaded: ${attempts.join('; ')}`, '--backend', how[name]);
}

function versionOf(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function tfjsVersion(): string {
  return versionOf('@tensorflow/tfjs-core');
}
