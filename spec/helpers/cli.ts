/** Runs the built `clbench` command as a user would, in a child process. */
import { spawnSync } from 'node:child_process';
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
