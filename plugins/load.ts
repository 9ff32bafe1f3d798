/**
 * Loading learner plugins: JavaScript modules whose default export is a `LearnerDefinition`. The CLI
 * loads them in the main thread (so a suite naming a plugin learner validates and expands), and every
 * worker thread loads the same absolute paths before its first job: each thread has its own registry
 * and its own tfjs engine.
 *
 * TypeScript plugins are compiled to JavaScript first (`tsc`): Node 20 cannot import a `.ts` file (a
 * Node that strips types, 22.6+ with --experimental-strip-types or 23.6+, loads one as it is).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../core/errors.js';
import type { LearnerDefinition } from '../learners/contract.js';
import { registerLearner, type LearnerOrigin } from '../learners/registry.js';
import { packageOf, packageSpecOf, resolvePluginSpec } from './resolve.js';
import { validateWithSchema } from '../core/schema.js';
import { ensureGuarded } from './guard.js';

export interface LoadedPlugin {
  /** absolute path of the module */
  file: string;
  definition: LearnerDefinition;
}

const GUIDE = 'see "Writing a learner plugin" in the clbench README';
const SHAPE = 'export default defineLearner({ name, description, optionsSchema, create })';

/**
 * Absolute files of plugins given as paths relative to `bases[0]` (the current folder, or a suite's
 * folder) or as package names, looked up from each of `bases` in turn (./pluginResolve.ts).
 */
export function resolvePluginPaths(specs: readonly string[], bases: readonly string[], source: string): string[] {
  return specs.map((spec) => resolvePluginSpec(spec, bases, `plugin ${spec} (${source})`));
}

/**
 * Every plugin a command loads, as absolute files: those given with `--plugin` (paths relative to the
 * current folder), then the suite's `plugins` (paths relative to the suite file). A package name is looked
 * up in node_modules from the suite's folder, then from the current folder.
 */
export function pluginPaths(given: readonly string[], suite?: { plugins?: string[] }, suiteFile?: string): string[] {
  const fromSuite = suite?.plugins ?? [];
  const suiteDir = path.dirname(path.resolve(suiteFile ?? '.'));
  const cwd = process.cwd();
  return [
    ...resolvePluginPaths(given, suiteFile ? [cwd, suiteDir] : [cwd], '--plugin'),
    ...resolvePluginPaths(fromSuite, [suiteDir, cwd], `"plugins" of ${suiteFile ?? 'the suite'}`),
  ];
}

/**
 * Imports and registers every plugin once (the same file named twice is loaded once), in order. Plugin code
 * runs guarded from then on (./guard.ts): a process.exit in a module's top level fails its import.
 */
export async function loadPlugins(paths: readonly string[]): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  if (paths.length) ensureGuarded();
  for (const file of new Set(paths.map((p) => path.resolve(p)))) loaded.push(await loadPlugin(file));
  return loaded;
}

async function loadPlugin(file: string): Promise<LoadedPlugin> {
  const where = `plugin ${shown(file)}`;
  const exports = await importModule(file, where);
  if (exports.default === undefined) {
    const named = Object.keys(exports).filter((k) => definitionProblems(exports[k]).length === 0);
    const hint = named.length ? ` (it exports '${named[0]}' by name; make that the default export)` : '';
    throw new UserError(`the module has no default export${hint}`, where, `end the module with \`${SHAPE}\`; ${GUIDE}`);
  }
  const problems = definitionProblems(exports.default);
  if (problems.length)
    throw new UserError(`the default export is not a learner definition: ${problems.join('; ')}`, where, `${SHAPE}; ${GUIDE}`);
  const definition = exports.default as LearnerDefinition;
  const schemaError = schemaCompileError(definition.optionsSchema);
  if (schemaError)
    throw new UserError(`learner '${definition.name}': optionsSchema is not a valid JSON Schema (${schemaError})`, where, 'fix the schema (JSON Schema draft-07, checked by ajv)');
  try {
    registerLearner(definition, shown(file), pluginOrigin(file));
  } catch (error) {
    // the registry names the clash; the user needs to know which plugin file caused it
    if (error instanceof UserError) throw new UserError(error.message, where, error.fix);
    throw error;
  }
  return { file, definition };
}

/**
 * What a plugin's run keys hold of its code: the module file's SHA-256, and for a package its name and
 * version. Only the module file is hashed: a plugin split over several files of its own is edited safely
 * by bumping its package version, or by rebuilding it into one file.
 */
function pluginOrigin(file: string): LearnerOrigin {
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const spec = packageSpecOf(file);
  const manifest = spec ? packageManifest(file, packageOf(spec)) : null;
  return manifest ? { sha256, package: manifest.name, version: manifest.version } : { sha256 };
}

/** The package.json of package `name` above `file`, or null when none is found. */
function packageManifest(file: string, name: string): { name: string; version: string } | null {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (json.name === name) return { name, version: String(json.version ?? '') };
    } catch {
      // no package.json here (or not JSON): look further up
    }
  }
  return null;
}

async function importModule(file: string, where: string): Promise<Record<string, unknown>> {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UserError(
      'cannot find the plugin file',
      where,
      'check the path: --plugin paths are relative to the current folder, a suite\'s "plugins" to the suite file; an installed plugin package is named by its package name',
    );
  }
  if (!isFile) throw new UserError('is a folder, not a module file', where, "name the plugin's .js file");
  const seconds = importTimeoutSeconds();
  let timer: NodeJS.Timeout | undefined;
  // A top-level await that never settles would leave the import pending for ever (Node then exits 13 with
  // no message once nothing else is left to do); the timer keeps the process alive and ends the wait.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UserError(
            `importing the module did not finish within ${seconds} s (a top-level await that never settles?)`,
            where,
            `make the module's top-level code finish; a slow one can have longer with ${IMPORT_TIMEOUT_ENV}=<seconds>`,
          ),
        ),
      seconds * 1000,
    );
  });
  try {
    return (await Promise.race([import(pathToFileURL(file).href), timeout])) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw importError(error as NodeJS.ErrnoException, file, where);
  } finally {
    clearTimeout(timer);
  }
}

const IMPORT_TIMEOUT_ENV = 'CLBENCH_PLUGIN_IMPORT_TIMEOUT';
const IMPORT_TIMEOUT_SECONDS = 60;

function importTimeoutSeconds(): number {
  const given = Number(process.env[IMPORT_TIMEOUT_ENV]);
  return Number.isFinite(given) && given > 0 ? given : IMPORT_TIMEOUT_SECONDS;
}

function importError(error: NodeJS.ErrnoException, file: string, where: string): UserError {
  const message = String(error?.message ?? error).split('\n')[0];
  let result: UserError;
  if (error?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[mc]?ts$/.test(file))
    result = new UserError(
      `Node ${process.version} cannot import TypeScript`,
      where,
      `compile the plugin to JavaScript (\`npx tsc\`) and pass the .js file; ${GUIDE}`,
    );
  else if (error?.code === 'ERR_MODULE_NOT_FOUND' && /'clbench'/.test(message))
    result = new UserError(
      `cannot load: ${message}`,
      where,
      "install clbench in the plugin's project (`npm install <path to clbench>`), so that `import … from 'clbench'` resolves",
    );
  else if (error?.code === 'ERR_MODULE_NOT_FOUND' && /'@tensorflow\/tfjs'/.test(message))
    result = new UserError(`cannot load: ${message}`, where, "import tf from clbench (`import { tf } from 'clbench'`): a plugin must use clbench's own tfjs");
  else result = new UserError(`cannot load: ${error?.name ?? 'Error'}: ${message}`, where, `fix the module; \`node ${shown(file)}\` shows where it fails`);
  // --debug prints the original stack trace
  return Object.assign(result, { cause: error });
}

/**
 * What keeps `value` from being a LearnerDefinition (empty when it is one). The conformance check
 * reuses it for built-in learners.
 */
export function definitionProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`it is ${value === null ? 'null' : typeof value}, not an object`];
  const d = value as Record<string, unknown>;
  const problems: string[] = [];
  const need = (key: string, ok: boolean, what: string) => {
    if (d[key] === undefined) problems.push(`'${key}' (${what}) is missing`);
    else if (!ok) problems.push(`'${key}' must be ${what}`);
  };
  need('name', typeof d.name === 'string' && d.name.trim().length > 0, 'a non-empty string');
  need('description', typeof d.description === 'string', 'a string');
  need('optionsSchema', typeof d.optionsSchema === 'object' && d.optionsSchema !== null && !Array.isArray(d.optionsSchema), 'a JSON Schema object');
  need('create', typeof d.create === 'function', 'a function (options, ctx) => Learner');
  if (d.reference !== undefined && typeof d.reference !== 'string') problems.push("'reference' must be a string");
  if (d.phaseCost !== undefined && typeof d.phaseCost !== 'function') problems.push("'phaseCost' must be a function (options, phase) => example passes");
  return problems;
}

/** ajv's complaint about a schema, or null when it compiles. */
export function schemaCompileError(schema: object): string | null {
  try {
    validateWithSchema(schema, {}, 'schema');
    return null;
  } catch (error) {
    // A UserError means the schema compiled and merely rejects {}: not a compile problem.
    return error instanceof UserError ? null : String((error as Error)?.message ?? error);
  }
}

/** The package name a plugin was found by; else its path, relative to the current folder when it lies inside it. */
function shown(file: string): string {
  const spec = packageSpecOf(file);
  if (spec) return spec;
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
