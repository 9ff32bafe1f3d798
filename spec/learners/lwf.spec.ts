import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, LearnerContext } from '../../learners/contract.js';
import { distillationLoss } from '../../learners/parts/distillation.js';
import { seenOutputsMask } from '../../learners/parts/losses.js';
import type { LwfOptions } from '../../learners/methods/lwf.js';
import { getLearner } from '../../learners/registry.js';
import type { Model } from '../../models/types.js';
import { taskExamples } from '../../scenarios/examples.js';
import type { Setting } from '../../scenarios/types.js';
import { expectFlatTensorCount, perturb, phaseOf, range, snapshot } from '../helpers/learners.js';
import { contextFor, expectClose, syntheticScenario, uniformArray, useWasm, values } from '../helpers/tf.js';

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** T² · mean over rows of −Σ_c softmax(teacher/T)_c · log softmax(student/T)_c, over `cols`, in float64. */
function referenceKd(student: number[][], teacher: number[][], T: number, cols: number[]): number {
  const rows = student.map((s, k) => {
    const p = softmax(cols.map((c) => teacher[k][c] / T));
    const q = softmax(cols.map((c) => student[k][c] / T));
    return -p.reduce((sum, pc, i) => sum + pc * Math.log(q[i]), 0);
  });
  return (T * T * rows.reduce((a, b) => a + b, 0)) / rows.length;
}

function referenceCe(logits: number[][], targets: Int32Array, heads: number[][] | null): number {
  const losses = logits.map((z, k) => {
    const cols = heads ? heads[k] : range(z.length);
    const p = softmax(cols.map((c) => z[c]));
    return -Math.log(p[cols.indexOf(targets[k])]);
  });
  return losses.reduce((a, b) => a + b, 0) / losses.length;
}

describe('distillationLoss', () => {
  useWasm();

  const STUDENT = [[1, 2, 3], [0, -1, 0.5]];
  const TEACHER = [[3, 1, 0], [0.2, 0.2, -1]];

  it('equals the hand computation on a 2×3 example (T = 2, T² scaling), with gradient T·(softmax(z/T) − softmax(z_old/T))/B', () => {
    const { value, grad } = tf.tidy(() => {
      const teacher = tf.tensor2d(TEACHER);
      const g = tf.valueAndGrad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, teacher, 2));
      const { value, grad } = g(tf.tensor2d(STUDENT));
      return { value: value.dataSync()[0], grad: values(grad) };
    });
    // numpy: 4 · mean(−Σ softmax(t/2)·log softmax(s/2))
    expect(value).to.be.closeTo(5.25640387827643, 1e-5);
    expect(value).to.be.closeTo(referenceKd(STUDENT, TEACHER, 2, [0, 1, 2]), 1e-5);
    expectClose(grad, [-0.442208, 0.07597199, 0.36623601, -0.04638551, -0.18250788, 0.22889338], 1e-6, 1e-5, 'gradient');
  });

  it('has zero gradient where student and teacher agree, and that is its minimum', () => {
    const rng = new Rng(4);
    const teacherValues = Array.from(uniformArray(4 * 5, rng, -3, 3));
    const at = (student: number[]) =>
      tf.tidy(() => {
        const g = tf.valueAndGrad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, tf.tensor2d(teacherValues, [4, 5]), 3));
        const { value, grad } = g(tf.tensor2d(student, [4, 5]));
        return { value: value.dataSync()[0], grad: values(grad) };
      });
    const agree = at(teacherValues);
    expectClose(agree.grad, new Array(20).fill(0), 1e-6, 0, 'gradient at agreement');
    for (let trial = 0; trial < 20; trial++) {
      const moved = teacherValues.map((v) => v + (rng.next() - 0.5));
      expect(at(moved).value).to.be.above(agree.value);
    }
    // adding a constant to a student row changes nothing (softmax is shift-invariant): still the minimum
    expect(at(teacherValues.map((v, i) => (i < 5 ? v + 2 : v))).value).to.be.closeTo(agree.value, 1e-4);
  });
});

describe('LwF learner', () => {
  useWasm();

  function setup(setting: Setting, options: Partial<LwfOptions> = {}): { learner: Learner; ctx: LearnerContext; internals: any; scenario: ReturnType<typeof syntheticScenario> } {
    const scenario = syntheticScenario('classes=6,features=8,trainPerClass=5,testPerClass=2', { kind: 'split', setting });
    const ctx = contextFor(scenario, { hidden: [6] }, 3);
    const learner = getLearner('lwf').create({ temperature: 2, alpha: 0.7, weighting: 'constant', ...options }, ctx);
    return { learner, ctx, internals: learner as any, scenario };
  }

  it('trains on plain cross-entropy in the first phase, with no teacher', async () => {
    const { learner, ctx, internals, scenario } = setup('class');
    try {
      await internals.beforePhase(phaseOf(scenario, 0));
      expect(internals.teacher).to.equal(null);
      const batch = ctx.data.batch(taskExamples(scenario, 0), [0, 1, 2, 3]);
      const [loss, logits] = tf.tidy(() => {
        const inputs = internals.toTensors(batch);
        return [internals.loss(inputs, phaseOf(scenario, 0)).dataSync()[0], tf.split(internals.model.forward(inputs.x), 4).map((t: tf.Tensor) => values(t))];
      });
      expect(loss).to.be.closeTo(referenceCe(logits, batch.targets, null), 1e-5);
    } finally {
      learner.dispose();
    }
  });

  it('freezes a copy of the model before each later task: equal to it then, unchanged while the student trains', async () => {
    const { learner, internals, scenario } = setup('task');
    try {
      await learner.train(phaseOf(scenario, 0), {});
      const theta0 = snapshot(internals.model);
      await learner.train(phaseOf(scenario, 1), {});
      const teacher: Model = internals.teacher;
      expect(teacher.variables.map(values)).to.deep.equal(theta0);
      expect(snapshot(internals.model)).to.not.deep.equal(theta0);
      // the next phase refreshes it from the student
      await internals.beforePhase(phaseOf(scenario, 2));
      expect(teacher.variables.map(values)).to.deep.equal(snapshot(internals.model));
      expect(internals.teacher).to.equal(teacher);
    } finally {
      learner.dispose();
    }
  });

  const GROUPS: Record<Setting, number[][] | null> = {
    task: [[0, 1], [2, 3]], // each earlier head on its own
    class: [[0, 1, 2, 3]], // the classes seen before task 2, as one softmax
    domain: null, // all outputs
  };

  for (const setting of ['task', 'class', 'domain'] as const) {
    for (const weighting of ['constant', 'inverse-task'] as const) {
      it(`${setting}-IL, '${weighting}': the loss is ${weighting === 'constant' ? 'CE + α·KD' : '(1/t)·CE + (1 − 1/t)·α·KD'} on the previously active outputs`, async () => {
        const { learner, ctx, internals, scenario } = setup(setting, { weighting });
        try {
          await learner.train(phaseOf(scenario, 0), {});
          await learner.train(phaseOf(scenario, 1), {});
          await internals.beforePhase(phaseOf(scenario, 2));
          perturb(internals.model, 9, 0.3); // so that student and teacher differ
          const batch = ctx.data.batch(taskExamples(scenario, 2), [0, 1, 2, 3, 4, 5]);
          const { loss, student, teacher } = tf.tidy(() => {
            const inputs = internals.toTensors(batch);
            const rows = (t: tf.Tensor2D) => tf.split(t, 6).map((r) => values(r));
            return {
              loss: internals.loss(inputs, phaseOf(scenario, 2)).dataSync()[0],
              student: rows(internals.model.forward(inputs.x)),
              teacher: rows(internals.teacher.forward(inputs.x)),
            };
          });
          const width = scenario.outputs;
          const heads = setting === 'task' ? Array.from(batch.taskIds, (t) => scenario.tasks[t].outputs) : null;
          const ce = referenceCe(student, batch.targets, heads);
          const groups = GROUPS[setting] ?? [range(width)];
          const kd = groups.reduce((s, cols) => s + referenceKd(student, teacher, 2, cols), 0) / groups.length;
          expect(kd).to.be.above(1e-3);
          const expected = weighting === 'constant' ? ce + 0.7 * kd : ce / 3 + (2 / 3) * 0.7 * kd;
          expect(loss).to.be.closeTo(expected, 1e-5 * expected);
        } finally {
          learner.dispose();
        }
      });
    }
  }

  it('keeps the tensor count flat from phase to phase and frees everything (the teacher too) on dispose', async () => {
    const scenario = syntheticScenario('classes=6,features=8,trainPerClass=5,testPerClass=2', { kind: 'split', setting: 'class' });
    await expectFlatTensorCount(() => getLearner('lwf').create({ temperature: 2, alpha: 0.7, weighting: 'constant', distillOutputs: 'previous' }, contextFor(scenario, { hidden: [6] }, 3)), scenario);
  });
});

describe("LwF as van de Ven & Tolias's code runs it (class-IL)", () => {
  useWasm();

  for (const distillAverage of ['examples', 'entries'] as const)
  it(`distillOutputs 'seen' + lossOutputs 'seen' + 'inverse-task', distillAverage '${distillAverage}': (1/t)·CE over the seen classes + (1 − 1/t)·KD of the student over the seen classes against the zero-padded teacher${distillAverage === 'entries' ? ', divided by the 6 seen classes' : ''}`, async () => {
    // 4 tasks of 2 classes, 8 outputs; in task 3 (index 2) the seen outputs are 0..5, the earlier ones 0..3
    const scenario = syntheticScenario('classes=8,features=8,trainPerClass=5,testPerClass=2', { kind: 'split', setting: 'class' });
    const ctx = contextFor(scenario, { hidden: [6] }, 3, { epochs: 1, batchSize: 16, optimizer: 'sgd', lr: 0.1, momentum: 0, resetOptimizer: false, lossOutputs: 'seen' });
    const learner = getLearner('lwf').create({ temperature: 2, alpha: 1, weighting: 'inverse-task', distillOutputs: 'seen', distillAverage }, ctx);
    const internals = learner as any;
    try {
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      const phase = phaseOf(scenario, 2);
      // what train() sets up as the phase begins: the teacher, and the mask of the seen outputs
      await internals.beforePhase(phase);
      internals.seenOutputsRow = seenOutputsMask(ctx.scenario, 2);
      perturb(internals.model, 9, 0.3);
      const batch = ctx.data.batch(taskExamples(scenario, 2), [0, 1, 2, 3, 4, 5]);
      const { loss, student, teacher } = tf.tidy(() => {
        const inputs = internals.toTensors(batch);
        const rows = (t: tf.Tensor2D) => tf.split(t, 6).map((r) => values(r));
        return { loss: internals.loss(inputs, phase).dataSync()[0], student: rows(internals.model.forward(inputs.x)), teacher: rows(internals.teacher.forward(inputs.x)) };
      });
      const seen = [0, 1, 2, 3, 4, 5];
      const ce = referenceCe(student, batch.targets, student.map(() => seen));
      // −Σ_{c ≤ 3} softmax(teacher[0..3]/T)_c · log softmax(student[0..5]/T)_c, times T²
      const kd =
        (4 *
          student.reduce((sum, s, k) => {
            const p = softmax([0, 1, 2, 3].map((c) => teacher[k][c] / 2));
            const q = softmax(seen.map((c) => s[c] / 2));
            return sum - p.reduce((acc, pc, i) => acc + pc * Math.log(q[i]), 0);
          }, 0)) /
        student.length;
      expect(kd).to.be.above(1e-3);
      expect(kd).to.not.be.closeTo(referenceKd(student, teacher, 2, [0, 1, 2, 3]), 1e-3);
      expect(loss).to.be.closeTo(ce / 3 + ((2 / 3) * kd) / (distillAverage === 'entries' ? seen.length : 1), 1e-5 * loss);
    } finally {
      learner.dispose();
    }
  });
});
