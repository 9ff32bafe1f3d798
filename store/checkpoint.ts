/**
 * Checkpoints: after every phase a run saves what it needs to continue — the learner's state (model
 * variables, optimizer state, generator states, penalty tensors, replay memory …) and the runner's progress
 * (the accuracy rows and curves so far, examples, timings) — to `DIR/checkpoints/<run id>/`; a learner that
 * `resumesWithinPhase` is also saved at an epoch's end within a long phase (run/runJob.ts says when):
 *
 *   phase-<n>.bin             every tensor's bytes, back to back (after phase n)
 *   phase-<n>-epoch-<e>.bin   the same, within phase n after its epoch e
 *   manifest.json             the run key, the progress, each tensor's name, dtype, shape and place in the
 *                             .bin, the .bin's size and SHA-256, and the JSON parts of the state
 *
 * Both are written atomically, the .bin first and the manifest last, and the .bin carries its place in
 * its name: a crash at any moment leaves either the previous manifest with its own .bin or the new pair.
 * A checkpoint is only used by a run with the same key (same job, backend and clbench version).
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storageError } from '../core/storage.js';
import type { LearnerState } from '../learners/contract.js';
import { writeFileAtomic } from '../core/files.js';

/** What the run protocol (run/protocol.ts) has measured after its phases so far: everything the record needs. */
export interface PhaseResults {
  /** phases finished (the run continues with phase `phases`) */
  phases: number;
  initial: number[];
  matrix: number[][];
  curves: number[][];
  /** new-task accuracy after `evaluation.newTaskSteps` steps of each phase (absent when the suite asks for none) */
  stepCurves?: number[][];
  examplesPerPhase: number[];
  phaseSeconds: number[];
  /** the rehearsal schedule's draws per phase (stochastic sampling; empty otherwise) */
  drawn: number[][];
  trainSeconds: number;
  evalSeconds: number;
  /**
   * present in a checkpoint saved at an epoch's end within a phase (a learner that `resumesWithinPhase`):
   * phase index `phases` is under way, `epochs` of its epochs done. Its measurements so far are the last of
   * `curves` (and of `stepCurves`, and `drawn` holds its draw); here its steps, examples, wall and training
   * seconds so far (checkpoint writing left out of both).
   */
  phaseUnderWay?: PhaseUnderWay;
}

export interface PhaseUnderWay {
  epochs: number;
  steps: number;
  examples: number;
  phaseSeconds: number;
  trainSeconds: number;
}

/** The runner's side of a checkpoint: the phases' results plus the run's wall time so far. */
export interface RunProgress extends PhaseResults {
  /** wall time of the run so far, over every process that worked on it */
  elapsedSeconds: number;
  startedAt: string;
}

export interface Checkpoint {
  progress: RunProgress;
  learner: LearnerState;
}

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  offset: number;
  bytes: number;
}

interface Manifest {
  format: 'clbench-checkpoint';
  version: 1;
  runId: string;
  key: string;
  endianness: 'LE' | 'BE';
  data: string;
  bytes: number;
  sha256: string;
  tensors: TensorEntry[];
  progress: RunProgress;
  learner: unknown;
}

const MANIFEST = 'manifest.json';
const ARRAYS = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

export function checkpointDir(outDir: string, runId: string): string {
  return path.join(outDir, 'checkpoints', runId);
}

/** Write a checkpoint; disposes the learner state's tensors. */
export async function saveCheckpoint(dir: string, meta: { runId: string; key: string }, progress: RunProgress, learner: LearnerState): Promise<void> {
  const tensors: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  try {
    for (const [name, tensor] of Object.entries(learner.tensors)) {
      if (!(tensor.dtype in ARRAYS)) throw new Error(`learner state '${name}' is a ${tensor.dtype} tensor; checkpoints hold float32, int32 and bool tensors`);
      const values = await tensor.data();
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      tensors.push({ name, dtype: tensor.dtype as TensorEntry['dtype'], shape: tensor.shape, offset, bytes: bytes.byteLength });
      chunks.push(bytes);
      offset += bytes.byteLength;
    }
  } finally {
    tf.dispose(Object.values(learner.tensors));
  }
  const data = Buffer.concat(chunks);
  const dataName = progress.phaseUnderWay ? `phase-${progress.phases + 1}-epoch-${progress.phaseUnderWay.epochs}.bin` : `phase-${progress.phases}.bin`;
  writeFileAtomic(path.join(dir, dataName), data);
  const manifest: Manifest = {
    format: 'clbench-checkpoint',
    version: 1,
    runId: meta.runId,
    key: meta.key,
    endianness: os.endianness(),
    data: dataName,
    bytes: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    tensors,
    progress,
    learner: learner.json ?? null,
  };
  writeFileAtomic(path.join(dir, MANIFEST), `${JSON.stringify(manifest)}\n`);
  // Older .bin files (and temp files of a write a crash cut short) are no longer referenced.
  try {
    for (const name of readdirSync(dir)) if (name !== MANIFEST && name !== dataName) rmSync(path.join(dir, name), { force: true });
  } catch (error) {
    throw storageError('cannot delete an old checkpoint file', error, dir);
  }
}

/**
 * The manifest in `dir` if it is one for run key `key` written on a machine of this byte order: null when
 * there is none, `{ problem }` when there is one that cannot be used.
 */
function readManifest(dir: string, key: string): Manifest | { problem: string } | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, MANIFEST), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : { problem: `cannot read its manifest (${code})` };
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return { problem: 'its manifest is not valid JSON' };
  }
  if (manifest.format !== 'clbench-checkpoint' || manifest.version !== 1) return { problem: 'its manifest is not a clbench checkpoint manifest (version 1)' };
  if (manifest.key !== key) return { problem: 'it was written for other settings of this run (its run key differs)' };
  if (manifest.endianness !== os.endianness()) return { problem: `it was written on a ${manifest.endianness} machine` };
  return manifest;
}

/**
 * How far the checkpoint in `dir` for run key `key` got, read from its manifest alone (no tensors, so no
 * backend): null when there is none, `{ problem }` when it cannot be used. Its data file is checked for
 * presence and size only; resuming (loadCheckpoint) also checks its SHA-256.
 */
export function checkpointProgress(dir: string, key: string): RunProgress | { problem: string } | null {
  const manifest = readManifest(dir, key);
  if (manifest === null || 'problem' in manifest) return manifest;
  let size: number;
  try {
    size = statSync(path.join(dir, path.basename(manifest.data))).size;
  } catch (error) {
    return { problem: `cannot read ${manifest.data} (${(error as NodeJS.ErrnoException).code})` };
  }
  return size === manifest.bytes ? manifest.progress : { problem: `${manifest.data} does not match its manifest (size)` };
}

/**
 * When the checkpoint in `dir` was saved (its manifest, written last, in ms since the epoch), or null
 * when there is none: `clbench status` counts a running run's time in its current phase from it.
 */
export function checkpointSavedAt(dir: string): number | null {
  try {
    return statSync(path.join(dir, MANIFEST)).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * The checkpoint in `dir` for run key `key`: null when there is none, `{ problem }` when there is one
 * that cannot be used (another key, damaged, unreadable). The caller disposes the learner tensors.
 */
export function loadCheckpoint(dir: string, key: string): Checkpoint | { problem: string } | null {
  const manifest = readManifest(dir, key);
  if (manifest === null || 'problem' in manifest) return manifest;
  let data: Buffer;
  try {
    data = readFileSync(path.join(dir, path.basename(manifest.data)));
  } catch (error) {
    return { problem: `cannot read ${manifest.data} (${(error as NodeJS.ErrnoException).code})` };
  }
  if (data.byteLength !== manifest.bytes || createHash('sha256').update(data).digest('hex') !== manifest.sha256)
    return { problem: `${manifest.data} does not match its manifest (size or SHA-256)` };
  const tensors: Record<string, tf.Tensor> = {};
  for (const entry of manifest.tensors) {
    const ArrayType = ARRAYS[entry.dtype];
    if (!ArrayType || entry.offset + entry.bytes > data.byteLength) {
      tf.dispose(Object.values(tensors));
      return { problem: `its entry for tensor '${entry.name}' is invalid` };
    }
    // A copy: the tensor's typed array must start at a multiple of its element size.
    const values = new ArrayType(new Uint8Array(data.subarray(entry.offset, entry.offset + entry.bytes)).buffer);
    tensors[entry.name] = tf.tensor(values, entry.shape, entry.dtype);
  }
  return { progress: manifest.progress, learner: { tensors, json: manifest.learner } };
}

/** Delete a run's checkpoint (its record is written, or it must start over). */
export function removeCheckpoint(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    throw storageError('cannot delete a checkpoint', error, dir);
  }
}

/**
 * Test hook: with CLBENCH_CRASH_AFTER_PHASE=n the process kills itself (SIGKILL, as a crash or an
 * out-of-memory kill would) right after a run writes the checkpoint of phase n (1-based). The kill-and-
 * resume tests use it to stop a run at an exact point.
 */
export function crashIfAsked(phase: number): void {
  const at = process.env.CLBENCH_CRASH_AFTER_PHASE;
  if (at !== undefined && Number(at) === phase + 1) process.kill(process.pid, 'SIGKILL');
}
