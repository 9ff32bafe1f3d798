/**
 * Gradient Episodic Memory — Lopez-Paz & Ranzato 2017 (NeurIPS), Sec. 3.
 *
 * An episodic memory keeps examples of every finished task: `memorySize` in all, split equally over the tasks
 * seen (⌊M / tasks⌋ each, a seeded random choice made at each task's end; earlier tasks' shares shrink to a
 * random subset) — the memory of Hsu et al. 2018's GEM_1100 (agents/exp_replay.py), whose split-MNIST
 * scripts run it with 1100 examples. Every step, with g the gradient of the current batch's loss and
 * g_k the gradient of the loss on task k's whole memory (each earlier task k, in task-IL on its own head):
 *
 *   if gᵀg_k ≥ 0 for every k:  the optimizer uses g;
 *   else:                      it uses g̃ = g + Gᵀv*, where G stacks the g_k as rows and v* solves the dual
 *                              min_v ½ vᵀ(GGᵀ + εI)v + (Gg)ᵀv  subject to  v ≥ γ    (../parts/boundedQp.ts).
 *
 * With ε = γ = 0 this is the paper's projection: g̃ is the closest vector to g with g̃ᵀg_k ≥ 0 for all k.
 * The margin γ (`memoryStrength`, the original code's `--memory_strength`; Hsu et al. 0.5) biases the update
 * toward backward transfer, and ε (`ridge`, 1e-3 in both codes) keeps the dual positive definite.
 *
 * `rehearse: true` also trains on the memory: it joins each phase's training set as in naive rehearsal
 * (about 1 : 1 with the new task's examples). Hsu et al.'s GEM extends their naive rehearsal and does this
 * (its `skip_memory_concatenation` is false for GEM_1100/4400; only their GEM_orig variants skip it); the
 * paper's GEM does not, hence the default false.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseSgdLearner, type BatchTensors } from '../base.js';
import { solveBoundedQp } from '../parts/boundedQp.js';
import { defineLearner, plainPhaseCost, steppedPhaseCost, type LearnerContext, type Phase } from '../contract.js';
import { createMemory, rehearsedSize, withRehearsal, type ReplayMemory } from '../memory/replayMemory.js';
import type { Batch, ExampleSet } from '../../scenarios/types.js';

export interface GemOptions {
  memorySize: number;
  memoryStrength: number;
  ridge: number;
  rehearse: boolean;
}

/**
 * GEM's update from the current gradient `g` and the memory gradients `memory[k]` (one list of tensors per
 * earlier task, in the order of `g`): `g` itself (the same tensors) when no gᵀg_k is negative, else
 * g + Σ_k v*_k g_k with v* from the dual QP with margin `gamma` and ridge `ridge`.
 */
export async function gemProjection(g: tf.Tensor[], memory: tf.Tensor[][], gamma: number, ridge: number): Promise<tf.Tensor[]> {
  if (memory.length === 0) return g;
  const t = memory.length;
  const [G, packed] = tf.tidy(() => {
    const flat = (parts: tf.Tensor[]) => tf.concat(parts.map((p) => tf.reshape(p, [-1])));
    const rows = tf.stack(memory.map(flat)) as tf.Tensor2D;
    const gram = tf.matMul(rows, rows, false, true);
    const dots = tf.matMul(rows, tf.reshape(flat(g), [-1, 1]));
    return [rows, tf.concat([tf.reshape(gram, [-1]), tf.reshape(dots, [-1])])];
  });
  // read asynchronously: a synchronous read fails on the WebGPU backend
  const products = (await packed.data()) as Float32Array;
  packed.dispose();
  const dots = Array.from(products.subarray(t * t));
  if (dots.every((d) => d >= 0)) {
    G.dispose();
    return g;
  }
  const P = Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => products[i * t + j] + (i === j ? ridge : 0)));
  const v = solveBoundedQp(P, dots, gamma);
  return tf.tidy(() => {
    const step = tf.reshape(tf.matMul(tf.tensor2d([v], [1, t]), G), [-1]);
    G.dispose();
    let offset = 0;
    return g.map((gk) => {
      const part = tf.add(gk, tf.reshape(tf.slice(step, offset, gk.size), gk.shape));
      offset += gk.size;
      return part;
    });
  });
}

class GemLearner extends BaseSgdLearner<GemOptions> {
  // its memory and generators are declared state; nothing is set up at a phase's start
  override readonly resumesWithinPhase = true;
  private readonly memory: ReplayMemory = this.remember('memory', createMemory('per-task', this.options.memorySize, this.ctx.rng.derive('gem-memory')));

  protected override trainingExamples(phase: Phase): ReturnType<BaseSgdLearner['trainingExamples']> {
    return this.options.rehearse ? withRehearsal(phase.examples, this.memory.examples(), this.options.memorySize) : phase.examples;
  }

  protected override async adjustGradients(grads: tf.NamedTensorMap, _inputs: BatchTensors, _phase: Phase): Promise<tf.NamedTensorMap> {
    const stored = this.memory.examples();
    if (stored.indices.length === 0) return grads;
    const vars = this.model.variables;
    const memoryGrads = this.memoryBatches(stored).map((batch) => {
      const inputs = this.toTensors(batch);
      const { grads: gk } = tf.variableGrads(() => this.taskLoss(inputs), vars);
      // a parameter the memory's loss does not reach (another task's head) has gradient 0
      return vars.map((v) => gk[v.name] ?? tf.zerosLike(v));
    });
    const used = await gemProjection(
      vars.map((v) => grads[v.name]),
      memoryGrads,
      this.options.memoryStrength,
      this.options.ridge,
    );
    return Object.fromEntries(vars.map((v, i) => [v.name, used[i]]));
  }

  /**
   * Each earlier task's memory gathered into one batch, gathered again only when the memory is another object:
   * the per-task memory makes a new one whenever it changes (at a task's end, on a restore) and never changes
   * one in place. Gathering every step cost ~4% of a step at 2 × 1000 (4,000 padded, permuted inputs;
   * `npm run bench:gem` under --cpu-prof); the same batches, so the same numbers.
   */
  private gathered: { stored: ExampleSet; batches: Batch[] } | null = null;

  private memoryBatches(stored: ExampleSet): Batch[] {
    if (this.gathered?.stored !== stored) {
      const byTask = new Map<number, number[]>();
      stored.taskIds.forEach((task, position) => {
        const positions = byTask.get(task) ?? [];
        positions.push(position);
        byTask.set(task, positions);
      });
      const batches = [...byTask.values()].map((positions) => this.ctx.data.batch(stored, Uint32Array.from(positions)));
      this.gathered = { stored, batches };
    }
    return this.gathered.batches;
  }

  protected override async afterPhase(phase: Phase): Promise<void> {
    // per-task shares need no labels
    this.memory.endTask(phase.taskId, this.ctx.data.taskExamples(phase.taskId), () => new Int32Array(0));
  }
}

export const gem = defineLearner<GemOptions>({
  name: 'gem',
  description: 'GEM: keep the loss on an episodic memory of every earlier task from rising, by projecting the gradient (dual QP).',
  reference: 'Lopez-Paz & Ranzato 2017, "Gradient Episodic Memory for Continual Learning", NeurIPS, Sec. 3, Eqs. 10–13',
  optionsSchema: {
    type: 'object',
    properties: {
      memorySize: { type: 'integer', minimum: 1, default: 1100, description: 'examples in the episodic memory in all, split equally over the tasks seen (Hsu et al. split MNIST: 1100 or 4400)' },
      memoryStrength: { type: 'number', minimum: 0, default: 0.5, description: 'margin γ: lower bound of the dual variables (the original code\'s memory_strength; Hsu et al. 0.5)' },
      ridge: { type: 'number', minimum: 0, default: 0.001, description: 'ε added to the diagonal of GGᵀ in the dual QP (both codes: 1e-3)' },
      rehearse: { type: 'boolean', default: false, description: "also train on the memory, ~1:1 with the new task (Hsu et al.'s GEM_1100 does; the paper's GEM does not)" },
    },
    additionalProperties: false,
  },
  // from the second phase every step also differentiates the whole memory (the memory taken as full)
  phaseCost: (options, phase) => {
    if (phase.index === 0) return plainPhaseCost(phase);
    const stored = Math.min(options.memorySize, phase.earlierExamples);
    const trained = options.rehearse ? rehearsedSize(phase.examples, stored, options.memorySize) : phase.examples;
    return steppedPhaseCost(phase, trained, stored);
  },
  create: (options: GemOptions, ctx: LearnerContext) => new GemLearner(ctx, options),
});
