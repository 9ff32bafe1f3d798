import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { explainSyncReads, gpuDriverLikely, takeDeviceError, watchDeviceErrors } from '../../backends/webgpu.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

/**
 * The WebGPU backend needs a GPU: on a machine without one these tests say so and skip (visible as
 * "pending" in the test report); on a GPU machine they train a run on it.
 */
describe('WebGPU backend (Dawn)', function () {
  this.timeout(120000);
  let gpu: BackendInfo | null = null;
  let reason = '';
  before(async () => {
    try {
      gpu = await useBackend('webgpu');
    } catch (error) {
      reason = (error as Error).message;
    }
  });
  after(async () => {
    await useBackend('wasm');
  });

  it('says why it cannot run when there is no adapter, and how to get one', function () {
    if (gpu) this.skip();
    expect(reason).to.match(/backend 'webgpu' cannot be loaded: webgpu: (no WebGPU adapter|the optional package 'webgpu')/);
  });

  it("explains the WebGPU backend's failed synchronous read (no OffscreenCanvas under Node) and passes other errors through", () => {
    // a stand-in for WebGPUBackend.prototype: the real one fails like this on a GPU under Node
    let fail: Error = new ReferenceError('OffscreenCanvas is not defined');
    const proto = {
      readSync(this: { values: Float32Array }, dataId: object) {
        if ((dataId as { cached?: boolean }).cached) return this.values;
        throw fail;
      },
    };
    explainSyncReads(proto);
    const wrapped = proto.readSync;
    explainSyncReads(proto); // a second backend set-up does not wrap the wrapper
    expect(proto.readSync).to.equal(wrapped);
    const backend = Object.assign(Object.create(proto), { values: new Float32Array([1, 2]) });
    expect(backend.readSync({ cached: true })).to.deep.equal(new Float32Array([1, 2]));
    expect(() => backend.readSync({})).to.throw(/synchronous read of GPU memory.*--backend native, wasm or tensorflow/);
    fail = new RangeError('something else');
    expect(() => backend.readSync({})).to.throw(RangeError, 'something else');
  });

  it("fails a run whose kernel the GPU rejected, with the GPU's message, instead of recording its numbers", async () => {
    // a stand-in device: Dawn reports a rejected kernel as an 'uncapturederror' event, not an exception
    const device = new EventTarget();
    watchDeviceErrors({ device });
    const reject = (message: string) => device.dispatchEvent(Object.assign(new Event('uncapturederror'), { error: { message } }));
    reject('stale, from before the run');
    expect(takeDeviceError()).to.equal('stale, from before the run');
    expect(takeDeviceError()).to.equal(null);

    const [job] = jobsOf(tinySuite());
    const backend = { name: tf.getBackend(), package: '', version: '', detail: '' } as BackendInfo;
    reject('from an earlier run on this thread');
    let sent = false;
    const record = await runJob(job, {
      backend,
      onEvent: (event) => {
        if (event.type !== 'step' || sent) return;
        sent = true;
        reject('The number of storage buffers (15) in the Compute stage exceeds the maximum per-stage limit (8).\n - While validating');
      },
    });
    expect(record.status).to.equal('failed');
    expect(record.error).to.match(/GPU rejected a kernel.*storage buffers \(15\).*limit \(8\)\.\); run it with --backend native, wasm or tensorflow/);
    expect(record.error).not.to.contain('earlier run');
    // a run with no GPU error is untouched
    const clean = await runJob(job, { backend });
    expect(clean.status).to.equal('completed');
  });

  it('detects the Vulkan loader on Linux: driver variables, LD_LIBRARY_PATH, the linker cache', () => {
    expect(gpuDriverLikely({ VK_DRIVER_FILES: '/x/nvidia_icd.json' })).to.equal(true);
    expect(gpuDriverLikely({ VK_ICD_FILENAMES: '/x/nvidia_icd.json' })).to.equal(true);
    if (process.platform !== 'linux') return;
    // with no hint, the answer is the dynamic linker's: does its cache (`ldconfig -p`) list the loader?
    const ldconfig = ['/sbin/ldconfig', '/usr/sbin/ldconfig'].find((p) => existsSync(p));
    const system = ldconfig === undefined ? undefined : spawnSync(ldconfig, ['-p'], { encoding: 'utf8' }).stdout.includes('libvulkan.so.1');
    if (system !== undefined) expect(gpuDriverLikely({})).to.equal(system);
    // a loader in a folder of LD_LIBRARY_PATH counts (here an empty stand-in file)
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-vulkan-'));
    if (system === false) expect(gpuDriverLikely({ LD_LIBRARY_PATH: dir })).to.equal(false);
    writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
    expect(gpuDriverLikely({ LD_LIBRARY_PATH: `/nonexistent:${dir}` })).to.equal(true);
  });

  it('trains a run on the GPU and names the adapter in the record', async function () {
    if (!gpu) {
      console.log(`      SKIPPED: no WebGPU adapter on this machine (${reason.split(':').slice(-1)[0].trim()})`);
      this.skip();
    }
    expect(tf.getBackend()).to.equal('webgpu');
    const [job] = jobsOf(tinySuite());
    const record = await runJob(job, { backend: gpu! });
    expect(record.status).to.equal('completed');
    expect(record.backend.name).to.equal('webgpu');
    expect(record.backend.detail).to.match(/^Dawn /);
    record.accuracy.matrix.forEach((row, i) => expect(row[i]).to.be.greaterThan(0.9));
  });

  it('is a UserError when asked for by name and unavailable', async function () {
    if (gpu) this.skip();
    try {
      await useBackend('webgpu');
      expect.fail('no adapter here');
    } catch (error) {
      expect(error).to.be.instanceOf(UserError);
      expect((error as UserError).fix).to.contain('Vulkan');
    }
  });
});
