/** The list of pending tests in spec/README.md is complete, and no test is focused with `.only`. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/pluginProject.js';

const specRoot = path.join(REPO_ROOT, 'spec');

function specSources(dir = specRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return specSources(full);
    return entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

describe('spec/README.md: pending tests', () => {
  const sources = specSources().map((file) => ({ file: path.relative(specRoot, file), text: readFileSync(file, 'utf8') }));
  const listed = [...readFileSync(path.join(specRoot, 'README.md'), 'utf8').matchAll(/^\| `([^`]+\.spec\.ts)`/gm)].map((m) => m[1]);

  it('lists every spec file that can skip a test, and only those', () => {
    // `.skip(` is built from parts so that this file does not count itself
    const skips = new RegExp(['this', 'skip\\('].join('\\.') + '|\\b(it|describe)\\.skip\\(|\\bx(it|describe)\\(');
    const skipping = sources.filter((s) => skips.test(s.text)).map((s) => s.file);
    expect(skipping.length).to.be.at.least(3);
    expect([...listed].sort()).to.deep.equal(skipping.sort());
  });

  it('has no focused test (`.only`) in the sources (mocha refuses them too: forbidOnly)', () => {
    const only = new RegExp('\\b(it|describe|context)\\.' + 'only\\(');
    expect(sources.filter((s) => only.test(s.text)).map((s) => s.file)).to.deep.equal([]);
    const mocharc = JSON.parse(readFileSync(path.join(REPO_ROOT, '.mocharc.json'), 'utf8')) as { forbidOnly?: boolean };
    expect(mocharc.forbidOnly).to.equal(true);
  });
});
