import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { expandSuite, parseSuite } from '../../suite/suite.js';

const base = {
  name: 'unit',
  scenario: { dataset: 'synthetic', kind: 'split', tasks: 5, setting: 'class' },
  learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 5 } }],
  seeds: [0, 1],
};

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(UserError);
    return error as UserError;
  }
  expect.fail('expected a UserError');
}

describe('suite files', () => {
  it('accepts a UTF-8 byte order mark (as Windows editors write one)', () => {
    const suite = parseSuite(`\uFEFF${JSON.stringify(base)}`, 's.json');
    expect(suite.name).to.equal('unit');
    expect(expandSuite(suite, 's.json')).to.have.length(4);
  });

  it('fills the documented defaults', () => {
    const suite = parseSuite(JSON.stringify({ name: 'x', scenario: base.scenario, learners: [{ name: 'naive' }] }), 's.json');
    expect(suite.training).to.deep.equal({ epochs: 1, batchSize: 128, optimizer: 'adam', lr: 0.001, momentum: 0.9, resetOptimizer: false });
    expect(suite.model).to.deep.equal({ hidden: [400, 400], dense: 'fast' });
    expect(suite.seeds).to.deep.equal([0]);
    expect(suite.evaluation).to.deep.equal({ batchSize: 1000, criterion: 0.9 });
  });

  it('a published standard error with its runs is compared as the std of those runs (sem·√runs), and says so', () => {
    const scenario = 'split-synthetic-class';
    const suite = {
      ...base,
      learners: [
        { name: 'naive', published: { [scenario]: { mean: 0.7102, sem: 0.0126, runs: 20, source: 'Table 3' } } },
        { name: 'ewc', published: { [scenario]: { mean: 0.5, std: 0.03 } } },
      ],
    };
    const jobs = expandSuite(parseSuite(JSON.stringify(suite), 's.json'), 's.json');
    const fromSem = jobs[0].published!;
    expect(fromSem.std).to.be.closeTo(0.0126 * Math.sqrt(20), 1e-12);
    expect(fromSem).to.not.have.any.keys('sem', 'runs');
    expect(fromSem.source).to.equal('Table 3 (± 0.0126 published as a standard error over 20 runs, compared as a std: 0.0126 × √20 = 0.05635)');
    expect(jobs[2].published).to.deep.equal({ mean: 0.5, std: 0.03 });
    const both = { ...base, learners: [{ name: 'naive', published: { [scenario]: { mean: 0.7, std: 0.05, sem: 0.01, runs: 20 } } }] };
    expect(userError(() => expandSuite(parseSuite(JSON.stringify(both), 's.json'), 's.json')).message).to.match(/both a std and a sem/);
    const alone = { ...base, learners: [{ name: 'naive', published: { [scenario]: { mean: 0.7, runs: 20 } } }] };
    expect(userError(() => expandSuite(parseSuite(JSON.stringify(alone), 's.json'), 's.json')).message).to.match(/"runs" is given without a "sem"/);
  });

  it('expands scenario × learner × seed in a stable order, with resolved options', () => {
    const jobs = expandSuite(parseSuite(JSON.stringify(base), 's.json'), 's.json');
    // run ids: the readable part, then a hash of suite, scenario, label and seed (suite/runId.ts)
    expect(jobs.map((j) => j.id.replace(/__[0-9a-f]{8}$/, ''))).to.deep.equal([
      'split-synthetic-class__naive__seed0',
      'split-synthetic-class__naive__seed1',
      'split-synthetic-class__ewc(lambda=5)__seed0',
      'split-synthetic-class__ewc(lambda=5)__seed1',
    ]);
    expect(new Set(jobs.map((j) => j.id)).size).to.equal(4);
    expect(jobs[2].learner.options).to.deep.equal({ lambda: 5, fisher: 'predicted', fisherSamples: null, halfFactor: false });
    expect(jobs[2].position).to.deep.equal([0, 1]);
  });

  it('lets a learner entry override training settings and pick scenarios', () => {
    const suite = {
      ...base,
      scenarios: [
        { name: 'a', dataset: 'synthetic', kind: 'split', setting: 'task' },
        { name: 'b', dataset: 'synthetic', kind: 'split', setting: 'class' },
      ],
      scenario: undefined,
      training: { epochs: 3, lr: 0.01 },
      learners: [{ name: 'naive', scenarios: ['b'], training: { lr: 0.5 } }],
    };
    const jobs = expandSuite(parseSuite(JSON.stringify(suite), 's.json'), 's.json');
    expect(jobs.map((j) => j.scenario.name)).to.deep.equal(['b', 'b']);
    expect(jobs[0].training.lr).to.equal(0.5);
    expect(jobs[0].training.epochs).to.equal(3);
  });

  it('names the file and field of a wrong type', () => {
    const e = userError(() => parseSuite(JSON.stringify({ ...base, training: { lr: 'fast' } }), 'my-suite.json'));
    expect(e.describe()).to.contain('my-suite.json: training.lr').and.to.contain('must be number');
  });

  it('names a missing field and an unknown field', () => {
    expect(userError(() => parseSuite(JSON.stringify({ name: 'x', scenario: base.scenario }), 's.json')).describe()).to.contain("missing field 'learners'");
    const e = userError(() => parseSuite(JSON.stringify({ ...base, learnrs: [] }), 's.json'));
    expect(e.message).to.contain("unknown field 'learnrs'");
    expect(e.fix).to.contain('spelling');
  });

  it('reports invalid JSON with the file name', () => {
    const e = userError(() => parseSuite('{ "name": ', 'broken.json'));
    expect(e.describe()).to.contain('broken.json').and.to.contain('not valid JSON');
  });

  it('needs exactly one of scenario / scenarios', () => {
    expect(userError(() => parseSuite(JSON.stringify({ name: 'x', learners: [{ name: 'naive' }] }), 's.json')).message).to.contain("no 'scenario'");
  });

  it('lists the known learners for an unknown one', () => {
    const e = userError(() => expandSuite(parseSuite(JSON.stringify({ ...base, learners: [{ name: 'ewk' }] }), 's.json'), 's.json'));
    expect(e.message).to.contain("unknown learner 'ewk'");
    expect(e.fix).to.contain('naive').and.to.contain('ewc').and.to.contain('joint');
    expect(e.where).to.contain('learners[0].name');
  });

  it("checks a learner's options against its schema", () => {
    const e = userError(() =>
      expandSuite(parseSuite(JSON.stringify({ ...base, learners: [{ name: 'ewc', options: { lambda: -1 } }] }), 's.json'), 's.json'),
    );
    expect(e.describe()).to.contain('learners[0].options.lambda').and.to.contain('>= 0');
    const f = userError(() =>
      expandSuite(parseSuite(JSON.stringify({ ...base, learners: [{ name: 'ewc', options: { fisher: 'exact' } }] }), 's.json'), 's.json'),
    );
    expect(f.message).to.contain('must be one of "true", "sampled", "predicted", "empirical"');
  });

  it('rejects two entries with the same label on a scenario', () => {
    const e = userError(() => expandSuite(parseSuite(JSON.stringify({ ...base, learners: [{ name: 'naive' }, { name: 'naive' }] }), 's.json'), 's.json'));
    expect(e.message).to.contain("labelled 'naive'");
  });
});
