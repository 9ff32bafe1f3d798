/**
 * The optional native CPU addon (native/clbench.c, built at install time by tools/build-native.mjs into
 * build/clbench.node): loaded once per thread on first use; when it is absent, `nativeAddon()` is null and
 * `nativeAbsence()` says why and how to get it (from the build's status file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's functions; offsets are byte offsets into `memory`, sizes and strides in floats. */
export interface NativeAddon {
  gemm(
    memory: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: number, b: number, c: number, batch: number, strideA: number, strideB: number, strideC: number,
    bias: number, biasSize: number, relu: boolean,
  ): void;
  adam(memory: ArrayBuffer, theta: number, grad: number, m: number, v: number, outTheta: number, outM: number, outV: number, n: number, c1: number, c2: number, lr: number, eps: number): void;
  setThreads(n: number): void;
  threads(): number;
  blas(): string;
  /** whether products go to the BLAS library instead of clbench's own; sets it when given */
  useBlas(flag?: boolean): boolean;
}

// dist/core/nativeAddon.js → <package>/build/
const buildDir = fileURLToPath(new URL('../../build/', import.meta.url));
const addonFile = `${buildDir}clbench.node`;
const statusFile = `${buildDir}native-status.json`;

let loaded: NativeAddon | null | undefined;
let loadError = '';

export function nativeAddon(): NativeAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.CLBENCH_NATIVE === '0') {
    loadError = 'CLBENCH_NATIVE=0 in the environment';
    return null;
  }
  if (!existsSync(addonFile)) return null;
  try {
    loaded = createRequire(import.meta.url)(addonFile) as NativeAddon;
  } catch (error) {
    loadError = `build/clbench.node did not load: ${(error as Error).message.split('\n')[0]}`;
  }
  return loaded;
}

/** Why the addon is not there, and the fix; null when it loads. */
export function nativeAbsence(): string | null {
  if (nativeAddon()) return null;
  if (loadError) return `${loadError}; rebuild it with \`npm rebuild clbench\` (or \`npm run build\` in a checkout)`;
  try {
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { reason?: string; fix?: string };
    if (status.reason) return `${status.reason}; to get it: ${status.fix}`;
  } catch {
    // no status file: the build never ran
  }
  // no status file: the install script never ran (npm 11 runs a dependency's install script only once approved)
  return 'the native addon was never built (build/clbench.node is missing: clbench\'s install script did not run); to get it: install a C compiler and OpenBLAS (Debian/Ubuntu: `apt-get install build-essential libopenblas-dev`), allow clbench\'s install script if npm skipped it (`npm install-scripts approve clbench`), then `npm rebuild clbench` (or `npm run build` in a checkout)';
}
