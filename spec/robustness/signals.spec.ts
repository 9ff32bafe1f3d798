/**
 * SIGTERM (a scheduler, `kill`) and SIGHUP (a closed terminal) stop a run the way Ctrl-C does: after the
 * current step, with the line that resumes it, exit 128 + the signal's number. Before, both killed the
 * process with no word on resuming.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startClbench, STACK_LINE, until, validRecords } from '../helpers/robustness.js';
import { tinySuite } from '../helpers/suites.js';

/** Ten phases of many steps: still running when the signal comes, however fast the machine. */
const LONG = tinySuite({
  scenario: { dataset: 'synthetic:classes=20,features=16,trainPerClass=40,testPerClass=10,spread=25', kind: 'split', tasks: 10, setting: 'task' },
  training: { epochs: 8, batchSize: 16, optimizer: 'adam', lr: 0.01 },
});

describe('SIGTERM and SIGHUP stop like Ctrl-C', function () {
  this.timeout(120000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-signals-'));
    writeFileSync(path.join(dir, 'long.json'), JSON.stringify(LONG));
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal}: stops after the current step, says how to resume, exits ${code}`, async () => {
      const out = `stopped-${signal}`;
      const running = startClbench(['run', 'long.json', '--out', out, '--backend', 'wasm', '--workers', '1'], { cwd: dir });
      await until(() => /phase 1 epoch 1\//.test(running.stderr()), 60000, 'the first epoch');
      running.child.kill(signal);
      const stopped = await running.done;
      expect(stopped.status, stopped.stderr).to.equal(code);
      expect(stopped.stderr).to.contain(`stopping after the current step (${signal} again to stop at once)`).and.not.match(STACK_LINE);
      expect(stopped.stderr).to.match(new RegExp(`resume with: clbench run long\\.json --out ${out} --backend wasm --workers 1$`, 'm'));
      expect(validRecords(path.join(dir, out)).size, 'the run did not finish').to.equal(0);
    });
  }
});
