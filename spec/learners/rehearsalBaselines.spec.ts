/** DER++, ER-ACE and the Mammoth-style stream buffer they share; both with BatchNorm and AdaB²N models. */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner } from '../../learners/contract.js';
import { asymmetricMask } from '../../learners/methods/erAce.js';
import { crossEntropy } from '../../learners/parts/losses.js';
import { getLearner } from '../../learners/registry.js';
import { joinBatches } from '../../scenarios/examples.js';
import { StreamBuffer } from '../../learners/memory/streamBuffer.js';
import type { NormMlp } from '../../models/normMlp.js';
import type { ModelSpec } from '../../models/types.js';
import { gatherBatch, taskExamples, taskTestExamples } from '../../scenarios/examples.js';
import type { ExampleSet, Scenario } from '../../scenarios/types.js';
import { context, phaseOf, range } from '../helpers/learners.js';
import { expectClose, syntheticScenario, useWasm, values } from '../helpers/tf.js';

function fakeTask(taskId: number, n: number): ExampleSet {
  return { taskIds: new Uint16Array(n).fill(taskId), indices: Uint32Array.from(range(n), (i) => taskId * 1000 + i) };
}

function logitsOn(learner: Learner, scenario: Scenario): number[] {
  return tf.tidy(() =>
    scenario.tasks.flatMap((t) => {
      const b = gatherBatch(scenario, 'test', taskTestExamples(scenario, t.id), null);
      return values(learner.predict(tf.tensor2d(b.x, [b.size, scenario.inputSize])));
    }),
  );
}

describe('stream buffer (Mammoth reservoir)', () => {
  it('fills the first K slots, then offers every presentation, repeats included, to the reservoir', () => {
    const buffer = new StreamBuffer(4, 2, new Rng(1));
    const task = fakeTask(0, 10);
    const logits = (positions: number[]) => Float32Array.from(positions.flatMap((p) => [p, -p]));
    buffer.add(task, [0, 1, 2], logits([0, 1, 2]));
    expect(buffer.size).to.equal(3);
    buffer.add(task, [0], logits([0]));
    // the repeat took the fourth slot: Mammoth counts presentations, not distinct examples
    expect(Array.from(buffer.examplesAt([0, 1, 2, 3]).indices)).to.deep.equal([0, 1, 2, 0]);
    expect(Array.from(buffer.logitsAt([3, 1]))).to.deep.equal([0, -0, 1, -1]);
    buffer.add(task, range(10), logits(range(10)));
    expect(buffer.size).to.equal(4);
    // each stored example carries the logits it was stored with
    const slots = [0, 1, 2, 3];
    const stored = buffer.examplesAt(slots);
    const storedLogits = buffer.logitsAt(slots);
    slots.forEach((_, k) => expect([storedLogits[2 * k], -storedLogits[2 * k + 1]]).to.deep.equal([stored.indices[k], stored.indices[k]]));
    expect(() => buffer.add(task, [1], new Float32Array(1))).to.throw(/need 2 logits/);
  });

  it('keeps each presentation with probability K/N (seeded trials)', () => {
    const [N, K, trials] = [40, 8, 3000];
    const rng = new Rng(7);
    const counts = new Array<number>(N).fill(0);
    for (let trial = 0; trial < trials; trial++) {
      const buffer = new StreamBuffer(K, 0, rng);
      for (let start = 0; start < N; start += 10) buffer.add(fakeTask(1, N), range(10).map((k) => start + k));
      for (const index of buffer.examplesAt(range(K)).indices) counts[index - 1000]++;
    }
    const expected = (trials * K) / N;
    expect(Math.min(...counts)).to.be.above(0.8 * expected);
    expect(Math.max(...counts)).to.be.below(1.2 * expected);
  });

  it('samples distinct filled slots', () => {
    const buffer = new StreamBuffer(10, 0, new Rng(2));
    buffer.add(fakeTask(0, 6), range(6));
    const slots = Array.from(buffer.sample(4, new Rng(3)));
    expect(new Set(slots).size).to.equal(4);
    expect(slots.every((s) => s < 6)).to.equal(true);
    expect(buffer.sample(20, new Rng(3)).length).to.equal(6);
  });
});

describe('ER-ACE asymmetric mask', () => {
  it('keeps the present classes and, while classes are unseen, those from the highest seen one on', () => {
    const row = (m: Float32Array) => Array.from(m, (v) => (v === 0 ? 1 : 0));
    expect(row(asymmetricMask(6, [2, 3], 3))).to.deep.equal([0, 0, 1, 1, 1, 1]);
    // class 1 seen before but absent from the batch: masked
    expect(row(asymmetricMask(6, [4], 4))).to.deep.equal([0, 0, 0, 0, 1, 1]);
    // everything seen: only the present classes
    expect(row(asymmetricMask(6, [0, 5], 5))).to.deep.equal([1, 0, 0, 0, 0, 1]);
    // the highest seen class (3) absent from this batch: still kept, with the unseen ones after it
    expect(row(asymmetricMask(6, [2], 3))).to.deep.equal([0, 0, 1, 1, 1, 1]);
    expect(row(asymmetricMask(6, [0], 3))).to.deep.equal([1, 0, 0, 1, 1, 1]);
  });
});

describe('DER++ and ER-ACE', () => {
  useWasm();
  const scenario = syntheticScenario('classes=6,features=16,trainPerClass=24,testPerClass=8,spread=25', { kind: 'split', tasks: 3, setting: 'class' });

  it("DER++'s loss is CE(current) + α·MSE(replayed logits, stored) + β·CE(replayed labels), over one forward", () => {
    const learner = getLearner('derpp').create({ capacity: 20, alpha: 0.3, beta: 0.7, replayBatchSize: 4 }, context(scenario, { hidden: [8] })) as any;
    try {
      const task = taskExamples(scenario, 0);
      const current = gatherBatch(scenario, 'train', task, [0, 1, 2]);
      const first = gatherBatch(scenario, 'train', task, [5, 6]);
      const second = gatherBatch(scenario, 'train', task, [9, 10, 11]);
      const stored = Float32Array.from(range(2 * 6), (i) => i / 10 - 0.5);
      learner.layout = { current: 3, logitReplay: 2, labelReplay: 3, storedLogits: stored };
      const joined = joinBatches(joinBatches(current, first, 16), second, 16);
      const { loss, expected } = tf.tidy(() => {
        const inputs = learner.toTensors(joined);
        const loss = learner.loss(inputs, phaseOf(scenario, 0)).dataSync()[0];
        const z = learner.model.forward(inputs.x, true);
        const part = (start: number, n: number) => tf.slice(z, [start, 0], [n, 6]) as tf.Tensor2D;
        const ce = (start: number, n: number) => crossEntropy(part(start, n), tf.tensor1d(joined.targets.slice(start, start + n), 'int32')).dataSync()[0];
        const mse = tf.mean(tf.square(tf.sub(part(3, 2), tf.tensor2d(stored, [2, 6])))).dataSync()[0];
        return { loss, expected: ce(0, 3) + 0.3 * mse + 0.7 * ce(5, 3) };
      });
      expect(loss).to.be.closeTo(expected, 1e-5);
      learner.currentLogits?.dispose();
      learner.currentLogits = null;
    } finally {
      learner.dispose();
    }
  });

  it('DER++ stores the current batch with the logits the step computed before its update', async () => {
    const learner = getLearner('derpp').create({ capacity: 50, alpha: 0.3, beta: 0.7, replayBatchSize: null }, context(scenario, { hidden: [8] })) as any;
    try {
      const task = taskExamples(scenario, 0);
      const positions = Uint32Array.from([3, 7, 11, 15]);
      const batch = gatherBatch(scenario, 'train', task, positions);
      const before = tf.tidy(() => values(learner.model.forward(tf.tensor2d(batch.x, [4, 16]), true)));
      tf.dispose(await learner.trainStep(batch, phaseOf(scenario, 0)));
      learner.afterBatch(task, positions, phaseOf(scenario, 0));
      expect(Array.from(learner.buffer.examplesAt([0, 1, 2, 3]).indices)).to.deep.equal(Array.from(positions, (p) => task.indices[p]));
      expectClose(Array.from(learner.buffer.logitsAt([0, 1, 2, 3])), before, 1e-6, 1e-5, 'stored logits');
      const after = tf.tidy(() => values(learner.model.forward(tf.tensor2d(batch.x, [4, 16]), true)));
      expect(after).to.not.deep.equal(before);
    } finally {
      learner.dispose();
    }
  });

  it("ER-ACE's loss: the current batch's CE with the asymmetric mask plus the replayed batch's plain CE", () => {
    const learner = getLearner('er-ace').create({ capacity: 20, replayBatchSize: 3 }, context(scenario, { hidden: [8] })) as any;
    try {
      const current = gatherBatch(scenario, 'train', taskExamples(scenario, 1), [0, 1, 2, 3]);
      const replay = gatherBatch(scenario, 'train', taskExamples(scenario, 0), [4, 5, 6]);
      learner.maxSeen = 3;
      learner.currentRows = 4;
      // by hand: classes 2, 3 present, 4, 5 unseen → kept; 0, 1 seen and absent → masked
      const M = -1e9;
      learner.aceMask = Float32Array.from([M, M, 0, 0, 0, 0]);
      expect(new Set(current.targets)).to.deep.equal(new Set([2, 3]));
      const joined = joinBatches(current, replay, 16);
      const { loss, expected } = tf.tidy(() => {
        const inputs = learner.toTensors(joined);
        const loss = learner.loss(inputs, phaseOf(scenario, 1)).dataSync()[0];
        const z = learner.model.forward(inputs.x, true);
        const mask = tf.tensor2d(learner.aceMask, [1, 6]);
        const ce = crossEntropy(tf.add(tf.slice(z, [0, 0], [4, 6]), mask) as tf.Tensor2D, tf.tensor1d(current.targets, 'int32')).dataSync()[0];
        const replayed = crossEntropy(tf.slice(z, [4, 0], [3, 6]) as tf.Tensor2D, tf.tensor1d(replay.targets, 'int32')).dataSync()[0];
        return { loss, expected: ce + replayed };
      });
      expect(loss).to.be.closeTo(expected, 1e-5);
    } finally {
      learner.dispose();
    }
  });

  it("ER-ACE's step builds its mask from the highest class seen so far, also when that class is absent from the batch", async () => {
    const learner = getLearner('er-ace').create({ capacity: 20, replayBatchSize: 3 }, context(scenario, { hidden: [8] })) as any;
    try {
      const first = taskExamples(scenario, 0);
      learner.buffer.add(first, range(6));
      const second = taskExamples(scenario, 1);
      const targets = gatherBatch(scenario, 'train', second, null).targets;
      const ofClass = (c: number) => range(targets.length).filter((p) => targets[p] === c);
      // a batch of classes 2 and 3, then one of class 2 only (3, the newest seen, absent)
      tf.dispose(await learner.trainStep(gatherBatch(scenario, 'train', second, [...ofClass(2).slice(0, 2), ...ofClass(3).slice(0, 2)]), phaseOf(scenario, 1)));
      expect(learner.maxSeen).to.equal(3);
      tf.dispose(await learner.trainStep(gatherBatch(scenario, 'train', second, ofClass(2).slice(0, 4)), phaseOf(scenario, 1)));
      // kept (0): class 2 (present), 3 (highest seen), 4 and 5 (unseen); masked: 0 and 1 (seen, absent)
      expect(Array.from(learner.aceMask as Float32Array)).to.deep.equal([-1e9, -1e9, 0, 0, 0, 0].map((v) => Math.fround(v)));
    } finally {
      learner.dispose();
    }
  });

  for (const name of ['derpp', 'er-ace']) {
    for (const norm of ['batchnorm', 'adab2n'] as const) {
      it(`${name} with ${norm}: trains online, moves the running statistics (and θ), and resumes exactly from state()`, async () => {
        const model: ModelSpec = { hidden: [12], norm, ...(norm === 'adab2n' ? { normOptions: { kappa: 0.4, lambda: 1 } } : {}) };
        const ctx = () => context(scenario, model);
        const saved = getLearner(name).create({ capacity: 30, ...(name === 'derpp' ? { alpha: 0.2, beta: 0.5 } : {}), replayBatchSize: null }, ctx()) as any;
        const fresh = getLearner(name).create({ capacity: 30, ...(name === 'derpp' ? { alpha: 0.2, beta: 0.5 } : {}), replayBatchSize: null }, ctx()) as any;
        try {
          const net = saved.model as NormMlp;
          const before = values(net.buffers![0]);
          await saved.train(phaseOf(scenario, 0), {});
          expect(values(net.buffers![0])).to.not.deep.equal(before);
          const state = await saved.state();
          await fresh.restore(state);
          tf.dispose(Object.values(state.tensors));
          expect(logitsOn(fresh, scenario)).to.deep.equal(logitsOn(saved, scenario));
          const theta = norm === 'adab2n' ? values(net.variables[4]) : [];
          await saved.train(phaseOf(scenario, 1), {});
          await fresh.train(phaseOf(scenario, 1), {});
          expect(logitsOn(fresh, scenario)).to.deep.equal(logitsOn(saved, scenario));
          // in the second task the replayed rows are weighed by task: θ learns
          if (norm === 'adab2n') expect(values(net.variables[4])).to.not.deep.equal(theta);
          const b = gatherBatch(scenario, 'test', taskTestExamples(scenario, 0), null);
          const predicted = tf.tidy(() => tf.argMax(saved.predict(tf.tensor2d(b.x, [b.size, 16])), 1));
          const accuracy = Array.from(predicted.dataSync()).filter((p, k) => p === b.targets[k]).length / b.size;
          predicted.dispose();
          // replay keeps the first task alive in class-IL (a fine-tuned net would score ~0 on it)
          expect(accuracy).to.be.above(0.3);
        } finally {
          saved.dispose();
          fresh.dispose();
        }
      });
    }
  }
});
