import { expect } from 'chai';
import { BenchUsageError, parseBenchArgs } from '../../bench/args.js';

const usage = 'npm run bench:x -- [--threads 1] [--out x.json] [--quick]';
const flags = { threads: 'string', out: 'string', quick: 'boolean' } as const;

describe('bench command lines (bench/args.ts)', () => {
  it('reads the flags given and falls back to the defaults for the others', () => {
    const args = parseBenchArgs(usage, flags, ['--threads', '2', '--quick']);
    expect(args.number('threads', 1)).to.equal(2);
    expect(args.text('out', 'bench-x.json')).to.equal('bench-x.json');
    expect(args.has('quick')).to.equal(true);
    expect(args.help).to.equal(false);
    expect(parseBenchArgs(usage, flags, []).has('quick')).to.equal(false);
  });

  it('stops on an unknown or misspelt flag, naming it and showing the usage (a bench must not measure the defaults instead)', () => {
    expect(() => parseBenchArgs(usage, flags, ['--thread', '2'])).to.throw(BenchUsageError, /--thread[\s\S]*usage: npm run bench:x/);
    expect(() => parseBenchArgs(usage, flags, ['stray'])).to.throw(BenchUsageError, /stray/);
  });

  it('stops on a number flag that is not a positive number', () => {
    for (const bad of ['two', '0', '-1', 'Infinity']) {
      const args = parseBenchArgs(usage, flags, [`--threads=${bad}`]);
      expect(() => args.number('threads', 1), bad).to.throw(BenchUsageError, new RegExp(`--threads must be a positive number, got '${bad}'`));
    }
  });

  it('recognises --help and -h', () => {
    expect(parseBenchArgs(usage, flags, ['--help']).help).to.equal(true);
    expect(parseBenchArgs(usage, flags, ['-h']).help).to.equal(true);
  });
});
