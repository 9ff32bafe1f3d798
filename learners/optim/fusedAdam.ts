/**
 * Adam (Kingma & Ba 2015) with PyTorch's update rule, as one fused kernel per variable.
 *
 * tfjs's AdamOptimizer runs ~14 element-wise kernels per variable per step; on the WASM backend that was
 * 24% of a 784-400-400-10 training step (measured: 7.8 of 33 ms at batch 128), because every kernel
 * streams the whole parameter tensor through memory again. Here one pass reads θ, g, m, v and writes θ',
 * m', v'. The kernel is registered for the 'wasm' backend (a WASM SIMD loop, ./kernels/fusedAdam.wat,
 * running in the tfjs backend's own memory), the 'native' backend (the same float32 operations in C, in
 * the same memory: core/nativeAddon.ts) and the 'cpu' backend (a JavaScript loop over its arrays); other
 * backends run the same formula as tfjs ops.
 *
 * With bias corrections c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ, PyTorch's step θ −= (lr/c1)·m / (√v/√c2 + ε) equals
 *   θ −= lrₜ · m / (√v + εₜ),   lrₜ = lr·√c2 / c1,   εₜ = ε·√c2
 * which is what the kernel computes (in float64, stored as float32).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { nativeAddon } from '../../core/nativeAddon.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

const KERNEL = 'ClbenchFusedAdam';

interface AdamAttrs {
  beta1: number;
  beta2: number;
  lrT: number;
  epsT: number;
}

function adamLoop(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, outTheta: Float32Array, outM: Float32Array, outV: Float32Array, a: AdamAttrs): void {
  const { beta1, beta2, lrT, epsT } = a;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i];
    const mi = m[i] + c1 * (g - m[i]);
    const vi = v[i] + c2 * (g * g - v[i]);
    outM[i] = mi;
    outV[i] = vi;
    outTheta[i] = theta[i] - (lrT * mi) / (Math.sqrt(vi) + epsT);
  }
}

interface WasmBackendLike {
  wasm: { asm?: { memory?: unknown }; HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  getMemoryOffset(dataId: object): number;
}

/** The few WebAssembly JS-API members used here (TypeScript declares them only in the DOM library). */
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: {
  Memory: new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
} }).WebAssembly;

type SimdAdam = (theta: number, grad: number, m: number, v: number, outTheta: number, outM: number, outV: number, n: number, c1: number, c2: number, lr: number, eps: number) => void;

let simdAdam: SimdAdam | null | undefined;

/** The WASM SIMD kernel, instantiated on the backend's memory; null when that memory is not reachable. */
function simdKernel(backend: WasmBackendLike): SimdAdam | null {
  if (simdAdam !== undefined) return simdAdam;
  simdAdam = null;
  const memory = backend.wasm?.asm?.memory;
  if (memory instanceof WebAssemblyApi.Memory) {
    try {
      const bytes = readFileSync(new URL('./kernels/fusedAdam.wasm', import.meta.url));
      const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { env: { memory } });
      simdAdam = instance.exports.adam as SimdAdam;
    } catch {
      simdAdam = null; // not built or not loadable: the JavaScript loop below does the same work
    }
  }
  return simdAdam;
}
interface CpuBackendLike {
  data: { get(dataId: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

type Offsets = [number, number, number, number, number, number, number];

/**
 * A kernel over the WASM backend's memory (the 'wasm' and 'native' backends): allocates θ', m', v' and
 * hands `update` the byte offsets of θ, g, m, v, θ', m', v', the length and the constants.
 */
function inWasmMemory(update: (wasm: WasmBackendLike, offsets: Offsets, n: number, a: AdamAttrs, tensors: tf.TensorInfo[]) => void): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { theta, grad, m, v } = inputs as Record<string, tf.TensorInfo>;
    // Allocate first: a heap allocation may grow WASM memory and detach earlier views.
    const outs = [theta, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
    const tensors = [theta, grad, m, v, ...outs];
    const n = theta.shape.reduce((x, y) => x * y, 1);
    update(wasm, tensors.map((t) => wasm.getMemoryOffset(t.dataId)) as Offsets, n, attrs as unknown as AdamAttrs, tensors);
    return outs;
  };
}

let registered = false;

function registerKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: inWasmMemory((wasm, offsets, n, a, [theta, grad, m, v, ...outs]) => {
      const simd = simdKernel(wasm);
      if (simd) return simd(...offsets, n, 1 - a.beta1, 1 - a.beta2, a.lrT, a.epsT);
      const [ot, om, ov] = outs.map((o) => wasm.typedArrayFromHeap(o));
      const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t);
      adamLoop(view(theta), view(grad), view(m), view(v), ot, om, ov, a);
    }),
  });
  const addon = nativeAddon();
  if (addon) {
    // The native backend may have copied the WASM kernel already: this one replaces it.
    if (tf.getKernel(KERNEL, 'native')) tf.unregisterKernel(KERNEL, 'native');
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: 'native',
      kernelFunc: inWasmMemory((wasm, offsets, n, a) => addon.adam(wasm.wasm.HEAPU8.buffer as ArrayBuffer, ...offsets, n, 1 - a.beta1, 1 - a.beta2, a.lrT, a.epsT)),
    });
  }
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackendLike;
      const { theta, grad, m, v } = inputs as Record<string, tf.TensorInfo>;
      const values = (t: tf.TensorInfo) => cpu.data.get(t.dataId).values;
      const n = values(theta).length;
      const [ot, om, ov] = [0, 1, 2].map(() => new Float32Array(n));
      adamLoop(values(theta), values(grad), values(m), values(v), ot, om, ov, attrs as unknown as AdamAttrs);
      return [cpu.makeTensorInfo(theta.shape, 'float32', ot), cpu.makeTensorInfo(m.shape, 'float32', om), cpu.makeTensorInfo(v.shape, 'float32', ov)];
    },
  });
}

const FUSED_BACKENDS = new Set(['wasm', 'native', 'cpu']);

export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'ClbenchFusedAdam';
  }
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private step = 0;

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
    /** 'auto': the fused kernel where registered (wasm, cpu), tfjs ops elsewhere; 'ops': tfjs ops everywhere (tests) */
    readonly path: 'auto' | 'ops' = 'auto',
  ) {
    super();
    registerKernels();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients);
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    const attrs: AdamAttrs = { beta1: this.beta1, beta2: this.beta2, lrT: (this.learningRate * Math.sqrt(c2)) / c1, epsT: this.epsilon * Math.sqrt(c2) };
    const fused = this.path === 'auto' && FUSED_BACKENDS.has(tf.getBackend());
    for (const [name, grad] of entries) {
      if (grad == null) continue;
      const variable = tf.engine().registeredVariables[name];
      let state = this.moments.get(name);
      if (!state) {
        state = { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) };
        this.moments.set(name, state);
      }
      const { m, v } = state;
      tf.tidy(() => {
        const [theta2, m2, v2] = fused
          ? (tf.engine().runKernel(KERNEL, { theta: variable, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
          : adamOps(variable, grad, m, v, attrs);
        m.assign(m2);
        v.assign(v2);
        variable.assign(theta2);
      });
    }
    this.incrementIterations();
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [
      { name: 'step', tensor: tf.scalar(this.step, 'int32') },
      ...[...this.moments.entries()].flatMap(([name, { m, v }]) => [
        { name: `${name}/m`, tensor: m },
        { name: `${name}/v`, tensor: v },
      ]),
    ];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weights) {
      if (name === 'step') {
        this.step = (await tensor.data())[0];
        continue;
      }
      const [variable, which] = [name.slice(0, name.lastIndexOf('/')), name.slice(name.lastIndexOf('/') + 1)];
      const state = this.moments.get(variable) ?? ({} as { m: tf.Variable; v: tf.Variable });
      state[which as 'm' | 'v'] = tf.variable(tensor, false);
      this.moments.set(variable, state);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** The same update as tfjs ops, for backends without the fused kernel. */
function adamOps(theta: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamAttrs): tf.Tensor[] {
  const m2 = tf.add(m, tf.mul(tf.sub(g, m), 1 - a.beta1));
  const v2 = tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - a.beta2));
  const theta2 = tf.sub(theta, tf.mul(tf.div(m2, tf.add(tf.sqrt(v2), a.epsT)), a.lrT));
  return [theta2, m2, v2];
}
