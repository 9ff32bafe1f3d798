/**
 * Checkpoints written before learner state was declared (issue 15): spec/fixtures/main-checkpoints holds
 * the phase-2 checkpoints of two runs as commit 7a85b9b wrote them (./make.mjs there). A learner with no
 * state of its own (naive) continues from its checkpoint; one whose state was hand-written then (EWC) is
 * refused with a message that says why, and its run starts over. Either way the record is the
 * uninterrupted run's.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBackend, type BackendInfo } from '../../backends/backend.js';
import { runJob, type RunEvent } from '../../run/runJob.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const FIXTURES = path.join(REPO_ROOT, 'spec', 'fixtures', 'main-checkpoints');
const { suite, runs } = JSON.parse(readFileSync(path.join(FIXTURES, 'runs.json'), 'utf8')) as { suite: Record<string, unknown>; runs: Record<string, Record<string, unknown>> };

describe('checkpoints written by clbench before declared learner state', function () {
  this.timeout(120000);
  let backend: BackendInfo;
  before(async () => {
    backend = await useBackend('wasm');
  });

  /** The run resumed from a copy of its fixture checkpoint (a run deletes or replaces its checkpoint). */
  async function fromFixture(name: string) {
    const job = jobsOf(tinySuite({ ...suite, learners: [runs[name]] }))[0];
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'clbench-old-checkpoint-')), name);
    cpSync(path.join(FIXTURES, name), dir, { recursive: true });
    const events: RunEvent[] = [];
    const resumed = await runJob(job, { backend, checkpointDir: dir, onEvent: (e) => events.push(e) });
    const straight = await runJob(job, { backend });
    return { resumed, straight, events };
  }

  it('a learner without state of its own continues after the saved phase', async () => {
    const { resumed, straight, events } = await fromFixture('naive');
    expect(events.filter((e) => e.type === 'note')).to.deep.equal([]);
    expect(events.find((e) => e.type === 'resumed')).to.deep.equal({ type: 'resumed', phase: 2 });
    expect(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: number }).phase)).to.deep.equal([2]);
    expect(resumed.status).to.equal('completed');
    expect(resumed.accuracy).to.deep.equal(straight.accuracy);
  });

  it('a learner whose state was hand-written then refuses the checkpoint, says why, and starts over', async () => {
    const { resumed, straight, events } = await fromFixture('ewc');
    const notes = events.filter((e) => e.type === 'note').map((e) => (e as { message: string }).message);
    expect(notes).to.deep.equal([
      'checkpoint not used: the learner cannot restore it (the checkpoint predates declared learner state (written by an earlier clbench), so its consolidated, fisherRng cannot be read from it); the run starts from its first phase',
    ]);
    expect(events.some((e) => e.type === 'resumed')).to.equal(false);
    expect(resumed.status).to.equal('completed');
    expect(resumed.accuracy).to.deep.equal(straight.accuracy);
  });
});
