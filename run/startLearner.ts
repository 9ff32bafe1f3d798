/**
 * Starting a run's learner: from its last checkpoint when there is a usable one, else fresh. A
 * checkpoint that cannot be used (written for other settings, damaged, or refused by the learner) is
 * reported and deleted, and the run starts from its first phase; so does every run of a learner without
 * `state`/`restore`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Learner } from '../learners/contract.js';
import { loadCheckpoint, removeCheckpoint, type RunProgress } from '../store/checkpoint.js';

export interface LearnerStart {
  learner: Learner;
  /** the runner's progress to continue from; null for a fresh start */
  progress: RunProgress | null;
}

/** `create` must build an identical learner each call (same options and a fresh, equally seeded context). */
export async function startLearner(create: () => Learner, checkpointDir: string | undefined, key: string, note: (message: string) => void): Promise<LearnerStart> {
  const learner = create();
  if (!checkpointDir || !learner.state || !learner.restore) return { learner, progress: null };
  const saved = loadCheckpoint(checkpointDir, key);
  if (saved === null) return { learner, progress: null };
  if ('problem' in saved) {
    note(`checkpoint not used: ${saved.problem}; the run starts from its first phase`);
    removeCheckpoint(checkpointDir);
    return { learner, progress: null };
  }
  if (saved.progress.phaseUnderWay && !learner.resumesWithinPhase) {
    // saved within a phase by a build whose learner could take a phase up after an epoch; this one cannot
    note(`checkpoint not used: it was saved within phase ${saved.progress.phases + 1}, and this learner does not resume within a phase; the run starts from its first phase`);
    tf.dispose(Object.values(saved.learner.tensors));
    removeCheckpoint(checkpointDir);
    return { learner, progress: null };
  }
  try {
    await learner.restore(saved.learner);
    return { learner, progress: saved.progress };
  } catch (error) {
    // A half-restored learner is in no known state: start over with a new one.
    note(`checkpoint not used: the learner cannot restore it (${(error as Error)?.message ?? error}); the run starts from its first phase`);
    learner.dispose();
    removeCheckpoint(checkpointDir);
    return { learner: create(), progress: null };
  } finally {
    tf.dispose(Object.values(saved.learner.tensors));
  }
}
