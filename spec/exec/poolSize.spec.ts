/** The worker pool is sized by the same memory estimate that refuses a run past its limit (suite/memory.ts). */
import { expect } from 'chai';
import { workersThatFit, WORKER_BASE_BYTES } from '../../exec/poolSize.js';
import { cachedScenarios } from '../../suite/jobInputs.js';
import { estimateRunMemory } from '../../suite/memory.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

describe('worker pool size', () => {
  const jobs = jobsOf(tinySuite({ model: { hidden: [4000, 4000] }, seeds: [0, 1, 2, 3] }));
  const run = estimateRunMemory(jobs[0], cachedScenarios()(jobs[0])).bytes;

  it('takes the workers asked for when their runs fit', () => {
    const lines: string[] = [];
    expect(workersThatFit(jobs, 4, (l) => lines.push(l), 100 * 1024 ** 3)).to.equal(4);
    expect(lines).to.deep.equal([]);
  });

  it('takes fewer when they do not, and says why', () => {
    const lines: string[] = [];
    const memory = (2.5 * (run + WORKER_BASE_BYTES)) / 0.8;
    expect(workersThatFit(jobs, 4, (l) => lines.push(l), memory)).to.equal(2);
    expect(lines.join('\n')).to.match(/^2 worker\(s\) instead of 4: a run needs up to \d+ MiB/);
  });

  it('always one', () => {
    expect(workersThatFit(jobs, 4, () => {}, 1)).to.equal(1);
  });

  it('the estimate grows with the model, the optimizer and the batches', () => {
    const [narrow] = jobsOf(tinySuite({ model: { hidden: [32] } }));
    const [adam] = jobsOf(tinySuite({ model: { hidden: [4000, 4000] } }));
    const [sgd] = jobsOf(tinySuite({ model: { hidden: [4000, 4000] }, training: { optimizer: 'sgd' } }));
    const bytes = (job: typeof narrow) => estimateRunMemory(job, cachedScenarios()(job)).bytes;
    expect(bytes(adam)).to.be.greaterThan(bytes(sgd));
    expect(bytes(sgd)).to.be.greaterThan(bytes(narrow));
    expect(bytes(sgd)).to.be.greaterThan(4 * 4000 * 4000 * 6);
  });
});
