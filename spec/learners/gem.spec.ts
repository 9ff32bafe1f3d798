import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { Rng } from '../../core/random.js';
import { solveBoundedQp, solveLinear } from '../../learners/parts/boundedQp.js';
import type { Learner } from '../../learners/contract.js';
import { gemProjection, type GemOptions } from '../../learners/methods/gem.js';
import { getLearner } from '../../learners/registry.js';
import type { Scenario } from '../../scenarios/types.js';
import { expectFlatTensorCount, phaseOf, watchAdjustedGradients } from '../helpers/learners.js';
import { contextFor, expectClose, syntheticScenario, useWasm, values } from '../helpers/tf.js';

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const matVec = (P: number[][], v: number[]) => P.map((row) => dot(row, v));
const objective = (P: number[][], q: number[], v: number[]) => 0.5 * dot(v, matVec(P, v)) + dot(q, v);

/**
 * The minimiser by brute force: for every subset S of free variables (the others at the bound), solve the
 * free part's linear system and keep the candidate that is feasible and satisfies the KKT conditions
 * (multiplier ≥ 0 on every bound); for a positive definite P exactly one subset gives it.
 */
function bruteForce(P: number[][], q: number[], lower: number): { v: number[]; free: number } {
  const n = q.length;
  const c = q.map((qi, i) => qi + lower * P[i].reduce((a, b) => a + b, 0));
  for (let mask = 0; mask < 1 << n; mask++) {
    const S = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
    const uS = S.length ? solveLinear(S.map((i) => S.map((j) => P[i][j])), S.map((i) => -c[i])) : [];
    const u = new Array<number>(n).fill(0);
    S.forEach((i, k) => (u[i] = uS[k]));
    if (u.some((x) => x < -1e-10)) continue;
    const g = matVec(P, u).map((x, i) => x + c[i]);
    if (g.some((x, i) => !S.includes(i) && x < -1e-9)) continue;
    return { v: u.map((x) => x + lower), free: S.length };
  }
  throw new Error('no KKT point');
}

/** A random GEM dual: P = GGᵀ + εI from t random "gradients" of dimension d, q = G·g. */
function randomDual(rng: Rng, t: number, d: number, ridge: number): { P: number[][]; q: number[] } {
  const G = Array.from({ length: t }, () => Array.from({ length: d }, () => rng.normal()));
  const g = Array.from({ length: d }, () => rng.normal());
  return { P: G.map((a, i) => G.map((b, j) => dot(a, b) + (i === j ? ridge : 0))), q: G.map((a) => dot(a, g)) };
}

describe('bounded QP (GEM dual) against brute force', () => {
  it('400 random problems, 1–7 variables, margins 0 and 0.5: the same minimiser as enumerating every active set', () => {
    const rng = new Rng(5, 'qp');
    const freeCounts = new Set<number>();
    for (let trial = 0; trial < 400; trial++) {
      const t = 1 + (trial % 7);
      const lower = trial % 2 === 0 ? 0 : 0.5;
      const { P, q } = randomDual(rng, t, t + 1 + (trial % 5), trial % 3 === 0 ? 0.001 : 0.1);
      const v = solveBoundedQp(P, q, lower);
      const expected = bruteForce(P, q, lower);
      freeCounts.add(expected.free === 0 ? -1 : expected.free === t ? t + 100 : expected.free);
      expectClose(v, expected.v, 1e-7, 1e-6, `trial ${trial}`);
      v.forEach((x) => expect(x).to.be.at.least(lower - 1e-12));
      expect(objective(P, q, v)).to.be.at.most(objective(P, q, expected.v) + 1e-9);
    }
    // the cases met: every bound active, none active, and some in between
    expect(freeCounts.has(-1)).to.equal(true);
    expect([...freeCounts].some((f) => f >= 100)).to.equal(true);
    expect([...freeCounts].some((f) => f > 0 && f < 100)).to.equal(true);
  });

  it('every bound binding: q + P·γ1 ≥ 0 gives v = γ', () => {
    expect(solveBoundedQp([[2, 1], [1, 1]], [-1, 0], 0.5)).to.deep.equal([0.5, 0.5]);
  });

  it('no bound binding: the unconstrained minimiser −P⁻¹q when it is feasible', () => {
    expectClose(solveBoundedQp([[2, 1], [1, 1]], [-3, -2], 0), [1, 1], 1e-12);
  });
});

describe('GEM projection', async () => {
  useWasm();
  const run = async (g: number[], G: number[][], gamma: number, ridge = 0) => {
    const gt = [tf.tensor1d(g.slice(0, 1)), tf.tensor1d(g.slice(1))];
    const memory = G.map((row) => [tf.tensor1d(row.slice(0, 1)), tf.tensor1d(row.slice(1))]);
    const out = await gemProjection(gt, memory, gamma, ridge);
    const result = { same: out === gt, v: out.flatMap(values) };
    tf.dispose([gt, memory, out]);
    return result;
  };

  it('no projection needed (every gᵀg_k ≥ 0): the same tensors come back', async () => {
    expect((await run([1, 0], [[1, 1], [0, 2]], 0.5)).same).to.equal(true);
    expect((await run([1, 0], [[0, 1]], 0.5)).same).to.equal(true);
  });

  it('one conflicting task, γ = 0, ε = 0: the projection onto {g̃ : g̃ᵀg_1 ≥ 0}', async () => {
    // g = (1, 0), g_1 = (−1, 1): v* = 0.5, g̃ = (0.5, 0.5), g̃ᵀg_1 = 0
    const { same, v } = await run([1, 0], [[-1, 1]], 0);
    expect(same).to.equal(false);
    expectClose(v, [0.5, 0.5], 1e-6);
  });

  it('two tasks, one bound active (γ = 0): v* = (0.5, 0), every constraint holds', async () => {
    const { v } = await run([1, 0], [[-1, 1], [0, 1]], 0);
    expectClose(v, [0.5, 0.5], 1e-6);
    expect(dot(v, [-1, 1])).to.be.at.least(-1e-6);
    expect(dot(v, [0, 1])).to.be.at.least(0);
  });

  it('two tasks, every bound binding at the margin γ = 0.5: g̃ = g + 0.5·(g_1 + g_2)', async () => {
    expectClose((await run([1, 0], [[-1, 1], [0, 1]], 0.5)).v, [0.5, 1], 1e-6);
  });

  it('the ridge ε enters the dual: γ = 0, ε = 2 halves the step of the one-task case', async () => {
    // P = 2 + 2 = 4, q = −1: v* = 0.25, g̃ = (0.75, 0.25)
    expectClose((await run([1, 0], [[-1, 1]], 0, 2)).v, [0.75, 0.25], 1e-6);
  });
});

describe('GEM learner', () => {
  useWasm();
  let scenario: Scenario;
  before(() => {
    scenario = syntheticScenario('classes=6,features=8,trainPerClass=15,testPerClass=2', { kind: 'split', setting: 'task' });
  });

  function create(options: Partial<GemOptions>): { learner: Learner; internals: any } {
    const ctx = contextFor(scenario, { hidden: [6] }, 3, { epochs: 2, batchSize: 10, optimizer: 'sgd', lr: 0.2, momentum: 0, resetOptimizer: false });
    const learner = getLearner('gem').create({ memorySize: 12, memoryStrength: 0, ridge: 0, rehearse: false, ...options }, ctx);
    return { learner, internals: learner as any };
  }

  it('memory: memorySize split equally over the tasks seen, shares chosen at each task end', async () => {
    const { learner, internals } = create({});
    try {
      await learner.train(phaseOf(scenario, 0), {});
      expect(Array.from(internals.memory.examples().taskIds)).to.deep.equal(new Array(12).fill(0));
      await learner.train(phaseOf(scenario, 1), {});
      expect(Array.from(internals.memory.examples().taskIds)).to.deep.equal([...new Array(6).fill(0), ...new Array(6).fill(1)]);
    } finally {
      learner.dispose();
    }
  });

  it('every step of task 3: one constraint per earlier task on its whole memory, and the gradient used satisfies them all (γ = ε = 0)', async () => {
    const { learner, internals } = create({});
    try {
      await learner.train(phaseOf(scenario, 0), {});
      await learner.train(phaseOf(scenario, 1), {});
      const vars: tf.Variable[] = internals.model.variables;
      const stored = internals.memory.examples();
      let projected = 0;
      const steps = await watchAdjustedGradients(learner, phaseOf(scenario, 2), (grads, out) => {
        const used = vars.flatMap((v) => values(out[v.name]));
        const g = vars.flatMap((v) => values(grads[v.name]));
        if (used.some((x, i) => x !== g[i])) projected++;
        for (const task of [0, 1]) {
          const positions = Uint32Array.from([...stored.taskIds].flatMap((t: number, i: number) => (t === task ? [i] : [])));
          expect(positions.length).to.equal(6);
          const mem = internals.toTensors(internals.ctx.data.batch(stored, positions));
          const { grads: gk } = tf.variableGrads(() => internals.taskLoss(mem), vars);
          const r = vars.flatMap((v) => (gk[v.name] ? values(gk[v.name]) : new Array(v.size).fill(0)));
          expect(dot(used, r), `task ${task}`).to.be.at.least(-1e-5 * Math.sqrt(dot(used, used) * dot(r, r)) - 1e-9);
        }
      });
      expect([steps, projected > 0]).to.deep.equal([6, true]);
    } finally {
      learner.dispose();
    }
  });

  it('gathers the memory once while it stays the same: one batch per earlier task a phase, not one a step', async () => {
    const { learner, internals } = create({});
    try {
      const gathered: unknown[] = [];
      const gather = internals.ctx.data.batch;
      internals.ctx.data.batch = (set: unknown, positions: ArrayLike<number> | null) => (gathered.push(set), gather(set, positions));
      const memoryGathersIn = async (index: number) => {
        const memory = internals.memory.examples();
        gathered.length = 0;
        await learner.train(phaseOf(scenario, index), {});
        return gathered.filter((set) => set === memory).length;
      };
      expect(await memoryGathersIn(0)).to.equal(0);
      // 6 steps (30 examples, batch 10, 2 epochs), each with task 0's memory gradient: 1 gather, not 6
      expect(await memoryGathersIn(1)).to.equal(1);
      // the memory changed at task 1's end (6 + 6 examples): gathered again, once for each task, not 12 times
      expect(await memoryGathersIn(2)).to.equal(2);
    } finally {
      learner.dispose();
    }
  });

  it("rehearse: the memory joins the phase's training set (Hsu et al.'s GEM); off: it does not", async () => {
    for (const rehearse of [false, true]) {
      const { learner, internals } = create({ rehearse });
      try {
        await learner.train(phaseOf(scenario, 0), {});
        const phase = phaseOf(scenario, 1);
        // 30 new examples, a memory of 12: repeated ⌊30 / 12⌋ = 2 times, as Hsu et al.'s naive rehearsal
        expect(phase.examples.indices.length).to.equal(30);
        expect(internals.trainingExamples(phase).indices.length).to.equal(30 + (rehearse ? 2 * 12 : 0));
      } finally {
        learner.dispose();
      }
    }
  });

  it('keeps the tensor count flat from phase to phase and frees everything on dispose', async () => {
    await expectFlatTensorCount(() => create({ memoryStrength: 0.5, ridge: 0.001 }).learner, scenario);
  });
});
