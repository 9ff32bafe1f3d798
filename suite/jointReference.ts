/**
 * The reference of intransigence (Chaudhry et al. 2018, RWalk): a*_k, the accuracy on task k of a model
 * trained jointly on tasks 1..k. A suite may hold several `joint` runs of one scenario and seed (with and
 * without a pre-trained backbone, say), so which one a run is compared with is decided here, by rule and
 * never by the order files happen to be read in:
 *
 *   1. the joint run with the same model (widths, normalisation, backbone) and training settings as the run;
 *   2. else the joint run the suite names with `"intransigenceReference": true` on its learner entry;
 *   3. else the only joint run of that scenario and seed, when there is exactly one;
 *   4. else (several candidates, none of them chosen by 1–3) an error naming them and the fix.
 *
 * Several joint runs that all match by rule 1 are told apart by the named one the same way. The same
 * function checks a suite before it runs (suite/suite.ts) and picks the reference when a leaderboard is
 * built from records (../results/leaderboard.ts), so a suite that validates never fails at the end of its runs.
 */
import { UserError } from '../core/errors.js';
import { canonicalJson } from '../core/canonicalJson.js';

/** What the choice looks at: a run record or a job both have these fields. */
export interface ReferenceCandidate {
  learner: { name: string; label: string };
  model: unknown;
  training: unknown;
  /** set on the joint entry a suite names as the reference */
  intransigenceReference?: boolean;
}

/** The learner whose runs are intransigence references. */
export const JOINT_LEARNER = 'joint';

/**
 * The joint run among `joints` (the joint runs of `run`'s suite, scenario and seed) that `run`'s
 * intransigence is measured against; null when there is none. Throws a UserError when the choice is
 * ambiguous; `where` names the scenario and seed in the message.
 */
export function pickJointReference<T extends ReferenceCandidate>(run: ReferenceCandidate, joints: readonly T[], where: string): T | null {
  if (joints.length === 0) return null;
  const named = joints.filter((j) => j.intransigenceReference === true);
  if (named.length > 1)
    throw new UserError(
      `${named.length} joint entries are named "intransigenceReference" for ${where}: ${describe(named)}`,
      undefined,
      'set "intransigenceReference": true on one joint entry of a scenario only',
    );
  const same = joints.filter((j) => canonicalJson(j.model) === canonicalJson(run.model) && canonicalJson(j.training) === canonicalJson(run.training));
  if (same.length === 1) return same[0];
  const pool = same.length > 1 ? same : joints;
  const chosen = pool.filter((j) => j.intransigenceReference === true);
  if (chosen.length === 1) return chosen[0];
  if (pool.length === 1) return pool[0];
  throw new UserError(
    `the intransigence reference of '${run.learner.label}' on ${where} is ambiguous: ${pool.length} joint runs could be it ` +
      `(${same.length > 1 ? 'all with its model and training' : 'none with its model and training'}): ${describe(pool)}`,
    undefined,
    'add "intransigenceReference": true to the learner entry of the joint run to compare with, or give each joint entry the model and training of the runs it is the reference of',
  );
}

function describe(joints: readonly ReferenceCandidate[]): string {
  return joints.map((j) => `'${j.learner.label}' (model ${canonicalJson(j.model)}, training ${canonicalJson(j.training)})`).join(', ');
}
