// `npm run mutate [-- GLOB…]`: StrykerJS mutation testing with stryker.config.mjs (see docs/mutation.md).
// GLOBs replace the config's `mutate` list for a partial run, e.g. `npm run mutate -- 'metrics/**/*.ts'`.
//
// Stryker 10 (the release whose mocha runner supports mocha 12) declares Node >= 22 and its CLI refuses
// older versions (a check at the top of its CLI module, which the package's entry point imports); the
// project supports Node 20, where Stryker's API runs the same way. So this loads the API's own module, by
// path, and calls it instead of the CLI (`npx stryker run` does the same on Node 22).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

createRequire(import.meta.url)('./stryker-mocha12.cjs');
const core = path.dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json'));
const { Stryker } = await import(pathToFileURL(path.join(core, 'dist', 'src', 'stryker.js')).href);

const globs = process.argv.slice(2);
const options = { configFile: 'stryker.config.mjs', ...(globs.length > 0 ? { mutate: globs } : {}) };
const results = await new Stryker(options).runMutationTest();
const counted = results.filter((m) => !['Ignored', 'CompileError', 'RuntimeError'].includes(m.status));
const detected = counted.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
console.log(`mutation score: ${((100 * detected) / Math.max(1, counted.length)).toFixed(2)}% (${detected} of ${counted.length} mutants detected)`);
