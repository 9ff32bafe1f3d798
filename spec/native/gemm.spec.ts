/**
 * native/gemm.c, clbench's own matrix product, built for every instruction set this machine runs (the
 * machine's own, AVX2 + FMA, and plain vector code) and checked against a float64 product on random shapes
 * by spec/native/gemmCheck.c. Each build chooses its own register blocking, so each is a different kernel.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const compiler = process.env.CC || 'cc';
const hasCompiler = spawnSync(compiler, ['--version']).status === 0;
const cpuFlags = (() => {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
})();

const builds: { name: string; flags: string[]; runs: boolean }[] = [
  { name: "this machine's instructions (-march=native)", flags: ['-march=native'], runs: true },
  { name: 'AVX2 + FMA', flags: ['-mavx2', '-mfma'], runs: process.arch === 'x64' && / avx2 /.test(cpuFlags) && / fma /.test(cpuFlags) },
  { name: 'plain vector code (no -m flags)', flags: [], runs: true },
];

describe('native/gemm.c', function () {
  this.timeout(120000);
  before(function () {
    if (hasCompiler) return;
    if (process.env.CI === 'true') throw new Error(`CI needs a C compiler ('${compiler}') to check native/gemm.c`);
    // eslint-disable-next-line no-console
    console.log(`      SKIPPED: no C compiler ('${compiler}') here`);
    this.skip();
  });

  for (const build of builds) {
    (build.runs ? it : it.skip)(`built for ${build.name}: equals a float64 product on ~2,000 shapes and transposes, the same bits on 1, 2 and 3 threads`, () => {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'clbench-gemm-')), 'gemm-check');
      const cc = spawnSync(compiler, ['-O2', ...build.flags, '-ffp-contract=fast', '-std=c11', path.join(root, 'native/gemm.c'), path.join(root, 'spec/native/gemmCheck.c'), '-o', out, '-lm', '-lpthread'], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).to.equal(0);
      const run = spawnSync(out, { encoding: 'utf8' });
      expect(run.status, run.stdout).to.equal(0);
      expect(run.stdout).to.match(/^\d{4} products checked/);
    });
  }
});
