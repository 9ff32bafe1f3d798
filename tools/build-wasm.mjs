// Assembles the project's hand-written WebAssembly kernels (*.wat, text format) into dist/ (or the
// folder given as the first argument) beside the compiled TypeScript that loads them. Run by
// `npm run build`; needs the `wabt` dev dependency.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(root, process.argv[2] ?? 'dist');
const wabt = await initWabt();
for (const dir of ['learners/optim/kernels', 'models/kernels']) {
  let names = [];
  try {
    names = readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.wat'));
  } catch {
    continue;
  }
  for (const name of names) {
    const source = path.join(root, dir, name);
    const module = wabt.parseWat(name, readFileSync(source, 'utf8'), { simd: true });
    module.validate();
    const { buffer } = module.toBinary({});
    const target = path.join(outDir, dir, name.replace(/\.wat$/, '.wasm'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, buffer);
    module.destroy();
  }
}
