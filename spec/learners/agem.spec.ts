import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { AgemOptions } from '../../learners/methods/agem.js';
import type { Learner } from '../../learners/contract.js';
import { projectGradient } from '../../learners/parts/gradientProjection.js';
import { getLearner } from '../../learners/registry.js';
import type { Batch, ExampleSet, Scenario } from '../../scenarios/types.js';
import { expectFlatTensorCount, phaseOf, watchAdjustedGradients } from '../helpers/learners.js';
import { contextFor, expectClose, syntheticScenario, uniformArray, useWasm, values } from '../helpers/tf.js';

const flat = (ts: tf.Tensor[]) => ts.flatMap(values);
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('A-GEM projection', () => {
  useWasm();

  it('over 300 random trials: unchanged (the same tensors) when gᵀg_ref ≥ 0, else exactly g − (gᵀg_ref / g_refᵀg_ref)·g_ref, after which gᵀg_ref = 0', async () => {
    const rng = new Rng(17, 'agem');
    let projected = 0;
    for (let trial = 0; trial < 300; trial++) {
      const make = () => [tf.tensor2d(uniformArray(12, rng), [3, 4]), tf.tensor1d(uniformArray(5, rng))];
      const g = make();
      const ref = make();
      const [gv, rv] = [flat(g), flat(ref)];
      const out = await projectGradient(g, ref);
      try {
        const d = dot(gv, rv);
        if (d >= 0) {
          expect(out).to.equal(g);
          expect(flat(out)).to.deep.equal(gv);
          continue;
        }
        projected++;
        const scale = d / dot(rv, rv);
        expectClose(flat(out), gv.map((v, i) => v - scale * rv[i]), 1e-6, 1e-5, `trial ${trial}`);
        expect(out.map((t) => t.shape)).to.deep.equal([[3, 4], [5]]);
        const norm = Math.sqrt(dot(gv, gv) * dot(rv, rv));
        expect(dot(flat(out), rv)).to.be.at.least(-1e-6 * norm);
        expect(Math.abs(dot(flat(out), rv))).to.be.below(1e-5 * norm);
      } finally {
        tf.dispose([g, ref, out]);
      }
    }
    expect(projected).to.be.within(100, 200); // both branches well exercised
  });

  it('leaves g alone when the reference gradient is zero', async () => {
    const g = [tf.tensor1d([1, -2])];
    const zero = [tf.zeros([2])];
    expect(await projectGradient(g, zero)).to.equal(g);
    tf.dispose([g, zero]);
  });
});

describe('A-GEM learner', () => {
  useWasm();

  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=6,features=8,trainPerClass=15,testPerClass=2', { kind: 'split', setting: 'class' });
  });

  function create(options: Partial<AgemOptions>): { learner: Learner; internals: any } {
    const ctx = contextFor(scenario, { hidden: [6] }, 3, { epochs: 2, batchSize: 10, optimizer: 'sgd', lr: 0.2, momentum: 0, resetOptimizer: false });
    const learner = getLearner('agem').create({ memoryPerTask: 7, sampleSize: 5, ...options }, ctx);
    return { learner, internals: learner as any };
  }

  it('keeps memoryPerTask random examples of each finished task (all of a smaller task)', async () => {
    const { learner, internals } = create({});
    try {
      expect(internals.memory).to.equal(null);
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      const memory: ExampleSet = internals.memory;
      expect(Array.from(memory.taskIds)).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
      memory.indices.forEach((index, k) => expect(Array.from(scenario.tasks[memory.taskIds[k]].trainIndices)).to.include(index));
      expect(new Set(memory.indices).size).to.equal(14);
    } finally {
      learner.dispose();
    }
    const big = create({ memoryPerTask: 1000 });
    try {
      await big.learner.train(phaseOf(scenario, 0), {});
      expect(big.internals.memory.indices.length).to.equal(30);
    } finally {
      big.learner.dispose();
    }
  });

  it('every step of a later task: reference gradient on S memory examples of earlier tasks; the gradient used never conflicts with it', async () => {
    const { learner, internals } = create({});
    try {
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      const vars: tf.Variable[] = internals.model.variables;
      const toTensors = internals.toTensors.bind(internals);
      let reference: any = null;
      let conflicts = 0;
      internals.toTensors = (batch: Batch) => (reference = toTensors(batch));
      const steps = await watchAdjustedGradients(learner, phaseOf(scenario, 2), (grads, out, current) => {
        expect(reference).to.not.equal(current);
        expect(reference.batch.size).to.equal(5);
        expect(new Set(reference.batch.taskIds)).to.satisfy((s: Set<number>) => [...s].every((t) => t < 2));
        const { grads: refGrads } = tf.variableGrads(() => internals.taskLoss(reference), vars);
        const [g, r, used] = [flat(vars.map((v) => grads[v.name])), flat(vars.map((v) => refGrads[v.name])), flat(vars.map((v) => out[v.name]))];
        const d = dot(g, r);
        const norm = Math.sqrt(dot(g, g) * dot(r, r));
        expect(dot(used, r)).to.be.at.least(-1e-5 * norm);
        if (d < 0) {
          conflicts++;
          expectClose(used, g.map((v, i) => v - (d / dot(r, r)) * r[i]), 1e-6, 1e-4, 'projected step');
        } else expect(used).to.deep.equal(g);
      });
      expect(steps).to.equal(6);
      expect(conflicts).to.be.above(0);
    } finally {
      learner.dispose();
    }
  });

  it('keeps the tensor count flat from phase to phase and frees everything on dispose', async () => {
    await expectFlatTensorCount(() => create({}).learner, scenario);
  });
});
