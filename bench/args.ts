/**
 * The benchmarks' command lines, parsed strictly by node:util's parseArgs. A bench takes minutes, so an
 * unknown or misspelt flag (`--thread 2`; `--help` before this existed) must stop it with its usage line
 * rather than silently measure the defaults; `--help` prints the usage and exits.
 */
import { parseArgs } from 'node:util';

/** each flag's name (without `--`) and whether it takes a value */
export type BenchFlags = Record<string, 'string' | 'boolean'>;

export interface BenchArgs {
  /** whether `--help` / `-h` was given */
  help: boolean;
  /** the flag's value, or `fallback` when it is not given */
  text(name: string, fallback: string): string;
  /** the flag's value as a positive finite number, or `fallback`; anything else is a usage error */
  number(name: string, fallback: number): number;
  /** whether the boolean flag was given */
  has(name: string): boolean;
}

/** a command line the bench does not accept; the message ends with the usage line */
export class BenchUsageError extends Error {}

export function parseBenchArgs(usage: string, flags: BenchFlags, argv: string[]): BenchArgs {
  const options = Object.fromEntries(Object.entries(flags).map(([name, type]) => [name, { type }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
  return {
    help: values.help === true,
    text: (name, fallback) => (values[name] as string | undefined) ?? fallback,
    number: (name, fallback) => {
      const raw = values[name] as string | undefined;
      if (raw === undefined) return fallback;
      const parsed = Number(raw);
      if (!Number.isFinite(parsed) || parsed <= 0) throw new BenchUsageError(`--${name} must be a positive number, got '${raw}'\nusage: ${usage}`);
      return parsed;
    },
    has: (name) => values[name] === true,
  };
}

/** parseBenchArgs on this process's arguments: prints the usage and exits on `--help` (0) or on a bad command line (2) */
export function benchArgs(usage: string, flags: BenchFlags): BenchArgs {
  try {
    const args = parseBenchArgs(usage, flags, process.argv.slice(2));
    if (args.help) {
      process.stdout.write(`usage: ${usage}\n`);
      process.exit(0);
    }
    // Numbers are checked where they are read; wrap the reader so a bad value also exits cleanly.
    return {
      ...args,
      number: (name, fallback) => {
        try {
          return args.number(name, fallback);
        } catch (error) {
          return exitWith(error);
        }
      },
    };
  } catch (error) {
    return exitWith(error);
  }
}

function exitWith(error: unknown): never {
  if (!(error instanceof BenchUsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
