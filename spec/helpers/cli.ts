/** Runs the built `clbench` command as a user would, in a child process. */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/clbench.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function clbench(args: string[], cwd?: string): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `clbench` in a child process without blocking, so that independent commands can run side by side. */
export function clbenchAsync(args: string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}
