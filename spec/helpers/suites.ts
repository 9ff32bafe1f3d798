/** Tiny suites on synthetic data, for tests that run the whole pipeline in seconds. */
import { expandSuite, parseSuite, type Job } from '../../suite/suite.js';

export function tinySuite(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    scenario: { dataset: 'synthetic:classes=6,features=16,trainPerClass=60,testPerClass=20,spread=25', kind: 'split', tasks: 3, setting: 'task' },
    model: { hidden: [32] },
    training: { epochs: 2, batchSize: 16, optimizer: 'adam', lr: 0.01 },
    learners: [{ name: 'naive' }],
    seeds: [0],
    ...overrides,
  };
}

export function jobsOf(suite: Record<string, unknown>, file = 'tiny.json'): Job[] {
  return expandSuite(parseSuite(JSON.stringify(suite), file), file);
}
