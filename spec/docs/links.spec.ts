/**
 * Every relative link of the README and the docs/ pages (the generated API reference included) leads somewhere:
 * the file or folder exists in the checkout, and a `#fragment` names a heading of the Markdown page it points
 * to, slugged as GitHub does. The manual moved from one README to pages by topic; this keeps its cross
 * references from rotting when a section is renamed or moved.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/pluginProject.js';

/** Markdown files to check, relative to the checkout. */
function pages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
    );
  return ['README.md', ...walk('docs')];
}

/** The text without fenced code blocks and inline code, where `](` is code, not a link. */
function prose(text: string): string {
  return text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = m[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  // explicit anchors (<a id="…">), which generated pages may use
  for (const m of markdown.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

describe('docs: links', () => {
  const files = pages();

  it('finds the README and the pages', () => {
    expect(files).to.include.members(['README.md', path.join('docs', 'index.md'), path.join('docs', 'plugins.md'), path.join('docs', 'api', 'index.md')]);
  });

  it('every relative link leads to a file or folder of the checkout, and every #fragment to a heading there', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        checked++;
        const [where, fragment] = target.split('#') as [string, string | undefined];
        const resolved = where === '' ? path.join(REPO_ROOT, file) : path.resolve(path.dirname(path.join(REPO_ROOT, file)), decodeURIComponent(where));
        if (!resolved.startsWith(REPO_ROOT + path.sep) || !existsSync(resolved)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (fragment !== undefined && fragment !== '') {
          if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
          if (!anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(fragment))) broken.push(`${file}: ${target} (no heading '#${fragment}')`);
        }
      }
    }
    expect(checked).to.be.greaterThan(100);
    expect(broken).to.deep.equal([]);
  });
});
