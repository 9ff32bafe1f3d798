/**
 * A temporary plugin project, set up the way the plugin guide (docs/plugins.md) sets one up: an ES-module
 * package.json and clbench installed as a link to this checkout (what `npm install /path/to/clbench`
 * makes, done here without npm so the tests stay offline and fast). `import … from 'clbench'` in it
 * resolves to the built package (dist/), which `npm test` builds first.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The clbench checkout (spec/helpers/ is two folders below the build folder, itself in the checkout). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface PluginProject {
  dir: string;
  /** write `text` to `name` inside the project; returns the absolute path */
  write(name: string, text: string): string;
}

/** A project folder with clbench linked in (`linkClbench: false` leaves it out). */
export function pluginProject(prefix: string, linkClbench = true): PluginProject {
  const dir = mkdtempSync(path.join(tmpdir(), `clbench-${prefix}-`));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: prefix, private: true, type: 'module' }, null, 2));
  if (linkClbench) {
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'clbench'), 'dir');
  }
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}
