/**
 * No endless wait on a lock (store/claim.ts): through the real command, a lock clbench did not write is
 * stale and the suite completes; a lock of a live process that may be clbench is waited for, the wait
 * names the lock file, its process and how to remove it, and it ends when that process does.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { locksDir, thisProcess, type Owner } from '../../store/claim.js';
import { startClbench, STACK_LINE, validRecords } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const suite = tinySuite({ training: { epochs: 1, batchSize: 64 } });

function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe('locks never make a run wait without end', function () {
  this.timeout(60000);
  let dir = '';
  let lockName = '';

  before(function () {
    if (process.platform !== 'linux') this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-locks-'));
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
    lockName = `${jobsOf(suite)[0].id}.0.lock`;
  });

  const lockIn = (out: string, owner: Partial<Owner>) => {
    mkdirSync(locksDir(out), { recursive: true });
    const full = { ...thisProcess(), token: 'forged', since: '2024-01-01T00:00:00.000Z', ...owner };
    writeFileSync(path.join(locksDir(out), lockName), JSON.stringify(full));
  };

  for (const [what, owner] of [
    ['pid -1', { pid: -1 }],
    ['pid 0', { pid: 0 }],
    ['pid 1 (alive, not clbench) without a start time', { pid: 1, processStart: null }],
    ['this host without a boot id', { pid: 1, bootId: null, processStart: null }],
  ] as [string, Partial<Owner>][]) {
    it(`a lock of ${what} is stale: the run is taken over and the suite completes`, async () => {
      const out = path.join(dir, what.replace(/\W+/g, '-'));
      lockIn(out, owner);
      const result = await startClbench(['run', 'suite.json', '--out', out, '--backend', 'wasm', '--workers', '1'], { cwd: dir }).done;
      expect(result.status, result.stderr).to.equal(0);
      expect(validRecords(out).size).to.equal(1);
      expect(readdirSync(locksDir(out))).to.deep.equal([]);
    });
  }

  it('a live Node process that may be clbench is waited for: the wait names the lock and how to remove it, and ends with the process', async () => {
    const out = path.join(dir, 'waited');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 4000)'], { stdio: 'ignore' });
    try {
      lockIn(out, { pid: holder.pid!, processStart: startOf(holder.pid!), host: os.hostname() });
      const result = await startClbench(['run', 'suite.json', '--out', out, '--backend', 'wasm', '--workers', '1'], { cwd: dir }).done;
      expect(result.status, result.stderr).to.equal(0);
      const lock = path.join(out, 'locks', lockName);
      expect(result.stderr).to.contain(`pid ${holder.pid} on ${os.hostname()}`).and.contain(`lock: ${lock}`).and.contain(`rm ${lock}`).and.not.match(STACK_LINE);
      expect(validRecords(out).size, 'run after the holder ended').to.equal(1);
    } finally {
      holder.kill();
    }
  });
});
