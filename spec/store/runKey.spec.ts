import { expect } from 'chai';
import { CLBENCH_VERSION } from '../../core/version.js';
import type { RunRecord } from '../../results/record.js';
import { canonicalJson } from '../../core/canonicalJson.js';
import { keyChanges, runKey } from '../../store/runKey.js';
import type { Job } from '../../suite/suite.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const job = (overrides: Record<string, unknown> = {}, learner: Record<string, unknown> = { name: 'ewc', options: { lambda: 10 } }): Job =>
  jobsOf(tinySuite({ learners: [learner], ...overrides }))[0];

/** The fields of a record that the key is made of, as runJob writes them. */
function recordOf(j: Job, backend: string): RunRecord {
  return {
    scenario: { ...j.scenario, outputs: 6 },
    learner: j.learner,
    model: j.model,
    training: j.training,
    evaluation: j.evaluation,
    schedule: { spec: j.schedule },
    seed: j.seed,
    backend: { name: backend, package: 'p', version: '1', detail: '' },
    versions: { clbench: CLBENCH_VERSION, tfjs: '4', node: 'v20' },
  } as unknown as RunRecord;
}

describe('run keys', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).to.equal(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).to.not.equal(canonicalJson({ a: 2 }));
  });

  it('are stable: the same job on the same backend always has the same 32-hex-digit key', () => {
    expect(runKey(job(), 'wasm')).to.match(/^[0-9a-f]{32}$/).and.equal(runKey(job(), 'wasm'));
  });

  it('change with everything that changes the record: training, options, model, scenario, evaluation, seed, backend', () => {
    const base = runKey(job(), 'wasm');
    const variants = [
      runKey(job({ training: { epochs: 3, batchSize: 16, optimizer: 'adam', lr: 0.01 } }), 'wasm'),
      runKey(job({}, { name: 'ewc', options: { lambda: 11 } }), 'wasm'),
      runKey(job({ model: { hidden: [33] } }), 'wasm'),
      runKey(job({ scenario: { ...(tinySuite().scenario as object), testPerTask: 5 } }), 'wasm'),
      runKey(job({ evaluation: { criterion: 0.5 } }), 'wasm'),
      runKey(job({ seeds: [1] }), 'wasm'),
      runKey(job(), 'cpu'),
    ];
    expect(new Set([base, ...variants]).size).to.equal(variants.length + 1);
  });

  it('ignore what only changes how a run is shown: label, suite name, published values, position', () => {
    const shown = jobsOf(
      tinySuite({
        name: 'renamed',
        // keyed by the scenario's name, so that the published value is the job's (a key naming no scenario is refused)
        learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 }, label: 'EWC', published: { [job().scenario.name]: { mean: 0.5 } } }],
      }),
    )[1];
    expect(shown.position).to.deep.equal([0, 1]);
    expect(shown.published).to.deep.equal({ mean: 0.5 });
    expect(runKey(shown, 'wasm')).to.equal(runKey(job(), 'wasm'));
  });

  it('say what changed between a record and the run a suite asks for now', () => {
    const old = recordOf(job(), 'wasm');
    const now = job({ training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.02 } }, { name: 'ewc', options: { lambda: 20 } });
    expect(keyChanges(old, now, 'wasm')).to.deep.equal(['learner.options.lambda: 10 → 20', 'training.lr: 0.01 → 0.02']);
    const extra = job({ scenario: { ...(tinySuite().scenario as object), testPerTask: 5 } });
    expect(keyChanges(old, extra, 'wasm')).to.deep.equal(['scenario.testPerTask: (none) → 5']);
    expect(keyChanges(old, job(), 'cpu')).to.deep.equal(['backend: "wasm" → "cpu"']);
    expect(keyChanges(old, job(), 'wasm')).to.deep.equal([]);
  });
});
