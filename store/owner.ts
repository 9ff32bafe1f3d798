/**
 * A results folder belongs to one suite. Two suites on one `--out` would each call the other's records
 * stale and move them to runs/stale/, and the leaderboard would mix them; so the first run writes
 * DIR/clbench-suite.json (the suite's name and a fingerprint of its contents) and a suite of another name
 * is refused. The same suite, edited, keeps its folder: the fingerprint changes, one line says so, and
 * resume redoes exactly the runs whose keys changed (./resume.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError, UserError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { runsDir } from './records.js';

export const OWNER_FILE = 'clbench-suite.json';

interface OwnerFile {
  suite: string;
  fingerprint: string;
}

/**
 * Take `outDir` for suite `suite` (fingerprint `fingerprint`), or refuse with a message naming `--out`.
 * A folder without the file is taken unless its records belong to another suite. Returns a line to show
 * when the suite changed since the folder was last run, else null.
 */
export function claimFolder(outDir: string, suite: string, fingerprint: string): string | null {
  const file = path.join(outDir, OWNER_FILE);
  const mine: OwnerFile = { suite, fingerprint };
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new StorageError(`cannot create the results folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, outDir, 'give --out a folder you can write to (not a file)');
  }
  let owner = readOwner(file);
  if (!owner) {
    const other = recordedSuites(outDir).find((s) => s !== suite);
    if (other !== undefined) refuse(outDir, suite, other, `its runs/ holds records of suite '${other}'`, 'move those records elsewhere');
    try {
      // exclusive create: of two suites starting on an empty folder at once, one wins and the other is refused below
      writeFileSync(file, `${JSON.stringify(mine, null, 1)}\n`, { flag: 'wx' });
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(file, error);
      owner = readOwner(file);
      if (!owner) return null;
    }
  }
  if (owner.suite !== suite) refuse(outDir, suite, owner.suite, `${file} says it belongs to suite '${owner.suite}'`, `delete ${file}`);
  if (owner.fingerprint === fingerprint) return null;
  writeFileAtomic(file, `${JSON.stringify(mine, null, 1)}\n`);
  return `suite '${suite}' changed since ${outDir} was last run: runs whose settings changed run again, the others keep their records`;
}

function refuse(outDir: string, suite: string, owner: string, why: string, handOver: string): never {
  throw new UserError(
    `this results folder belongs to another suite: ${why}; running suite '${suite}' there would move its records to runs/stale/ and mix the leaderboards`,
    `--out ${outDir}`,
    `give suite '${suite}' its own --out folder (or, to hand this folder over to it, ${handOver})`,
  );
}

function readOwner(file: string): OwnerFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const data = JSON.parse(text) as Partial<OwnerFile>;
    if (typeof data.suite === 'string' && typeof data.fingerprint === 'string') return { suite: data.suite, fingerprint: data.fingerprint };
  } catch {
    // not JSON: said below
  }
  throw new UserError('is not a clbench suite ownership file', file, 'delete it; the next run writes it again');
}

/** The suite names of the records in `outDir`/runs (a cheap look: the name field only, unreadable files skipped). */
function recordedSuites(outDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(outDir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const suites = new Set<string>();
  for (const name of names) {
    try {
      const suite = (JSON.parse(readFileSync(path.join(runsDir(outDir), name), 'utf8')) as { suite?: unknown }).suite;
      if (typeof suite === 'string') suites.add(suite);
    } catch {
      // resume deals with unreadable records
    }
  }
  return [...suites];
}

function cannotWrite(file: string, error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new StorageError(`cannot write the folder's suite file (${code})`, file, 'check write permission of the results folder');
}
