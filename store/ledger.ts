/**
 * The book-keeping of one suite run over a results folder that earlier runs filled and other processes
 * may share: which runs already have a record to keep, which this process claims and runs, which another
 * process holds. Decisions about a run are taken under its claim (store/claim.ts), so two processes
 * never run it both, and a record another process wrote meanwhile is kept, not redone.
 */
import type { RunRecord } from '../results/record.js';
import { writeRecord } from './records.js';
import { checkpointDir, removeCheckpoint } from './checkpoint.js';
import { claimRun, currentOwner, describeOwner, ownerState, releaseClaim, type Claim, type Owner } from './claim.js';
import { judgeRecord, refreshDisplay, setAside } from './resume.js';
import { runKey } from './runKey.js';
import { adoptRenamed } from './adopt.js';
import { reuseRecords } from './reuse.js';
import { claimFolder } from './owner.js';
import { suiteFingerprint } from '../results/identity.js';
import type { Job } from '../suite/suite.js';

export interface LedgerOptions {
  outDir: string;
  /** name of the backend the runs use (part of each run key) */
  backend: string;
  /** --fresh: the runs' existing records move to runs/stale/ and their checkpoints are deleted first */
  fresh: boolean;
  /** the whole suite's fingerprint (../results/identity.ts suiteFingerprint); default that of the ledger's jobs */
  fingerprint?: string;
  /** --reuse: results folders whose records of runs with this suite's run keys are copied in, not run again */
  reuse?: string[];
  log(line: string): void;
}

export class SuiteLedger {
  /** the record of each run that has one now: kept, written here, or written by a process waited for */
  readonly records = new Map<string, RunRecord>();
  /** runs another process held when this one tried to claim them */
  readonly heldBy = new Map<string, Owner>();
  /** the lock file of each run in `heldBy` */
  readonly heldLock = new Map<string, string>();
  private readonly claims = new Map<string, Claim>();
  private readonly keys: Map<string, string>;

  constructor(
    private readonly jobs: Job[],
    private readonly options: LedgerOptions,
  ) {
    this.keys = new Map(jobs.map((j) => [j.id, runKey(j, options.backend)]));
  }

  /**
   * Reads the folder before anything runs: keeps the records that stay valid, reports the others, and
   * returns the jobs left to run (each is judged again under its claim when its turn comes).
   */
  plan(): Job[] {
    const { outDir, fresh, log } = this.options;
    const changed = this.jobs.length === 0 ? null : claimFolder(outDir, this.jobs[0].suite, this.options.fingerprint ?? suiteFingerprint(this.jobs));
    if (changed) log(changed);
    const adopted = adoptRenamed(outDir, this.jobs, (job) => this.keyOf(job));
    if (adopted.records || adopted.checkpoints)
      log(`${adopted.records} record(s) and ${adopted.checkpoints} checkpoint(s) under older run ids renamed to this suite's run ids (their run keys match)`);
    if (fresh) {
      let moved = 0;
      for (const job of this.jobs) {
        if (setAside(outDir, job.id)) moved++;
        removeCheckpoint(checkpointDir(outDir, job.id));
      }
      if (moved) log(`--fresh: ${moved} existing record(s) of this suite moved to ${outDir}/runs/stale/`);
    }
    const reused = reuseRecords(outDir, this.jobs, (job) => this.keyOf(job), this.options.reuse ?? []);
    for (const [source, count] of reused.copied) log(`--reuse ${source}: ${count} record(s) of runs with this suite's settings copied in (not run again; each names its original in reusedFrom)`);
    if (reused.unreadable) log(`--reuse: ${reused.unreadable} file(s) in runs/ that are not readable records were left alone`);
    const todo: Job[] = [];
    let retried = 0;
    for (const job of this.jobs) {
      const verdict = judgeRecord(outDir, job, this.keyOf(job), this.options.backend);
      if (verdict.kind === 'keep') {
        this.records.set(job.id, refreshDisplay(outDir, verdict.record, job));
        // a crash between writing the record and deleting the checkpoint leaves one behind
        removeCheckpoint(checkpointDir(outDir, job.id));
        continue;
      }
      if (verdict.kind === 'stale') log(`${job.id}: ${verdict.why}; it runs again and its old record moves to runs/stale/`);
      if (verdict.kind === 'retry') retried++;
      todo.push(job);
    }
    const kept = this.records.size;
    if (kept) log(`resume: ${kept} of ${this.jobs.length} runs already have records in ${outDir} (kept; --fresh redoes them), ${todo.length} to run${retried ? ` (${retried} failed before and run again)` : ''}`);
    return todo;
  }

  /** Claim `job` and decide under the claim; true when this process is to run it now. */
  begin(job: Job): boolean {
    const { outDir } = this.options;
    const result = claimRun(outDir, job.id);
    if ('heldBy' in result) {
      this.heldBy.set(job.id, result.heldBy);
      this.heldLock.set(job.id, result.file);
      return false;
    }
    this.heldBy.delete(job.id);
    this.heldLock.delete(job.id);
    // Another process may have finished the run (or changed the folder) since plan() looked.
    const verdict = judgeRecord(outDir, job, this.keyOf(job), this.options.backend);
    if (verdict.kind === 'keep') {
      this.records.set(job.id, refreshDisplay(outDir, verdict.record, job));
      releaseClaim(result.claim);
      return false;
    }
    this.claims.set(job.id, result.claim);
    if (verdict.kind === 'stale') setAside(outDir, job.id);
    return true;
  }

  /** `job` ended with `record`: write it, delete the run's checkpoint, give the claim back. */
  finish(job: Job, record: RunRecord): void {
    writeRecord(this.options.outDir, record);
    this.records.set(job.id, record);
    removeCheckpoint(checkpointDir(this.options.outDir, job.id));
    this.release(job);
  }

  /** Give `job`'s claim back (its checkpoint stays for the next attempt). */
  release(job: Job): void {
    const claim = this.claims.get(job.id);
    if (!claim) return;
    this.claims.delete(job.id);
    releaseClaim(claim);
  }

  releaseAll(): void {
    for (const claim of [...this.claims.values()]) releaseClaim(claim);
    this.claims.clear();
  }

  checkpointDirOf(job: Job): string {
    return checkpointDir(this.options.outDir, job.id);
  }

  /**
   * Of `jobs`, those a process on this host held when this one tried them: worth waiting for, since that
   * process's end is observable (one that has died since is taken over at once).
   */
  heldHere(jobs: Job[]): Job[] {
    return jobs.filter((j) => {
      const owner = this.heldBy.get(j.id);
      return owner !== undefined && ownerState(owner) !== 'unknown';
    });
  }

  /** Of `jobs`, those held by a process on another host, with who holds them. */
  heldElsewhere(jobs: Job[]): { job: Job; owner: string }[] {
    return jobs.flatMap((job) => {
      const owner = this.heldBy.get(job.id);
      return owner && ownerState(owner) === 'unknown' ? [{ job, owner: describeOwner(owner) }] : [];
    });
  }

  /** Whether `job` is free to claim again (its holder ended, or died). */
  released(job: Job): boolean {
    return currentOwner(this.options.outDir, job.id) === null;
  }

  private keyOf(job: Job): string {
    return this.keys.get(job.id)!;
  }
}
