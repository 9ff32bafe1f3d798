/** The README as the docs tests read it: its sections and fenced code blocks. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './pluginProject.js';

export const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The text of one `## ` section of the README (up to the next `## `). */
export function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section '${title}'`).to.be.greaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Fenced code blocks of a given language, in order. */
export function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}
