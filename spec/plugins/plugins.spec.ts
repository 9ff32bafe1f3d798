import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { getLearner, learnerSource, listLearners } from '../../learners/registry.js';
import { definitionProblems, loadPlugins, pluginPaths } from '../../plugins/load.js';
import { isPathSpecifier, packageOf, resolvePluginSpec } from '../../plugins/resolve.js';
import { pluginProject, type PluginProject } from '../helpers/pluginProject.js';

/** A learner definition as module source, with no imports (the loader is what is under test). */
function definitionSource(name: string, fields = ''): string {
  return `{ name: '${name}', description: 'a test plugin', optionsSchema: { type: 'object', properties: { k: { type: 'integer', default: 3 } } },
    create: () => ({ async train() {}, predict: (x) => x, dispose() {} }), ${fields} }`;
}

async function loadError(files: string[]): Promise<UserError> {
  try {
    await loadPlugins(files);
  } catch (error) {
    expect(error).to.be.instanceOf(UserError);
    return error as UserError;
  }
  expect.fail('expected a UserError');
}

describe('plugin loading', () => {
  let project: PluginProject;
  before(() => {
    project = pluginProject('loader', false);
  });

  it('imports a module, checks its default export and registers the learner', async () => {
    const file = project.write('good.js', `export default ${definitionSource('test-plugin-good')};\n`);
    const [loaded] = await loadPlugins([file, file]); // the same file twice is loaded once
    expect(loaded.file).to.equal(file);
    expect(getLearner('test-plugin-good')).to.equal(loaded.definition);
    expect(listLearners().filter((l) => l.name === 'test-plugin-good')).to.have.length(1);
    expect(learnerSource('test-plugin-good')).to.contain('good.js');
    expect(learnerSource('naive')).to.equal(null);
    // a later load of the same module (e.g. --plugin and the suite's plugins) is harmless
    expect((await loadPlugins([file])).map((p) => p.definition)).to.deep.equal([loaded.definition]);
  });

  it('also accepts CommonJS modules (module.exports is the default export)', async () => {
    const file = project.write('common.cjs', `module.exports = ${definitionSource('test-plugin-cjs')};\n`);
    await loadPlugins([file]);
    expect(getLearner('test-plugin-cjs').description).to.equal('a test plugin');
  });

  it('answers every way a plugin can fail to load with a UserError naming the plugin', async () => {
    mkdirSync(path.join(project.dir, 'folder'), { recursive: true });
    const cases: [string, string, RegExp, RegExp][] = [
      ['missing.js', '', /cannot find the plugin file/, /relative to the current folder/],
      ['folder', '', /is a folder, not a module file/, /\.js file/],
      ['named.js', `export const myLearner = ${definitionSource('test-named')};\n`, /no default export \(it exports 'myLearner' by name/, /export default defineLearner/],
      ['partial.js', "export default { name: 'test-partial', optionsSchema: [] };\n", /'description' \(a string\) is missing; 'optionsSchema' must be a JSON Schema object; 'create' \(a function \(options, ctx\) => Learner\) is missing/, /Writing a learner plugin/],
      ['not-object.js', 'export default 42;\n', /not a learner definition: it is number, not an object/, /defineLearner/],
      ['bad-schema.js', `export default ${definitionSource('test-bad-schema').replace("type: 'object',", "type: 'objekt',")};\n`, /learner 'test-bad-schema': optionsSchema is not a valid JSON Schema/, /draft-07/],
      ['throws.js', "throw new Error('boom at import');\n", /cannot load: Error: boom at import/, /node .*throws\.js` shows where/],
      ['syntax.js', 'export default {\n', /cannot load: SyntaxError/, /shows where it fails/],
      ['typed.ts', `const d: object = ${definitionSource('test-ts')};\nexport default d;\n`, /cannot import TypeScript/, /compile the plugin to JavaScript/],
      ['needs-clbench.js', "import { tf } from 'clbench';\nexport default tf;\n", /cannot load: Cannot find package 'clbench'/, /npm install <path to clbench>/],
      ['own-tfjs.js', "import * as tf from '@tensorflow/tfjs';\nexport default tf;\n", /cannot load: Cannot find package '@tensorflow\/tfjs'/, /import \{ tf \} from 'clbench'/],
      ['builtin-name.js', `export default ${definitionSource('naive')};\n`, /learner 'naive' is already defined by clbench \(built in\)/, /another name/],
    ];
    // Node 22.6+ can strip types (then a .ts plugin simply loads); Node 20 cannot.
    const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);
    for (const [name, text, message, fix] of cases.filter(([name]) => !(stripsTypes && name.endsWith('.ts')))) {
      const file = text ? project.write(name, text) : path.join(project.dir, name);
      const error = await loadError([file]);
      expect(error.where, name).to.match(new RegExp(`^plugin .*${name.replace('.', '\\.')}$`));
      expect(error.message, name).to.match(message);
      expect(error.fix, name).to.match(fix);
    }
    expect(listLearners().map((l) => l.name)).to.not.include.members(['test-named', 'test-partial', 'test-ts', 'test-bad-schema']);
  });

  it('rejects a second plugin that reuses a plugin learner name, naming the first', async () => {
    const first = project.write('dup-a.js', `export default ${definitionSource('test-plugin-dup')};\n`);
    const second = project.write('dup-b.js', `export default ${definitionSource('test-plugin-dup')};\n`);
    const error = await loadError([first, second]);
    expect(error.message).to.match(/learner 'test-plugin-dup' is already defined by .*dup-a\.js/);
    expect(error.where).to.match(/dup-b\.js$/);
  });

  it('resolves --plugin paths against the current folder and a suite\'s against the suite file', () => {
    const suiteFile = path.join(project.dir, 'suites', 'a.json');
    expect(pluginPaths(['x.js'], { plugins: ['../p/y.js', '/abs/z.js'] }, suiteFile)).to.deep.equal([
      path.resolve('x.js'),
      path.join(project.dir, 'p', 'y.js'),
      path.resolve('/abs/z.js'),
    ]);
    expect(pluginPaths([])).to.deep.equal([]);
  });

  describe('plugins by package name', () => {
    let pkgs: PluginProject;
    /** writes package `name` into `project`'s node_modules: its package.json and files */
    const install = (where: PluginProject, name: string, manifest: Record<string, unknown>, files: Record<string, string>) => {
      where.write(`node_modules/${name}/package.json`, JSON.stringify({ name, version: '1.0.0', ...manifest }));
      for (const [file, text] of Object.entries(files)) where.write(`node_modules/${name}/${file}`, text);
    };
    const resolveError = (spec: string, bases: string[]): UserError => {
      try {
        resolvePluginSpec(spec, bases, `plugin ${spec}`);
      } catch (error) {
        expect(error).to.be.instanceOf(UserError);
        return error as UserError;
      }
      return expect.fail(`expected '${spec}' not to resolve`);
    };
    before(() => {
      pkgs = pluginProject('by-name', false);
      install(pkgs, 'pkg-exports', { type: 'module', main: './wrong.js', exports: { '.': { require: './lib/entry.cjs', import: './lib/entry.js' }, './extra': './lib/extra.js' } }, {
        'lib/entry.js': `export default ${definitionSource('test-pkg-exports')};\n`,
        'lib/entry.cjs': 'module.exports = 1;\n',
        'lib/extra.js': 'export default 1;\n',
      });
      install(pkgs, 'pkg-main', { main: 'main.js' }, { 'main.js': 'export default 1;\n' });
      install(pkgs, '@lab/methods', { type: 'module', exports: { './ewc': './src/ewc.js' } }, { 'src/ewc.js': 'export default 1;\n' });
      install(pkgs, 'pkg-unbuilt', { type: 'module', exports: './dist/index.js' }, {});
    });

    it('tells paths from package names', () => {
      for (const spec of ['./a.js', '../a.js', '/x/a.js', '.', 'a\\b.js']) expect(isPathSpecifier(spec), spec).to.equal(true);
      for (const spec of ['clbench-ewc', '@lab/methods/ewc', 'plugins/a.js', 'a.js']) expect(isPathSpecifier(spec), spec).to.equal(false);
      expect(packageOf('@lab/methods/ewc')).to.equal('@lab/methods');
      expect(packageOf('clbench-ewc/dist/x.js')).to.equal('clbench-ewc');
    });

    it("resolves a package through its exports (the import condition, not main or require), a subpath, a scope, or main", () => {
      const at = (f: string) => path.join(pkgs.dir, 'node_modules', f);
      expect(resolvePluginSpec('pkg-exports', [pkgs.dir], 'w')).to.equal(at('pkg-exports/lib/entry.js'));
      expect(resolvePluginSpec('pkg-exports/extra', [pkgs.dir], 'w')).to.equal(at('pkg-exports/lib/extra.js'));
      expect(resolvePluginSpec('@lab/methods/ewc', [pkgs.dir], 'w')).to.equal(at('@lab/methods/src/ewc.js'));
      expect(resolvePluginSpec('pkg-main', [pkgs.dir], 'w')).to.equal(at('pkg-main/main.js'));
      // from a folder below: node_modules of the parents are searched, as Node does
      mkdirSync(path.join(pkgs.dir, 'suites', 'deep'), { recursive: true });
      expect(resolvePluginSpec('pkg-main', [path.join(pkgs.dir, 'suites', 'deep')], 'w')).to.equal(at('pkg-main/main.js'));
    });

    it('looks in each base folder in turn: a suite\'s folder, then the current folder', () => {
      const other = pluginProject('by-name-other', false);
      install(other, 'pkg-only-here', { main: 'x.js' }, { 'x.js': 'export default 1;\n' });
      expect(resolvePluginSpec('pkg-only-here', [pkgs.dir, other.dir], 'w')).to.equal(path.join(other.dir, 'node_modules', 'pkg-only-here', 'x.js'));
      const suiteFile = path.join(other.dir, 'suite.json');
      // a suite's plugins: its folder first; --plugin: the current folder (here the process's)
      expect(pluginPaths([], { plugins: ['pkg-only-here'] }, suiteFile)).to.deep.equal([path.join(other.dir, 'node_modules', 'pkg-only-here', 'x.js')]);
      // an existing file wins over a package of the same name
      const file = other.write('pkg-main', 'export default 1;\n');
      expect(resolvePluginSpec('pkg-main', [other.dir, pkgs.dir], 'w')).to.equal(file);
    });

    it('loads and registers a plugin found by package name, naming it by that name', async () => {
      const [loaded] = await loadPlugins(pluginPaths([], { plugins: ['pkg-exports'] }, path.join(pkgs.dir, 'suite.json')));
      expect(loaded.definition.name).to.equal('test-pkg-exports');
      expect(learnerSource('test-pkg-exports')).to.equal('pkg-exports');
    });

    it('says what it tried when a name resolves to nothing, or what is wrong with the package it found', () => {
      const none = resolveError('clbench-not-there', [pkgs.dir, path.join(pkgs.dir, 'suites')]);
      expect(none.where).to.equal('plugin clbench-not-there');
      expect(none.message).to.equal(
        `no such file and no installed package: looked for the file ${path.join(pkgs.dir, 'clbench-not-there')}, then for the package 'clbench-not-there' in ` +
          `${path.join(pkgs.dir, 'node_modules')} (and the node_modules of its parents), then in ${path.join(pkgs.dir, 'suites', 'node_modules')} (and the node_modules of its parents)`,
      );
      expect(none.fix).to.match(/npm install clbench-not-there/);
      const hidden = resolveError('pkg-exports/lib/entry.js', [pkgs.dir]);
      expect(hidden.message).to.match(/^package 'pkg-exports' is installed but 'pkg-exports\/lib\/entry\.js' does not resolve: .*not defined by "exports"/);
      expect(hidden.fix).to.match(/name a path the package's "exports" lists \(often just 'pkg-exports'\)/);
      const unbuilt = resolveError('pkg-unbuilt', [pkgs.dir]);
      expect(unbuilt.message).to.match(/^package 'pkg-unbuilt' is installed but 'pkg-unbuilt' does not resolve: Cannot find module/);
      expect(unbuilt.fix).to.match(/build the plugin package/);
      expect(resolveError('fs', [pkgs.dir]).message).to.match(/is Node's built-in module node:fs/);
      // a file name that is neither a file nor a package stays a path: the loader says the file is missing
      expect(resolvePluginSpec('missing.js', [pkgs.dir], 'w')).to.equal(path.join(pkgs.dir, 'missing.js'));
    });
  });

  it('names what keeps a value from being a learner definition', () => {
    expect(definitionProblems(getLearner('naive'))).to.deep.equal([]);
    expect(definitionProblems(null)).to.deep.equal(['it is null, not an object']);
    expect(definitionProblems({ name: ' ', description: 1, optionsSchema: {}, create() {}, reference: 3 })).to.deep.equal([
      "'name' must be a non-empty string",
      "'description' must be a string",
      "'reference' must be a string",
    ]);
  });
});
