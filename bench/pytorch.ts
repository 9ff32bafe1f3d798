/**
 * Runs the PyTorch baselines of the benchmarks (bench/pytorch_*.py) in a child process, on the CPU with one
 * thread, with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for that process only (set on this project's
 * machine for other reasons; PyTorch's OpenBLAS was measured without them).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The first python3 that imports torch (a virtualenv's, then the system's), or null. */
export function pythonWithTorch(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

/**
 * Runs bench/`script` with `args`; returns its stdout's JSON lines, or null when no python3 has torch
 * (with a line on stderr) or the script fails (with its last error line).
 */
export function runPytorch<T>(script: string, args: string[]): T[] | null {
  const python = pythonWithTorch();
  if (!python) {
    process.stderr.write('PyTorch: not measured (no python3 with torch here; Debian: apt-get install python3-torch)\n');
    return null;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', CUDA_VISIBLE_DEVICES: '' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const file = fileURLToPath(new URL(`../../bench/${script}`, import.meta.url));
  process.stderr.write(`PyTorch (${python} ${script} ${args.join(' ')})…\n`);
  const run = spawnSync(python, [file, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) {
    process.stderr.write(`PyTorch run failed: ${(run.stderr || String(run.error)).trim().split('\n').slice(-1)[0]}\n`);
    return null;
  }
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as T);
}
