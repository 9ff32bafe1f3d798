// Builds the optional native CPU addon (native/clbench.c, native/gemm.c) into build/clbench.node with the system's C
// compiler, Node's own headers and the system CBLAS: OpenBLAS on Linux, Apple Accelerate on macOS.
// Nothing is downloaded. Run by `npm install` (the package's install script) and `npm run build`.
//
// It never fails the install: when there is no compiler, no headers or no BLAS it writes the reason and
// the fix to build/native-status.json, exits 0, and clbench runs on WebAssembly and says why once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'build');
const target = path.join(buildDir, 'clbench.node');
const statusFile = path.join(buildDir, 'native-status.json');
const HOW =
  process.platform === 'darwin'
    ? 'install the Xcode command-line tools (`xcode-select --install`), then `npm rebuild clbench` (or `npm run build` in a checkout)'
    : 'install a C compiler and OpenBLAS (Debian/Ubuntu: `apt-get install build-essential libopenblas-dev`), then `npm rebuild clbench` (or `npm run build` in a checkout)';

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify({ ...status, node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString() }, null, 1)}\n`);
}

function fail(reason) {
  rmSync(target, { force: true });
  writeStatus({ built: false, reason, fix: HOW });
  process.stdout.write(`clbench: native CPU backend not built (${reason}); clbench will run on WebAssembly. To get it: ${HOW}.\n`);
  process.exit(0);
}

if (process.env.CLBENCH_NATIVE === '0') fail('CLBENCH_NATIVE=0 in the environment');
if (process.platform === 'win32') fail('Windows is not supported by the native build');

// Up to date: the addon is newer than its sources and this script.
const sources = ['clbench.c', 'gemm.c'].map((name) => path.join(root, 'native', name));
if (existsSync(target) && statSync(target).mtimeMs > Math.max(...sources.map((f) => statSync(f).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs)) {
  try {
    if (JSON.parse(readFileSync(statusFile, 'utf8')).built === true) process.exit(0);
  } catch {
    // no status: build again
  }
}

const headerDirs = [
  path.join(path.dirname(process.execPath), '..', 'include', 'node'),
  process.config?.variables?.node_prefix && path.join(process.config.variables.node_prefix, 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
  path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
].filter(Boolean);
const headers = headerDirs.find((d) => existsSync(path.join(d, 'node_api.h')));
if (!headers) fail(`Node's headers (node_api.h) were not found in ${headerDirs.join(', ')}`);

const compiler = process.env.CC || 'cc';
const probe = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) fail(`no C compiler ('${compiler}' did not run)`);

// Libraries to try, best first. OpenBLAS and Accelerate ship tuned SGEMMs (a reference BLAS would be slower
// than WebAssembly, so it is not tried). Without one the addon still builds, with clbench's own product only
// (native/gemm.c, the default on x86-64 anyway).
const NO_BLAS = { name: 'no BLAS library', flags: [], defines: ['-DCLBENCH_NO_BLAS'] };
const libraries =
  process.platform === 'darwin'
    ? [{ name: 'Apple Accelerate', flags: ['-framework', 'Accelerate'] }, { name: 'OpenBLAS', flags: ['-L/opt/homebrew/opt/openblas/lib', '-L/usr/local/opt/openblas/lib', '-lopenblas'] }, NO_BLAS]
    : [{ name: 'OpenBLAS', flags: ['-lopenblas'] }, NO_BLAS];
// CLBENCH_NATIVE_BLAS=none builds without a BLAS library even where one is installed.
if (process.env.CLBENCH_NATIVE_BLAS === 'none') libraries.splice(0, libraries.length - 1);
// Machine-specific code is fine: the addon is built on the machine that runs it.
const tuning = [['-march=native'], ['-mcpu=native'], []];
const linkFlags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];

mkdirSync(buildDir, { recursive: true });
const temporary = path.join(buildDir, `clbench.${process.pid}.tmp.node`); // .node: require() loads it as an addon
const objects = (name) => path.join(buildDir, `${name}.${process.pid}.o`);
// gemm.c wants fused multiply-adds; clbench.c's Adam must not have them (it matches the WASM kernel bit for bit).
const units = [
  { source: path.join(root, 'native', 'clbench.c'), contract: '-ffp-contract=off' },
  { source: path.join(root, 'native', 'gemm.c'), contract: '-ffp-contract=fast' },
];
const errors = [];
const tail = (text) => (text || '').trim().split('\n').filter((l) => /error|cannot find|not found/i.test(l)).slice(0, 2).join(' ') || 'compiler failed';
const cleanup = () => {
  rmSync(temporary, { force: true });
  for (const unit of units) rmSync(objects(path.basename(unit.source, '.c')), { force: true });
};
for (const library of libraries) {
  for (const arch of tuning) {
    const compile = (unit) => ['-c', '-O3', ...arch, '-fPIC', unit.contract, '-fno-math-errno', '-std=c11', '-Wall', `-I${headers}`, `-DCLBENCH_BLAS="${library.name}"`, ...(library.defines ?? []), unit.source, '-o', objects(path.basename(unit.source, '.c'))];
    const compiled = units.map((unit) => spawnSync(compiler, compile(unit), { encoding: 'utf8' }));
    const failed = compiled.find((r) => r.status !== 0);
    if (failed) {
      errors.push(`${arch.length ? `${arch[0]}: ` : ''}${tail(failed.stderr || String(failed.error))}`);
      continue;
    }
    const link = [...units.map((unit) => objects(path.basename(unit.source, '.c'))), '-o', temporary, ...linkFlags, ...library.flags, '-lm', '-lpthread'];
    if (process.platform === 'linux') link.push('-ldl');
    const linked = spawnSync(compiler, link, { encoding: 'utf8' });
    if (linked.status !== 0) {
      errors.push(`${library.name}: ${tail(linked.stderr || String(linked.error))}`);
      break; // the library is missing: another tuning will not find it
    }
    // Loading it is the real test (a missing symbol only shows here).
    const check = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(temporary)}).blas()`], { encoding: 'utf8' });
    if (check.status === 0) {
      renameSync(temporary, target);
      cleanup();
      const command = [compile(units[0]), compile(units[1]), link].map((args) => [compiler, ...args].join(' ')).join(' && ');
      const note = library === NO_BLAS ? `built without a BLAS library (${errors.filter((e) => !e.startsWith(NO_BLAS.name)).join('; ')}): clbench's own product only; for CLBENCH_GEMM=blas install OpenBLAS (Debian/Ubuntu: \`apt-get install libopenblas-dev\`) and rebuild` : undefined;
      writeStatus({ built: true, blas: library.name, compiler, command: command.replaceAll(temporary, target), ...(note ? { note } : {}) });
      process.stdout.write(`clbench: native CPU backend built with ${library.name} (${path.relative(root, target)})\n`);
      process.exit(0);
    }
    errors.push(`${library.name}: built but did not load: ${(check.stderr || '').split('\n').find((l) => /Error/.test(l))?.trim() ?? 'unknown error'}`);
    break;
  }
}
cleanup();
fail(`the C build failed — ${errors[errors.length - 1] ?? 'no library tried'}`);
