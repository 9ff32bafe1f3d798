/**
 * The WebGPU backend on Node: Google's Dawn from the `webgpu` npm package (prebuilt, no download) gives
 * `navigator.gpu`, and `@tensorflow/tfjs-backend-webgpu` runs tfjs on it. Both are optional
 * dependencies. Order matters: tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it
 * is imported, so the GPU object is installed first. On Linux, Dawn drives the GPU through Vulkan; with
 * no Vulkan loader (libvulkan.so.1) there can be no adapter, so `auto` does not even try (Dawn would print
 * a warning on every start).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

type GpuAdapter = { info?: Partial<WebGpuAdapterInfo>; requestAdapterInfo?: () => Promise<Partial<WebGpuAdapterInfo>> };
type Gpu = { requestAdapter(options?: object): Promise<GpuAdapter | null> };

/** Where a Vulkan loader may live on Linux; true when one is found (or on other systems, where Dawn uses Metal/D3D12). */
export function gpuDriverLikely(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  if (env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES) return true;
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu',
  ];
  if (dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(Buffer.from('libvulkan.so.1'));
  } catch {
    return false;
  }
}

/**
 * Installs Dawn's `navigator.gpu`, asks for an adapter and imports the tfjs WebGPU backend. Throws with the
 * reason when the package is missing or no adapter exists.
 */
export async function prepareWebGpu(): Promise<WebGpuAdapterInfo> {
  const g = globalThis as unknown as { navigator?: { gpu?: Gpu } };
  if (!g.navigator?.gpu) {
    let dawn: { create(flags: string[]): Gpu; globals: Record<string, unknown> };
    try {
      dawn = (await import('webgpu' as string)) as typeof dawn;
    } catch (error) {
      throw new Error(`the optional package 'webgpu' (Dawn) is not installed (${(error as Error).message.split('\n')[0]})`);
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const adapter = await g.navigator!.gpu!.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter: Dawn found no usable GPU (on Linux it needs a Vulkan driver)');
  const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  const webgpu = (await import('@tensorflow/tfjs-backend-webgpu' as string)) as { WebGPUBackend?: { prototype: SyncReader } };
  if (webgpu.WebGPUBackend) explainSyncReads(webgpu.WebGPUBackend.prototype);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
}

/**
 * tfjs's WebGPU backend reads GPU memory synchronously (`dataSync`, `arraySync`) through an
 * `OffscreenCanvas`, which exists in browsers only: under Node such a read fails with "OffscreenCanvas is
 * not defined". clbench's training loop, evaluation and benchmark read asynchronously; a learner part that
 * still reads synchronously gets this error instead, naming the way out.
 */
type SyncReader = { readSync(dataId: object): unknown; clbenchExplained?: boolean };

export function explainSyncReads(backend: SyncReader): void {
  if (backend.clbenchExplained) return;
  const readSync = backend.readSync;
  backend.readSync = function (this: SyncReader, dataId: object) {
    try {
      return readSync.call(this, dataId);
    } catch (error) {
      if (!(error instanceof ReferenceError) || !/OffscreenCanvas/.test(error.message)) throw error;
      throw new Error(
        'a synchronous read of GPU memory (dataSync/arraySync), which tfjs\'s WebGPU backend can only do in a browser (it needs OffscreenCanvas): ' +
          'this learner (or one of its parts) reads a tensor synchronously; run it with --backend native, wasm or tensorflow',
      );
    }
  };
  backend.clbenchExplained = true;
}

/**
 * A kernel the GPU rejects (a Dawn validation error, e.g. more storage buffers than the device allows) is not
 * an exception: tfjs carries on with its output unwritten, and the run goes on with wrong numbers (on an H200
 * the weights became NaN and the run read as diverged). So each thread's device reports its errors here, and
 * the run protocol fails the run with the GPU's message ({@link takeDeviceError}) instead of recording it.
 */
let firstDeviceError: string | null = null;

type GpuErrorEvent = { error?: { message?: string } };
type EventSource = { addEventListener?(type: string, listener: (event: GpuErrorEvent) => void): void };

export function watchDeviceErrors(backend: unknown): void {
  const device = (backend as { device?: EventSource }).device;
  device?.addEventListener?.('uncapturederror', (event) => {
    firstDeviceError ??= (event.error?.message ?? 'unknown error').split('\n')[0];
  });
}

/** The first GPU error since the last call (null when none), and forget it. */
export function takeDeviceError(): string | null {
  const error = firstDeviceError;
  firstDeviceError = null;
  return error;
}

/** The failure a GPU error makes, naming the way out. */
export function deviceFailure(message: string): Error {
  return new Error(`the GPU rejected a kernel, so this run's numbers cannot be trusted (WebGPU: ${message}); run it with --backend native, wasm or tensorflow`);
}
