/** Writes that fail: a clear StorageError naming the file, nothing half-written, earlier records intact. */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StorageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { recordPath, writeRecord } from '../../store/records.js';
import { useBackend } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

function storageError(fn: () => unknown): StorageError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(StorageError);
    return error as StorageError;
  }
  expect.fail('expected a StorageError');
}

describe('results folder writes that fail', function () {
  this.timeout(120000);

  it('a record that cannot be written: a StorageError naming it, the earlier record intact, no temp file left', async () => {
    const [job] = jobsOf(tinySuite({ training: { epochs: 1, batchSize: 64 } }));
    const record = await runJob(job, { backend: await useBackend('wasm') });
    const out = mkdtempSync(path.join(tmpdir(), 'clbench-store-'));
    writeRecord(out, record);
    const earlier = readFileSync(recordPath(out, record.runId), 'utf8');
    // A non-empty folder where the next record goes: the final rename fails (as root too, unlike chmod).
    mkdirSync(path.join(recordPath(out, 'next'), 'inside'), { recursive: true });
    const error = storageError(() => writeRecord(out, { ...record, runId: 'next' }));
    expect(error.describe()).to.match(/next\.json: cannot write \((EISDIR|ENOTEMPTY|EEXIST)\): .+\n {2}fix: .*records already written are intact/);
    expect(readFileSync(recordPath(out, record.runId), 'utf8')).to.equal(earlier);
    expect(readdirSync(path.join(out, 'runs')).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('a file where a folder should be: a StorageError with the cause', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-store-'));
    writeFileSync(path.join(dir, 'runs'), 'not a folder');
    expect(storageError(() => writeFileAtomic(path.join(dir, 'runs', 'x.json'), '{}')).message).to.match(/^cannot write \((ENOTDIR|EEXIST)\): .*runs is a file where a folder is needed$/);
  });
});
