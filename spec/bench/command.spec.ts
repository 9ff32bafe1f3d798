/**
 * The benchmarks' command lines (bench/command.ts with commander), run as a user runs them. A bench takes
 * minutes, so a command line it cannot honour must stop it at once; each case here would otherwise start a
 * real measurement, which the timeout turns into a failure (in a temporary folder, so nothing is written here).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');

describe('benchmark command lines (bench/command.ts)', () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'clbench-bench-cli-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  function bench(file: string, args: string[]) {
    const result = spawnSync(process.execPath, [path.join(benchDir, file), ...args], { cwd, encoding: 'utf8', timeout: 60000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('--help prints every option with its default and exits 0 without measuring', () => {
    const gemm = bench('gemm.js', ['--help']);
    expect(gemm.status).to.equal(0);
    expect(gemm.stdout).to.match(/Usage: npm run bench:gemm --/).and.match(/--seconds <s>[\s\S]*\(default: 1\)/).and.match(/--threads <n>/);
    const full = bench('bench.js', ['--help']);
    expect(full.status).to.equal(0);
    expect(full.stdout).to.match(/--batches <list>/).and.match(/--no-pytorch/).and.match(/--no-protocol/);
  });

  it('stops on an unknown or misspelt flag or a stray argument, naming it (exit 2)', () => {
    for (const [file, args, named] of [
      ['gemm.js', ['--bogus'], /unknown option '--bogus'/],
      ['gemStep.js', ['--thread', '2'], /unknown option '--thread'[\s\S]*Did you mean --threads\?/],
      ['protocol.js', ['stray'], /too many arguments/],
    ] as const) {
      const result = bench(file, [...args]);
      expect(result.status, `${file} ${args.join(' ')}: ${result.stderr}`).to.equal(2);
      expect(result.stderr).to.match(named).and.match(/add --help for the options/);
    }
  });

  it('stops on a count that is not a positive integer and on a value outside the choices (exit 2)', () => {
    for (const [file, args, named] of [
      ['gemm.js', ['--threads', '0'], /--threads <n>' argument '0' is invalid\. must be a positive integer/],
      ['gemStep.js', ['--train', '12.5'], /--train <n>' argument '12\.5' is invalid\. must be a positive integer/],
      ['workers.js', ['--runs', 'two'], /--runs <n>' argument 'two' is invalid/],
      ['gemm.js', ['--seconds', '-1'], /--seconds <s>' argument '-1' is invalid\. must be a positive number/],
      ['gemStep.js', ['--backend', 'nativ'], /argument 'nativ' is invalid\. Allowed choices are/],
      ['protocol.js', ['--backends', 'native,foo'], /'foo' is not one/],
      ['bench.js', ['--batches', '128,x'], /must be a comma-separated list of positive integers \('x' is not one\)/],
    ] as const) {
      const result = bench(file, [...args]);
      expect(result.status, `${file} ${args.join(' ')}: ${result.stderr}`).to.equal(2);
      expect(result.stderr, `${file} ${args.join(' ')}`).to.match(named);
    }
  });
});
