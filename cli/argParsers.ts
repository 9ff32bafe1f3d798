/**
 * Commander argument parsers for numbers, shared by the `clbench` command and the benchmarks (bench/): a
 * value that is not what the flag needs stops the command with commander's `option '--x <n>' argument 'y'
 * is invalid. must be …` message, before any work starts.
 */
import { InvalidArgumentError } from 'commander';
import { MAX_SEED } from '../suite/schema.js';

export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** A seed the generator represents exactly: 0 … 2^32 - 1 (suite/schema.ts MAX_SEED). */
export function seedNumber(text: string): number {
  const n = nonNegativeInteger(text);
  if (n > MAX_SEED) throw new InvalidArgumentError(`must be at most ${MAX_SEED} (the generator uses a seed's low 32 bits)`);
  return n;
}

/** '128,256' → [128, 256]; every item a positive integer */
export function positiveIntegerList(text: string): number[] {
  return text.split(',').map((item) => {
    const n = Number(item.trim());
    if (item.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a comma-separated list of positive integers ('${item}' is not one)`);
    return n;
  });
}

/** a parser of 'a,b' → ['a', 'b'] where every item is one of `choices` */
export function choiceList<T extends string>(choices: readonly T[]): (text: string) => T[] {
  return (text) =>
    text.split(',').map((item) => {
      if (!(choices as readonly string[]).includes(item.trim())) throw new InvalidArgumentError(`must be a comma-separated list of ${choices.map((c) => `'${c}'`).join(', ')} ('${item}' is not one)`);
      return item.trim() as T;
    });
}
