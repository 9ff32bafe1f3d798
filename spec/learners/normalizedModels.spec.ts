/**
 * `model.norm` is for any learner: every built-in learner trains a class-IL stream with a BatchNorm and an
 * AdaB²N network without errors, leaks or non-finite predictions, learns something, and resumes exactly.
 */
import { resolveSchedule } from '../../scenarios/schedules.js';
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { listLearners } from '../../learners/registry.js';
import type { ResolvedModelSpec } from '../../models/types.js';
import { CONFORMANCE_DATASET, roundTripCheck } from '../../plugins/conformance.js';
import { traceRun } from '../../plugins/conformanceTrace.js';
import { validateWithSchema } from '../../core/schema.js';
import { buildScenario } from '../../scenarios/build.js';
import { loadDataset } from '../../scenarios/datasets/index.js';
import { useWasm } from '../helpers/tf.js';

describe('every built-in learner with a normalising model', function () {
  this.timeout(120000);
  useWasm();
  const scenario = buildScenario({ dataset: CONFORMANCE_DATASET, kind: 'split', tasks: 3, setting: 'class' }, loadDataset(CONFORMANCE_DATASET), new Rng(7, 'scenario'));
  const training = { epochs: 2, batchSize: 16, optimizer: 'adam' as const, lr: 0.01, momentum: 0.9, resetOptimizer: false };

  for (const norm of ['batchnorm', 'adab2n'] as const) {
    const model: ResolvedModelSpec = { hidden: [16], dense: 'fast', norm, ...(norm === 'adab2n' ? { normOptions: { kappa: 0.4, lambda: 1 } } : {}) };
    for (const definition of listLearners().filter((l) => !l.name.startsWith('test-'))) {
      it(`${definition.name} + ${norm}`, async () => {
        // MAS runs with Hsu et al.'s batch-mean estimator here: its per-example default is the model's batched pass
        const given = definition.name === 'mas' ? { estimator: 'batch-mean' } : {};
        const options = validateWithSchema<Record<string, unknown>>(definition.optionsSchema, given, 'options');
        const trace = await traceRun(definition, options, { scenario, model, training, seed: 7, schedule: resolveSchedule({ kind: 'none' }) });
        expect(trace.error).to.equal(null);
        expect(trace.predictProblems).to.deep.equal([]);
        expect(trace.tensorsAfter).to.equal(trace.tensorsBefore);
        for (const counts of trace.stepTensors) expect(new Set(counts.slice(1)).size, 'live tensors step to step').to.be.at.most(1);
        const first = trace.predictions[0][0].logits;
        const last = trace.predictions[3][0].logits;
        expect(Array.from(first)).to.not.deep.equal(Array.from(last));
        expect(tf.memory().numTensors).to.equal(trace.tensorsAfter);
        // a resumed run continues exactly: the running statistics (and AdaB²N's forward count) are in state()
        const [status, detail] = await roundTripCheck(definition, options, { scenario, model, training, seed: 7, schedule: resolveSchedule({ kind: 'none' }) }, true);
        expect(status, detail).to.equal('pass');
      });
    }
  }
});
