/**
 * Fuzzing suite files: seeded mutations of a valid suite (fields deleted, types changed, random values,
 * unknown and duplicate keys, truncated or garbled text) must end in a clean UserError — one message,
 * the file and field, no stack trace — or in a valid suite. In process through parse, validate, expand
 * and scenario building, for speed; a handful also through the real command (exit 2, the same message).
 * Labels and seeds get mutations of their own (control characters, lengths, path characters; repeats,
 * signs, sizes), and plugin behaviour too: a suite of plugins that each misbehave in a seeded way (throw,
 * exit, NaN, wrong logits, errors from timers) must end with every run recorded and the leaderboard written.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { scenarioFor } from '../../suite/jobInputs.js';
import { expandSuite, parseSuite } from '../../suite/suite.js';
import { startClbench, STACK_LINE, validRecords } from '../helpers/robustness.js';
import { existsSync } from 'node:fs';

const MUTATIONS = 600;

const VALID = {
  name: 'fuzz',
  description: 'a valid suite the fuzzer starts from',
  scenarios: [
    { name: 'split', dataset: 'synthetic:classes=6,features=8,trainPerClass=12,testPerClass=6', kind: 'split', tasks: 3, setting: 'class', classOrder: [5, 4, 3, 2, 1, 0] },
    { name: 'permuted', dataset: 'synthetic:classes=4,features=8,trainPerClass=12,testPerClass=6', kind: 'permuted', tasks: 3, setting: 'domain', trainPerTask: 20, testPerTask: 12 },
  ],
  model: { hidden: [8, 8], dense: 'fast' },
  training: { epochs: 1, batchSize: 16, optimizer: 'adam', lr: 0.01, momentum: 0.9, resetOptimizer: false },
  evaluation: { batchSize: 100, criterion: 0.9 },
  learners: [
    { name: 'naive' },
    { name: 'ewc', label: 'EWC', options: { lambda: 10, fisher: 'sampled', fisherSamples: 10, halfFactor: true }, scenarios: ['split'], training: { lr: 0.02 }, published: { split: { mean: 0.5, std: 0.1, source: 'x' } } },
    { name: 'joint' },
  ],
  seeds: [0, 1],
};

/** Values of every JSON type, the awkward ones included. */
const VALUES: unknown[] = [
  null, true, false, 0, -1, 1, 2.5, 1e9, -1e308, 2 ** 53, Number.MIN_VALUE, '', ' ', 'x', 'split', 'naive', 'synthetic', 'adam', 'task',
  'synthetic:classes=2', '💥', '\u0000', 'a'.repeat(300), [], [0], [1, 2], ['split'], [[]], {}, { a: 1 }, { mean: 2 }, { name: 'naive' },
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every position in the document: [path, value]. */
function positions(doc: Json, at: Path = []): [Path, Json][] {
  const children: [Path, Json][] =
    Array.isArray(doc) ? doc.flatMap((v, i) => positions(v, [...at, i])) : doc && typeof doc === 'object' ? Object.entries(doc).flatMap(([k, v]) => positions(v, [...at, k])) : [];
  return [[at, doc], ...children];
}

function parentOf(doc: Json, at: Path): Json {
  return at.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], doc);
}

/** One random mutation of `text` (a valid JSON text or an already mutated one); returns the new text and what was done. */
function mutate(text: string, rng: Rng): [string, string] {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    doc = null;
  }
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  const value = () => structuredClone(pick(VALUES)) as Json;
  const inner = doc === null ? [] : positions(doc).filter(([p]) => p.length > 0);
  const kind = inner.length ? rng.int(8) : 6 + rng.int(2);
  if (kind <= 4) {
    const [at] = pick(inner);
    const parent = parentOf(doc!, at) as Record<string | number, Json> & Json[];
    const key = at[at.length - 1];
    const where = at.join('.');
    switch (kind) {
      case 0:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        return [JSON.stringify(doc), `delete ${where}`];
      case 1:
      case 2: {
        const v = value();
        parent[key] = v;
        return [JSON.stringify(doc), `set ${where} = ${JSON.stringify(v)}`];
      }
      case 3: {
        parent[key] = [parent[key]] as Json;
        return [JSON.stringify(doc), `wrap ${where} in an array`];
      }
      case 4: {
        // a duplicate key: JSON.parse keeps the last of the two
        const objects = positions(doc!).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length);
        const [objectAt, object] = pick(objects);
        const dupKey = pick(Object.keys(object as object));
        const dup = value();
        const inside = JSON.stringify(object).slice(1);
        const mutated = JSON.stringify(doc).replace(JSON.stringify(object), `{${JSON.stringify(dupKey)}:${JSON.stringify(dup)},${inside}`);
        return [mutated, `duplicate key ${[...objectAt, dupKey].join('.')} (first ${JSON.stringify(dup)})`];
      }
    }
  }
  if (kind === 5) {
    const objects = positions(doc!).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
    const [at, object] = pick(objects);
    const key = pick(['extra', 'lamda', 'scenario', 'seeds', '__proto__', 'constructor']);
    const v = value();
    (object as Record<string, Json>)[key] = v;
    return [JSON.stringify(doc), `add ${[...at, key].join('.')} = ${JSON.stringify(v)}`];
  }
  if (kind === 6) {
    const cut = rng.int(text.length + 1);
    return [text.slice(0, cut), `truncate at ${cut}`];
  }
  const at = rng.int(Math.max(text.length, 1));
  const char = pick(['{', '}', '[', ']', '"', ',', ':', '\\', 'x', '0', ' ', '\n']);
  return [text.slice(0, at) + char + text.slice(at + 1), `replace character ${at} by ${JSON.stringify(char)}`];
}

/** Parse, validate, expand, and build the scenarios of small synthetic datasets; the UserError or null. */
function check(text: string, file: string): UserError | null {
  try {
    const jobs = expandSuite(parseSuite(text, file), file);
    const built = new Set<string>();
    for (const job of jobs) {
      const key = JSON.stringify(job.scenario) + job.seed;
      // Building loads data: only the small synthetic sets, and not with sizes a mutation made huge.
      if (built.has(key) || !job.scenario.dataset.startsWith('synthetic') || JSON.stringify(job.scenario).match(/\d{4,}/)) continue;
      built.add(key);
      scenarioFor(job);
    }
    return null;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

describe('fuzzing suite files', function () {
  this.timeout(300000);
  const rejected: { text: string; how: string[]; error: UserError }[] = [];

  it(`${MUTATIONS} seeded mutations of a valid suite end in a clean error or a valid suite`, () => {
    const rng = new Rng(20240601, 'suite-fuzz');
    const valid = JSON.stringify(VALID, null, 2);
    expect(check(valid, 'fuzz.json'), 'the starting suite is valid').to.equal(null);
    let accepted = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const how: string[] = [];
      let text = valid;
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const [next, what] = mutate(text, rng);
        text = next;
        how.push(what);
      }
      let error: UserError | null;
      try {
        error = check(text, 'fuzz.json');
      } catch (thrown) {
        expect.fail(`mutation ${i} (${how.join('; ')}) threw ${(thrown as Error)?.stack ?? thrown}\nsuite: ${text}`);
      }
      if (!error) {
        accepted++;
        continue;
      }
      const shown = error.describe();
      expect(error.message.length, `mutation ${i}: ${how.join('; ')}`).to.be.greaterThan(0);
      expect(shown, `mutation ${i}: ${how.join('; ')}`).to.not.match(STACK_LINE);
      expect(error.where ?? '', `mutation ${i}: the message says where`).to.not.equal('');
      rejected.push({ text, how, error });
    }
    // Both outcomes are common, or the mutations would not be testing much.
    expect(rejected.length, 'mutations rejected').to.be.greaterThan(MUTATIONS / 2);
    expect(accepted, 'mutations still valid').to.be.greaterThan(20);
  });

  it('a handful of the rejected mutations through the real command: exit 2 and the same message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-fuzz-'));
    const picked = rejected.filter((_, i) => i % Math.floor(rejected.length / 5) === 0).slice(0, 5);
    expect(picked).to.have.length(5);
    await Promise.all(
      picked.map(async ({ text, how }, i) => {
        const file = path.join(dir, `fuzz-${i}.json`);
        writeFileSync(file, text);
        const expected = check(text, file)!;
        const result = await startClbench(['run', file, '--out', path.join(dir, `out-${i}`), '--backend', 'wasm', '--workers', '1']).done;
        expect(result.status, `${how.join('; ')}\n${result.stderr}`).to.equal(2);
        expect(result.stderr).to.contain(`clbench: ${expected.describe()}`).and.to.not.match(STACK_LINE);
      }),
    );
  });

  // Labels that sanitise alike (a/b and a_b) still give distinct run ids: the id carries a hash of the exact
  // suite, scenario, label and seed (issue 16); and every id names a file safely and fits a file name.
  it('300 seeded mutations of labels and seeds end in a clean error or runs with distinct, file-safe ids', () => {
    const rng = new Rng(20250101, 'label-seed-fuzz');
    const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
    const piece = () =>
      pick(['naive', 'EWC', ' ', '', '/', '\\', '..', '.', ':', '*', '?', '"', '<', '|', '\u0000', '\u001b[31m', '\u001b]0;t\u0007', '\r', '\n', '\t', '\u202e', '\u009b', '💥', 'é', 'ß', 'a'.repeat(60), 'a/b', 'a_b', 'x'.repeat(101)]);
    const label = () => Array.from({ length: 1 + rng.int(4) }, piece).join('');
    const seed = () => pick([0, 1, 2, -1, 7, 2 ** 31, 2 ** 32, -(2 ** 31), 2 ** 53 - 1, 1.5, 1e20, 0, 1]);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const suite = structuredClone(VALID) as unknown as { learners: { label?: string }[]; seeds: unknown[] };
      const how: string[] = [];
      if (rng.int(2) === 0) {
        for (const entry of suite.learners) if (rng.int(2) === 0) entry.label = label();
        how.push(`labels ${JSON.stringify(suite.learners.map((l) => l.label))}`);
      }
      if (rng.int(2) === 0) {
        suite.seeds = Array.from({ length: rng.int(4) }, seed);
        how.push(`seeds ${JSON.stringify(suite.seeds)}`);
      }
      const text = JSON.stringify(suite);
      let error: UserError | null;
      try {
        error = check(text, 'fuzz.json');
      } catch (thrown) {
        expect.fail(`mutation ${i} (${how.join('; ')}) threw ${(thrown as Error)?.stack ?? thrown}`);
      }
      if (error) {
        rejected++;
        expect(error.where ?? '', `mutation ${i}: ${how.join('; ')}: the message says where`).to.not.equal('');
        expect(error.describe()).to.not.match(STACK_LINE);
        continue;
      }
      accepted++;
      const jobs = expandSuite(parseSuite(text, 'fuzz.json'), 'fuzz.json');
      expect(new Set(jobs.map((j) => j.id)).size, `mutation ${i}: ${how.join('; ')}: one id a run`).to.equal(jobs.length);
      for (const id of jobs.map((j) => j.id)) {
        expect(Buffer.byteLength(`${id}.json`), `mutation ${i}: ${id} fits a file name`).to.be.at.most(255);
        expect(id, `mutation ${i}: file-safe`).to.not.match(/[/\\\u0000-\u001f]|^\.\.?$/);
      }
    }
    expect(accepted, 'mutations still valid').to.be.greaterThan(20);
    expect(rejected, 'mutations rejected').to.be.greaterThan(20);
  });

  it('seeded plugin misbehaviour: every run recorded with the right status, the leaderboard written, exit 1', async function () {
    this.timeout(180000);
    const rng = new Rng(20250102, 'plugin-fuzz');
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-fuzz-plugins-'));
    const chosen = Array.from({ length: 5 }, () => BEHAVIOURS[rng.int(BEHAVIOURS.length)]);
    const learners = chosen.map((b, i) => ({ name: `fuzz-${i}-${b.name}` }));
    chosen.forEach((b, i) => writeFileSync(path.join(dir, `plugin-${i}.mjs`), pluginSource(`fuzz-${i}-${b.name}`, b)));
    const suite = {
      name: 'plugin-fuzz',
      scenario: { dataset: 'synthetic:classes=6,features=16,trainPerClass=20,testPerClass=10,spread=25', kind: 'split', tasks: 3, setting: 'task' },
      model: { hidden: [8] },
      training: { epochs: 1, batchSize: 32, optimizer: 'adam', lr: 0.01 },
      learners: [...learners, { name: 'naive' }],
      seeds: [0],
      plugins: chosen.map((_, i) => `./plugin-${i}.mjs`),
    };
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
    const result = await startClbench(['run', 'suite.json', '--out', 'out', '--backend', 'wasm', '--workers', '2'], { cwd: dir }).done;
    const shown = `behaviours ${chosen.map((b) => b.name).join(', ')}; exit ${result.status}\n${result.stderr}`;
    const bad = chosen.filter((b) => b.status !== 'completed').length;
    expect(result.status, shown).to.equal(bad ? 1 : 0);
    expect(result.stderr + result.stdout, shown).to.not.match(STACK_LINE);
    expect(existsSync(path.join(dir, 'out', 'leaderboard.csv')), 'the leaderboard').to.equal(true);
    const records = [...validRecords(path.join(dir, 'out')).values()];
    expect(records, shown).to.have.length(chosen.length + 1);
    for (const [i, b] of chosen.entries()) {
      const record = records.find((r) => r.learner.name === `fuzz-${i}-${b.name}`)!;
      expect(record.status, `${b.name}: ${record.error}`).to.equal(b.status);
    }
    expect(records.find((r) => r.learner.name === 'naive')!.status).to.equal('completed');
  });
});

/** How a fuzzed plugin learner misbehaves, and the status its run must end with. */
interface Behaviour {
  name: string;
  status: 'completed' | 'failed' | 'diverged';
  create?: string;
  train?: string;
  predict?: string;
  dispose?: string;
}

const BEHAVIOURS: Behaviour[] = [
  { name: 'ok', status: 'completed' },
  { name: 'no-epochs', status: 'failed', train: 'async train() {}' },
  { name: 'throw-create', status: 'failed', create: "throw new Error('create failed');" },
  { name: 'throw-train', status: 'failed', train: "async train() { throw new Error('train failed'); }" },
  { name: 'throw-predict', status: 'failed', predict: "predict() { throw new Error('predict failed'); }" },
  { name: 'throw-dispose', status: 'failed', dispose: "dispose() { model.dispose(); throw new Error('dispose failed'); }" },
  { name: 'nan-logits', status: 'failed', predict: 'predict(x) { return model.forward(x, false).mul(NaN); }' },
  { name: 'inf-logits', status: 'failed', predict: 'predict(x) { return model.forward(x, false).div(0); }' },
  { name: 'int-logits', status: 'failed', predict: "predict(x) { return model.forward(x, false).cast('int32'); }" },
  { name: 'wrong-shape', status: 'failed', predict: 'predict(x) { return model.forward(x, false).slice([0, 0], [1, -1]); }' },
  { name: 'predict-undefined', status: 'failed', predict: 'predict() { return undefined; }' },
  { name: 'nan-loss', status: 'diverged', train: 'async train(phase, hooks) { hooks.step?.({ epoch: 0, step: 0, steps: 1, loss: NaN }); }' },
  { name: 'exit-in-train', status: 'failed', train: 'async train() { process.exit(0); }' },
  { name: 'exit-from-timer', status: 'failed', train: 'train() { return new Promise(() => setTimeout(() => process.exit(1), 5)); }' },
  { name: 'throw-from-timer', status: 'failed', train: "train() { return new Promise(() => setTimeout(() => { throw new Error('timer'); }, 5)); }" },
  { name: 'unawaited-rejection', status: 'failed', train: "async train() { Promise.reject(new Error('nobody awaits me')); await new Promise((r) => setTimeout(r, 100)); }" },
];

function pluginSource(name: string, b: Behaviour): string {
  return `export default {
  name: ${JSON.stringify(name)},
  description: 'fuzzed plugin',
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(options, ctx) {
    ${b.create ?? ''}
    const model = ctx.createModel();
    return {
      ${b.train ?? 'async train(phase, hooks) { for (let epoch = 0; epoch < ctx.training.epochs; epoch++) await hooks.epochEnd?.({ epoch, loss: 0.5, examples: 1 }); }'},
      ${b.predict ?? 'predict(x) { return model.forward(x, false); }'},
      ${b.dispose ?? 'dispose() { model.dispose(); }'},
    };
  },
};
`;
}
