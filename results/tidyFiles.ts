/** Writing the tidy CSVs (./tidy.ts) into a folder, under the names docs/csv-formats.md gives them. */
import path from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import type { LeaderboardRow } from './leaderboard.js';
import type { RunRecord } from './record.js';
import { optionsLongCsv, phasesLongCsv, runsCsv } from './tidy.js';

export const TIDY_FILES = { runs: 'runs.csv', phases: 'phases-long.csv', options: 'options-long.csv' } as const;

/** Writes DIR/runs.csv, DIR/phases-long.csv and DIR/options-long.csv; returns their paths. */
export function writeTidyFiles(dir: string, records: RunRecord[], rows: LeaderboardRow[]): string[] {
  const files: [string, string][] = [
    [TIDY_FILES.runs, runsCsv(records)],
    [TIDY_FILES.phases, phasesLongCsv(records)],
    [TIDY_FILES.options, optionsLongCsv(rows)],
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    writeFileAtomic(file, text);
    return file;
  });
}
