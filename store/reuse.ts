/**
 * `clbench run --reuse DIR`: a run whose exact settings another results folder already holds a finished
 * record of is copied from there instead of run again. The case it is for: one suite contains another's
 * runs (the AdaB²N grid suites hold every run of the core suites), and the smaller one is already run.
 *
 * Only the run key decides (recomputed from each record's own settings, ../results/identity.ts, never
 * read from its `key` field), so a record of other settings, of another backend or clbench version, or
 * one edited by hand is never taken. Failed runs are not copied. The copy gets this run's id, keeps where
 * it came from in `reusedFrom` (suite and run id of the original, kept through copies of copies), and
 * this suite's display fields (label, published values, …) when resume reads it (./resume.ts).
 * Two records of one key in the sources that disagree are an error naming both: which one is right is
 * the user's call, and averaging or picking one silently would hide it.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../core/canonicalJson.js';
import { UserError } from '../core/errors.js';
import { recordKey } from '../results/identity.js';
import type { RunRecord } from '../results/record.js';
import type { Job } from '../suite/suite.js';
import { readRecord, recordPath, runsDir, writeRecord } from './records.js';

export interface ReuseResult {
  /** records copied in, by source folder (as given) */
  copied: Map<string, number>;
  /** files in the sources that could not be read as records (left alone) */
  unreadable: number;
}

/** Copy into `outDir` the records of `sources` whose key is the key of a run of `jobs` that has no record yet. */
export function reuseRecords(outDir: string, jobs: Job[], keyOf: (job: Job) => string, sources: string[]): ReuseResult {
  const result: ReuseResult = { copied: new Map(sources.map((s) => [s, 0])), unreadable: 0 };
  if (sources.length === 0) return result;
  const wanted = new Set(jobs.map(keyOf));
  const found = new Map<string, { record: RunRecord; file: string; source: string }>();
  const own = existsSync(outDir) ? realpathSync(outDir) : null;
  for (const source of sources) {
    const folder = runsDir(source);
    if (!existsSync(folder)) throw new UserError('is not a results folder (it has no runs/ folder)', `--reuse ${source}`, 'give a folder that `clbench run --out` wrote');
    if (realpathSync(source) === own)
      throw new UserError("is this run's own results folder", `--reuse ${source}`, 'give another suite\'s results folder (records already in --out are kept anyway)');
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      const file = path.join(folder, name);
      let record: RunRecord;
      try {
        record = readRecord(file);
      } catch {
        result.unreadable++;
        continue;
      }
      const key = recordKey(record);
      if (record.status === 'failed' || record.key !== key || !wanted.has(key)) continue;
      const earlier = found.get(key);
      if (earlier && !sameResult(earlier.record, record))
        throw new UserError(
          `two records of the same run settings disagree: ${earlier.file} and ${file}`,
          `--reuse ${source}`,
          'a run is deterministic on one machine, so one of them comes from elsewhere: move the one you do not mean out of its runs/ folder',
        );
      if (!earlier) found.set(key, { record, file, source });
    }
  }
  for (const job of jobs) {
    const hit = found.get(keyOf(job));
    if (!hit || existsSync(recordPath(outDir, job.id))) continue;
    const { record, source } = hit;
    writeRecord(outDir, { ...record, runId: job.id, reusedFrom: record.reusedFrom ?? { suite: record.suite, runId: record.runId } });
    result.copied.set(source, result.copied.get(source)! + 1);
  }
  return result;
}

/** Whether two records of one key hold the same outcome (status, accuracies, examples trained on). */
function sameResult(a: RunRecord, b: RunRecord): boolean {
  const outcome = (r: RunRecord) => canonicalJson({ status: r.status, accuracy: r.accuracy, examples: r.examplesPerPhase, diverged: r.diverged });
  return outcome(a) === outcome(b);
}
