import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { BaseSgdLearner, type StepLoss } from '../../learners/base.js';
import { defineLearner, type Learner, type LearnerContext, type LearnerDefinition, type Phase } from '../../learners/contract.js';
import { listLearners } from '../../learners/registry.js';
import { checkLearner, formatReport, type ConformanceReport } from '../../plugins/conformance.js';
import type { Batch } from '../../scenarios/types.js';
import { useWasm } from '../helpers/tf.js';

/** The checks that failed, as 'name: detail' lines (an empty list is a pass). */
function failures(report: ConformanceReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.detail}`);
}

/** Names of the failed checks without their setting prefix, each once. */
function failedKinds(report: ConformanceReport): string[] {
  return [...new Set(report.checks.filter((c) => c.status === 'fail').map((c) => c.name.replace(/^(task|domain|class)-IL(, rehearsal, backbone)? /, '')))];
}

const NO_OPTIONS = { type: 'object', properties: {}, additionalProperties: false };

function broken(name: string, create: (ctx: LearnerContext) => Learner, optionsSchema: Record<string, unknown> = NO_OPTIONS): LearnerDefinition {
  return defineLearner({ name, description: `broken on purpose: ${name}`, optionsSchema, create: (_options, ctx) => create(ctx) });
}

/** Leaks one tensor per training step. */
class LeaksPerStep extends BaseSgdLearner {
  private readonly leaked: tf.Tensor[] = [];
  protected override trainStep(batch: Batch, phase: Phase): StepLoss | Promise<StepLoss> {
    this.leaked.push(tf.keep(tf.scalar(1)));
    return super.trainStep(batch, phase);
  }
  override dispose(): void {
    tf.dispose(this.leaked);
    super.dispose();
  }
}

/** Keeps one more set of weight copies every phase (freed only in dispose). */
class GrowsPerPhase extends BaseSgdLearner {
  private readonly copies: tf.Tensor[] = [];
  protected override async afterPhase(): Promise<void> {
    this.copies.push(...this.snapshotParameters());
  }
  override dispose(): void {
    tf.dispose(this.copies);
    super.dispose();
  }
}

/** Forgets to free its weight copy in dispose(). */
class NeverFrees extends BaseSgdLearner {
  private copy: tf.Tensor[] = [];
  protected override async afterPhase(): Promise<void> {
    tf.dispose(this.copy);
    this.copy = this.snapshotParameters();
  }
}

/** Says it resumes within a phase, but pulls toward the weights it copies in beforePhase, which its state does not hold. */
class ResumesWithoutItsPhaseStart extends BaseSgdLearner {
  override readonly resumesWithinPhase = true;
  private anchor: tf.Tensor[] = [];
  protected override async beforePhase(): Promise<void> {
    tf.dispose(this.anchor);
    this.anchor = this.snapshotParameters();
  }
  protected override penalty(): tf.Scalar | null {
    const anchor = this.anchor;
    if (anchor.length === 0) return null;
    return tf.mul(tf.addN(this.model.variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchor[i]))))), 5) as tf.Scalar;
  }
  override dispose(): void {
    tf.dispose(this.anchor);
    super.dispose();
  }
}

/** Draws from Math.random instead of ctx.rng. */
class Unseeded extends BaseSgdLearner {
  protected override async beforePhase(): Promise<void> {
    const v = this.model.variables[0];
    tf.tidy(() => v.assign(tf.add(v, Math.random() * 0.01)));
  }
}

/** Predicts one output too few. */
class NarrowPredict extends BaseSgdLearner {
  override predict(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const logits = super.predict(x);
      return tf.slice(logits, [0, 0], [logits.shape[0], logits.shape[1] - 1]);
    });
  }
}

/** Pulls towards the previous task's weights but leaves that anchor out of its checkpoint state. */
class ForgetsAnchorInState extends BaseSgdLearner {
  protected anchor: tf.Tensor[] | null = null;
  protected override penalty(): tf.Scalar | null {
    const anchor = this.anchor;
    return anchor ? (tf.mul(tf.addN(this.model.variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchor[i]))))), 1) as tf.Scalar) : null;
  }
  protected override async afterPhase(): Promise<void> {
    tf.dispose(this.anchor ?? []);
    this.anchor = this.snapshotParameters();
  }
  override dispose(): void {
    tf.dispose(this.anchor ?? []);
    super.dispose();
  }
}

/** Starts pulling towards the weights only from phase 3 on, and leaves that anchor out of its state. */
class ForgetsLateAnchor extends ForgetsAnchorInState {
  protected override async afterPhase(phase?: Phase): Promise<void> {
    if (phase?.index === 1) await super.afterPhase();
  }
}

/** Nudges its weights with draws from ctx.rng itself in every phase, and does not save the generator. */
class DrawsFromCtxRng extends BaseSgdLearner {
  protected override async beforePhase(): Promise<void> {
    const v = this.model.variables[0];
    const nudge = this.ctx.rng.next() * 0.01;
    tf.tidy(() => v.assign(tf.add(v, nudge)));
  }
}

/** Not a BaseSgdLearner: trains nothing, reports no epochs, and has state() without restore(). */
function lazyLearner(ctx: LearnerContext): Learner {
  return Object.assign(
    {
      async train() {},
      predict: (x: tf.Tensor2D) => tf.zeros([x.shape[0], ctx.scenario.outputs]) as tf.Tensor2D,
      dispose() {},
    },
    { state: async () => ({ tensors: {}, json: null }) },
  );
}

/** the built-in learners that set resumesWithinPhase (the runner checkpoints them within long phases) */
const RESUMES_WITHIN_PHASE = new Set(['naive', 'joint', 'l2', 'ewc', 'online-ewc', 'mas', 'agem', 'gem', 'replay']);

describe('conformance check (check-plugin)', function () {
  this.timeout(120000);
  useWasm();

  describe('every built-in learner passes', () => {
    // 'test-…' learners are other specs' deliberately broken stand-ins
    for (const definition of listLearners().filter((l) => !l.name.startsWith('test-'))) {
      it(definition.name, async () => {
        const report = await checkLearner(definition);
        expect(failures(report), formatReport(report)).to.deep.equal([]);
        expect(report.passed).to.equal(true);
        // a learner that says it resumes within a phase is held to it in every stream; the others have no such check
        const resumes = RESUMES_WITHIN_PHASE.has(definition.name);
        const within = report.checks.filter((c) => c.name.endsWith('within-phase resume')).map((c) => c.status);
        expect(within).to.deep.equal(resumes ? ['pass', 'pass', 'pass', 'pass'] : []);
        // 2 + 8 checks (9 with within-phase resume) in each of the 3 settings and the rehearsal + backbone stream, + the declared phase cost
        expect(report.checks).to.have.length(34 + (resumes ? 4 : 0) + (definition.phaseCost ? 1 : 0));
      });
    }
  });

  it('catches a tensor leaked at every step, which also survives dispose()', async () => {
    const report = await checkLearner(broken('leaks-per-step', (ctx) => new LeaksPerStep(ctx, {})));
    expect(failedKinds(report)).to.deep.equal(['steps', 'phases']);
    expect(failures(report)[0]).to.match(/^task-IL steps: phase 1: live tensors went \d+ → \d+ over 5 steps: a training step leaks/);
  });

  it('catches tensors that pile up from phase to phase, and ones dispose() leaves behind', async () => {
    const grows = await checkLearner(broken('grows', (ctx) => new GrowsPerPhase(ctx, {})));
    expect(failedKinds(grows)).to.deep.equal(['phases']);
    expect(failures(grows)[0]).to.match(/^task-IL phases: live tensors after each phase: (\d+), (\d+), (\d+): they grow after the first phase/);
    const leaks = await checkLearner(broken('never-frees', (ctx) => new NeverFrees(ctx, {})));
    expect(failedKinds(leaks)).to.deep.equal(['dispose']);
    expect(failures(leaks)[0]).to.match(/^task-IL dispose: 4 tensor\(s\) still alive after dispose\(\)/);
  });

  it('catches randomness that does not come from ctx.rng', async () => {
    const report = await checkLearner(broken('unseeded', (ctx) => new Unseeded(ctx, {})));
    expect(failedKinds(report)).to.include('deterministic');
    expect(failures(report).find((f) => f.startsWith('task-IL deterministic'))).to.match(/two runs with the same seed differ after phase 1 on task 1 .*ctx\.rng/);
  });

  it('catches predictions of the wrong shape', async () => {
    const report = await checkLearner(broken('narrow', (ctx) => new NarrowPredict(ctx, {})));
    expect(failedKinds(report)).to.include('predict');
    expect(failures(report).find((f) => f.startsWith('domain-IL predict'))).to.equal(
      "domain-IL predict: predict returned shape [16, 1], expected [16, 2] (examples × the setting's outputs)",
    );
  });

  it('recognises a tensor from another copy of tfjs', async () => {
    const otherCopy = (ctx: LearnerContext): Learner => ({
      async train(_phase, hooks) {
        for (let epoch = 0; epoch < ctx.training.epochs; epoch++) await hooks.epochEnd?.({ epoch, loss: 0, examples: 0 });
      },
      // what a tensor made by a second @tensorflow/tfjs looks like from here: tensor-shaped, not our Tensor
      predict: (x: tf.Tensor2D) => ({ shape: [x.shape[0], ctx.scenario.outputs], dtype: 'float32', dataSync: () => new Float32Array(0), dispose() {} }) as unknown as tf.Tensor2D,
      dispose() {},
    });
    const report = await checkLearner(broken('other-tfjs', otherCopy));
    expect(failedKinds(report)).to.deep.equal(['predict']);
    expect(failures(report)[0]).to.equal("task-IL predict: predict returned a tensor of another copy of @tensorflow/tfjs: use clbench's (import { tf } from 'clbench')");
  });

  it('catches state that misses something training uses, so a resumed run would drift', async () => {
    const report = await checkLearner(broken('forgets-anchor', (ctx) => new ForgetsAnchorInState(ctx, {})));
    expect(failedKinds(report)).to.deep.equal(['state/restore']);
    expect(failures(report)[0]).to.match(/restored and saved learners drift apart in the next phase on task \d/);
  });

  it('checks the restore at every phase boundary: state missed only after phase 2 is caught too', async () => {
    const report = await checkLearner(broken('forgets-late-anchor', (ctx) => new ForgetsLateAnchor(ctx, {})));
    expect(failedKinds(report)).to.deep.equal(['state/restore']);
    expect(failures(report)[0]).to.match(/^task-IL state\/restore: restored after phase 2, restored and saved learners drift apart in the next phase on task \d/);
  });

  it("catches a learner that draws from ctx.rng while training but does not save it (a resumed run gets ctx.rng afresh)", async () => {
    const report = await checkLearner(broken('draws-ctx-rng', (ctx) => new DrawsFromCtxRng(ctx, {})));
    expect(failedKinds(report)).to.deep.equal(['state/restore']);
    expect(failures(report)[0]).to.match(/^task-IL state\/restore: restored after phase 1, ctx\.rng is not where the saved learner's is: .*ctx\.rng\.derive/);
    const passing = report.checks.find((c) => c.name === 'task-IL deterministic');
    expect(passing).to.include({ status: 'pass' });
  });

  it('catches a learner that says it resumes within a phase but keeps what its beforePhase made outside its state', async () => {
    const report = await checkLearner(broken('resumes-without-phase-start', (ctx) => new ResumesWithoutItsPhaseStart(ctx, {})));
    expect(failedKinds(report)).to.deep.equal(['within-phase resume']);
    expect(failures(report)[0]).to.match(
      /^task-IL within-phase resume: restored after epoch 1 of phase 2, predictions differ from the uninterrupted learner's at the end of phase 2 on task \d .*a phase taken up does not call beforePhase again; or leave resumesWithinPhase unset$/,
    );
  });

  it('catches a learner that reports no epochs and has state() without restore()', async () => {
    const report = await checkLearner(broken('lazy', lazyLearner));
    expect(failedKinds(report)).to.deep.equal(['epochs', 'state/restore']);
    expect(failures(report)[0]).to.match(/phase 1 reported epochs \[\], expected \[0, 1\]: call hooks\.epochEnd/);
    expect(report.checks.find((c) => c.name === 'task-IL steps')).to.include({ status: 'skip' });
    expect(failures(report)[1]).to.match(/has state\(\) but no restore\(\)/);
  });

  it('reports a learner that throws, and goes on with the other settings', async () => {
    const report = await checkLearner(
      broken('throws', (ctx) => {
        const learner = new BaseSgdLearner(ctx, {});
        if (ctx.scenario.setting === 'class') learner.train = async () => Promise.reject(new Error('no class-IL here'));
        return learner;
      }),
    );
    expect(failures(report)).to.deep.equal(['class-IL trains 3 phases: phase 1: train: no class-IL here', 'class-IL, rehearsal, backbone trains 3 phases: phase 1: train: no class-IL here']);
  });

  it('checks the definition and the options schema first', async () => {
    const missing = await checkLearner({ name: 'half', description: 'x', optionsSchema: NO_OPTIONS } as unknown as LearnerDefinition);
    expect(failures(missing)).to.deep.equal(["definition: 'create' (a function (options, ctx) => Learner) is missing"]);
    expect(missing.checks).to.have.length(1);

    const noDefault = broken('no-default', (ctx) => new BaseSgdLearner(ctx, {}), { type: 'object', properties: { k: { type: 'integer' } } });
    expect(failures(await checkLearner(noDefault))).to.deep.equal(['options: options without a default: k (give every option a "default", so a suite may leave it out)']);

    const badDefault = broken('bad-default', (ctx) => new BaseSgdLearner(ctx, {}), { type: 'object', properties: { k: { type: 'integer', default: 'one' } } });
    const rejected = await checkLearner(badDefault);
    expect(failures(rejected)).to.deep.equal(['options: the defaults do not validate: {} is rejected (optionsSchema: k: must be integer)']);
    expect(rejected.checks).to.have.length(2);

    const typed = broken('typed', (ctx) => new BaseSgdLearner(ctx, {}), { type: 'object', properties: { k: { type: 'integer', default: 1 } }, additionalProperties: false });
    expect(failures(await checkLearner(typed, { options: { k: 'two' } }))).to.deep.equal(['given options: options: k: must be integer']);
  });

  it('checks a declared phaseCost on each phase of the stream', async () => {
    const plain = (ctx: LearnerContext) => new BaseSgdLearner(ctx, {});
    const costed = (name: string, phaseCost: (phase: { index: number; examples: number }) => number) => ({ ...broken(name, plain), phaseCost: (_o: unknown, phase: { index: number; examples: number }) => phaseCost(phase) });
    const good = await checkLearner(costed('costed', (p) => p.examples * 2 + p.index));
    expect(good.checks.find((c) => c.name === 'phase cost')).to.deep.equal({ name: 'phase cost', status: 'pass', detail: 'example passes of phases 1–3 (48 examples each, 2 epochs): 96, 97, 98' });
    const nan = await checkLearner(costed('costed-nan', (p) => (p.index === 2 ? Number.NaN : 1)));
    expect(failures(nan)).to.deep.equal(["phase cost: learner 'costed-nan': phaseCost returned NaN for phase 3"]);
    const notAFunction = await checkLearner({ ...broken('cost-value', plain), phaseCost: 12 } as unknown as LearnerDefinition);
    expect(failures(notAFunction)).to.deep.equal(["definition: 'phaseCost' must be a function (options, phase) => example passes"]);
  });

  it('prints one line per check and the verdict', () => {
    const report: ConformanceReport = {
      learner: 'demo',
      passed: false,
      checks: [
        { name: 'definition', status: 'pass', detail: 'ok' },
        { name: 'task-IL steps', status: 'fail', detail: 'leaks' },
        { name: 'task-IL state/restore', status: 'skip', detail: 'none' },
      ],
    };
    expect(formatReport(report, 'demo.js')).to.equal(
      [
        "learner 'demo' (demo.js)",
        '  PASS  definition             ok',
        '  FAIL  task-IL steps          leaks',
        '  SKIP  task-IL state/restore  none',
        'FAIL: 1 passed, 1 failed, 1 skipped',
      ].join('\n'),
    );
  });
});
