/**
 * What a learner declares it needs (`LearnerDefinition.requires`, learners/requirements.ts): a suite that
 * pairs it with something else is refused when it is read — before anything trains — and check-plugin
 * skips the streams it rules out.
 */
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { BaseSgdLearner } from '../../learners/base.js';
import { defineLearner, type LearnerDefinition } from '../../learners/contract.js';
import { registerLearner } from '../../learners/registry.js';
import { pairingProblem } from '../../learners/requirements.js';
import { createNetwork, networkCapabilities } from '../../models/network.js';
import { MODEL_CAPABILITIES, type ModelSpec } from '../../models/types.js';
import { checkLearner } from '../../plugins/conformance.js';
import { Rng } from '../../core/random.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';
import { useWasm } from '../helpers/tf.js';

const NO_OPTIONS = { type: 'object', properties: {}, additionalProperties: false };
const classOnly: LearnerDefinition = defineLearner({
  name: 'test-class-only',
  description: 'needs class-IL and a model head',
  optionsSchema: NO_OPTIONS,
  requires: { settings: ['class'], model: ['head'] },
  create: (_o, ctx) => new BaseSgdLearner(ctx, {}),
});

describe('learner requirements', function () {
  this.timeout(120000);
  useWasm();
  before(() => registerLearner(classOnly, 'requirements.spec'));

  it('a suite pairing a learner with a setting it does not run in is refused when read, naming the entry', () => {
    expect(() => jobsOf(tinySuite({ learners: [{ name: 'naive' }, { name: 'test-class-only' }] }))).to.throw(UserError, "learner 'test-class-only' runs in the class setting, not in 'task'").with.property('where', 'tiny.json: learners[1].scenarios');
    const scenario = { ...(tinySuite().scenario as object), setting: 'class' };
    expect(jobsOf(tinySuite({ scenario, learners: [{ name: 'test-class-only' }] }))).to.have.length(1);
  });

  it('pairingProblem: settings first, then the model, then the learner’s own check', () => {
    const model = { hidden: [4], dense: 'fast' as const };
    const training = { epochs: 1, batchSize: 8, optimizer: 'sgd' as const, lr: 0.1, momentum: 0, resetOptimizer: false };
    const withCheck: LearnerDefinition = { ...classOnly, requires: { settings: ['class', 'domain'], model: ['head', 'features'], check: ({ training: t }) => (t.lr > 1 ? { message: 'lr too high', field: 'training.lr', fix: 'lower it' } : null) } };
    expect(pairingProblem(withCheck, { options: {}, setting: 'task', model, training })?.message).to.equal("learner 'test-class-only' runs in the class and domain settings, not in 'task'");
    expect(pairingProblem(withCheck, { options: {}, setting: 'domain', model, training })).to.equal(null);
    expect(pairingProblem(withCheck, { options: {}, setting: 'class', model, training: { ...training, lr: 2 } })).to.deep.equal({ message: 'lr too high', field: 'training.lr', fix: 'lower it' });
    expect(pairingProblem({ ...classOnly, requires: undefined }, { options: {}, setting: 'task', model, training })).to.equal(null);
  });

  it('the capabilities a model spec promises are what the built network has', () => {
    for (const norm of ['none', 'batchnorm', 'adab2n'] as const) {
      const spec: ModelSpec = { hidden: [4], dense: 'fast', norm };
      const net = createNetwork(spec, { inputs: 3, outputs: 2, tasks: 2 }, new Rng(1, 'capabilities'));
      const has = { head: net.head !== undefined, features: typeof net.features === 'function' };
      for (const capability of MODEL_CAPABILITIES) expect(has[capability], `${norm}: ${capability}`).to.equal(networkCapabilities(spec).includes(capability));
      net.dispose();
    }
  });

  it('check-plugin skips the streams the learner rules out and checks the others', async () => {
    const report = await checkLearner(classOnly);
    const skipped = report.checks.filter((c) => c.status === 'skip').map((c) => `${c.name}: ${c.detail}`);
    expect(skipped).to.deep.equal([
      "task-IL trains 3 phases: not run: learner 'test-class-only' runs in the class setting, not in 'task'",
      "domain-IL trains 3 phases: not run: learner 'test-class-only' runs in the class setting, not in 'domain'",
    ]);
    expect(report.passed).to.equal(true);
    expect(report.checks.filter((c) => c.name.startsWith('class-IL') && c.status === 'pass')).to.have.length(16);
  });
});
