// Builds the example plugin packages in examples/ (TypeScript → each package's dist/) against this
// checkout's clbench, the way a plugin project builds against an installed clbench: each example gets
// node_modules/clbench, a link to this checkout (what its devDependency "clbench": "file:../.." makes
// with `npm install`), then its own tsconfig is compiled. Run by `npm run build`, after the TypeScript
// of clbench itself (the examples compile against dist/index.d.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const examples = path.join(root, 'examples');
for (const name of readdirSync(examples)) {
  const dir = path.join(examples, name);
  if (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'tsconfig.json'))) continue;
  const link = path.join(dir, 'node_modules', 'clbench');
  let linked = false;
  try {
    linked = realpathSync(link) === realpathSync(root);
  } catch {
    // absent or dangling
  }
  if (!linked) {
    if (existsSync(link) || isLink(link)) rmSync(link, { recursive: true, force: true });
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.relative(path.dirname(link), root), link, 'dir');
  }
  const result = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`examples/${name}: tsc failed\n`);
    process.exit(result.status ?? 1);
  }
}

function isLink(file) {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
