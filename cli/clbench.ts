#!/usr/bin/env node
/**
 * The `clbench` command. Parses arguments and calls the runner and results rooms; no logic of its own.
 * Exit codes: 0 success, 1 some runs diverged or failed (their records are written), 2 bad input (or a
 * results folder that cannot be written), 70 internal error, 130 interrupted (Ctrl-C; resumable; 143 for SIGTERM,
 * 129 for SIGHUP, which stop the same way).
 */
import { Command, CommanderError, Option } from 'commander';
import { positiveInteger, positiveNumber, seedNumber } from './argParsers.js';
import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { describePosition, jsonSyntaxProblem } from '../core/jsonSyntax.js';
import { nativeAbsence, nativeAddon } from '../core/nativeAddon.js';
import { CLBENCH_VERSION } from '../core/version.js';
import { learnerSource, listLearners } from '../learners/registry.js';
import { METRICS } from '../metrics/index.js';
import { accuracyLongCsv } from '../results/accuracyLong.js';
import { leaderboardCsv } from '../results/csv.js';
import { buildLeaderboard, mixNote } from '../results/leaderboard.js';
import { writeTidyFiles } from '../results/tidyFiles.js';
import { suiteFingerprint } from '../results/identity.js';
import { leaderboardMarkdown, publishedMarkdown } from '../results/markdown.js';
import { writeReport } from '../results/report/index.js';
import { writeFileAtomic } from '../core/files.js';
import { collectRecords, createResultsDir } from '../store/records.js';
import { formatSuiteStatus, suiteStatus } from '../store/progress.js';
import { leaderboardLegend, leaderboardTable } from '../results/table.js';
import { DATASETS } from '../scenarios/datasets/index.js';
import { BACKEND_CHOICES, useBackend, type BackendChoice } from '../backends/backend.js';
import { checkLearner, formatReport } from '../plugins/conformance.js';
import { loadPlugins, pluginPaths } from '../plugins/load.js';
import { describeStray, exitNow, guardPluginCode } from '../plugins/guard.js';
import { printable } from '../core/terminal.js';
import { createInterruptFlag, interruptRequested, requestInterrupt } from '../run/interrupt.js';
import { createProgress } from '../exec/progress.js';
import { pretrainBackbone } from '../run/pretrain.js';
import { formatSchedulePreview, formatSuiteCost, previewSchedules } from '../suite/schedulePreview.js';
import { SCHEDULE_DESCRIPTIONS, SCHEDULE_KINDS } from '../scenarios/scheduleSpec.js';
import { expandSuite, readSuiteFile } from '../suite/suite.js';
import { MAX_SEED } from '../suite/schema.js';
import { preflight } from '../suite/preflight.js';
import { runSuite } from '../exec/runSuite.js';
import { resolveShard, selectShard } from '../suite/shard.js';
import { suiteShape } from '../suite/suiteShape.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The quick suite shipped in the package (suites/quick.json beside dist/). */
export const DEFAULT_SUITE = path.resolve(here, '../../suites/quick.json');

let debug = process.argv.includes('--debug');

interface RunFlags {
  out?: string;
  backend: BackendChoice;
  quiet?: boolean;
  json?: boolean;
  workers?: number;
  threads?: number;
  shard?: string;
  shards?: number;
  plugin: string[];
  fresh?: boolean;
  reuse: string[];
}

/** Lines of text for the terminal: each without control characters or escape sequences (core/terminal.ts). */
function shownLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** Collects a repeatable option (`--plugin a.js --plugin b.js`). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const PLUGIN_HELP = 'load a learner plugin: a module file (relative to the current folder) or an installed package\'s name (repeatable)';

const program = new Command()
  .name('clbench')
  .description('Continual-learning benchmark harness on TensorFlow.js')
  .version(CLBENCH_VERSION)
  .option('--debug', 'print stack traces of errors')
  // argument errors throw (commander has printed them) so that they exit 2 like every bad input
  .exitOverride();

program
  .command('run')
  .description('run a suite (default: the built-in quick suite on the embedded MNIST digits)')
  .argument('[suite]', 'suite JSON file')
  .option('-o, --out <dir>', 'results folder (default: clbench-results/<suite name>)')
  .addOption(new Option('-b, --backend <name>', 'tfjs backend').choices([...BACKEND_CHOICES]).default('auto'))
  .option('-w, --workers <n>', 'runs in parallel, each in its own worker thread (default: number of cores)', positiveInteger)
  .option('--threads <n>', 'threads of the native backend\'s matrix products in each run (default: the cores divided among the workers, so 1 with several workers)', positiveInteger)
  .option('--shard <i/n>', 'run shard i of n (0-based) of the suite; also read from SLURM_ARRAY_TASK_ID/COUNT')
  .option('--shards <n>', 'number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)', positiveInteger)
  .option('-q, --quiet', 'no progress output')
  .option('--json', 'progress as one JSON object a line on stdout (run-start, phase, epoch, run-end, suite-end); the table goes to stderr')
  .option('--plugin <file>', PLUGIN_HELP, collect, [])
  .option('--fresh', 'redo every run: existing records of the suite move to runs/stale/, checkpoints are deleted')
  .option('--reuse <dir>', "copy finished records from another suite's results folder for the runs whose settings they match exactly (same run key), instead of running them again (repeatable)", collect, [])
  .action(async (suiteFile: string | undefined, opts: RunFlags) => {
    const file = suiteFile ?? DEFAULT_SUITE;
    if (opts.fresh && opts.reuse.length > 0) throw new UserError('--fresh redoes every run, --reuse copies finished ones in: they contradict each other', '--fresh --reuse', 'give one of them');
    // plugins load here so the suite can name plugin learners; every worker loads the same absolute paths
    const shard = resolveShard(opts.shard, opts.shards);
    const { suite, plugins, jobs: allJobs } = await readSuiteJobs(file, opts.plugin);
    const jobs = selectShard(allJobs, shard);
    const outDir = opts.out ?? path.join('clbench-results', suite.name);
    createResultsDir(outDir);
    const mode = opts.json ? 'json' : opts.quiet ? 'quiet' : process.stderr.isTTY ? 'bar' : 'lines';
    const workers = opts.workers ?? os.availableParallelism();
    const shardNote = shard ? `, shard ${shard.index}/${shard.count} from ${shard.source}` : '';
    process.stderr.write(`clbench ${CLBENCH_VERSION}: suite '${suite.name}' (${jobs.length} runs${shardNote}, ${Math.min(workers, jobs.length)} worker(s)) → ${outDir}\n`);
    if (opts.backend === 'auto') {
      const chosen = await useBackend('auto');
      if (chosen.name === 'wasm' || chosen.name === 'cpu') process.stderr.write(`note: running on ${chosen.name}; native CPU backend absent: ${nativeAbsence()}\n`);
    }
    if (jobs.length === 0) {
      process.stderr.write('this shard has no runs\n');
      return;
    }
    const interrupt = createInterruptFlag();
    // Ctrl-C (SIGINT), a scheduler's or `kill`'s SIGTERM and a closed terminal's SIGHUP all stop the same
    // way: after the current step, with the line that resumes the run; the same signal again stops at once.
    let stoppedBy: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      const how = signal === 'SIGINT' ? 'Ctrl-C' : signal;
      if (interruptRequested(interrupt)) {
        process.stderr.write(`\nclbench: stopped at once; finished records and phase checkpoints are intact\n  resume with: ${resumeCommand()}\n`);
        exitNow(128 + (os.constants.signals[signal] ?? 2));
      }
      stoppedBy = signal;
      requestInterrupt(interrupt);
      process.stderr.write(`\nclbench: stopping after the current step (${how} again to stop at once)\n`);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    let result: Awaited<ReturnType<typeof runSuite>>;
    try {
      result = await runSuite(jobs, { outDir, backend: opts.backend, progress: createProgress(mode, mode === 'json' ? writeStdoutLine : undefined), workers, threads: opts.threads, plugins, fresh: opts.fresh, reuse: opts.reuse, fingerprint: suiteFingerprint(allJobs), interrupt });
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
    if (result.interrupted) {
      process.stderr.write(
        `clbench: interrupted; ${result.records.length} of ${jobs.length} runs have records in ${outDir}, an interrupted run continues from its last checkpoint (after its last finished phase, or for most learners after an epoch within the phase).\n` +
          `  resume with: ${resumeCommand()}\n`,
      );
      process.exitCode = 128 + (os.constants.signals[stoppedBy ?? 'SIGINT'] ?? 2);
      return;
    }
    const backend = result.records[0]?.backend;
    if (backend) process.stderr.write(`backend: ${backend.name} (${backend.package} ${backend.version}, ${backend.detail})\n`);
    const files = `leaderboard: ${result.leaderboardPath}\nlong format: ${result.accuracyLongPath}\nreport: ${result.reportPath ?? '(none: no run has a record yet)'}\n`;
    const bad = result.records.filter((r) => r.status !== 'completed');
    if (opts.json) {
      // stdout stays pure JSON lines: the table is for the person watching, on stderr
      process.stderr.write(`\n${leaderboardTable(result.leaderboard)}\n${leaderboardLegend(result.leaderboard)}\n\n${files}`);
      const paths = { leaderboard: result.leaderboardPath, accuracyLong: result.accuracyLongPath, report: result.reportPath };
      writeStdoutLine(JSON.stringify({ event: 'suite-end', time: new Date().toISOString(), runs: result.records.length, notCompleted: bad.map((r) => r.runId), ...paths }));
    } else {
      process.stdout.write(`\n${leaderboardTable(result.leaderboard)}\n${leaderboardLegend(result.leaderboard)}\n\n${files}`);
    }
    if (bad.length) {
      process.stderr.write(`${bad.length} run(s) did not complete: ${bad.map((r) => `${printable(r.runId)} (${r.status})`).join(', ')}\n`);
      process.exitCode = 1;
    }
  });

/** The signals that stop a run the way Ctrl-C does (exit code 128 + the signal's number: 130, 143, 129). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function writeStdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The command line that resumes this run: the same one, without --fresh (which would redo the finished runs). */
function resumeCommand(): string {
  return shellLine(['clbench', ...process.argv.slice(2).filter((a) => a !== '--fresh')]);
}

/** Words as a shell command line, each quoted where the shell would split or expand it. */
function shellLine(words: string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return words.map(quote).join(' ');
}

program
  .command('status')
  .description("where a suite stands in its results folder: each run done, continuing from a checkpoint (after which phase), running now, or not started (changes nothing)")
  .argument('[suite]', 'suite JSON file (default: the built-in quick suite)')
  .option('-o, --out <dir>', 'results folder (default: clbench-results/<suite name>)')
  .addOption(new Option('-b, --backend <name>', 'the backend the runs use, as given to clbench run (part of every run key)').choices([...BACKEND_CHOICES]).default('auto'))
  .option('--plugin <file>', PLUGIN_HELP, collect, [])
  .option('--json', 'the status as one JSON object')
  .action(async (suiteFile: string | undefined, opts: { out?: string; backend: BackendChoice; plugin: string[]; json?: boolean }) => {
    const { suite, jobs } = await readSuiteJobs(suiteFile ?? DEFAULT_SUITE, opts.plugin);
    const outDir = opts.out ?? path.join('clbench-results', suite.name);
    // as clbench run decides it: 'auto' is the backend that loads here
    const backend = opts.backend === 'auto' ? (await useBackend('auto')).name : opts.backend;
    const status = suiteStatus(jobs, outDir, backend);
    if (opts.json) return void process.stdout.write(`${JSON.stringify({ suite: suite.name, ...status })}\n`);
    const plugins = opts.plugin.flatMap((p) => ['--plugin', p]);
    const run = shellLine(['clbench', 'run', ...(suiteFile ? [suiteFile] : []), '--out', outDir, ...(opts.backend === 'auto' ? [] : ['--backend', opts.backend]), ...plugins]);
    // runs neither finished nor running now wait for a clbench run
    const waiting = status.runs.some((r) => r.standing.state !== 'completed' && r.standing.state !== 'diverged' && !r.heldBy);
    process.stdout.write(`${shownLines(formatSuiteStatus(status))}\n${waiting ? `to run the rest: ${shownLines(run)}\n` : ''}`);
  });

program
  .command('list')
  .description('datasets, scenario kinds, settings, learners and their options, metrics')
  .option('--plugin <file>', PLUGIN_HELP, collect, [])
  .action(async (opts: { plugin: string[] }) => {
    await loadPlugins(pluginPaths(opts.plugin));
    const out: string[] = ['Datasets:'];
    for (const d of DATASETS) out.push(`  ${d.name.padEnd(14)} ${d.size}\n  ${''.padEnd(14)} ${d.description}`);
    out.push('', 'Scenario kinds:', '  split          classes grouped into tasks (default 2 classes a task)', '  permuted       a seeded pixel permutation per task (default 10 tasks)');
    out.push('', 'Settings:', '  task           task id given: one head per task', '  domain         no task id: labels relative to the task, one shared head', '  class          no task id: one output per class of every task');
    out.push('', 'Rehearsal schedules (suite or learner "schedule"; all take nNew, minPerTask, minPerTaskMode, sampling):');
    for (const kind of SCHEDULE_KINDS) out.push(`  ${kind.padEnd(16)} ${SCHEDULE_DESCRIPTIONS[kind]}`);
    out.push('', 'Learners:');
    for (const l of listLearners()) {
      const source = learnerSource(l.name);
      out.push(`  ${l.name.padEnd(14)} ${l.description}${l.reference ? ` [${l.reference}]` : ''}${source ? ` (plugin ${source})` : ''}`);
      const props = (l.optionsSchema.properties ?? {}) as Record<string, { default?: unknown; description?: string; enum?: unknown[]; type?: unknown }>;
      for (const [key, p] of Object.entries(props)) {
        const kind = p.enum ? p.enum.map((v) => JSON.stringify(v)).join('|') : String(p.type);
        out.push(`      ${key} (${kind}, default ${JSON.stringify(p.default)})${p.description ? `: ${p.description}` : ''}`);
      }
    }
    out.push('', 'Backends (--backend; auto takes the first that loads: tensorflow, native, wasm, cpu):');
    const absent = nativeAbsence();
    out.push(`  native         ${absent ? `not built: ${absent}` : `WASM + native products (${nativeAddon()!.blas()})`}`);
    out.push('  wasm           WebAssembly (XNNPACK, SIMD), always there', '  cpu            pure JavaScript (slow; a last resort)', '  tensorflow     @tensorflow/tfjs-node(-gpu) when installed (optional; downloads libtensorflow at install)', '  webgpu         WebGPU through Dawn (the optional `webgpu` package) when a GPU driver is present');
    out.push('', 'Metrics (leaderboard columns):');
    for (const m of METRICS) out.push(`  ${m.key.padEnd(28)} ${m.label}`);
    process.stdout.write(`${shownLines(out.join('\n'))}\n`);
  });

program
  .command('validate')
  .description('check a suite file without running it')
  .argument('<suite>', 'suite JSON file')
  .option('--plugin <file>', PLUGIN_HELP, collect, [])
  .action(async (file: string, opts: { plugin: string[] }) => {
    const { jobs } = await readSuiteJobs(file, opts.plugin);
    process.stdout.write(`${file}: valid — ${suiteShape(jobs)}\n`);
  });

program
  .command('check-plugin')
  .description('conformance checks of learner plugins on a tiny synthetic stream in all three settings (exit 1 if any fails)')
  .argument('<plugins...>', 'plugin module files (.js) or installed plugin packages by name')
  .option('--options <json>', 'learner options to check with (default: the schema defaults)')
  .addOption(new Option('-b, --backend <name>', 'tfjs backend').choices([...BACKEND_CHOICES]).default('auto'))
  .action(async (files: string[], opts: { options?: string; backend: BackendChoice }) => {
    const options = opts.options === undefined ? undefined : parseOptionsJson(opts.options);
    // errors plugin code throws from timers or unawaited promises fail the check of the plugin running then
    const strays: unknown[] = [];
    guardPluginCode((error) => strays.push(error));
    const plugins = await loadPlugins(pluginPaths(files));
    const backend = await useBackend(opts.backend);
    process.stderr.write(`clbench ${CLBENCH_VERSION} check-plugin on ${backend.name} (${backend.package} ${backend.version})\n`);
    for (const { file, definition } of plugins) {
      const report = await checkLearner(definition, { options });
      await new Promise((resolve) => setImmediate(resolve));
      for (const error of strays.splice(0)) {
        report.checks.push({ name: 'no stray errors', status: 'fail', detail: describeStray(error) });
        report.passed = false;
      }
      // a plugin's name, description and errors are its own text: shown without control characters
      process.stdout.write(`${shownLines(formatReport(report, path.relative(process.cwd(), file) || file))}\n`);
      if (!report.passed) process.exitCode = 1;
    }
  });

/** A suite file, its plugins (from --plugin and the suite's own list) loaded, expanded into jobs. */
async function readSuiteJobs(file: string, pluginFlags: string[]) {
  const suite = readSuiteFile(file);
  const plugins = (await loadPlugins(pluginPaths(pluginFlags, suite, file))).map((p) => p.file);
  const jobs = expandSuite(suite, file);
  // what a run would refuse (tasks the classes cannot fill, a run past the memory limit) is refused here
  preflight(jobs, file);
  return { suite, plugins, jobs };
}

function parseOptionsJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const problem = jsonSyntaxProblem(text, error);
    throw new UserError(`not valid JSON: ${problem.reason} at ${describePosition(problem)}`, '--options', `give a JSON object, e.g. --options '{"lambda": 10}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UserError('must be a JSON object', '--options', `e.g. --options '{"lambda": 10}'`);
  return value as Record<string, unknown>;
}

program
  .command('schedule')
  .description('print the phase × task example counts of every scenario and rehearsal schedule of a suite (trains nothing)')
  .argument('<suite>', 'suite JSON file')
  .option('--plugin <file>', PLUGIN_HELP, collect, [])
  .action(async (file: string, opts: { plugin: string[] }) => {
    const { suite, jobs } = await readSuiteJobs(file, opts.plugin);
    const previews = previewSchedules(jobs);
    process.stdout.write(`${previews.map(formatSchedulePreview).join('\n\n')}\n\n${formatSuiteCost(suite.name, jobs.length, previews)}\n`);
  });

program
  .command('pretrain')
  .description('pre-train a backbone (the hidden layers of an MLP) on classes of a dataset and save it for suites (model.backbone)')
  .requiredOption('-d, --dataset <name>', "dataset, as a suite names it (e.g. 'fashion-mnist')")
  .requiredOption('-o, --out <file>', 'the backbone manifest to write (<file>.json, weights in <file>.bin beside it)')
  .option('--classes <list>', "dataset classes to train on, e.g. '0-9' or '0,2,4-6' (default: all)")
  .option('--hidden <widths>', 'hidden layer widths, comma-separated (the suite\'s model.hidden must match)', '400,400')
  .option('--epochs <n>', 'training epochs', positiveInteger, 5)
  .option('--batch-size <n>', 'mini-batch size', positiveInteger, 128)
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'sgd', 'momentum', 'adagrad']).default('adam'))
  .option('--lr <x>', 'learning rate', positiveNumber, 0.001)
  .option('--momentum <x>', "momentum of the 'momentum' optimizer", positiveNumber, 0.9)
  .option('--seed <n>', `seed of initial weights and batch order (0 … ${MAX_SEED})`, seedNumber, 0)
  .option('--train-examples <n>', 'keep this many training examples (class-stratified, seeded; default all)', positiveInteger)
  .addOption(new Option('-b, --backend <name>', 'tfjs backend').choices([...BACKEND_CHOICES]).default('auto'))
  .action(async (opts: PretrainFlags) => {
    const out = backboneOut(opts.out);
    const backend = await useBackend(opts.backend);
    const spec = {
      dataset: opts.dataset,
      classes: opts.classes === undefined ? undefined : parseClassList(opts.classes),
      hidden: parseWidths(opts.hidden),
      training: { epochs: opts.epochs, batchSize: opts.batchSize, optimizer: opts.optimizer, lr: opts.lr, momentum: opts.momentum, resetOptimizer: false },
      seed: opts.seed,
      trainExamples: opts.trainExamples,
    };
    process.stderr.write(`clbench ${CLBENCH_VERSION} pretrain on ${spec.dataset} (${backend.name}) → ${out}\n`);
    const manifest = await pretrainBackbone(spec, out, {
      backend: backend.name,
      command: ['clbench', ...process.argv.slice(2)].join(' '),
      onEpoch: (p) => process.stderr.write(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}, test accuracy ${(100 * p.testAccuracy).toFixed(2)}%\n`),
    });
    process.stdout.write(`backbone: ${out} (${manifest.inputs}-${manifest.hidden.join('-')}, ${manifest.dataset} classes ${manifest.classes.join(',')}, test accuracy ${(100 * Number(manifest.pretraining.testAccuracy)).toFixed(2)}%)\n`);
  });

interface PretrainFlags {
  dataset: string;
  out: string;
  classes?: string;
  hidden: string;
  epochs: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd' | 'momentum' | 'adagrad';
  lr: number;
  momentum: number;
  seed: number;
  trainExamples?: number;
  backend: BackendChoice;
}

/**
 * The manifest file `pretrain --out` names (<out>.json; its weights go to <out>.bin beside it). A folder or
 * an empty name is refused: `--out /tmp` would write /tmp.json and /tmp.bin.
 */
function backboneOut(given: string): string {
  const fix = 'name the backbone file without an extension, e.g. --out backbones/mnist-400 (writes backbones/mnist-400.json and .bin)';
  if (given.trim() === '') throw new UserError('is empty', '--out', fix);
  const out = given.endsWith('.json') ? given : `${given}.json`;
  if (/[\\/]$/.test(given) || isFolder(given) || isFolder(out)) throw new UserError(`'${given}' is a folder, not a file name`, '--out', fix);
  return out;
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** '0-4,7' → [0, 1, 2, 3, 4, 7] */
function parseClassList(text: string): number[] {
  const classes: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range || (range[2] !== undefined && Number(range[2]) < Number(range[1])))
      throw new UserError(`'${part}' is not a class or a range of classes`, '--classes', "write e.g. '0-9' or '0,2,4-6'");
    const [from, to] = [Number(range[1]), Number(range[2] ?? range[1])];
    for (let c = from; c <= to; c++) classes.push(c);
  }
  return classes;
}

function parseWidths(text: string): number[] {
  const widths = text.split(',').map((w) => Number(w.trim()));
  if (widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w > 0))
    throw new UserError(`'${text}' is not a list of layer widths`, '--hidden', "write e.g. '256,256'");
  return widths;
}

program
  .command('leaderboard')
  .description('rebuild the leaderboard from the run records of one or more results folders')
  .argument('<dirs...>', 'results folders (as written by `clbench run --out`)')
  .option('--csv <file>', 'write the CSV here')
  .option('--long <file>', 'write the long-format accuracy CSV (one row per run, phase and task) here')
  .option('--tidy <dir>', 'write the tidy CSVs here: runs.csv (one row per run), phases-long.csv, options-long.csv')
  .addOption(
    new Option('--format <format>', "what to print: text table, Markdown table (for a README), the CSV, or 'published': a Markdown table of ours against the published values, with verdicts")
      .choices(['text', 'md', 'csv', 'published'])
      .default('text'),
  )
  .action((dirs: string[], opts: { csv?: string; long?: string; tidy?: string; format: 'text' | 'md' | 'csv' | 'published' }) => {
    const { records, duplicates } = collectRecords(dirs);
    const rows = buildLeaderboard(records);
    noteMerge(duplicates, rows);
    if (opts.csv) writeFileAtomic(opts.csv, leaderboardCsv(rows));
    if (opts.long) writeFileAtomic(opts.long, accuracyLongCsv(records));
    if (opts.tidy) {
      createFolder(opts.tidy, '--tidy');
      writeTidyFiles(opts.tidy, records, rows);
    }
    if (opts.format === 'csv') process.stdout.write(leaderboardCsv(rows));
    else if (opts.format === 'published') {
      if (!rows.some((r) => r.published)) throw new UserError('no run of these folders has a published value to compare with', dirs.join(' '), "give the suite's learners `published` values, or use --format md");
      process.stdout.write(`${publishedMarkdown(rows)}\n`);
    } else process.stdout.write(`${opts.format === 'md' ? leaderboardMarkdown(rows) : `${leaderboardTable(rows)}\n${leaderboardLegend(rows)}`}\n`);
    // where the files went: on stderr when stdout carries a table or CSV meant to be redirected
    const written = [opts.csv ? `leaderboard: ${opts.csv}` : '', opts.long ? `long format: ${opts.long}` : '', opts.tidy ? `tidy CSVs: ${opts.tidy}` : ''].filter(Boolean).join('\n');
    if (written) (opts.format === 'text' ? process.stdout : process.stderr).write(`${opts.format === 'text' ? '\n' : ''}${written}\n`);
  });

/** On stderr, one line each: copies of runs left out, and rows kept apart that a reader might take for one. */
function noteMerge(duplicates: string[], rows: ReturnType<typeof buildLeaderboard>): void {
  if (duplicates.length)
    process.stderr.write(`note: ${duplicates.length} record file(s) hold runs already read from another file and are counted once (e.g. ${duplicates[0]})\n`);
  const mixed = mixNote(rows);
  if (mixed) process.stderr.write(`${mixed}\n`);
}

function createFolder(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UserError(`cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `${flag} ${dir}`, 'give a folder you can write to');
  }
}

program
  .command('report')
  .description('write one self-contained HTML report (tables and charts per scenario) of one or more results folders')
  .argument('<dirs...>', 'results folders (as written by `clbench run --out`)')
  .option('-o, --out <file>', 'the HTML file (default: report.html in the first folder)')
  .action(async (dirs: string[], opts: { out?: string }) => {
    const { records, duplicates } = collectRecords(dirs);
    noteMerge(duplicates, buildLeaderboard(records));
    const file = await writeReport(records, dirs, opts.out ?? path.join(dirs[0], 'report.html'));
    process.stdout.write(`report: ${file}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; a bad flag or argument was printed by commander
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UserError) {
    // the message may quote a label or a name from the suite: shown without control characters
    process.stderr.write(`clbench: ${shownLines(error.describe())}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    // a plugin that failed to import: its own stack says where
    if (debug && error.cause instanceof Error) process.stderr.write(`caused by: ${error.cause.stack}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`clbench: internal error: ${(error as Error)?.message ?? error}\n`);
    process.stderr.write(debug ? `${(error as Error)?.stack}\n` : '  (run again with --debug for the stack trace, and please report it)\n');
    process.exitCode = 70;
  }
}
debug = false;
