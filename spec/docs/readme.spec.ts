/**
 * The README and the docs/ pages, executed: their example suites are validated by the CLI, every `clbench`
 * command they show is checked against the command's own --help and its suite validated, the `--json`
 * example and the `clbench schedule` excerpt are run and compared, the published folders are the shown
 * suites' runs, the quick start's table is the quick suite's and its legend names every column, and the
 * pandas snippet runs on a real long-format CSV. (The plugin guide, docs/plugins.md, is followed in
 * pluginGuide.spec.ts; links and the API reference are checked in links.spec.ts and api.spec.ts.)
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { listLearners } from '../../learners/registry.js';
import { METRICS } from '../../metrics/index.js';
import { leaderboardColumns } from '../../results/csv.js';
import { OPTIONS_LONG_COLUMNS, PHASES_LONG_COLUMNS, runsColumns } from '../../results/tidy.js';
import { legacyRunId } from '../../suite/runId.js';
import { leaderboardLegend, leaderboardTable } from '../../results/table.js';
import { loadPlugins, pluginPaths } from '../../plugins/load.js';
import { expandSuite, readSuiteFile } from '../../suite/suite.js';
import { clbenchAsync, type CliResult } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';
import { blocks, doc, docs, docSection, readme, section } from '../helpers/readme.js';
import { tinySuite } from '../helpers/suites.js';

/** A `clbench …` command as shown in a code block: its subcommand, flags (with values) and positionals. */
interface ShownCommand {
  text: string;
  command: string;
  flags: string[];
  positionals: string[];
}

/** The README and every page of docs/ but the plugin guide (followed by its own spec), one text. */
function pagesButTheGuide(): string {
  return [readme, ...[...docs].filter(([name]) => name !== 'plugins.md').map(([, text]) => text)].join('\n');
}

/** Every `npx clbench …` in the sh/yaml blocks of the README and the docs, outside the plugin guide. */
function shownCommands(): ShownCommand[] {
  const text = pagesButTheGuide();
  const code = [...blocks(text, 'sh'), ...blocks(text, 'yaml')].join('\n');
  return [...code.matchAll(/npx clbench ([^\n"#|]*)/g)].map((m) => {
    const words = m[1].replace(/\s2>.*$/, '').trim().split(/\s+/);
    return { text: `clbench ${words.join(' ')}`, command: words[0], flags: words.filter((w) => w.startsWith('--')), positionals: words.slice(1) };
  });
}

/** `--flag` → whether it takes a value, from `clbench <command> --help`. */
function helpFlags(help: string): Map<string, boolean> {
  return new Map([...help.matchAll(/(--[a-z][a-z-]*)( <[^>]+>)?/g)].map((m) => [m[1], m[2] !== undefined]));
}

/** The positionals of a shown command once flag values are taken out. */
function argumentsOf(shown: ShownCommand, flags: Map<string, boolean>): string[] {
  const words = shown.positionals;
  const args: string[] = [];
  for (let k = 0; k < words.length; k++) {
    if (words[k].startsWith('--')) k += flags.get(words[k]) ? 1 : 0;
    else args.push(words[k]);
  }
  return args;
}

function writeTemp(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('README and docs/', function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clbench-readme-'));
  });

  it('docs/csv-formats.md documents every leaderboard column', () => {
    const columns = docSection('csv-formats.md', 'Leaderboard CSV');
    const missing = leaderboardColumns().filter((c) => !columns.includes(`\`${c}\``));
    expect(missing).to.deep.equal([]);
  });

  it('docs/csv-formats.md documents every column of the tidy CSVs', () => {
    const tidy = docSection('csv-formats.md', 'Tidy CSVs');
    const missing = [...runsColumns(), ...PHASES_LONG_COLUMNS, ...OPTIONS_LONG_COLUMNS].filter((c) => !tidy.includes(`\`${c}\``));
    expect(missing).to.deep.equal([]);
  });

  it('docs/metrics.md has a section for every metric of the catalogue, and the CSV columns link to it', () => {
    const metrics = doc('metrics.md');
    const columns = docSection('csv-formats.md', 'Leaderboard CSV');
    expect(METRICS.filter((m) => !metrics.includes(`\n### ${m.key}\n`)).map((m) => m.key), 'sections').to.deep.equal([]);
    expect(METRICS.filter((m) => !columns.includes(`](metrics.md#${m.key})`)).map((m) => m.key), 'links').to.deep.equal([]);
  });

  it('docs/learners.md documents every built-in learner', () => {
    const learners = doc('learners.md');
    const missing = listLearners()
      .filter((l) => !l.name.startsWith('test-'))
      .filter((l) => !learners.includes(`| \`${l.name}\` |`))
      .map((l) => l.name);
    expect(missing).to.deep.equal([]);
  });

  it("the suite example (docs/suites.md) and the schedule snippet (docs/schedules.md, inside it) pass `clbench validate`", async () => {
    const [example] = blocks(docSection('suites.md', 'Suite format'), 'json');
    const suite = JSON.parse(example) as { learners: unknown[]; seeds: unknown[] };
    const snippet = blocks(doc('schedules.md'), 'json')[0];
    const withSchedule = { ...suite, ...(JSON.parse(`{${snippet}}`) as object) };
    const [plain, scheduled] = await Promise.all([
      clbenchAsync(['validate', writeTemp(dir, 'suites-example.json', example)]),
      clbenchAsync(['validate', writeTemp(dir, 'schedule-example.json', JSON.stringify(withSchedule))]),
    ]);
    const runs = suite.learners.length * suite.seeds.length;
    for (const result of [plain, scheduled]) {
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.match(new RegExp(`valid — ${runs} runs`));
    }
  });

  describe('the commands it shows', () => {
    const shown = shownCommands();
    // the README's short table and docs/cli.md's full one
    const tableOf = (text: string) => [...text.matchAll(/^\| `clbench ([a-z-]+)([^`]*)` \|/gm)].map((m) => ({ command: m[1], usage: m[2] }));
    const short = tableOf(section('Commands'));
    const full = tableOf(docSection('cli.md', 'Commands'));
    const table = [...short, ...full];
    const help = new Map<string, Map<string, boolean>>();

    before(async () => {
      const commands = [...new Set([...shown.map((s) => s.command), ...table.map((t) => t.command)])];
      const results = await Promise.all(commands.map((c) => clbenchAsync([c, '--help'])));
      results.forEach((result, k) => {
        expect(result.status, `clbench ${commands[k]} --help: ${result.stderr}`).to.equal(0);
        help.set(commands[k], helpFlags(result.stdout));
      });
    });

    it('finds the commands in the code blocks and in both Commands tables', () => {
      expect(shown.length).to.be.at.least(10);
      const all = ['run', 'list', 'validate', 'check-plugin', 'schedule', 'pretrain', 'leaderboard', 'report'];
      expect(short.map((t) => t.command), 'README').to.include.members(all);
      expect(full.map((t) => t.command), 'docs/cli.md').to.include.members(all);
    });

    it('every flag in the Commands table is one the command accepts', () => {
      const unknown = table.flatMap(({ command, usage }) => [...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => !help.get(command)!.has(f)).map((f) => `clbench ${command} ${f}`));
      expect(unknown).to.deep.equal([]);
    });

    it('every flag of every shown command is one the command accepts', () => {
      const unknown = shown.flatMap((s) => s.flags.filter((f) => !help.get(s.command)!.has(f)).map((f) => `${s.text}: ${f}`));
      expect(unknown).to.deep.equal([]);
    });

    // (in this process, with the calls `clbench validate` makes: a CLI process each would cost seconds apiece)
    it('every suite a shown command runs (the quick suite when none is named) is valid', async () => {
      const suites = new Set<string>();
      for (const s of shown.filter((c) => ['run', 'schedule', 'validate'].includes(c.command))) {
        const [file] = argumentsOf(s, help.get(s.command)!);
        if (file === 'suite.json') continue; // the --json example's own suite, run below
        suites.add(file ?? 'suites/quick.json');
      }
      expect([...suites]).to.include.members(['suites/quick.json', 'suites/hsu2018-split-mnist.json', 'suites/powerlaw-pmnist.json']);
      for (const file of suites) {
        const suite = readSuiteFile(path.join(REPO_ROOT, file));
        await loadPlugins(pluginPaths([], suite, path.join(REPO_ROOT, file)));
        expect(expandSuite(suite, path.join(REPO_ROOT, file)).length, file).to.be.greaterThan(0);
      }
    });

    it('each shown publish step publishes the folder its run writes, as leaderboards/<suite name> holding only runs of the suite', () => {
      const code = blocks(pagesButTheGuide(), 'sh').join('\n');
      const publishes = [...code.matchAll(/npx clbench run (suites\/\S+\.json) .*--out (\S+)\ntools\/publish-leaderboard\.sh (\S+) (\S+)/g)];
      expect(publishes.length).to.be.at.least(5);
      expect(statSync(path.join(REPO_ROOT, 'tools', 'publish-leaderboard.sh')).mode & 0o111, 'the script is executable').to.not.equal(0);
      for (const [, file, out, name, results] of publishes) {
        expect(results, `${name}: publishes what the run wrote`).to.equal(out);
        const suite = readSuiteFile(path.join(REPO_ROOT, file));
        expect(suite.name, file).to.equal(name);
        const published = readdirSync(path.join(REPO_ROOT, 'leaderboards', name, 'runs')).filter((f) => f.endsWith('.json'));
        // published records keep the file names clbench gave them; those from before run ids had a hash are
        // named by the old id, and a run on the folder renames them (store/adopt.ts)
        const jobs = expandSuite(suite, path.join(REPO_ROOT, file));
        const expected = new Set(jobs.flatMap((job) => [`${job.id}.json`, `${legacyRunId(job.scenario.name, job.learner.label, job.seed)}.json`]));
        // A suite may have grown rows that are not run yet (the README says which); every published run must be
        // one of its runs, so that rerunning the step adds the new rows and keeps the published ones.
        expect(published.filter((f) => !expected.has(f)), `${name}: published runs the suite no longer has`).to.deep.equal([]);
        expect(published.length, name).to.be.greaterThan(0);
      }
    });

    it('the shown pretrain command is the one recorded in the backbone it wrote', () => {
      const pretrain = shown.filter((s) => s.command === 'pretrain');
      expect(pretrain).to.have.length(1);
      const out = pretrain[0].positionals[pretrain[0].positionals.indexOf('--out') + 1];
      const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, out), 'utf8')) as { pretraining: { command: string } };
      expect(manifest.pretraining.command).to.equal(pretrain[0].text);
      expect(existsSync(path.join(REPO_ROOT, out.replace(/\.json$/, '.bin')))).to.equal(true);
    });
  });

  describe("the README's quick start", () => {
    const quickStart = section('Quick start');
    const [block] = blocks(quickStart, 'text');
    // the block is what `clbench run` prints: the table, then the legend under it
    const legend = leaderboardLegend([]).split('\n');
    const printed = block.trimEnd().split('\n');
    const lines = printed.slice(0, printed.length - legend.length);
    const words = (line: string) => line.trim().split(/\s{2,}/);

    it('shows the header `clbench run` prints, and its legend explains every column and the ± —', () => {
      const header = leaderboardTable([]).split('\n')[0];
      expect(words(lines[0])).to.deep.equal(words(header));
      const columns = [...quickStart.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
      expect(columns).to.include.members([...words(header), '±']);
      expect(quickStart).to.contain('`—` when there is one seed');
      expect(printed.slice(-legend.length)).to.deep.equal(legend);
    });

    it("shows the quick suite's scenarios and learners, in the leaderboard's order", () => {
      const file = path.join(REPO_ROOT, 'suites', 'quick.json');
      const jobs = expandSuite(readSuiteFile(file), file);
      const expected: string[] = [];
      for (const job of [...jobs].sort((a, b) => a.position[0] - b.position[0] || a.position[1] - b.position[1])) {
        if (!expected.includes(`${job.scenario.name}:`)) expected.push(`${job.scenario.name}:`);
        if (!expected.includes(`${job.scenario.name}/${job.learner.label}`)) expected.push(`${job.scenario.name}/${job.learner.label}`);
      }
      let scenario = '';
      const shown = lines.slice(2).map((line) => {
        if (line.endsWith(':')) return (scenario = line.slice(0, -1)) + ':';
        return `${scenario}/${words(line)[0]}`;
      });
      expect(shown).to.deep.equal(expected);
      // one seed: n = 1 and no spread, as the legend says
      for (const line of lines.slice(2).filter((l) => !l.endsWith(':'))) expect(line).to.match(/^\S+\s+1\s+\d/).and.to.contain('±—');
    });
  });

  it('`clbench schedule suites/powerlaw-pmnist.json` prints the excerpt shown (in order)', async () => {
    expect(pagesButTheGuide()).to.contain('npx clbench schedule suites/powerlaw-pmnist.json');
    const excerpt = blocks(doc('schedules.md'), 'text')[0];
    const result = await clbenchAsync(['schedule', 'suites/powerlaw-pmnist.json'], REPO_ROOT);
    expect(result.status, result.stderr).to.equal(0);
    const squash = (line: string) => line.trim().split(/\s+/).join(' ');
    const printed = result.stdout.split('\n').map(squash);
    let at = 0;
    for (const line of excerpt.split('\n').map(squash).filter((l) => l !== '' && l !== '…')) {
      const found = printed.indexOf(line, at);
      expect(found, `'${line}' printed after line ${at}`).to.be.greaterThan(-1);
      at = found + 1;
    }
  });

  it('the `--json` example: the same events, fields and values (times and speeds aside) on the suite its run ids name', async () => {
    const listing = blocks(docSection('cli.md', 'Progress output'), 'sh').find((b) => b.includes('--json'))!;
    const [command, ...lines] = listing.trim().split('\n');
    expect(command).to.equal('$ npx clbench run suite.json --json 2>/dev/null | head -4');
    const shownEvents = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const cwd = mkdtempSync(path.join(tmpdir(), 'clbench-readme-json-'));
    writeTemp(cwd, 'suite.json', JSON.stringify(tinySuite()));
    const result = await clbenchAsync(['run', 'suite.json', '--json'], cwd);
    expect(result.status, result.stderr).to.equal(0);
    const events = result.stdout.trim().split('\n').slice(0, 4).map((l) => JSON.parse(l) as Record<string, unknown>);
    const varying = ['time', 'loss', 'examplesPerSecond'];
    events.forEach((event, k) => {
      expect(Object.keys(event), `event ${k + 1}`).to.deep.equal(Object.keys(shownEvents[k]));
      const stable = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([key]) => !varying.includes(key)));
      expect(stable(event), `event ${k + 1}`).to.deep.equal(stable(shownEvents[k]));
      expect(Date.parse(event.time as string)).to.not.be.NaN;
    });
    expect(events[3].loss).to.be.a('number').within(0, 10);
  });

  describe('the pandas snippet, on the long CSV of a quick-like suite (synthetic data)', () => {
    let out: string;
    /** `python3` on the PATH, or Debian's when that one (e.g. a pyenv shim) has no pandas */
    let python: string | undefined;
    before(async function () {
      python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import pandas']).status === 0);
      if (python === undefined) {
        // CI installs pandas (.ci/run): there a missing pandas is a broken setup, not a reason to pass quietly
        if (process.env.CI === 'true') throw new Error('CI=true but no python3 imports pandas: .ci/run installs python3-pandas; the docs pandas examples must run in CI');
        console.log('    (skipped: no python3 with pandas; Debian: apt-get install python3-pandas)');
        this.skip();
      }
      out = mkdtempSync(path.join(tmpdir(), 'clbench-readme-pandas-'));
      const quick = JSON.parse(readFileSync(path.join(REPO_ROOT, 'suites', 'quick.json'), 'utf8')) as { learners: unknown[] };
      const scenario = tinySuite().scenario as Record<string, unknown>;
      const suite = tinySuite({
        name: 'quick',
        scenario: undefined,
        scenarios: ['task', 'class'].map((setting) => ({ ...scenario, setting, name: `split-mnist-${setting}` })),
        learners: quick.learners,
      });
      writeTemp(out, 'quick.json', JSON.stringify(suite));
      const result = await clbenchAsync(['run', 'quick.json', '--quiet', '--workers', '1'], out);
      expect(result.status, result.stderr).to.equal(0);
    });

    it("prints the final average accuracy of every learner: the leaderboard's average_accuracy_mean", () => {
      const listing = blocks(docSection('csv-formats.md', 'Long-format accuracy CSV'), 'sh').find((b) => b.includes('pandas'))!;
      const [command, ...shownOutput] = listing.trim().split('\n');
      const script = /^\$ python3 -c "(.*)"$/.exec(command);
      expect(script, command).to.not.equal(null);
      const result = spawnSync(python!, ['-c', script![1]], { cwd: out, encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      const printed = result.stdout.trimEnd().split('\n');
      // the same frame as the README's: header, one row per (scenario, learner), the Series footer
      expect(printed[0].split(/\s+/).filter(Boolean)).to.deep.equal(shownOutput[0].split(/\s+/).filter(Boolean));
      expect(printed.at(-1)).to.equal(shownOutput.at(-1));
      let scenario = '';
      const means = printed.slice(1, -1).map((line) => {
        const m = /^(\S*)\s+(\S+)\s+(\S+)$/.exec(line)!;
        scenario = m[1] || scenario;
        return [`${scenario} / ${m[2]}`, Number(m[3])] as const;
      });
      const rows = parse(readFileSync(path.join(out, 'clbench-results', 'quick', 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      const expected = rows.map((r) => [`${r.scenario} / ${r.learner}`, Number(r.average_accuracy_mean)] as const);
      expect(means.map(([key]) => key).sort()).to.deep.equal(expected.map(([key]) => key).sort());
      expect(means).to.have.length(6);
      for (const [key, value] of expected) expect(means.find(([k]) => k === key)![1], key).to.be.closeTo(value, 5e-5 + 1e-9);
    });

    /** The tidy section's pandas commands, each run where the quick-like suite wrote its folder. */
    const tidyExample = (file: string) => {
      const listing = blocks(docSection('csv-formats.md', 'Tidy CSVs'), 'sh').find((b) => b.includes(file))!;
      const [command, ...shownOutput] = listing.trim().split('\n');
      const script = /^\$ python3 -c "(.*)"$/.exec(command);
      expect(script, command).to.not.equal(null);
      const result = spawnSync(python!, ['-c', script![1]], { cwd: out, encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      const leaderboard = parse(readFileSync(path.join(out, 'clbench-results', 'quick', 'leaderboard.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      return { printed: result.stdout.trimEnd().split('\n'), shownOutput, leaderboard };
    };

    it("runs.csv: per config, the mean and count of the runs' average accuracy are the leaderboard's mean and n", () => {
      const { printed, shownOutput, leaderboard } = tidyExample('runs.csv');
      expect(printed[0].split(/\s+/).filter(Boolean)).to.deep.equal(shownOutput[0].split(/\s+/).filter(Boolean));
      const rows = printed.slice(1).map((line) => line.trim().split(/\s+/));
      expect(rows.map((r) => r[1]).sort()).to.deep.equal(leaderboard.map((r) => r.config_id).sort());
      for (const [suite, configId, , , mean, , count] of rows) {
        const row = leaderboard.find((r) => r.config_id === configId)!;
        expect(suite).to.equal(row.suite);
        expect(Number(mean), configId).to.be.closeTo(Number(row.average_accuracy_mean), 5e-5 + 1e-9);
        expect(count).to.equal(row.average_accuracy_n);
      }
    });

    it("phases-long.csv: the curve's last phase is the leaderboard's average accuracy, for every config", () => {
      const { printed, shownOutput, leaderboard } = tidyExample('phases-long.csv');
      expect(printed.slice(0, 2).map((l) => l.split(/\s+/).filter(Boolean))).to.deep.equal(shownOutput.slice(0, 2).map((l) => l.split(/\s+/).filter(Boolean)));
      const rows = printed.slice(2).map((line) => line.trim().split(/\s+/));
      expect(rows.map((r) => r[0]).sort()).to.deep.equal(leaderboard.map((r) => r.config_id).sort());
      for (const row of rows) expect(Number(row.at(-1)), row[0]).to.be.closeTo(Number(leaderboard.find((r) => r.config_id === row[0])!.average_accuracy_mean), 5e-5 + 1e-9);
    });
  });
});
