/**
 * Terminal output shows labels and names without control characters or escape sequences (core/terminal.ts):
 * a label may hold anything JSON can, and an escape sequence in it would recolour, retitle or rewrite the
 * lines around it. Files keep the label as written.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { printable } from '../../core/terminal.js';
import { createProgress } from '../../exec/progress.js';
import type { LeaderboardRow } from '../../results/leaderboard.js';
import type { RunRecord } from '../../results/record.js';
import { leaderboardTable } from '../../results/table.js';
import type { Job } from '../../suite/suite.js';
import { startClbench, validRecords } from '../helpers/robustness.js';
import { tinySuite } from '../helpers/suites.js';

const HOSTILE = 'naive\u001b[2J\u001b[31mred\u001b]0;title\u0007\r\u0008\u009b1m\u202eevil\u0000\ttab';
/** anything a terminal acts on: ESC, BEL, CR, BS, NUL, C1, bidirectional overrides */
const ACTS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminal output', function () {
  this.timeout(60000);

  it('printable drops escape sequences and shows other control characters as ?', () => {
    expect(printable('a\u001b[31mb\u001b[0mc')).to.equal('abc');
    expect(printable('x\u001b]0;title\u0007y')).to.equal('xy');
    expect(printable('x\u001b]8;;http://e\u001b\\link\u001b]8;;\u001b\\y')).to.equal('xlinky');
    expect(printable('a\rb\u0000c\u007fd\u0085e\u202ef')).to.equal('a?b?c?d?e?f');
    expect(printable('tab\there')).to.equal('tab here');
    expect(printable('naïve 💥 ewc(lambda=1)')).to.equal('naïve 💥 ewc(lambda=1)');
    expect(printable(HOSTILE)).to.not.match(ACTS);
  });

  it('progress lines and the leaderboard table show a hostile label and error safely', () => {
    const lines: string[] = [];
    const progress = createProgress('lines', (l) => lines.push(l));
    const job = { id: `run-${HOSTILE}`, training: { epochs: 1 }, scenario: { name: HOSTILE }, learner: { label: HOSTILE }, seed: 0 } as unknown as Job;
    progress.start(1, 1);
    progress.jobStart(0, job, 0);
    progress.event(0, 0, { type: 'note', message: `note ${HOSTILE}` });
    progress.jobEnd(0, 0, { runId: job.id, status: 'failed', error: `learner: ${HOSTILE}`, accuracy: { matrix: [] }, timings: { totalSeconds: 1 } } as unknown as RunRecord);
    progress.stop();
    expect(lines.join('')).to.contain('evil').and.not.match(ACTS);
    const row = { scenario: HOSTILE, learner: HOSTILE, seeds: 1, metrics: {}, trainSeconds: 1, diverged: 0, failed: 0, published: null } as unknown as LeaderboardRow;
    const table = leaderboardTable([row]);
    expect(table.split('\n').join('')).to.contain('red').and.not.match(ACTS);
  });

  it('through the real command: nothing a terminal acts on reaches stdout or stderr; the record keeps the label', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-terminal-'));
    const suite = tinySuite({ training: { epochs: 1, batchSize: 64 }, learners: [{ name: 'naive', label: HOSTILE }] });
    writeFileSync(path.join(dir, 'suite.json'), JSON.stringify(suite));
    const result = await startClbench(['run', 'suite.json', '--out', 'out', '--backend', 'wasm', '--workers', '1'], { cwd: dir }).done;
    expect(result.status, result.stderr).to.equal(0);
    // lines end in \n, which is fine; nothing else of the kind
    for (const [name, text] of [['stdout', result.stdout], ['stderr', result.stderr]]) expect(text.replace(/\n/g, ''), name).to.not.match(ACTS);
    expect(result.stdout).to.contain('red');
    expect([...validRecords(path.join(dir, 'out')).values()][0].learner.label).to.equal(HOSTILE);
  });

  it("check-plugin and list show a plugin's own text (name, description, errors) safely", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clbench-terminal-'));
    writeFileSync(
      path.join(dir, 'plugin.mjs'),
      `export default { name: 'esc', description: ${JSON.stringify(HOSTILE)}, optionsSchema: { type: 'object', properties: {} },
  create(o, ctx) { const m = ctx.createModel(); return { async train() { throw new Error(${JSON.stringify(HOSTILE)}); }, predict: (x) => m.forward(x, false), dispose: () => m.dispose() }; } };\n`,
    );
    const checked = await startClbench(['check-plugin', 'plugin.mjs', '--backend', 'wasm'], { cwd: dir }).done;
    expect(checked.status, checked.stderr).to.equal(1);
    expect(checked.stdout).to.contain('evil');
    const listed = await startClbench(['list', '--plugin', 'plugin.mjs'], { cwd: dir }).done;
    expect(listed.status, listed.stderr).to.equal(0);
    for (const text of [checked.stdout, listed.stdout]) expect(text.replace(/\n/g, '')).to.not.match(ACTS);
  });
});
