#!/usr/bin/env node
/**
 * The `clbench` command. Parses arguments and calls the runner and results rooms; no logic of its own.
 * Exit codes: 0 success, 1 some runs diverged or failed (their records are written), 2 bad input.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { CLBENCH_VERSION } from '../core/version.js';
import { listLearners } from '../learners/registry.js';
import { METRICS } from '../metrics/index.js';
import { leaderboardCsv } from '../results/csv.js';
import { buildLeaderboard } from '../results/leaderboard.js';
import { readRecords, writeFileAtomic } from '../results/store.js';
import { leaderboardTable } from '../results/table.js';
import { DATASETS } from '../scenarios/datasets/index.js';
import { BACKEND_CHOICES, type BackendChoice } from '../runner/backend.js';
import { createProgress } from '../runner/progress.js';
import { expandSuite, readSuiteFile } from '../runner/suite.js';
import { runSuite } from '../runner/runSuite.js';
import { resolveShard, selectShard } from '../runner/shard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The quick suite shipped in the package (suites/quick.json beside dist/). */
export const DEFAULT_SUITE = path.resolve(here, '../../suites/quick.json');

let debug = process.argv.includes('--debug');

interface RunFlags {
  out?: string;
  backend: BackendChoice;
  quiet?: boolean;
  workers?: number;
  shard?: string;
  shards?: number;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command()
  .name('clbench')
  .description('Continual-learning benchmark harness on TensorFlow.js')
  .version(CLBENCH_VERSION)
  .option('--debug', 'print stack traces of errors');

program
  .command('run')
  .description('run a suite (default: the built-in quick suite on the embedded MNIST digits)')
  .argument('[suite]', 'suite JSON file')
  .option('-o, --out <dir>', 'results folder (default: clbench-results/<suite name>)')
  .addOption(new Option('-b, --backend <name>', 'tfjs backend').choices([...BACKEND_CHOICES]).default('auto'))
  .option('-w, --workers <n>', 'runs in parallel, each in its own worker thread (default: number of cores)', positiveInteger)
  .option('--shard <i/n>', 'run shard i of n (0-based) of the suite; also read from SLURM_ARRAY_TASK_ID/COUNT')
  .option('--shards <n>', 'number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)', positiveInteger)
  .option('-q, --quiet', 'no progress output')
  .action(async (suiteFile: string | undefined, opts: RunFlags) => {
    const file = suiteFile ?? DEFAULT_SUITE;
    const suite = readSuiteFile(file);
    const shard = resolveShard(opts.shard, opts.shards);
    const jobs = selectShard(expandSuite(suite, file), shard);
    const outDir = opts.out ?? path.join('clbench-results', suite.name);
    mkdirSync(outDir, { recursive: true });
    const mode = opts.quiet ? 'quiet' : process.stderr.isTTY ? 'bar' : 'lines';
    const workers = opts.workers ?? os.availableParallelism();
    const shardNote = shard ? `, shard ${shard.index}/${shard.count} from ${shard.source}` : '';
    process.stderr.write(`clbench ${CLBENCH_VERSION}: suite '${suite.name}' (${jobs.length} runs${shardNote}, ${Math.min(workers, jobs.length)} worker(s)) → ${outDir}\n`);
    if (jobs.length === 0) {
      process.stderr.write('this shard has no runs\n');
      return;
    }
    const result = await runSuite(jobs, { outDir, backend: opts.backend, progress: createProgress(mode), workers, plugins: [] });
    const backend = result.records[0]?.backend;
    if (backend) process.stderr.write(`backend: ${backend.name} (${backend.package} ${backend.version}, ${backend.detail})\n`);
    process.stdout.write(`\n${leaderboardTable(result.leaderboard)}\n\nleaderboard: ${result.leaderboardPath}\n`);
    const bad = result.records.filter((r) => r.status !== 'completed');
    if (bad.length) {
      process.stderr.write(`${bad.length} run(s) did not complete: ${bad.map((r) => `${r.runId} (${r.status})`).join(', ')}\n`);
      process.exitCode = 1;
    }
  });

program
  .command('list')
  .description('datasets, scenario kinds, settings, learners and their options, metrics')
  .action(() => {
    const out: string[] = ['Datasets:'];
    for (const d of DATASETS) out.push(`  ${d.name.padEnd(14)} ${d.size}\n  ${''.padEnd(14)} ${d.description}`);
    out.push('', 'Scenario kinds:', '  split          classes grouped into tasks (default 2 classes a task)', '  permuted       a seeded pixel permutation per task (default 10 tasks)');
    out.push('', 'Settings:', '  task           task id given: one head per task', '  domain         no task id: labels relative to the task, one shared head', '  class          no task id: one output per class of every task');
    out.push('', 'Learners:');
    for (const l of listLearners()) {
      out.push(`  ${l.name.padEnd(14)} ${l.description}${l.reference ? ` [${l.reference}]` : ''}`);
      const props = (l.optionsSchema.properties ?? {}) as Record<string, { default?: unknown; description?: string; enum?: unknown[]; type?: unknown }>;
      for (const [key, p] of Object.entries(props)) {
        const kind = p.enum ? p.enum.map((v) => JSON.stringify(v)).join('|') : String(p.type);
        out.push(`      ${key} (${kind}, default ${JSON.stringify(p.default)})${p.description ? `: ${p.description}` : ''}`);
      }
    }
    out.push('', 'Metrics (leaderboard columns):');
    for (const m of METRICS) out.push(`  ${m.key.padEnd(28)} ${m.label}`);
    process.stdout.write(`${out.join('\n')}\n`);
  });

program
  .command('validate')
  .description('check a suite file without running it')
  .argument('<suite>', 'suite JSON file')
  .action((file: string) => {
    const suite = readSuiteFile(file);
    const jobs = expandSuite(suite, file);
    process.stdout.write(`${file}: valid — ${jobs.length} runs (${new Set(jobs.map((j) => j.scenario.name)).size} scenarios × learners × ${suite.seeds.length} seeds)\n`);
  });

program
  .command('leaderboard')
  .description('rebuild the leaderboard from the run records of one or more results folders')
  .argument('<dirs...>', 'results folders (as written by `clbench run --out`)')
  .option('--csv <file>', 'write the CSV here')
  .action((dirs: string[], opts: { csv?: string }) => {
    const rows = buildLeaderboard(readRecords(dirs));
    if (opts.csv) writeFileAtomic(opts.csv, leaderboardCsv(rows));
    process.stdout.write(`${leaderboardTable(rows)}\n${opts.csv ? `\nleaderboard: ${opts.csv}\n` : ''}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof UserError) {
    process.stderr.write(`clbench: ${error.describe()}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`clbench: internal error: ${(error as Error)?.message ?? error}\n`);
    process.stderr.write(debug ? `${(error as Error)?.stack}\n` : '  (run again with --debug for the stack trace, and please report it)\n');
    process.exitCode = 70;
  }
}
debug = false;
