/**
 * SLCA's budgets: the classifier-alignment steps an epoch (`caStepsPerEpoch`: the code's one per seen class, or a
 * fixed number) and the stage-1 step decay (`stage1DecayEpoch`: × 0.1 from that epoch on, every task afresh).
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import { alignClassifier, type ClassGaussian } from '../../learners/parts/classifierAlignment.js';
import type { ScenarioInfo, TrainingConfig } from '../../learners/contract.js';
import { getLearner } from '../../learners/registry.js';
import { pairingProblem } from '../../learners/requirements.js';
import { UserError } from '../../core/errors.js';
import { phaseOf } from '../helpers/learners.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { contextFor, syntheticScenario, useWasm, values } from '../helpers/tf.js';

describe('SLCA budgets', () => {
  useWasm();
  const info: ScenarioInfo = { name: 's', setting: 'class', outputs: 4, inputSize: 2, tasks: [ { id: 0, classes: [0, 1], outputs: [0, 1] }, { id: 1, classes: [2, 3], outputs: [2, 3] }, ] };
  const classes: ClassGaussian[] = [0, 1, 2].map((k) => ({ task: k < 2 ? 0 : 1, output: k, mean: Float32Array.from([k, -k]), covariance: Float32Array.from([0.5, 0, 0, 0.5]) }));

  /** Runs an alignment of 2 epochs and returns its SGD steps (one assignment of the weight a step) and the result. */
  function align(stepsPerEpoch: number | null | undefined): { steps: number; weight: number[] } {
    const weight = tf.variable(tf.tensor2d([1, 0, -1, 0, 0, 1, 0, -1], [2, 4]));
    const bias = tf.variable(tf.zeros([4]) as tf.Tensor1D);
    let steps = 0;
    const assign = weight.assign.bind(weight);
    weight.assign = (v) => {
      steps++;
      assign(v);
    };
    try {
      alignClassifier({ weight, bias }, classes, 1, info, { epochs: 2, samplesPerClass: 8, tau: 0.1, lr: 0.01, momentum: 0.9, weightDecay: 5e-4, stepsPerEpoch }, new Rng(5));
      return { steps, weight: values(weight) };
    } finally {
      tf.dispose([weight, bias]);
    }
  }

  it('alignment takes one step per seen class an epoch by default (the code), else caStepsPerEpoch steps', () => {
    expect(align(null).steps).to.equal(2 * 3);
    expect(align(undefined).steps).to.equal(2 * 3);
    expect(align(7).steps).to.equal(2 * 7);
    expect(align(2).steps).to.equal(2 * 2);
    // as many steps as classes is the code's rule, draw for draw
    expect(align(3).weight).to.deep.equal(align(null).weight);
    expect(align(7).weight).to.not.deep.equal(align(null).weight);
  });

  it("stage1DecayEpoch: the slow learner's learning rates × 0.1 from that epoch on, back to full at the next task", async () => {
    const scenario = syntheticScenario('classes=4,features=8,trainPerClass=16,testPerClass=4,spread=12', { kind: 'split', tasks: 2, setting: 'class' });
    const training: TrainingConfig = { epochs: 4, batchSize: 16, optimizer: 'momentum', lr: 0.05, momentum: 0.9, resetOptimizer: false };
    const learner = getLearner('slca').create({ backboneLrScale: 0.01, weightDecay: 5e-4, headInitStd: 0.02, caEpochs: 0, caSamplesPerClass: 8, caLr: 0.01, caMomentum: 0.9, tau: 0.1, covarianceRidge: 1e-4, stage1DecayEpoch: 3 }, contextFor(scenario, { hidden: [6] }, 3, training)) as any;
    try {
      for (const p of [0, 1]) {
        const rates: [number, number][] = [];
        await learner.train(phaseOf(scenario, p), { step: ({ epoch }: { epoch: number }) => (rates[epoch] = [learner.optimizer.learningRate, learner.backboneOptimizer.learningRate]) });
        const full: [number, number] = [0.05, 0.05 * 0.01];
        const decayed = full.map((r) => r * 0.1);
        expect(rates.map((r) => r.map((v) => Number(v.toPrecision(6))))).to.deep.equal([full, full, full, decayed].map((r) => r.map((v) => Number(v.toPrecision(6)))));
      }
    } finally {
      learner.dispose();
    }
  });

  it('refuses the decay with an optimizer whose learning rate it cannot step, and keys the new options only when set', () => {
    const adam: TrainingConfig = { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01, momentum: 0, resetOptimizer: false };
    // refused when the suite is read, before anything trains (learners/requirements.ts)
    const decayWith = (optimizer: string) => () => jobsOf(tinySuite({ scenario: { ...(tinySuite().scenario as object), setting: 'class' }, training: { ...(tinySuite().training as object), optimizer }, learners: [{ name: 'slca', options: { stage1DecayEpoch: 1 } }] }));
    expect(decayWith('adam')).to.throw(UserError, "slca's stage1DecayEpoch needs optimizer 'sgd' or 'momentum', not 'adam'");
    expect(decayWith('adagrad')).to.throw(UserError).with.property('where', 'tiny.json: learners[0].training.optimizer');
    expect(decayWith('momentum')()).to.have.length(1);
    expect(pairingProblem(getLearner('slca'), { options: { stage1DecayEpoch: 1 }, setting: 'class', model: { hidden: [6], dense: 'fast' }, training: adam })).to.deep.include({ field: 'training.optimizer' });
    const [plain, budget] = jobsOf(tinySuite({ training: { ...(tinySuite().training as object), optimizer: 'momentum' }, learners: [{ name: 'slca', label: 'a' }, { name: 'slca', label: 'b', options: { caStepsPerEpoch: 100, stage1DecayEpoch: 1 } }] })).map((j) => j.learner.options);
    expect(plain).to.not.have.property('caStepsPerEpoch');
    expect(plain).to.not.have.property('stage1DecayEpoch');
    expect(budget).to.include({ caStepsPerEpoch: 100, stage1DecayEpoch: 1 });
  });
});
