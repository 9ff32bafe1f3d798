/**
 * Claims: at most one process runs a given run of a results folder at a time, so two `clbench run`
 * processes on one folder share its runs instead of running them twice.
 *
 * A claim is a lock file `DIR/locks/<run id>.<generation>.lock`, created with O_EXCL (`wx`: exactly one
 * creator wins) and holding its owner: pid, host, boot id and process start time (together they tell a
 * live owner from a dead one whose pid was reused), a random token and the time. The owner deletes it
 * when the run ends. An owner killed with SIGKILL leaves it behind: when that owner is on this host and
 * no longer alive, the lock is stale and the next claimant takes over by creating the *next* generation
 * (again with O_EXCL, so of two processes that find the same stale lock only one wins) and deleting the
 * older ones. A lock of another host cannot be checked: it is reported, never broken.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StorageError } from '../core/errors.js';
import { makeFolder, storageError as storageProblem } from '../core/storage.js';

export interface Owner {
  pid: number;
  host: string;
  /** Linux boot id: a restarted machine keeps its host name but not its processes */
  bootId: string | null;
  /** Linux process start time (clock ticks since boot): tells the owner from a later process with its pid */
  processStart: string | null;
  token: string;
  since: string;
  /** set on the stand-in owner of a lock file still being written (never read from a file) */
  unwritten?: true;
}

export interface Claim {
  runId: string;
  file: string;
  token: string;
}

export type ClaimResult = { claim: Claim } | { heldBy: Owner; file: string };

/** How an owner looks from here: alive, dead (this host, process gone), or unknown (another host). */
export type OwnerState = 'alive' | 'dead' | 'unknown';

/** A lock file whose owner has not written it yet is young; one that stays empty this long is abandoned. */
const UNWRITTEN_GRACE_MS = 10_000;

export function locksDir(outDir: string): string {
  return path.join(outDir, 'locks');
}

/** Try to claim run `runId`; either the claim, or the live (or unknowable) owner that holds it. */
export function claimRun(outDir: string, runId: string): ClaimResult {
  const dir = locksDir(outDir);
  ensureDir(dir);
  // Each pass either claims, finds a live owner, or sees the lock files change under it and looks again.
  for (let attempt = 0; attempt < 100; attempt++) {
    const generations = lockGenerations(dir, runId);
    if (generations.length === 0) {
      const claim = create(dir, runId, 0);
      if (claim) return { claim };
      continue;
    }
    const latest = generations[generations.length - 1];
    const file = lockFile(dir, runId, latest);
    const owner = readOwner(file);
    if (owner === 'gone') continue;
    if (owner !== 'unwritten' && ownerState(owner) !== 'dead') return { heldBy: owner, file };
    if (owner === 'unwritten' && !olderThan(file, UNWRITTEN_GRACE_MS)) return { heldBy: unwrittenOwner(), file };
    const claim = create(dir, runId, latest + 1);
    if (claim) {
      for (const g of generations) removeIfPresent(lockFile(dir, runId, g));
      return { claim };
    }
  }
  throw new Error(`the locks of run ${runId} in ${dir} keep changing`);
}

/** Give a claim back (only while the lock file is still ours). */
export function releaseClaim(claim: Claim): void {
  const owner = readOwner(claim.file);
  if (typeof owner === 'object' && owner.token === claim.token) removeIfPresent(claim.file);
}

/** The current owner of run `runId`'s lock, or null when nobody (alive or unknowable) holds it. */
export function currentOwner(outDir: string, runId: string): Owner | null {
  const dir = locksDir(outDir);
  const generations = lockGenerations(dir, runId);
  if (generations.length === 0) return null;
  const owner = readOwner(lockFile(dir, runId, generations[generations.length - 1]));
  if (owner === 'gone') return currentOwner(outDir, runId);
  // an empty lock file past its grace period was abandoned (its creator died between creating and writing
  // it): nobody holds the run, as claimRun, which takes such a lock over, agrees
  if (owner === 'unwritten') return olderThan(lockFile(dir, runId, generations[generations.length - 1]), UNWRITTEN_GRACE_MS) ? null : unwrittenOwner();
  return ownerState(owner) === 'dead' ? null : owner;
}

/**
 * Whether a lock's owner lives. Only an owner that can be alive counts as alive, so that no wait lasts for
 * ever on a lock clbench did not write or whose writer is gone: on this host, a lock is stale when its pid
 * is impossible (0, negative, not an integer, past Linux's largest), its process is gone, its start time
 * differs (the pid was reused) or is missing where this host has start times (clbench always writes it),
 * its boot id is another (the machine restarted since), or its process is not Node running clbench.
 */
export function ownerState(owner: Owner, me: Owner = thisProcess()): OwnerState {
  if (owner.unwritten) return 'alive';
  if (owner.host !== me.host) return 'unknown';
  if (owner.bootId !== me.bootId) return me.bootId !== null ? 'dead' : 'unknown';
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid > MAX_PID) return 'dead';
  if (owner.pid === me.pid) return owner.processStart === me.processStart ? 'alive' : 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  if (me.processStart !== null && owner.processStart === null) return 'dead';
  const start = processStart(owner.pid);
  if (start !== null && owner.processStart !== null && start !== owner.processStart) return 'dead';
  return runsClbench(owner.pid) ? 'alive' : 'dead';
}

/** Linux's largest pid (pid_max is at most 2^22). */
const MAX_PID = 4_194_304;

export function describeOwner(owner: Owner): string {
  return owner.unwritten ? `a process of ${owner.host} still writing its lock file` : `pid ${owner.pid} on ${owner.host} since ${owner.since}`;
}

let self: Omit<Owner, 'token' | 'since'> | null = null;

/** This process as an owner (without a token). */
export function thisProcess(): Owner {
  self ??= { pid: process.pid, host: os.hostname(), bootId: readTrimmed('/proc/sys/kernel/random/boot_id'), processStart: processStart(process.pid) };
  return { ...self, token: '', since: '' };
}

// ---- lock files ------------------------------------------------------------------------------------

function lockFile(dir: string, runId: string, generation: number): string {
  return path.join(dir, `${runId}.${generation}.lock`);
}

/** Generations of run `runId`'s lock files, ascending. Run ids never contain a '.<digits>.lock' tail. */
function lockGenerations(dir: string, runId: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const prefix = `${runId}.`;
  return names
    .filter((n) => n.startsWith(prefix))
    .map((n) => /^(\d+)\.lock$/.exec(n.slice(prefix.length)))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Create generation `generation` of the lock, exclusively; null when another process created it first. */
function create(dir: string, runId: string, generation: number): Claim | null {
  const file = lockFile(dir, runId, generation);
  const owner: Owner = { ...thisProcess(), token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw storageError(error, file);
  }
  try {
    writeSync(fd, JSON.stringify(owner));
    fsyncSync(fd);
  } catch (error) {
    removeIfPresent(file);
    throw storageError(error, file);
  } finally {
    closeSync(fd);
  }
  return { runId, file, token: owner.token };
}

/** The owner a lock file names; 'gone' if it vanished, 'unwritten' while it is empty or half written. */
function readOwner(file: string): Owner | 'gone' | 'unwritten' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const { unwritten: _ignored, ...owner } = JSON.parse(text) as Owner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string' ? owner : 'unwritten';
  } catch {
    return 'unwritten';
  }
}

/** The owner of a lock file still being written: unknown yet, assumed alive (pid 0, and `unwritten`, mark it). */
function unwrittenOwner(): Owner {
  return { ...thisProcess(), pid: 0, processStart: null, since: 'now (its lock file is being written)', unwritten: true };
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(error, file);
  }
}

function ensureDir(dir: string): void {
  try {
    makeFolder(dir);
  } catch (error) {
    throw storageError(error, dir);
  }
}

function storageError(error: unknown, file: string): StorageError {
  return storageProblem('cannot write a run lock', error, file);
}

// ---- processes -------------------------------------------------------------------------------------

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where /proc is absent. */
function processStart(pid: number): string | null {
  const stat = readTrimmed(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

/**
 * Whether process `pid` is Node running clbench, as far as /proc tells (true where it cannot tell): a pid of
 * a live shell, daemon or editor in a lock is not a clbench run to wait for.
 */
function runsClbench(pid: number): boolean {
  const cmdline = readTrimmed(`/proc/${pid}/cmdline`);
  if (cmdline === null) return true;
  return cmdline.split('\0').some((arg) => /node|clbench/i.test(path.basename(arg)) || /clbench/i.test(arg));
}

function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}
