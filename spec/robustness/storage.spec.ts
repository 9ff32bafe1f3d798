/**
 * A results folder that cannot be written gets its true reason through the real command: `--out` under
 * /proc (Node's recursive mkdir spun at 100% CPU there), `runs/stale` being a file (--fresh cannot move
 * records aside), and a read-only mount (EROFS; needs a tmpfs mounted read-only, so it runs as root only).
 * These need a record of the suite's own run id, so they are specs rather than corpus folders.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBackend } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { recordPath, writeRecord } from '../../store/records.js';
import { startClbench, STACK_LINE } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

describe('results folders that cannot be written', function () {
  this.timeout(60000);
  const suite = tinySuite({ training: { epochs: 1, batchSize: 64 } });
  let dir = '';

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-storage-'));
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
  });

  it('--out under /proc fails at once, naming the folder', async function () {
    if (process.platform !== 'linux') this.skip();
    const result = await startClbench(['run', 'suite.json', '--out', '/proc/clbench-no-such/out', '--backend', 'wasm'], { cwd: dir }).done;
    expect(result.status, result.stderr).to.equal(2);
    expect(result.stderr).to.contain('/proc/clbench-no-such/out: cannot create the results folder (ENOENT)').and.not.match(STACK_LINE);
  });

  it('runs/stale being a file: --fresh says so instead of blaming permissions', async () => {
    const out = path.join(dir, 'stale-out');
    const [job] = jobsOf(suite);
    writeRecord(out, await runJob(job, { backend: await useBackend('wasm') }));
    writeFileSync(path.join(out, 'runs', 'stale'), '');
    const before = readFileSync(recordPath(out, job.id), 'utf8');
    const result = await startClbench(['run', 'suite.json', '--out', out, '--backend', 'wasm', '--workers', '1', '--fresh'], { cwd: dir }).done;
    expect(result.status, result.stderr).to.equal(2);
    expect(result.stderr).to.contain(`${path.join(out, 'runs', 'stale')} is a file where a folder is needed`).and.not.match(STACK_LINE);
    expect(readFileSync(recordPath(out, job.id), 'utf8'), 'the record stays where it was').to.equal(before);
  });

  it('a read-only mount (EROFS) is reported as read-only', async function () {
    const mount = path.join(dir, 'ro');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      this.skip(); // not root, or no mount namespace: core/storage's unit spec covers EROFS by its code
    }
    try {
      const result = await startClbench(['run', 'suite.json', '--out', path.join(mount, 'out'), '--backend', 'wasm'], { cwd: dir }).done;
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.contain('(EROFS): the file system is mounted read-only').and.not.match(/disk space/);
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  });
});
