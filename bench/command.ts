/**
 * A benchmark's command line, declared with commander like `clbench`'s own. A bench takes minutes, so an
 * unknown or misspelt flag, a stray argument or a bad number must stop it (exit 2, commander's message and
 * a pointer to --help) rather than silently measure the defaults; `--help` prints the options and exits 0.
 */
import { Command } from 'commander';
import { BACKEND_CHOICES, type BackendChoice } from '../backends/backend.js';

/** The backends a bench can be asked for by name: every choice but `auto`, since a bench measures a named backend */
export const BENCH_BACKENDS: readonly BackendChoice[] = BACKEND_CHOICES.filter((b) => b !== 'auto');

/** `name` is how the bench is started (`npm run bench:gemm --`); the caller declares the options and parses */
export function benchCommand(name: string, description: string): Command {
  return new Command()
    .name(name)
    .description(description)
    .showHelpAfterError('(add --help for the options)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}
