import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { useBackend, type BackendInfo } from '../../runner/backend.js';
import { runJob } from '../../runner/runJob.js';
import { gpuDriverLikely } from '../../runner/webgpu.js';
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

  it('detects the Vulkan loader on Linux', () => {
    expect(gpuDriverLikely({ VK_DRIVER_FILES: '/x/nvidia_icd.json' })).to.equal(true);
    if (process.platform === 'linux') expect(typeof gpuDriverLikely({})).to.equal('boolean');
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
