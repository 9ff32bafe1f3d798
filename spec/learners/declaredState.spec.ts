/**
 * Declared learner state (learners/state.ts): what a learner declares with remember / rememberTensors /
 * rememberField is saved by the base learner's state() and put back by restore(), exactly, with no save
 * or restore code in the learner; a plugin learner gets resume for free.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../core/random.js';
import { BaseSgdLearner } from '../../learners/base.js';
import { defineLearner, type LearnerContext, type Phase } from '../../learners/contract.js';
import { QuadraticPenalty } from '../../learners/parts/quadraticPenalty.js';
import { DeclaredState } from '../../learners/state.js';
import { checkLearner } from '../../plugins/conformance.js';
import { useWasm } from '../helpers/tf.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';

/** A learner that keeps one of each kind of declared state, and nothing else of its own. */
class Keeper extends BaseSgdLearner {
  readonly pull = this.remember('pull', new QuadraticPenalty());
  readonly sampler = this.remember('sampler', this.ctx.rng.derive('keeper'));
  anchor = this.rememberTensors('anchor');
  counts: { tasks: number; labels: Uint16Array; big: Uint32Array; weights: Float32Array; names: string[] } = this.rememberField('counts', {
    tasks: 0,
    labels: new Uint16Array(0),
    big: new Uint32Array(0),
    weights: new Float32Array(0),
    names: [],
  });

  protected override async afterPhase(phase: Phase): Promise<void> {
    tf.dispose(this.anchor ?? []);
    this.anchor = this.snapshotParameters();
    const ones = this.anchor.map((t) => tf.onesLike(t));
    await this.pull.add(ones, this.anchor);
    tf.dispose(ones);
    this.counts = {
      tasks: this.counts.tasks + 1,
      labels: Uint16Array.from([phase.taskId, 65535]),
      big: Uint32Array.from([4294967295, 2 ** 31 + 7]),
      weights: Float32Array.from([Math.fround(0.1), -Math.fround(1 / 3)]),
      names: [...this.counts.names, `task ${phase.taskId}`],
    };
    this.sampler.next();
  }
}

const keeper = defineLearner({ name: 'test-keeper', description: 'declared state of every kind', optionsSchema: { type: 'object', properties: {}, additionalProperties: false }, create: (_o, ctx: LearnerContext) => new Keeper(ctx, {}) });

describe('declared learner state', function () {
  this.timeout(120000);
  useWasm();

  it('a learner that only declares its state passes the state/restore round trip of check-plugin in every stream', async () => {
    const report = await checkLearner(keeper);
    const failed = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.detail}`);
    expect(failed).to.deep.equal([]);
    expect(report.checks.filter((c) => c.name.endsWith('state/restore'))).to.have.length(4);
  });

  it('saves and restores parts, tensor fields and plain fields exactly (typed arrays through tensors)', async () => {
    const owner = { anchor: [tf.keep(tf.tensor1d([1.5, -2]))] as tf.Tensor[] | null, info: { n: 3, ids: Uint32Array.from([4294967295, 1]), w: Float32Array.from([0.1]), tag: 'x', nested: [[1], []] } };
    const rng = new Rng(5, 'declared');
    const penalty = new QuadraticPenalty();
    penalty.set([tf.tensor1d([2, 3])], [tf.tensor1d([0, 1])]);
    const state = new DeclaredState(owner);
    state.addPart('rng', rng);
    state.addPart('penalty', penalty);
    state.addTensorFields(['anchor']);
    state.addPlainFields(['info']);
    rng.next();
    const saved = await state.save();
    expect(Object.keys(saved.tensors).sort()).to.deep.equal(['field/0', 'field/1', 'part/penalty/a/0', 'part/penalty/m/0', 'tensors/anchor/0']);
    const json = JSON.parse(JSON.stringify(saved.json));

    const expectedRng = rng.state();
    const expectedInfo = structuredClone(owner.info);
    rng.next();
    tf.dispose(owner.anchor!);
    owner.anchor = null;
    owner.info = { n: 0, ids: new Uint32Array(0), w: new Float32Array(0), tag: '', nested: [] };
    penalty.dispose();
    await state.load(saved.tensors, json);
    tf.dispose(Object.values(saved.tensors));

    expect(rng.state()).to.deep.equal(expectedRng);
    expect(owner.info).to.deep.equal(expectedInfo);
    expect(owner.info.ids).to.be.instanceOf(Uint32Array);
    expect(Array.from(owner.anchor![0].dataSync())).to.deep.equal([1.5, -2]);
    expect(Array.from(penalty.importance()![0].dataSync())).to.deep.equal([2, 3]);
    state.dispose();
    expect(owner.anchor).to.equal(null);
    expect(penalty.importance()).to.equal(null);
  });

  it('refuses a checkpoint written before declared state, a missing part, a name declared twice and values JSON cannot keep', async () => {
    const owner = { count: 1, bad: Number.NaN, list: [tf.scalar(1)] };
    const state = new DeclaredState(owner);
    state.addPlainFields(['count']);
    await state.load({}, undefined).then(
      () => expect.fail('loaded'),
      (e: Error) => expect(e.message).to.equal('the checkpoint predates declared learner state (written by an earlier clbench), so its count cannot be read from it'),
    );
    await state.load({}, { layout: 2, parts: {}, fields: {} }).then(
      () => expect.fail('loaded'),
      (e: Error) => expect(e.message).to.equal("the saved state has no field 'count'"),
    );
    expect(() => state.addPlainFields(['count'])).to.throw("learner state 'count' is declared twice");
    const bad = new DeclaredState(owner);
    bad.addPlainFields(['bad']);
    await bad.save().then(
      () => expect.fail('saved'),
      (e: Error) => expect(e.message).to.match(/'bad' holds NaN/),
    );
    const tensor = new DeclaredState(owner);
    tensor.addPlainFields(['list']);
    await tensor.save().then(
      () => expect.fail('saved'),
      (e: Error) => expect(e.message).to.match(/holds a tensor: declare it with rememberTensors/),
    );
    tf.dispose(owner.list);
  });

  it('a learner without declared state still loads a checkpoint without it (the layout before declared state)', async () => {
    const state = new DeclaredState({});
    await state.load({}, undefined);
  });

  it('no built-in learner writes checkpoint code: none overrides extraState or restoreExtraState', () => {
    const dir = path.join(REPO_ROOT, 'learners', 'methods');
    const handWritten = readdirSync(dir).filter((file) => /\b(extraState|restoreExtraState|saveState|loadState)\b/.test(readFileSync(path.join(dir, file), 'utf8')));
    expect(readdirSync(dir)).to.have.length.above(10);
    expect(handWritten).to.deep.equal([]);
  });
});
