import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clbench } from '../helpers/cli.js';
import { tinySuite } from '../helpers/suites.js';

describe('clbench schedule', function () {
  this.timeout(60000);

  it('prints the phase × task counts, phase totals and the suite’s training cost', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-schedule-'));
    const file = path.join(dir, 'suite.json');
    const scenario = { name: 'pm', dataset: 'synthetic:classes=3,features=8,trainPerClass=40,testPerClass=5', kind: 'permuted', tasks: 3, setting: 'domain' };
    writeFileSync(file, JSON.stringify(tinySuite({ scenario, learners: [{ name: 'naive' }, { name: 'naive', schedule: { kind: 'powerlaw', alpha: 1, tau: 1, budgetFraction: 0.5, minPerTask: 30 } }] })));
    const result = clbench(['schedule', file]);
    expect(result.status, result.stderr).to.equal(0);
    const lines = result.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(result.stdout).to.contain("scenario 'pm', schedule powerlaw(alpha=1,tau=1,r=0.5), seed 0");
    // R = 60: phase 3 splits it 1/3 : 1/2 over ages 2 and 1
    expect(lines).to.include.members(['task 1 task 2 task 3 total', 'phase 1 120 120', 'phase 2 60 120 180', 'phase 3 24 36 120 180']);
    expect(result.stdout).to.contain('warning: 1 rehearsal count(s) are below minPerTask 30 (least: 24 of task 1 in phase 3)');
    // naive: 360 examples × 2 epochs; powerlaw: 480 × 2
    expect(result.stdout).to.contain("suite 'tiny': 2 runs, 1,680 training examples in all\n");
  });

  it('lists the schedule kinds in `clbench list`', () => {
    const result = clbench(['list']);
    expect(result.status, result.stderr).to.equal(0);
    for (const kind of ['none', 'full', 'uniform', 'exponential', 'powerlaw', 'powerlaw-compat', 'powerlaw-table']) expect(result.stdout).to.match(new RegExp(`\\n  ${kind} +\\S`));
  });

  it('stops at a bad schedule with the field and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-schedule-'));
    const file = path.join(dir, 'suite.json');
    writeFileSync(file, JSON.stringify(tinySuite({ schedule: { kind: 'exponential', tau: 3 } })));
    const result = clbench(['schedule', file]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('schedule.tau').and.to.contain("'tau' does not apply to the 'exponential' schedule").and.to.contain('fix:');
  });
});
