/** The README and the docs/ pages as the docs tests read them: their sections and fenced code blocks. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './pluginProject.js';

export const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The hand-written pages of docs/ (the generated API reference in docs/api/ aside), by file name. */
export const DOCS_DIR = path.join(REPO_ROOT, 'docs');
export const docs: ReadonlyMap<string, string> = new Map(
  readdirSync(DOCS_DIR)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => [name, readFileSync(path.join(DOCS_DIR, name), 'utf8')]),
);

/** The text of one page of docs/ (`doc('suites.md')`). */
export function doc(name: string): string {
  const text = docs.get(name);
  expect(text, `docs/${name}`).to.be.a('string');
  return text!;
}

/** The text of one `## ` section of a page (up to the next `## `); the README's by default. */
export function section(title: string, text = readme, page = 'README'): string {
  const start = text.indexOf(`\n## ${title}\n`);
  expect(start, `${page} section '${title}'`).to.be.greaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** One `## ` section of a page of docs/. */
export function docSection(name: string, title: string): string {
  return section(title, doc(name), `docs/${name}`);
}

/** Fenced code blocks of a given language, in order. */
export function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}
