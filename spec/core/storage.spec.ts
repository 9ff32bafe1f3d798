/**
 * Why a write failed, in words (core/storage.ts): each errno gets its own reason and fix, so a read-only
 * mount or a file standing where a folder should be is not reported as a full disk.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StorageError } from '../../core/errors.js';
import { makeFolder, storageError } from '../../core/storage.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('storage errors', () => {
  it('EROFS: the file system is read-only, not a full disk', () => {
    const error = storageError('cannot write', errno('EROFS'), 'out/runs/x.json');
    expect(error).to.be.instanceOf(StorageError);
    expect(error.message).to.equal('cannot write (EROFS): the file system is mounted read-only');
    expect(error.fix).to.match(/writable file system/).and.not.match(/disk space/);
  });

  it('ENOSPC, EACCES and ENAMETOOLONG each get their own reason', () => {
    expect(storageError('cannot write', errno('ENOSPC'), 'f').message).to.match(/full/);
    expect(storageError('cannot write', errno('EACCES'), 'f').message).to.match(/permission denied/);
    expect(storageError('cannot write', errno('ENAMETOOLONG'), 'f').fix).to.match(/labels/);
  });

  it('ENOTDIR names the file that stands where a folder is needed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-storage-'));
    writeFileSync(path.join(dir, 'stale'), '');
    const error = storageError('cannot move a stale record aside', errno('ENOTDIR'), path.join(dir, 'stale', 'x.json'));
    // the blocker is named relative to the current folder when below it, else in full: either way it is that file
    const named = /\(ENOTDIR\): (.*) is a file where a folder is needed$/.exec(error.message)?.[1];
    expect(named, error.message).to.be.a('string');
    expect(path.resolve(named!)).to.equal(path.join(dir, 'stale'));
    expect(path.isAbsolute(named!) || !named!.startsWith('..'), `${named} reads without climbing`).to.equal(true);
  });

  it('makeFolder fails at once under /proc (Node\'s recursive mkdir spins there)', function () {
    if (process.platform !== 'linux') this.skip();
    const start = Date.now();
    expect(() => makeFolder('/proc/clbench-no-such/out/runs')).to.throw().with.property('code', 'ENOENT');
    expect(Date.now() - start).to.be.below(1000);
  });

  it('makeFolder makes every missing level, and a folder made meanwhile is fine', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-storage-'));
    makeFolder(path.join(dir, 'a', 'b', 'c'));
    makeFolder(path.join(dir, 'a', 'b', 'c'));
    writeFileSync(path.join(dir, 'file'), '');
    expect(() => makeFolder(path.join(dir, 'file', 'd'))).to.throw().with.property('code', 'ENOTDIR');
  });
});
