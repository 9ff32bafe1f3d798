import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { claimRun, currentOwner, locksDir, ownerState, releaseClaim, thisProcess, type Claim, type Owner } from '../../store/claim.js';

const RUN = 'split-x__ewc(lambda=0.5)__seed0';

function claimed(result: ReturnType<typeof claimRun>): Claim {
  if (!('claim' in result)) expect.fail(`expected a claim, the run is held by pid ${result.heldBy.pid}`);
  return result.claim;
}

/** A pid that belonged to a process of this host that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

/** Field 22 of /proc/<pid>/stat, as the lock file holds it. */
function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function writeLock(dir: string, generation: number, owner: Partial<Owner>): void {
  const full: Owner = { ...thisProcess(), token: 'someone-else', since: '2024-01-01T00:00:00.000Z', ...owner };
  mkdirSync(locksDir(dir), { recursive: true });
  writeFileSync(path.join(locksDir(dir), `${RUN}.${generation}.lock`), JSON.stringify(full));
}

describe('run claims (lock files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-claim-'));
  });

  it('one claim at a time; released, the run can be claimed again', () => {
    const first = claimed(claimRun(dir, RUN));
    const second = claimRun(dir, RUN);
    expect(second).to.have.property('heldBy').that.deep.includes({ pid: process.pid });
    expect(currentOwner(dir, RUN)).to.include({ pid: process.pid });
    releaseClaim(first);
    expect(currentOwner(dir, RUN)).to.equal(null);
    expect(readdirSync(locksDir(dir))).to.deep.equal([]);
    releaseClaim(claimed(claimRun(dir, RUN)));
  });

  it('claims of different runs are independent, also when one run id is a prefix of another', () => {
    const a = claimed(claimRun(dir, RUN));
    const b = claimed(claimRun(dir, `${RUN}.1`));
    releaseClaim(a);
    expect(currentOwner(dir, RUN)).to.equal(null);
    expect(currentOwner(dir, `${RUN}.1`)).to.include({ token: b.token });
    releaseClaim(b);
  });

  it('takes over the lock of a dead process of this host with the next generation', () => {
    writeLock(dir, 0, { pid: deadPid() });
    expect(currentOwner(dir, RUN)).to.equal(null);
    const claim = claimed(claimRun(dir, RUN));
    expect(path.basename(claim.file)).to.equal(`${RUN}.1.lock`);
    expect(readdirSync(locksDir(dir)).filter((n) => n.startsWith(RUN))).to.deep.equal([`${RUN}.1.lock`]);
    releaseClaim(claim);
  });

  it('tells a reused pid from its first owner by the process start time', () => {
    const me = thisProcess();
    expect(ownerState({ ...me, token: 't', since: '' })).to.equal('alive');
    if (me.processStart !== null) expect(ownerState({ ...me, processStart: '1', token: 't', since: '' })).to.equal('dead');
  });

  it('a lock whose pid is impossible is stale: -1, 0, fractions, past the largest pid', () => {
    for (const pid of [-1, 0, 1.5, 2 ** 31]) {
      writeLock(dir, 0, { pid });
      expect(ownerState({ ...thisProcess(), pid, token: 't', since: '' }), `pid ${pid}`).to.equal('dead');
      expect(currentOwner(dir, RUN), `pid ${pid}`).to.equal(null);
    }
  });

  it('a live process that is not clbench, or a lock without the start time this host has, is stale', function () {
    if (process.platform !== 'linux') this.skip();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid!;
      expect(ownerState({ ...thisProcess(), pid, processStart: startOf(pid), token: 't', since: '' }), 'sleep is not clbench').to.equal('dead');
      expect(ownerState({ ...thisProcess(), pid: process.pid, processStart: null, token: 't', since: '' }), 'no start time').to.equal('dead');
    } finally {
      sleeper.kill();
    }
  });

  it('a lock of this host name from before a restart (another boot id, or none) is stale', function () {
    const me = thisProcess();
    if (me.bootId === null) this.skip();
    expect(ownerState({ ...me, bootId: 'another-boot', token: 't', since: '' })).to.equal('dead');
    expect(ownerState({ ...me, bootId: null, token: 't', since: '' })).to.equal('dead');
  });

  it('a lock file cannot claim to be the stand-in of an unwritten one', () => {
    writeLock(dir, 0, { pid: 0, unwritten: true });
    expect(currentOwner(dir, RUN)).to.equal(null);
  });

  it('never breaks the lock of another host: its owner cannot be checked from here', () => {
    writeLock(dir, 0, { pid: deadPid(), host: 'another-host' });
    const result = claimRun(dir, RUN);
    expect(result).to.have.property('heldBy').that.includes({ host: 'another-host' });
    expect(ownerState((result as { heldBy: Owner }).heldBy)).to.equal('unknown');
  });

  it('waits for a lock still being written, and breaks one left empty by a crash', () => {
    mkdirSync(locksDir(dir), { recursive: true });
    const file = path.join(locksDir(dir), `${RUN}.0.lock`);
    writeFileSync(file, '');
    expect(claimRun(dir, RUN)).to.have.property('heldBy');
    expect(currentOwner(dir, RUN)).to.include({ pid: 0 });
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    // abandoned: nobody holds the run (a process waiting on it must see it released, or it waits forever)
    expect(currentOwner(dir, RUN)).to.equal(null);
    releaseClaim(claimed(claimRun(dir, RUN)));
  });

  it('does not release a lock that is no longer its own', () => {
    const claim = claimed(claimRun(dir, RUN));
    writeLock(dir, 0, { token: 'someone-else' });
    releaseClaim(claim);
    expect(currentOwner(dir, RUN)).to.include({ token: 'someone-else' });
  });
});
