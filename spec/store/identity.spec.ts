/**
 * Run identity (issue 16): run ids that cannot collide, one key recomputed from a record's own settings,
 * records under older ids adopted instead of redone, a results folder that belongs to one suite, seeds
 * the generator tells apart, and plugin code in the key. Each case failed silently before.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';
import { createProgress } from '../../exec/progress.js';
import { runSuite, type SuiteRunResult } from '../../exec/runSuite.js';
import { loadPlugins } from '../../plugins/load.js';
import { recordKey } from '../../results/identity.js';
import type { RunRecord } from '../../results/record.js';
import { adoptRenamed } from '../../store/adopt.js';
import { SuiteLedger } from '../../store/ledger.js';
import { claimFolder, OWNER_FILE } from '../../store/owner.js';
import { readRecord, writeRecord } from '../../store/records.js';
import { judgeRecord } from '../../store/resume.js';
import { runKey } from '../../store/runKey.js';
import { legacyRunId } from '../../suite/runId.js';
import { expandSuite, parseSuite, readSuiteFile } from '../../suite/suite.js';
import { jobsOf, tinySuite } from '../helpers/suites.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCENARIO = { dataset: 'synthetic:classes=6,features=16,trainPerClass=20,testPerClass=10,spread=25', kind: 'split', tasks: 3, setting: 'task' };
const TRAINING = { epochs: 1, batchSize: 16, optimizer: 'adam', lr: 0.01 };
const small = (overrides: Record<string, unknown> = {}) => tinySuite({ scenario: SCENARIO, training: TRAINING, ...overrides });
const temp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `clbench-identity-${prefix}-`));

describe('run identity', function () {
  this.timeout(300000);
  let log: string[];
  beforeEach(() => {
    log = [];
  });
  const run = (suite: Record<string, unknown>, out: string): Promise<SuiteRunResult> =>
    runSuite(jobsOf(suite), { outDir: out, backend: 'wasm', progress: createProgress('quiet'), workers: 1, plugins: [], log: (line) => log.push(line) });
  const runFiles = (out: string) => readdirSync(path.join(out, 'runs')).filter((n) => n.endsWith('.json')).sort();

  describe('run ids', () => {
    it('differ for labels that make the same file name (a/b and a_b), and both runs keep their record', async () => {
      const suite = small({ learners: [{ name: 'naive', label: 'a/b' }, { name: 'naive', label: 'a_b' }] });
      const jobs = jobsOf(suite);
      // the old ids were the same file name: one record overwrote the other
      expect(legacyRunId(jobs[0].scenario.name, 'a/b', 0)).to.equal(legacyRunId(jobs[1].scenario.name, 'a_b', 0));
      expect(jobs[0].id).to.not.equal(jobs[1].id);
      const out = temp('ids');
      expect((await run(suite, out)).ran).to.equal(2);
      expect(runFiles(out)).to.have.length(2);
      expect((await run(suite, out)).ran, 'a rerun keeps both').to.equal(0);
      expect(readdirSync(path.join(out, 'runs')).includes('stale')).to.equal(false);
    });

    it('stay short for long labels, and keep a seed, and differ by suite', () => {
      const long = 'x'.repeat(100); // the longest label a suite may have (suite/limits.ts)
      const [job] = jobsOf(small({ learners: [{ name: 'naive', label: long }] }));
      expect(job.id.length).to.be.below(200);
      expect(job.id).to.match(/__seed0__[0-9a-f]{8}$/);
      expect(jobsOf(small({ name: 'other' }))[0].id).to.not.equal(jobsOf(small())[0].id);
    });

    it('`validate` refuses a suite whose runs would share one (a repeated seed), naming both places', () => {
      expect(() => jobsOf(small({ seeds: [0, 1, 0] }))).to.throw(UserError, /seed 0 is listed twice \(seeds\[0\] and seeds\[2\]/);
    });
  });

  describe('keys recomputed from the record', () => {
    it('a record whose key field does not match its own settings is stale, even when the field equals the suite key', async () => {
      const out = temp('key');
      await run(small(), out);
      const [job] = jobsOf(small());
      const key = runKey(job, 'wasm');
      const file = path.join(out, 'runs', `${job.id}.json`);
      const record = readRecord(file);
      expect(recordKey(record)).to.equal(record.key);
      expect(judgeRecord(out, job, key, 'wasm').kind).to.equal('keep');
      // another suite's record (other training) copied in with this run's key pasted over its own
      writeRecord(out, { ...record, training: { ...record.training, lr: 0.5 }, key });
      const verdict = judgeRecord(out, job, key, 'wasm');
      expect(verdict.kind).to.equal('stale');
      expect((verdict as { why: string }).why).to.match(/key does not match the record's own settings/);
    });

    it('change with the plugin code: the module file hash (and a package version) is in every plugin run key', async () => {
      const dir = temp('plugin');
      const file = path.join(dir, 'id16-plugin.mjs');
      const source = `import { BaseSgdLearner, defineLearner } from '${path.join(REPO, 'dist', 'index.js')}';\nexport default defineLearner({ name: 'test-id16-plugin', description: 'x', optionsSchema: { type: 'object' }, create: (o, ctx) => new BaseSgdLearner(ctx, o) });\n`;
      writeFileSync(file, source);
      await loadPlugins([file]);
      const [job] = jobsOf(small({ learners: [{ name: 'test-id16-plugin' }] }));
      expect(job.learner.plugin).to.deep.equal({ sha256: createHash('sha256').update(source).digest('hex') });
      // the same run with the code edited: another key, so the old record is stale
      const edited = { ...job, learner: { ...job.learner, plugin: { sha256: createHash('sha256').update(`${source}// edited\n`).digest('hex') } } };
      expect(runKey(edited, 'wasm')).to.not.equal(runKey(job, 'wasm'));
      const version = { ...job, learner: { ...job.learner, plugin: { ...job.learner.plugin!, package: 'p', version: '1.0.1' } } };
      expect(runKey(version, 'wasm')).to.not.equal(runKey(job, 'wasm'));
      // built-in learners carry no plugin field: their keys are what they were
      expect(jobsOf(small())[0].learner).to.not.have.property('plugin');
    });
  });

  it("change with the data of an idx: folder, not only with its name", () => {
    const folder = temp('idx');
    const idx = (magic: number, dims: number[], data: number[]) => {
      const header = Buffer.alloc(4 + 4 * dims.length);
      header.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([header, Buffer.from(data)]);
    };
    const write = (pixel: number) => {
      for (const split of ['train', 't10k']) {
        writeFileSync(path.join(folder, `${split}-images-idx3-ubyte`), idx(0x803, [4, 2, 2], [pixel, ...Array(15).fill(7)]));
        writeFileSync(path.join(folder, `${split}-labels-idx1-ubyte`), idx(0x801, [4], [0, 1, 0, 1]));
      }
    };
    write(1);
    const suite = small({ scenario: { dataset: `idx:${folder}`, kind: 'split', tasks: 1, setting: 'task' } });
    const [before] = jobsOf(suite);
    expect(before.scenario.dataSha256).to.match(/^[0-9a-f]{64}$/);
    write(2);
    const [after] = jobsOf(suite);
    expect(runKey(after, 'wasm')).to.not.equal(runKey(before, 'wasm'));
    expect(jobsOf(small())[0].scenario, 'built-in and synthetic data: no hash, keys as before').to.not.have.property('dataSha256');
  });

  describe('seeds', () => {
    const parse = (seeds: number[] | string) => parseSuite(`{"name":"s","scenario":${JSON.stringify(SCENARIO)},"learners":[{"name":"naive"}],"seeds":${typeof seeds === 'string' ? seeds : JSON.stringify(seeds)}}`, 's.json');
    it('are 0 … 2^32 − 1: 2^32, −2^32, −1 and 2^60 are refused with the reason, not run as another seed', () => {
      expect(parse([0, 4294967295]).seeds).to.deep.equal([0, 4294967295]);
      expect(() => parse([4294967296])).to.throw(UserError, /seed 4294967296 is outside 0 … 4294967295.*would run as seed 0/);
      expect(() => parse([-4294967296])).to.throw(UserError, /would run as seed 0/);
      expect(() => parse([-1])).to.throw(UserError, /would run as seed 4294967295/);
      expect(() => parse('[1152921504606846977]')).to.throw(UserError, /past 2\^53/);
    });
  });

  describe('a results folder belongs to one suite', () => {
    it('refuses another suite on it, naming --out; the same suite edited keeps its folder', async () => {
      const out = temp('owner');
      await run(small(), out);
      expect(JSON.parse(readFileSync(path.join(out, OWNER_FILE), 'utf8')).suite).to.equal('tiny');
      const before = runFiles(out);
      let error: unknown;
      try {
        await run(small({ name: 'other', learners: [{ name: 'naive' }, { name: 'ewc' }] }), out);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(UserError);
      expect((error as UserError).describe()).to.contain(`--out ${out}`).and.contain("suite 'other'").and.contain("suite 'tiny'");
      expect(runFiles(out), 'nothing moved or added').to.deep.equal(before);
      // the same suite with a changed learner: allowed, said, and only the changed run is redone
      const edited = await run(small({ learners: [{ name: 'naive' }, { name: 'ewc' }] }), out);
      expect(edited.ran).to.equal(1);
      expect(log.join('\n')).to.contain("suite 'tiny' changed since");
    });

    it('a folder without the file is refused when its records are of another suite', () => {
      const out = temp('owner-old');
      mkdirSync(path.join(out, 'runs'), { recursive: true });
      writeFileSync(path.join(out, 'runs', 'x.json'), JSON.stringify({ suite: 'first' }));
      expect(() => claimFolder(out, 'second', 'f')).to.throw(UserError, /holds records of suite 'first'/);
      expect(claimFolder(out, 'first', 'f')).to.equal(null);
    });
  });

  describe('records written under the ids of an older clbench', () => {
    it('are renamed to the new ids and kept, checkpoints too; nothing runs again', async () => {
      const suite = small({ learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }] });
      const out = temp('legacy');
      await run(suite, out);
      // make the folder what clbench wrote before run ids had a hash: old file names and runId fields, no suite file
      const jobs = jobsOf(suite);
      for (const job of jobs) {
        const old = legacyRunId(job.scenario.name, job.learner.label, job.seed);
        const record = readRecord(path.join(out, 'runs', `${job.id}.json`));
        writeFileSync(path.join(out, 'runs', `${old}.json`), `${JSON.stringify({ ...record, runId: old }, null, 1)}\n`);
        rmSync(path.join(out, 'runs', `${job.id}.json`));
      }
      rmSync(path.join(out, OWNER_FILE));
      const ran = await run(suite, out);
      expect(ran.ran).to.equal(0);
      expect(runFiles(out)).to.deep.equal(jobs.map((j) => `${j.id}.json`).sort());
      for (const job of jobs) expect(readRecord(path.join(out, 'runs', `${job.id}.json`)).runId).to.equal(job.id);
      expect(log.join('\n')).to.contain('2 record(s) and 0 checkpoint(s) under older run ids renamed');
    });

    it('a checkpoint under an old id goes to the run whose key it holds', () => {
      const out = temp('legacy-checkpoint');
      const jobs = jobsOf(small({ learners: [{ name: 'naive' }, { name: 'ewc' }] }));
      const old = legacyRunId(jobs[1].scenario.name, jobs[1].learner.label, 0);
      mkdirSync(path.join(out, 'checkpoints', old), { recursive: true });
      writeFileSync(path.join(out, 'checkpoints', old, 'manifest.json'), JSON.stringify({ key: runKey(jobs[1], 'wasm') }));
      mkdirSync(path.join(out, 'checkpoints', 'foreign'), { recursive: true });
      writeFileSync(path.join(out, 'checkpoints', 'foreign', 'manifest.json'), JSON.stringify({ key: '0'.repeat(32) }));
      expect(adoptRenamed(out, jobs, (j) => runKey(j, 'wasm'))).to.deep.equal({ records: 0, checkpoints: 1 });
      expect(existsSync(path.join(out, 'checkpoints', jobs[1].id, 'manifest.json'))).to.equal(true);
      expect(existsSync(path.join(out, 'checkpoints', 'foreign')), 'a checkpoint of no run of the suite stays').to.equal(true);
    });

    it('the published leaderboards written by the previous clbench are kept whole by this one (copies, nothing runs)', () => {
      // a leaderboard may hold part of its suite (a long suite published while its last runs go on): the rest is left to run
      const names = readdirSync(path.join(REPO, 'leaderboards')).filter((n) => existsSync(path.join(REPO, 'suites', `${n}.json`)));
      expect(names.length).to.be.at.least(10);
      for (const name of names) {
        const out = temp(`published-${name}`);
        cpSync(path.join(REPO, 'leaderboards', name, 'runs'), path.join(out, 'runs'), { recursive: true });
        const file = path.join(REPO, 'suites', `${name}.json`);
        const jobs = expandSuite(readSuiteFile(file), file);
        const records = readdirSync(path.join(out, 'runs')).map((n) => readRecord(path.join(out, 'runs', n)) as RunRecord);
        const backend = records[0].backend.name;
        const ledger = new SuiteLedger(jobs, { outDir: out, backend, fresh: false, log: () => {} });
        const todo = ledger.plan();
        expect(ledger.records.size, `${name}: records kept`).to.equal(records.length);
        expect(todo.length, `${name}: runs left are runs never published`).to.equal(jobs.length - records.length);
        rmSync(out, { recursive: true, force: true });
      }
    });
  });

  it('a shard folder copied next to its suite folder is not a second suite', async () => {
    const out = temp('copy');
    await run(small(), out);
    const copy = temp('copy2');
    cpSync(path.join(out, 'runs'), path.join(copy, 'runs'), { recursive: true });
    renameSync(path.join(copy, 'runs', runFiles(copy)[0]), path.join(copy, 'runs', 'moved.json'));
    expect(claimFolder(copy, 'tiny', 'f')).to.equal(null);
  });
});
