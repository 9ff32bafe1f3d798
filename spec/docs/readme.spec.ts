import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listLearners } from '../../learners/registry.js';
import { leaderboardColumns } from '../../results/csv.js';

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

describe('README', () => {
  it('documents every leaderboard column', () => {
    const missing = leaderboardColumns().filter((c) => !readme.includes(`\`${c}\``));
    expect(missing).to.deep.equal([]);
  });

  it('documents every built-in learner', () => {
    const missing = listLearners()
      .filter((l) => !l.name.startsWith('test-'))
      .filter((l) => !readme.includes(`| \`${l.name}\` |`))
      .map((l) => l.name);
    expect(missing).to.deep.equal([]);
  });

  it('gives the set-up a new user needs', () => {
    for (const step of ['npm install', 'npx clbench run', 'npm test']) expect(readme).to.contain(step);
  });
});
