/**
 * The native CPU backend (WASM backend + system BLAS): its kernels against the WASM ones on awkward
 * shapes, its Adam bit for bit against the WASM SIMD kernel, whole runs against WASM runs, determinism,
 * and the message when it is absent. In CI (CI=true) the addon must be built: a missing one fails here
 * instead of skipping, so CI tests both paths.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nativeAbsence, nativeAddon } from '../../core/nativeAddon.js';
import { Rng } from '../../core/random.js';
import { FusedAdam } from '../../learners/optim/fusedAdam.js';
import { learnerSource, listLearners } from '../../learners/registry.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { createMlp } from '../../models/mlp.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { clbench } from '../helpers/cli.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { expectClose, uniformArray } from '../helpers/tf.js';

const available = nativeAddon() !== null;
const required = process.env.CI === 'true' || process.env.CLBENCH_REQUIRE_NATIVE === '1';

/** Runs `f` on a backend and returns the values of its result. */
async function on(backend: 'native' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  return tf.tidy(() => [f()].flat().map((t) => t.dataSync() as Float32Array));
}

describe('native CPU backend', function () {
  this.timeout(120000);

  before(function () {
    if (available) return;
    if (required) throw new Error(`CI must build the native backend (apt-get install build-essential libopenblas-dev): ${nativeAbsence()}`);
    // eslint-disable-next-line no-console
    console.log(`      SKIPPED: native addon not built here: ${nativeAbsence()}`);
    this.skip();
  });
  after(async () => {
    await useBackend('wasm');
  });

  // (that `auto` picks it in a fresh process: spec/cli/clbench.spec.ts, whose records name the backend)
  it('loads by name and names its product kernel, BLAS library and thread count', async () => {
    const info = await useBackend('native', { threads: 1 });
    expect(info).to.deep.include({ name: 'native', threads: 1 });
    expect(info.detail).to.match(/WASM \+ .*, 1 thread$/);
    expect(tf.getBackend()).to.equal('native');
  });

  // m, k, n, transposeA, transposeB, batch of A, batch of B
  const products: [number, number, number, boolean, boolean, number, number][] = [
    [1, 1, 1, false, false, 1, 1],
    [1, 784, 400, false, false, 1, 1], // batch size 1
    [128, 784, 400, false, false, 1, 1],
    [7, 13, 5, true, false, 1, 1],
    [7, 13, 5, false, true, 1, 1],
    [9, 17, 11, true, true, 1, 1],
    [33, 65, 129, false, true, 1, 1], // widths not multiples of 8
    [4, 5, 6, false, false, 3, 3],
    [4, 5, 6, true, false, 1, 3], // A broadcast over B's batch
    [4, 5, 6, false, true, 3, 1], // B broadcast over A's batch
    [0, 5, 3, false, false, 1, 1], // zero-size edges
    [3, 0, 4, false, false, 1, 1], // k = 0: a product of zeros
    [5, 3, 0, true, false, 1, 1],
  ];
  // clbench's own product, and the BLAS library's where the addon has one (CLBENCH_GEMM=blas)
  const kernels = available && nativeAddon()!.blas().includes('no BLAS library') ? ['own'] : ['own', 'blas'];
  for (const kernel of kernels) {
    for (const [m, k, n, ta, tb, batchA, batchB] of products) {
      it(`${kernel} product: matMul ${batchA > 1 ? `${batchA}×` : ''}${m}×${k} · ${batchB > 1 ? `${batchB}×` : ''}${k}×${n}${ta ? ', A transposed' : ''}${tb ? ', B transposed' : ''} equals WASM to float32 rounding`, async () => {
        const rng = new Rng(m * 1000 + k * 10 + n);
        const shapeA = [...(batchA > 1 ? [batchA] : []), ...(ta ? [k, m] : [m, k])];
        const shapeB = [...(batchB > 1 ? [batchB] : []), ...(tb ? [n, k] : [k, n])];
        const a = tf.tensor(uniformArray(shapeA.reduce((x, y) => x * y, 1), rng), shapeA);
        const b = tf.tensor(uniformArray(shapeB.reduce((x, y) => x * y, 1), rng), shapeB);
        const addon = nativeAddon()!;
        const before = addon.useBlas();
        addon.useBlas(kernel === 'blas');
        const [native] = await on('native', () => tf.matMul(a, b, ta, tb));
        addon.useBlas(before);
        const [wasm] = await on('wasm', () => tf.matMul(a, b, ta, tb));
        expect(native.length).to.equal(Math.max(batchA, batchB) * m * n);
        // |error| of a k-term float32 dot product of values in [-1, 1] stays far below k·2^-24·k
        expectClose(native, wasm, 1e-6 * Math.max(1, k), 0, 'native − wasm');
        if (k === 0) expect([...native].every((v) => v === 0)).to.equal(true);
        tf.dispose([a, b]);
      });
    }
  }

  for (const activation of ['linear', 'relu', 'elu'] as const) {
    for (const biasShape of [[37], [1]]) {
      it(`fused matMul + bias [${biasShape}] + ${activation} equals the unfused ops on WASM`, async () => {
        const rng = new Rng(5);
        const x = tf.tensor2d(uniformArray(19 * 23, rng), [19, 23]);
        const w = tf.tensor2d(uniformArray(23 * 37, rng), [23, 37]);
        const bias = tf.tensor1d(uniformArray(biasShape[0], rng));
        const [native] = await on('native', () => tf.fused.matMul({ a: x, b: w, bias, activation }));
        // the reference is unfused: WASM's own fused kernel reads a [1] bias as if it were [n] wide
        const act = { linear: (t: tf.Tensor) => t, relu: tf.relu, elu: tf.elu }[activation];
        const [wasm] = await on('wasm', () => act(tf.add(tf.matMul(x, w), bias)));
        expectClose(native, wasm, 1e-5, 0, `${activation}: native − wasm`);
        if (activation === 'relu') expect(Math.min(...native)).to.equal(0);
        tf.dispose([x, w, bias]);
      });
    }
  }

  it('computes a dense layer’s forward pass and gradients as WASM does (flagged products on native)', async () => {
    const model = createMlp({ hidden: [21, 13] }, { inputs: 31, outputs: 7 }, new Rng(2));
    const rng = new Rng(3);
    const x = tf.tensor2d(uniformArray(9 * 31, rng), [9, 31]);
    const y = tf.tensor1d(Int32Array.from({ length: 9 }, () => rng.int(7)), 'int32');
    const step = () => {
      const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x), y), model.variables);
      return [value, ...model.variables.map((v) => grads[v.name])];
    };
    const native = await on('native', step);
    const wasm = await on('wasm', step);
    native.forEach((values, i) => expectClose(values, wasm[i], 1e-6, 1e-4, i === 0 ? 'loss' : `gradient ${i - 1}`));
    model.dispose();
    tf.dispose([x, y]);
  });

  it('runs Adam bit for bit as the WASM SIMD kernel (lengths 1 to 37)', async () => {
    for (let n = 1; n <= 37; n += 3) {
      const rng = new Rng(n);
      const theta = uniformArray(n, rng);
      const grads = [0, 1, 2].map(() => uniformArray(n, rng, -0.1, 0.1));
      const final = async (backend: 'native' | 'wasm') => {
        await useBackend(backend);
        const variable = tf.variable(tf.tensor1d(theta));
        const optimizer = new FusedAdam(0.01);
        for (const g of grads) tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor1d(g) }));
        const out = variable.dataSync().slice();
        optimizer.dispose();
        variable.dispose();
        return out;
      };
      expect([...(await final('native'))]).to.deep.equal([...(await final('wasm'))]);
    }
  });

  describe('whole runs', () => {
    // Every built-in learner with its defaults, class-IL: plain products, per-example squared (EWC) and
    // absolute (MAS) gradients, replay, projections, distillation, alignment.
    const builtIns = listLearners().filter((l) => learnerSource(l.name) === null).map((l) => l.name);
    const scenario = { dataset: 'synthetic:classes=6,features=16,trainPerClass=60,testPerClass=20,spread=25', kind: 'split', tasks: 3, setting: 'class' };
    let native: BackendInfo;
    let wasm: BackendInfo;
    before(async () => {
      wasm = await useBackend('wasm');
      native = await useBackend('native', { threads: 1 });
    });

    it('covers every built-in learner', () => expect(builtIns).to.include.members(['naive', 'joint', 'ewc', 'mas', 'si', 'lwf', 'replay', 'agem', 'derpp', 'er-ace', 'slca']));

    it('gives the same record on 1 and 2 threads (threads split whole column panels of each product)', async () => {
      // products of 64 × 400 × 1000 and more: past the size from which products are split over threads
      const wide = { ...scenario, dataset: 'synthetic:classes=6,features=400,trainPerClass=64,testPerClass=20,spread=25' };
      const training = { epochs: 1, batchSize: 64, optimizer: 'adam', lr: 0.001 };
      const [job] = jobsOf(tinySuite({ scenario: wide, model: { hidden: [1000] }, training, learners: [{ name: 'ewc' }] }));
      const one = await runJob(job, { backend: await useBackend('native', { threads: 1 }) });
      const two = await runJob(job, { backend: await useBackend('native', { threads: 2 }) });
      expect(two.backend.threads).to.equal(2);
      expect(two.accuracy).to.deep.equal(one.accuracy);
      await useBackend('native', { threads: 1 });
    });

    for (const name of builtIns) {
      it(`${name}: the native record equals the WASM one up to float rounding, and itself when rerun`, async () => {
        const [job] = jobsOf(tinySuite({ scenario, learners: [{ name }] }));
        await useBackend('wasm');
        const reference = await runJob(job, { backend: wasm });
        await useBackend('native', { threads: 1 });
        const first = await runJob(job, { backend: native });
        const again = await runJob(job, { backend: native });
        expect(first.status, first.error ?? '').to.equal(reference.status);
        expect(first.backend.name).to.equal('native');
        expect(first.key).to.not.equal(reference.key); // a different backend is a different run
        expect(again.accuracy).to.deep.equal(first.accuracy);
        // 20 test examples a class: one flipped prediction moves a task's accuracy by 1/40; allow three.
        first.accuracy.matrix.forEach((row, i) => expectClose(row, reference.accuracy.matrix[i], 3 / 40 + 1e-9, 0, `accuracy after phase ${i + 1}`));
      });
    }
  });
});

describe('without the native addon', function () {
  this.timeout(120000);

  it('`clbench list` says in one line why native is absent and how to get it', () => {
    const result = spawnWithoutNative(['list']);
    expect(result.status).to.equal(0);
    const line = result.stdout.split('\n').find((l) => l.trim().startsWith('native'));
    expect(line).to.contain('not built: CLBENCH_NATIVE=0');
  });

  it('`clbench run` falls back to WASM and says so once', () => {
    const dir = tmpSuite();
    const result = spawnWithoutNative(['run', dir.suite, '--out', dir.out, '--quiet', '--workers', '1']);
    expect(result.status, result.stderr).to.equal(0);
    const notes = result.stderr.split('\n').filter((l) => l.startsWith('note: running on wasm; native CPU backend absent'));
    expect(notes).to.have.length(1);
    expect(result.stderr).to.match(/^backend: wasm /m);
  });
});

function tmpSuite(): { suite: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'clbench-native-'));
  const suite = path.join(dir, 'suite.json');
  writeFileSync(suite, JSON.stringify(tinySuite({ training: { epochs: 1, batchSize: 16, optimizer: 'adam', lr: 0.01 } })));
  return { suite, out: path.join(dir, 'out') };
}

function spawnWithoutNative(args: string[]) {
  const saved = process.env.CLBENCH_NATIVE;
  process.env.CLBENCH_NATIVE = '0';
  try {
    return clbench(args);
  } finally {
    if (saved === undefined) delete process.env.CLBENCH_NATIVE;
    else process.env.CLBENCH_NATIVE = saved;
  }
}
