import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Learner, TrainingConfig } from '../../learners/contract.js';
import { getLearner } from '../../learners/registry.js';
import type { SiOptions } from '../../learners/methods/si.js';
import type { Model } from '../../models/types.js';
import type { Scenario } from '../../scenarios/types.js';
import { penaltyAndGradient, perturb, phaseOf, snapshot, weightedQuadratic } from '../helpers/learners.js';
import { contextFor, expectClose, maxAbs, SGD, syntheticScenario, uniformArray, useWasm, values } from '../helpers/tf.js';

/** A separable quadratic task loss ½ Σ a (θ − m)², the same for every batch. */
interface Quadratic {
  a: number[][];
  m: number[][];
}

function randomQuadratic(model: Model, seed: number): Quadratic {
  const rng = new Rng(seed, 'quadratic');
  return {
    a: model.variables.map((v) => Array.from(uniformArray(v.size, rng, 0.5, 2))),
    m: model.variables.map((v) => Array.from(uniformArray(v.size, rng, -1, 1))),
  };
}

/** Makes the learner's task loss the quadratic `q` (replacing the cross-entropy on the batch). */
function useQuadratic(internals: any, q: Quadratic): () => void {
  const vars: tf.Variable[] = internals.model.variables;
  const a = vars.map((v, k) => tf.tensor(q.a[k], v.shape));
  const m = vars.map((v, k) => tf.tensor(q.m[k], v.shape));
  internals.taskLoss = () => tf.mul(0.5, tf.addN(vars.map((v, k) => tf.sum(tf.mul(a[k], tf.square(tf.sub(v, m[k])))))));
  return () => tf.dispose([...a, ...m]);
}

/**
 * Plain SGD on ½Σa(θ − m)² + cΣΩ(θ − θ̃)² in float64, with SI's path integral ω = Σ_steps −g·Δθ where g is the
 * task-loss gradient ('task') or the whole gradient ('total').
 */
function simulateSgd(theta0: number[][], q: Quadratic, steps: number, lr: number, kind: 'task' | 'total', penalty?: { omega: number[][]; anchor: number[][]; c: number }) {
  const theta = theta0.map((t) => [...t]);
  const omega = theta0.map((t) => t.map(() => 0));
  for (let s = 0; s < steps; s++)
    theta.forEach((th, k) =>
      th.forEach((x, i) => {
        const gTask = q.a[k][i] * (x - q.m[k][i]);
        const gPen = penalty ? 2 * penalty.c * penalty.omega[k][i] * (x - penalty.anchor[k][i]) : 0;
        const next = x - lr * (gTask + gPen);
        omega[k][i] -= (kind === 'task' ? gTask : gTask + gPen) * (next - x);
        th[i] = next;
      }),
    );
  return { theta, omega };
}

function expectArraysClose(actual: number[][], expected: number[][], rtol: number, what: string): void {
  const scale = Math.max(...expected.map(maxAbs));
  actual.forEach((a, k) => expectClose(a, expected[k], rtol * scale, rtol, `${what}, variable ${k}`));
}

describe('SI learner', () => {
  useWasm();

  let scenario: Scenario;
  before(() => {
    // 2 tasks of 20 examples; batch 8 → 3 steps an epoch, 2 epochs → 6 steps a phase
    scenario = syntheticScenario('classes=4,features=5,trainPerClass=10,testPerClass=2', { kind: 'split', setting: 'domain' });
  });

  const TRAINING: TrainingConfig = { ...SGD, epochs: 2, batchSize: 8, lr: 0.1 };

  function create(options: Partial<SiOptions>, training = TRAINING): { learner: Learner; internals: any } {
    const learner = getLearner('si').create({ c: 1, xi: 0.05, omegaGradient: 'task', ...options }, contextFor(scenario, { hidden: [3] }, 7, training));
    return { learner, internals: learner as any };
  }

  /** Trains a phase; returns ω as it stands at the end of the last epoch (before the Ω update) and the step count. */
  async function trainPhase(learner: Learner, internals: any, p: number): Promise<{ omega: number[][]; steps: number }> {
    let omega: number[][] = [];
    let steps = 0;
    await learner.train(phaseOf(scenario, p), {
      step: () => {
        steps++;
      },
      epochEnd: () => {
        omega = internals.pathIntegral.map(values);
      },
    });
    return { omega, steps };
  }

  it('with plain SGD, ω = lr·Σ g² along the path and Ω = ω / ((θ_end − θ_start)² + ξ)', async () => {
    const { learner, internals } = create({});
    const q = randomQuadratic(internals.model, 1);
    const release = useQuadratic(internals, q);
    try {
      const theta0 = snapshot(internals.model);
      const { omega, steps } = await trainPhase(learner, internals, 0);
      expect(steps).to.equal(6);
      const sim = simulateSgd(theta0, q, steps, 0.1, 'task');
      // the closed form of SGD on a quadratic: g_k = a·(1 − lr·a)^k·(θ_0 − m), ω = lr·Σ_k g_k²
      const closed = theta0.map((t, k) =>
        t.map((x, i) => {
          let sum = 0;
          for (let s = 0; s < steps; s++) sum += (q.a[k][i] * (1 - 0.1 * q.a[k][i]) ** s * (x - q.m[k][i])) ** 2;
          return 0.1 * sum;
        }),
      );
      expectArraysClose(sim.omega, closed, 1e-9, 'simulation');
      expectArraysClose(snapshot(internals.model), sim.theta, 1e-5, 'θ path');
      expectArraysClose(omega, closed, 1e-4, 'ω');
      const expectedOmega = closed.map((w, k) => w.map((v, i) => v / ((sim.theta[k][i] - theta0[k][i]) ** 2 + 0.05)));
      expectArraysClose(internals.importance.map(values), expectedOmega, 1e-4, 'Ω');
      // ω restarts at zero for the next task
      expect(Math.max(...internals.pathIntegral.map((t: tf.Tensor) => maxAbs(values(t))))).to.equal(0);
    } finally {
      release();
      learner.dispose();
    }
  });

  for (const kind of ['task', 'total'] as const) {
    it(`in the second task, ω uses the ${kind === 'task' ? 'unregularised task-loss' : 'whole (task + penalty)'} gradient and Ω accumulates`, async () => {
      const { learner, internals } = create({ omegaGradient: kind });
      const q0 = randomQuadratic(internals.model, 2);
      const q1 = randomQuadratic(internals.model, 3);
      let release = useQuadratic(internals, q0);
      try {
        const theta0 = snapshot(internals.model);
        await trainPhase(learner, internals, 0);
        const first = simulateSgd(theta0, q0, 6, 0.1, kind);
        const omega0 = first.omega.map((w, k) => w.map((v, i) => v / ((first.theta[k][i] - theta0[k][i]) ** 2 + 0.05)));
        release();
        release = useQuadratic(internals, q1);
        const { omega } = await trainPhase(learner, internals, 1);
        const penalty = { omega: omega0, anchor: first.theta, c: 1 };
        const second = simulateSgd(first.theta, q1, 6, 0.1, kind, penalty);
        const other = simulateSgd(first.theta, q1, 6, 0.1, kind === 'task' ? 'total' : 'task', penalty);
        // the two choices differ by more than the tolerance, so this test tells them apart
        const scale = Math.max(...second.omega.map(maxAbs));
        expect(Math.max(...second.omega.map((w, k) => maxAbs(w.map((v, i) => v - other.omega[k][i]))))).to.be.above(0.05 * scale);
        expectArraysClose(snapshot(internals.model), second.theta, 1e-4, 'θ path with the penalty');
        expectArraysClose(omega, second.omega, 1e-3, 'ω');
        const expectedOmega = omega0.map((w, k) => w.map((v, i) => v + second.omega[k][i] / ((second.theta[k][i] - first.theta[k][i]) ** 2 + 0.05)));
        expectArraysClose(internals.importance.map(values), expectedOmega, 1e-3, 'Ω');
      } finally {
        release();
        learner.dispose();
      }
    });
  }

  it('under Adam, ω uses the update the optimizer made (θ after − θ before), not −lr·g', async () => {
    const { learner, internals } = create({}, { ...TRAINING, optimizer: 'adam', lr: 0.05 });
    const q = randomQuadratic(internals.model, 4);
    const release = useQuadratic(internals, q);
    try {
      const path = [snapshot(internals.model)];
      let omega: number[][] = [];
      await learner.train(phaseOf(scenario, 0), {
        step: () => {
          path.push(snapshot(internals.model));
        },
        epochEnd: () => {
          omega = internals.pathIntegral.map(values);
        },
      });
      expect(path).to.have.length(7);
      const expected = path[0].map((t, k) => t.map(() => 0));
      const sgdGuess = path[0].map((t, k) => t.map(() => 0));
      for (let s = 0; s + 1 < path.length; s++)
        expected.forEach((w, k) =>
          w.forEach((_, i) => {
            const g = q.a[k][i] * (path[s][k][i] - q.m[k][i]);
            w[i] -= g * (path[s + 1][k][i] - path[s][k][i]);
            sgdGuess[k][i] += 0.05 * g * g;
          }),
        );
      expectArraysClose(omega, expected, 1e-4, 'ω under Adam');
      expect(maxAbs(expected[0].map((v, i) => v - sgdGuess[0][i]))).to.be.above(0.1 * maxAbs(expected[0]));
    } finally {
      release();
      learner.dispose();
    }
  });

  it('penalty: c Σ Ω (θ − θ̃)² around the parameters at the end of the previous task', async () => {
    const { learner, internals } = create({ c: 3 });
    try {
      expect(internals.penalty()).to.equal(null);
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      const anchor = snapshot(internals.model);
      // Ω grows from the cross-entropy path here; θ̃ becomes θ*_1 as phase 2 would start
      await internals.beforePhase(phaseOf(scenario, 1));
      const importance: number[][] = internals.importance.map(values);
      expect(Math.max(...importance.map(maxAbs))).to.be.above(0);
      const theta = perturb(internals.model, 5);
      const expected = weightedQuadratic(importance, anchor, theta, 3);
      const got = penaltyAndGradient(internals);
      expect(got.value).to.be.closeTo(expected.value, 1e-4 * expected.value);
      got.grad.forEach((g, k) => expectClose(g, expected.grad[k], 1e-5 * Math.max(...expected.grad.map(maxAbs)), 1e-4, `gradient ${k}`));
    } finally {
      learner.dispose();
    }
  });

  it('keeps the tensor count flat from phase to phase and frees everything on dispose', async () => {
    const start = tf.memory().numTensors;
    const { learner } = create({});
    await learner.train(phaseOf(scenario, 0), {});
    const after0 = tf.memory().numTensors;
    await learner.train(phaseOf(scenario, 1), {});
    expect(tf.memory().numTensors).to.equal(after0);
    learner.dispose();
    expect(tf.memory().numTensors).to.equal(start);
  });
});
