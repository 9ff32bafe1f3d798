/**
 * Sharding a suite over machines: shard i of n runs the jobs whose index k (in the suite's stable
 * expansion order) has k mod n = i. Shards are disjoint and together cover the suite; their results
 * folders merge with `clbench leaderboard DIR…`.
 */
import { UserError } from '../core/errors.js';
import type { Job } from './suite.js';

export interface Shard {
  index: number;
  count: number;
  /** where the shard came from, for the log */
  source: string;
}

/**
 * The shard to run: `--shard i/n` (0-based i); else a Slurm array task (SLURM_ARRAY_TASK_ID −
 * SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT); else a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
 * with the count from `--shards n`; else none.
 */
export function resolveShard(flag: string | undefined, shards: number | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  if (flag !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!match) throw new UserError(`'${flag}' is not of the form i/n`, '--shard', 'give e.g. --shard 0/4 (shards are numbered from 0)');
    return check(Number(match[1]), Number(match[2]), '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const id = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return check(id, Number(env.SLURM_ARRAY_TASK_COUNT), 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (shards === undefined)
      throw new UserError('JOB_COMPLETION_INDEX is set but the number of shards is not', '--shards', 'pass --shards n, the completions of the Indexed Job');
    return check(Number(env.JOB_COMPLETION_INDEX), shards, 'JOB_COMPLETION_INDEX');
  }
  if (shards !== undefined) throw new UserError('--shards needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)', '--shards', 'use --shard i/n outside Kubernetes');
  return null;
}

function check(index: number, count: number, source: string): Shard {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new UserError(`shard ${index} of ${count} is out of range`, source, `use 0 ≤ i < n (here n = ${count})`);
  return { index, count, source };
}

export function selectShard(jobs: Job[], shard: Shard | null): Job[] {
  return shard ? jobs.filter((_, k) => k % shard.count === shard.index) : jobs;
}
