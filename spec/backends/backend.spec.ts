import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../core/errors.js';
import { useBackend } from '../../backends/backend.js';

describe('backend selection', () => {
  after(async () => {
    await useBackend('wasm');
  });

  it('loads wasm and cpu by name and reports them', async () => {
    const wasm = await useBackend('wasm');
    expect(wasm).to.deep.include({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(wasm.detail).to.match(/simd/);
    expect(tf.getBackend()).to.equal('wasm');
    const cpu = await useBackend('cpu');
    expect(cpu).to.deep.include({ name: 'cpu', detail: 'pure JavaScript' });
    expect(tf.getBackend()).to.equal('cpu');
  });

  it('says why `tensorflow` cannot load here and how to get it', async () => {
    try {
      await useBackend('tensorflow');
      expect.fail('tfjs-node is not installed on this machine');
    } catch (error) {
      expect(error).to.be.instanceOf(UserError);
      expect((error as UserError).message).to.contain('@tensorflow/tfjs-node-gpu').and.to.contain('@tensorflow/tfjs-node');
      expect((error as UserError).fix).to.contain('CUDA 11.2').and.to.contain('--backend wasm');
    }
  });

  it('picks up a package that provides the tensorflow backend, first in the auto chain', async () => {
    // A stand-in for tfjs-node-gpu: registers a backend named 'tensorflow' in clbench's own tfjs engine,
    // as the real package does when it is installed.
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-backend-'));
    const tfjs = createRequire(import.meta.url).resolve('@tensorflow/tfjs');
    const cpu = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-cpu');
    const standIn = path.join(dir, 'fake-tfjs-node-gpu.mjs');
    writeFileSync(
      standIn,
      `import * as tf from ${JSON.stringify(pathToFileURL(tfjs).href)};\n` +
        `import { MathBackendCPU } from ${JSON.stringify(pathToFileURL(cpu).href)};\n` +
        `tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);\n`,
    );
    const info = await useBackend('auto', { tensorflowPackages: ['@tensorflow/no-such-package', pathToFileURL(standIn).href] });
    expect(info.name).to.equal('tensorflow');
    expect(info.package).to.equal(pathToFileURL(standIn).href);
    expect(tf.getBackend()).to.equal('tensorflow');
  });
});
