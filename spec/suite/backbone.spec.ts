import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { Mlp } from '../../models/mlp.js';
import { overlappingClasses } from '../../suite/backboneCheck.js';
import { readBackbone, type BackboneManifest } from '../../models/backboneFile.js';
import { pretrainBackbone } from '../../run/pretrain.js';
import { createJobModel, scenarioFor } from '../../suite/jobInputs.js';
import { expandSuite, parseSuite } from '../../suite/suite.js';
import { thrown, useWasm, values } from '../helpers/tf.js';

const DATA = 'synthetic:classes=6,features=16,trainPerClass=40,testPerClass=10,spread=25';

describe('pre-trained backbones', function () {
  this.timeout(60000);
  useWasm();
  let dir: string;
  let manifestFile: string;
  let manifest: BackboneManifest;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'clbench-backbone-'));
    manifestFile = path.join(dir, 'backbones', 'syn.json');
    const training = { epochs: 8, batchSize: 16, optimizer: 'adam' as const, lr: 0.01, momentum: 0.9, resetOptimizer: false };
    manifest = await pretrainBackbone({ dataset: DATA, classes: [0, 1, 2, 3], hidden: [12, 8], training, seed: 1 }, manifestFile, { backend: 'wasm', command: 'clbench pretrain …' });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A suite file in the temporary folder; returns its path. */
  function suiteFile(overrides: Record<string, unknown>, scenario: Record<string, unknown> = { dataset: DATA, kind: 'split', setting: 'class', taskClasses: [[4], [5]] }): string {
    const file = path.join(dir, `suite-${Math.random().toString(36).slice(2)}.json`);
    const suite = { name: 'bb', scenario, model: { hidden: [12, 8], backbone: 'backbones/syn.json', ...overrides }, learners: [{ name: 'naive' }], training: { epochs: 1, batchSize: 16 } };
    writeFileSync(file, JSON.stringify(suite));
    return file;
  }
  const expand = (file: string) => expandSuite(parseSuite(readFileSync(file, 'utf8'), file), file);

  it('pretrain writes a manifest describing the weights file it wrote first', () => {
    expect(manifest).to.include({ format: 'clbench-backbone', version: 1, dataset: DATA, datasetFamily: DATA, inputs: 16, weights: 'syn.bin' });
    expect(manifest.classes).to.deep.equal([0, 1, 2, 3]);
    expect(manifest.hidden).to.deep.equal([12, 8]);
    expect(manifest.tensors.map((t) => `${t.name}:${t.shape}`)).to.deep.equal(['hidden0/weight:16,12', 'hidden0/bias:12', 'hidden1/weight:12,8', 'hidden1/bias:8']);
    expect(manifest.pretraining.testAccuracy).to.be.above(0.9);
    expect(readFileSync(path.join(dir, 'backbones', 'syn.bin')).length).to.equal(4 * (16 * 12 + 12 + 12 * 8 + 8));
  });

  it('a job loads the backbone into its model, keyed by the weights\' SHA-256; the output layer stays freshly initialised', () => {
    const [job] = expand(suiteFile({}));
    expect(job.model.backboneSha256).to.equal(manifest.sha256);
    const scenario = scenarioFor(job);
    const model = createJobModel(job, scenario) as Mlp;
    const fresh = new Mlp({ hidden: [12, 8] }, { inputs: 16, outputs: scenario.outputs }, new Rng(job.seed, 'model-init'));
    try {
      const { weights } = readBackbone(manifestFile, 'test');
      expect(values(model.weights[0])).to.deep.equal(Array.from(weights.layers[0].weight));
      expect(values(model.biases[1])).to.deep.equal(Array.from(weights.layers[1].bias));
      expect(values(model.weights[2])).to.deep.equal(values(fresh.weights[2]));
      expect(values(model.weights[0])).to.not.deep.equal(values(fresh.weights[0]));
    } finally {
      model.dispose();
      fresh.dispose();
    }
  });

  it('refuses a backbone pre-trained on classes the stream tests on, naming the file, the field and the fix', () => {
    const file = suiteFile({}, { dataset: DATA, kind: 'split', setting: 'class', taskClasses: [[2, 3], [4, 5]] });
    const error = thrown(() => expand(file), UserError);
    expect(error.where).to.equal(`${file}: model.backbone`);
    expect(error.message).to.match(/pre-trained on synthetic:.* classes 2, 3, which scenario .* tests on/);
    expect(error.fix).to.match(/clbench pretrain --classes.*"allowBackboneOverlap": true/);
    // on purpose: allowed
    expect(expand(suiteFile({ allowBackboneOverlap: true }, { dataset: DATA, kind: 'split', setting: 'class', taskClasses: [[2, 3], [4, 5]] }))).to.have.length(1);
    // the whole dataset (no explicit classes) overlaps too; a permuted stream uses every class
    expect(() => expand(suiteFile({}, { dataset: DATA, kind: 'split', setting: 'class', tasks: 3 }))).to.throw(UserError);
    expect(() => expand(suiteFile({}, { dataset: DATA, kind: 'permuted', setting: 'domain', tasks: 2 }))).to.throw(UserError);
  });

  it('counts mnist and mnist-full as one dataset, other datasets as others', () => {
    const digits = { datasetFamily: 'mnist', classes: [0, 1, 2] };
    expect(overlappingClasses(digits, { dataset: 'mnist-full', kind: 'split', setting: 'class' }, '.')).to.deep.equal([0, 1, 2]);
    expect(overlappingClasses(digits, { dataset: 'mnist', kind: 'split', setting: 'class', taskClasses: [[2, 5]] }, '.')).to.deep.equal([2]);
    expect(overlappingClasses({ datasetFamily: 'fashion-mnist', classes: [0, 1, 2] }, { dataset: 'mnist-full', kind: 'split', setting: 'class' }, '.')).to.deep.equal([]);
  });

  it('reports a missing, tampered or mismatched backbone as a user error', () => {
    const missing = thrown(() => expand(suiteFile({ backbone: 'backbones/none.json' })), UserError);
    expect(missing.message).to.match(/cannot read the backbone manifest .*none\.json \(ENOENT\)/);
    expect(missing.fix).to.match(/clbench pretrain/);
    expect(thrown(() => expand(suiteFile({ hidden: [12] })), UserError).fix).to.equal('set model.hidden to [12, 8]');
    expect(thrown(() => expand(suiteFile({ norm: 'batchnorm' })), UserError).message).to.match(/no batchnorm statistics/);
    const bin = path.join(dir, 'backbones', 'syn.bin');
    const original = readFileSync(bin);
    const tampered = Buffer.from(original);
    tampered[0] ^= 1;
    writeFileSync(bin, tampered);
    try {
      expect(thrown(() => readBackbone(manifestFile, 'suite.json: model.backbone'), UserError).message).to.match(/do not match their manifest \(SHA-256 differs\)/);
    } finally {
      writeFileSync(bin, original);
    }
  });

  it('checks normalisation options in the suite, naming the field', () => {
    const file = suiteFile({ backbone: undefined, norm: 'batchnorm', normOptions: { kappa: 0.4 } });
    const error = thrown(() => expand(file), UserError);
    expect(error.where).to.equal(`${file}: model.normOptions`);
  });
});
