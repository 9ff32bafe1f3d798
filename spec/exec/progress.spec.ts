/**
 * Progress output as a person sees it: the bars drawn on a fake 100-column terminal (no line runs past
 * it, no worker line is left when the run is over), and runs numbered in the order they start.
 */
import { expect } from 'chai';
import type { RunRecord } from '../../results/record.js';
import { createProgress, type Progress } from '../../exec/progress.js';
import type { Job } from '../../suite/suite.js';
import { FakeTty } from '../helpers/fakeTty.js';

/** a run id as long as the synthetic datasets make them */
const LONG_ID = 'split-synthetic_classes=8_features=16_trainPerClass=60_testPerClass=20_spread=25-class__recency-replay(perTask=30,window=3)__seed0';

function job(id: string): Job {
  return { id, training: { epochs: 2 }, scenario: { name: 'split' }, learner: { label: 'naive' }, seed: 0 } as unknown as Job;
}

function record(runId: string): RunRecord {
  return { runId, status: 'completed', accuracy: { matrix: [[0.5, 0.75]] }, timings: { totalSeconds: 1.5, trainSeconds: 1 } } as unknown as RunRecord;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('progress output', () => {
  it('draws bars cut at a 100-column terminal\'s width, and leaves no worker line behind', async () => {
    const tty = new FakeTty(100);
    const progress = createProgress('bar', undefined, tty);
    let stopped = false;
    try {
    progress.start(2, 2);
    progress.jobStart(0, job(LONG_ID), 0);
    progress.jobStart(1, job(`${LONG_ID}-second`), 1);
    for (const slot of [0, 1]) {
      progress.event(slot, slot, { type: 'phase', phase: 0, phases: 4 });
      progress.event(slot, slot, { type: 'epoch', phase: 0, epoch: 0, epochs: 2, loss: 0.5, accuracy: 0.9, examplesPerSecond: 12345 });
      progress.event(slot, slot, { type: 'step', phase: 1, epoch: 1, step: 3, steps: 10, loss: 0.5 });
    }
    await sleep(250); // cli-progress redraws on a timer
    const during = tty.screen();
    expect(during.some((l) => l.startsWith('worker 1 ') && l.includes('run 1/2 phase 2/4 epoch 2/2 12345 ex/s split')), during.join('\n')).to.equal(true);
    expect(tty.wrapped, 'lines that ran past the width').to.deep.equal([]);
    expect(during.filter((l) => l.startsWith('worker')).map((l) => l.length)).to.deep.equal([100, 100]);
    progress.jobEnd(0, 0, record(LONG_ID));
    progress.jobEnd(1, 1, record(`${LONG_ID}-second`));
    await sleep(250);
    progress.stop();
    stopped = true;
    const after = tty.screen();
    expect(after.filter((l) => l.startsWith('worker')), after.join('\n')).to.deep.equal([]);
    expect(after.filter((l) => l.startsWith('suite ')), after.join('\n')).to.have.length(1);
    expect(after.some((l) => l.includes('2/2 runs'))).to.equal(true);
    // the finished runs' lines are log lines above the bars: they may wrap (nothing of them is cut); bars never do
    expect(after.join('')).to.contain(`${LONG_ID}: done in 1.5 s, final average accuracy 62.50%`);
    expect(tty.wrapped.filter((l) => /^(worker|suite)/.test(l))).to.deep.equal([]);
    } finally {
      // a failed expectation must not leave cli-progress's redraw timer running
      if (!stopped) progress.stop();
    }
  });

  it('numbers runs in the order they start, not by their place in the suite', () => {
    const lines: string[] = [];
    const progress: Progress = createProgress('lines', (l) => lines.push(l));
    progress.start(6, 2);
    // the pool starts the longest runs first: suite places 2 and 5, then 0
    for (const index of [2, 5]) progress.jobStart(index, job(`run${index}`), index % 2);
    progress.jobEnd(5, 1, record('run5'));
    progress.jobStart(0, job('run0'), 1);
    progress.event(0, 1, { type: 'epoch', phase: 0, epoch: 0, epochs: 2, loss: 0.5, accuracy: 0.5, examplesPerSecond: 10 });
    expect(lines).to.deep.equal([
      '[1/6] run2: start',
      '[2/6] run5: start',
      '[2/6] run5: done in 1.5 s, final average accuracy 62.50%',
      '[3/6] run0: start',
      '[3/6] run0: phase 1 epoch 1/2 loss 0.5000 new-task acc 50.00% (10 ex/s)',
    ]);
    const json: string[] = [];
    const scripted = createProgress('json', (l) => json.push(l));
    scripted.start(6, 2);
    scripted.jobStart(4, job('run4'), 0);
    scripted.jobStart(1, job('run1'), 1);
    expect(json.slice(1).map((l) => (JSON.parse(l) as { run: number; runId: string }).run)).to.deep.equal([1, 2]);
  });

  it('says where a run was taken up: after a phase, or within one after an epoch', () => {
    const lines: string[] = [];
    const progress = createProgress('lines', (l) => lines.push(l));
    progress.start(2, 2);
    progress.jobStart(0, job('run0'), 0);
    progress.jobStart(1, job('run1'), 1);
    progress.event(0, 0, { type: 'resumed', phase: 2 });
    progress.event(1, 1, { type: 'resumed', phase: 4, epochs: 6 });
    expect(lines.slice(2)).to.deep.equal(['[1/2] run0: resumed after phase 2 from its checkpoint', '[2/2] run1: resumed in phase 5 after epoch 6 from its checkpoint']);
    const json: string[] = [];
    const scripted = createProgress('json', (l) => json.push(l));
    scripted.start(1, 1);
    scripted.jobStart(0, job('run0'), 0);
    scripted.event(0, 0, { type: 'resumed', phase: 4, epochs: 6 });
    expect(JSON.parse(json[json.length - 1])).to.deep.include({ event: 'resumed', afterPhase: 4, afterEpoch: 6 });
  });
});
