import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { leaderboardColumns } from '../../results/csv.js';
import { clbench } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';
import { tinySuite } from '../helpers/suites.js';
import { nativeAddon } from '../../core/nativeAddon.js';

describe('clbench command', function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-cli-'));
  });

  function writeSuite(name: string, suite: Record<string, unknown>): string {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(suite, null, 2));
    return file;
  }

  it("pretrain refuses --out '' and a folder (--out /tmp wrote /tmp.json and /tmp.bin)", () => {
    for (const out of ['', tmpdir(), `${dir}/`]) {
      const result = clbench(['pretrain', '--dataset', 'mnist', '--out', out]);
      expect(result.status, `--out '${out}': ${result.stderr}`).to.equal(2);
      expect(result.stderr).to.match(out === '' ? /--out: is empty/ : /--out: '.*' is a folder, not a file name/);
    }
  });

  it('runs a suite: one record per run, a leaderboard CSV and a table', () => {
    const file = writeSuite('suite.json', tinySuite({ learners: [{ name: 'naive' }, { name: 'ewc', options: { lambda: 10 } }, { name: 'joint' }], seeds: [0, 1] }));
    const out = path.join(dir, 'out');
    const result = clbench(['run', file, '--out', out]);
    expect(result.status, result.stderr).to.equal(0);
    // run ids: scenario and label (each cut to 60 characters), seed, and a hash of the exact names (suite/runId.ts)
    expect(readdirSync(path.join(out, 'runs')).map((n) => n.replace(/__[0-9a-f]{8}\.json$/, '')).sort()).to.deep.equal([
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__ewc(lambda=10)__seed0',
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__ewc(lambda=10)__seed1',
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__joint__seed0',
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__joint__seed1',
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__naive__seed0',
      'split-synthetic_classes=6_features=16_trainPerClass=60_testP__naive__seed1',
    ]);
    const csv = readFileSync(path.join(out, 'leaderboard.csv'), 'utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).to.deep.equal(leaderboardColumns());
    expect(rows.map((r) => r.learner)).to.deep.equal(['naive', 'ewc(lambda=10)', 'joint']);
    // `auto` takes the native backend where it is built, WASM elsewhere
    const expectedBackend = nativeAddon() ? 'native' : 'wasm';
    expect(rows.every((r) => r.seeds === '2' && r.backend === expectedBackend)).to.equal(true);
    // intransigence needs the joint run: present for naive and ewc, zero for joint itself
    expect(Number(rows[2].intransigence_mean)).to.equal(0);
    expect(rows[0].intransigence_mean).to.not.equal('');
    expect(result.stdout).to.contain('ewc(lambda=10)').and.to.contain('leaderboard:');
    // plain progress lines when stderr is not a terminal
    expect(result.stderr).to.contain('[1/6]').and.to.contain('epoch 2/2');

    // the leaderboard rebuilt from the records is the same file
    const rebuilt = path.join(dir, 'rebuilt.csv');
    const again = clbench(['leaderboard', out, '--csv', rebuilt]);
    expect(again.status, again.stderr).to.equal(0);
    expect(readFileSync(rebuilt, 'utf8')).to.equal(csv);
  });

  it('answers bad input with one clear message, exit code 2 and no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['run', writeSuite('bad-learner.json', tinySuite({ learners: [{ name: 'ewk' }] }))], /learners\[0\]\.name: unknown learner 'ewk'[\s\S]*fix: use one of: naive, joint, ewc/],
      [['run', writeSuite('bad-dataset.json', tinySuite({ scenario: { dataset: 'cifar', kind: 'split', setting: 'task' } }))], /unknown dataset 'cifar'[\s\S]*mnist-full/],
      [['run', writeSuite('bad-option.json', tinySuite({ learners: [{ name: 'ewc', options: { lamda: 3 } }] }))], /learners\[0\]\.options: unknown field 'lamda'/],
      [['validate', path.join(dir, 'missing.json')], /missing\.json: cannot read suite file \(ENOENT\)/],
      [['run', writeSuite('bad-idx.json', tinySuite({ scenario: { dataset: 'idx:./no-such-folder', kind: 'split', setting: 'task' } }))], /no-such-folder/],
      [['run', '--backend', 'tensorflow', writeSuite('ok.json', tinySuite())], /backend 'tensorflow' cannot be loaded[\s\S]*tfjs-node-gpu/],
    ];
    for (const [args, message] of cases) {
      const result = clbench(args);
      expect(result.status, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
      expect(result.stderr, args.join(' ')).to.not.match(/\n\s+at /);
    }
  });

  it('records a diverging run, keeps going, and exits 1', () => {
    const file = writeSuite('diverge.json', tinySuite({ training: { epochs: 1, batchSize: 16, optimizer: 'sgd', lr: 1e30 }, learners: [{ name: 'naive' }, { name: 'joint' }] }));
    const out = path.join(dir, 'diverge');
    const result = clbench(['run', file, '--out', out]);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain('did not complete');
    const rows = parse(readFileSync(path.join(out, 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.learner, r.diverged])).to.deep.equal([
      ['naive', '1'],
      ['joint', '1'],
    ]);
  });

  it('validates and lists', () => {
    const ok = clbench(['validate', writeSuite('valid.json', tinySuite({ seeds: [0, 1, 2] }))]);
    expect(ok.status).to.equal(0);
    expect(ok.stdout).to.contain('valid — 3 runs (1 scenario × 1 learner × 3 seeds)');
    // the quick suite: its EWC entries are limited to one scenario each, so each scenario has 3 learners
    const quick = clbench(['validate', path.join(REPO_ROOT, 'suites', 'quick.json')]);
    expect(quick.stdout, quick.stderr).to.contain('valid — 6 runs (2 scenarios × 3 learners × 1 seed)');
    const uneven = clbench([
      'validate',
      writeSuite('uneven.json', tinySuite({ scenario: undefined, scenarios: [{ dataset: 'synthetic', kind: 'split', tasks: 2, setting: 'task', name: 'a' }, { dataset: 'synthetic', kind: 'split', tasks: 2, setting: 'class', name: 'b' }], learners: [{ name: 'naive' }, { name: 'joint', scenarios: ['b'] }], seeds: [0, 1] })),
    ]);
    expect(uneven.stdout, uneven.stderr).to.contain('valid — 6 runs (2 scenarios × 1 and 2 learners × 2 seeds)');
    const typo = clbench(['validate', writeSuite('typo.json', tinySuite({ learners: [{ name: 'ewc', options: { lamda: 5 } }] }))]);
    expect(typo.status).to.equal(2);
    expect(typo.stderr).to.contain("learners[0].options: unknown field 'lamda' (did you mean 'lambda'?)");
    const dataset = clbench(['validate', writeSuite('dataset.json', tinySuite({ scenario: { dataset: 'fashion_mnist', kind: 'split', tasks: 5, setting: 'class' } }))]);
    expect(dataset.status).to.equal(2);
    expect(dataset.stderr).to.contain("scenario.dataset: unknown dataset 'fashion_mnist' (did you mean 'fashion-mnist'?)");
    const list = clbench(['list']);
    expect(list.stdout).to.contain('mnist-full').and.to.contain('ewc').and.to.contain('fisher (').and.to.contain('average_accuracy');
  });
});
