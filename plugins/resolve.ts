/**
 * Where a plugin named on the command line or in a suite lives. A name is either a file path (relative to
 * the current folder for --plugin, to the suite file for a suite's "plugins") or an installed package
 * (`clbench-ewc-clip`, `@lab/clbench-methods/ewc-clip`), found the way Node's `import` finds it: in the
 * node_modules folders of the suite's folder and its parents, then of the current folder and its parents,
 * through the package's `exports` (conditions `node`, `import`) or its `main`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';
import { UserError } from '../core/errors.js';

/** Conditions of an ESM import under Node (what `import` in a plugin host would use). */
const CONDITIONS = new Set(['node', 'import']);
/** A file name a user gives as a path even without `./` (`plugins/ewc.js`). */
const MODULE_FILE = /\.(?:[cm]?js|[cm]?ts)$/i;

/** Plugin files found as packages → the name they were given by (for messages and `clbench list`). */
const packageNames = new Map<string, string>();

/** The package specifier a plugin file was found by, or undefined for a plugin given as a path. */
export function packageSpecOf(file: string): string | undefined {
  return packageNames.get(file);
}

/** Written as a path: `./x`, `../x`, `/x`, `C:\x`, `x\y`. Anything else may name a package. */
export function isPathSpecifier(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || path.isAbsolute(spec) || spec.includes('\\');
}

/** A package specifier's package: `a/b/c` → `a`, `@s/a/b` → `@s/a`. */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The absolute file of one plugin named `spec`, looked up from `bases` in order (the first is the folder
 * a path is relative to). A path is returned as it resolves (whether the file exists is the loader's
 * question); a name that is not an existing file is resolved as a package; a name with a module file
 * extension, or a folder, that is not an installed package stays a path, so the loader says what is wrong
 * with the file. Anything else is a UserError that names every place looked in.
 */
export function resolvePluginSpec(spec: string, bases: readonly string[], where: string): string {
  const asPath = path.resolve(bases[0], spec);
  if (isPathSpecifier(spec) || isFile(asPath)) return asPath;
  const tried: string[] = [];
  for (const base of [...new Set(bases.map((b) => path.resolve(b)))]) {
    try {
      const url = moduleResolve(spec, pathToFileURL(path.join(base, 'noop.js')), CONDITIONS, false);
      if (url.protocol !== 'file:') throw new UserError(`'${spec}' is Node's built-in module ${url.href}, not a plugin`, where, 'name the plugin package or file');
      const file = fileURLToPath(url);
      packageNames.set(file, spec);
      return file;
    } catch (error) {
      if (error instanceof UserError) throw error;
      const e = error as NodeJS.ErrnoException;
      const message = String(e?.message ?? e).split('\n')[0];
      // the package is there but its exports or main do not lead to a module: say so, do not look further
      if (!(e?.code === 'ERR_MODULE_NOT_FOUND' && /Cannot find package/.test(message)))
        throw new UserError(`package '${packageOf(spec)}' is installed but '${spec}' does not resolve: ${message}`, where, fixFor(e?.code, spec));
      tried.push(`${path.join(base, 'node_modules')} (and the node_modules of its parents)`);
    }
  }
  // a missing .js file or a folder: the loader's message about the path is the useful one
  if (MODULE_FILE.test(spec) || existsSync(asPath)) return asPath;
  throw new UserError(
    `no such file and no installed package: looked for the file ${asPath}, then for the package '${packageOf(spec)}' in ${tried.join(', then in ')}`,
    where,
    `install the plugin package (\`npm install ${packageOf(spec)}\`) in the suite's project, or give the plugin's file path (starting with ./ for a file in this folder)`,
  );
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function fixFor(code: string | undefined, spec: string): string {
  if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')
    return `name a path the package's "exports" lists (often just '${packageOf(spec)}'), or ask its author to export it`;
  if (code === 'ERR_MODULE_NOT_FOUND') return `the package's "exports" or "main" names a file that is not there: build the plugin package (\`npm run build\` in it) or reinstall it`;
  return `check the package's "exports" and "main" in its package.json`;
}
