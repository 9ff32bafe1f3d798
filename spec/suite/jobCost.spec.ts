import { expect } from 'chai';
import { estimateJobCosts, longestFirst } from '../../suite/cost.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

// 3 tasks of 2 classes × 60 examples: 120 examples a task, 16 features, 6 outputs (class setting)
const suite = tinySuite({
  scenario: { dataset: 'synthetic:classes=6,features=16,trainPerClass=60,testPerClass=20,spread=25', kind: 'split', tasks: 3, setting: 'class' },
  learners: [
    { name: 'naive', label: 'narrow' },
    { name: 'naive', label: 'wide', model: { hidden: [96] } },
    { name: 'joint', label: 'joint' },
    { name: 'naive', label: 'full', schedule: { kind: 'full' } },
  ],
});

describe('job cost estimate (longest runs start first on a worker pool)', () => {
  it('is training examples × multiply-adds of one forward pass', () => {
    const jobs = jobsOf(suite);
    const costs = estimateJobCosts(jobs);
    const cost = (label: string) => costs.get(jobs.find((j) => j.learner.label === label)!)!;
    const epochs = 2;
    // fine-tuning: 3 phases of 120 examples; joint and full rehearsal: 120 + 240 + 360
    expect(cost('narrow')).to.equal(360 * epochs * (16 * 32 + 32 * 6));
    expect(cost('wide')).to.equal(360 * epochs * (16 * 96 + 96 * 6));
    expect(cost('joint')).to.equal(720 * epochs * (16 * 32 + 32 * 6));
    expect(cost('full')).to.equal(cost('joint'));
  });

  it('orders longest first and keeps suite order among equals', () => {
    const order = longestFirst(jobsOf(suite)).map((j) => j.learner.label);
    expect(order).to.deep.equal(['wide', 'joint', 'full', 'narrow']);
  });
});
