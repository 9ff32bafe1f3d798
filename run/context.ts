/**
 * The learner context: what a learner sees of the run (the scenario's shapes, the training settings, a
 * seeded model factory and generator, the training data). Made only here, for the run protocol
 * (./protocol.ts), so a suite's run, `check-plugin` and `clbench pretrain` hand a learner the same thing.
 */
import { Rng } from '../core/random.js';
import type { LearnerContext, TrainingConfig } from '../learners/contract.js';
import type { Model } from '../models/types.js';
import { gatherBatch, taskExamples } from '../scenarios/examples.js';
import type { Scenario } from '../scenarios/types.js';
import { scenarioInfo } from './evaluate.js';

export interface ContextSource {
  scenario: Scenario;
  training: TrainingConfig;
  /** a freshly initialised network (seeded by the run), `outputs` wide */
  createModel(outputs: number): Model;
  /** the run's seed: the learner's generator is derived from it */
  seed: number;
  /** the tfjs backend's name */
  backend: string;
}

/** A fresh context: every call gets its own, equally seeded generator, so a learner made twice is the same learner. */
export function learnerContext(source: ContextSource): LearnerContext {
  const { scenario } = source;
  return {
    scenario: scenarioInfo(scenario),
    training: source.training,
    createModel: (outputs = scenario.outputs) => source.createModel(outputs),
    rng: new Rng(source.seed, 'learner'),
    data: {
      taskExamples: (taskId) => taskExamples(scenario, taskId),
      batch: (set, positions) => gatherBatch(scenario, 'train', set, positions),
    },
    backend: source.backend,
  };
}
