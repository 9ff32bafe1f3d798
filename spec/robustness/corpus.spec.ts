/**
 * The bad-input corpus (spec/corpus/, see its README): every case through the real command, each must
 * exit with its code (never 0), print its message, print no stack trace, and lose no record.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRecord } from '../../store/records.js';
import { useBackend } from '../../backends/backend.js';
import { runJob } from '../../run/runJob.js';
import { startClbench, STACK_LINE, validRecords, type Finished } from '../helpers/robustness.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../spec/corpus');
const SENTINEL = 'corpus-sentinel';
/** Cases run two at a time: each is mostly process start-up. */
const PARALLEL = 2;

const cases = readdirSync(CORPUS)
  .filter((name) => existsSync(path.join(CORPUS, name, 'args')))
  .sort();

/** The non-empty lines of a file. */
function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

interface Outcome {
  dir: string;
  result: Finished;
}

describe('bad-input corpus', function () {
  this.timeout(300000);
  const outcomes = new Map<string, Outcome>();
  let sentinel = '';

  before(async function () {
    // A real record, written before each case runs: no case may touch it. It belongs to the cases' suite
    // ('corpus'): a record of another suite would make clbench refuse the folder (store/owner.ts) before
    // reaching the input each case is about.
    const [job] = jobsOf(tinySuite({ name: 'corpus', training: { epochs: 1, batchSize: 64 } }));
    const record = await runJob(job, { backend: await useBackend('wasm') });
    const scratch = mkdtempSync(path.join(tmpdir(), 'clbench-corpus-'));
    writeRecord(scratch, { ...record, runId: SENTINEL });
    sentinel = readFileSync(path.join(scratch, 'runs', `${SENTINEL}.json`), 'utf8');

    const queue = [...cases];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const dir = path.join(scratch, name);
        cpSync(path.join(CORPUS, name), dir, { recursive: true });
        mkdirSync(path.join(dir, 'out', 'runs'), { recursive: true });
        writeFileSync(path.join(dir, 'out', 'runs', `${SENTINEL}.json`), sentinel);
        const args = readFileSync(path.join(dir, 'args'), 'utf8').trim().split(/\s+/);
        const env = existsSync(path.join(dir, 'env')) ? Object.fromEntries(lines(path.join(dir, 'env')).map((l) => l.split(/=(.*)/s).slice(0, 2))) : {};
        outcomes.set(name, { dir, result: await startClbench(args, { cwd: dir, env: { CLBENCH_CRASH_AFTER_PHASE: '', ...env } }).done });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  });

  it('has the cases the issue lists', () => {
    for (const name of ['invalid-json', 'missing-learners', 'wrong-type-seeds', 'unknown-learner', 'unknown-dataset', 'option-below-minimum', 'idx-truncated', 'idx-wrong-magic', 'idx-gz-not-gzip', 'plugin-throws-at-load', 'plugin-throws-in-train', 'plugin-throws-in-predict', 'plugin-wrong-shape', 'nan-loss'])
      expect(cases, name).to.include(name);
  });

  for (const name of cases) {
    it(name, () => {
      const { dir, result } = outcomes.get(name)!;
      const exitFile = path.join(CORPUS, name, 'exit');
      const expectedExit = existsSync(exitFile) ? Number(readFileSync(exitFile, 'utf8')) : 2;
      const shown = `exit ${result.status}, stderr:\n${result.stderr}`;
      expect(result.status, shown).to.equal(expectedExit).and.not.equal(0);
      for (const pattern of lines(path.join(CORPUS, name, 'expected.txt'))) expect(result.stderr, shown).to.match(new RegExp(pattern));
      const stdoutFile = path.join(CORPUS, name, 'stdout.txt');
      if (existsSync(stdoutFile)) for (const pattern of lines(stdoutFile)) expect(result.stdout, `stdout:\n${result.stdout}`).to.match(new RegExp(pattern, 'm'));
      expect(result.stderr, 'a stack trace').to.not.match(STACK_LINE);
      expect(result.stdout, 'a stack trace').to.not.match(STACK_LINE);
      expect(readFileSync(path.join(dir, 'out', 'runs', `${SENTINEL}.json`), 'utf8'), 'the record written before').to.equal(sentinel);
      // every record in the folder (the sentinel, and any the case wrote) parses and validates
      expect(validRecords(path.join(dir, 'out')).has(SENTINEL)).to.equal(true);
    });
  }
});
