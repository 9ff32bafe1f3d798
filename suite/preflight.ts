/**
 * What a run would refuse, refused before any run starts, by `validate`, `schedule` and `run` alike: every
 * job's scenario is built (tasks the dataset's classes cannot fill, classes it does not have) and its
 * schedule made, and each run's size is held against the limits: its memory estimate (./memory.ts) and the
 * examples it would train on; a learner's declared phase cost is computed (./cost.ts). Before, `validate`
 * passed suites whose runs then failed, and absurd sizes ran into a crash or a run that would never end.
 */
import { UserError } from '../core/errors.js';
import { phaseExamples, runPhasePasses } from './cost.js';
import { cachedScenarios } from './jobInputs.js';
import { estimateRunMemory, formatBytes, RUN_MEMORY_ENV, runMemoryLimit } from './memory.js';
import type { Job } from './suite.js';

/** Training examples one run may go through (all phases and epochs): ~1 day at 100,000 examples a second. */
export const RUN_EXAMPLES_LIMIT = 1e10;

/** The suite field behind each part of the estimate, and what to do about it. */
const FIELD_OF = { model: 'model.hidden', training: 'training.batchSize', evaluation: 'evaluation.batchSize', data: 'scenario.dataset' } as const;
const FIX_OF = { model: 'use narrower or fewer hidden layers', training: 'use a smaller training batch', evaluation: 'use a smaller evaluation batch', data: 'use a smaller dataset' } as const;

export function preflight(jobs: Job[], file: string): void {
  const scenarioOf = cachedScenarios();
  const limit = runMemoryLimit();
  const checked = new Set<string>();
  for (const job of jobs) {
    const scenario = inSuite(file, () => scenarioOf(job));
    // seeds change nothing below but the draws: one check per scenario and learner entry
    const key = JSON.stringify([job.scenario, job.position, job.baseDir]);
    if (checked.has(key)) continue;
    checked.add(key);
    const where = `${file}: learners[${job.position[1]}] on scenario '${job.scenario.name}'`;
    const perPhase = inSuite(file, () => phaseExamples(job, scenario, `learner '${job.learner.label}': schedule`));
    const examples = perPhase.reduce((a, b) => a + b, 0) * job.training.epochs;
    if (examples > RUN_EXAMPLES_LIMIT)
      throw new UserError(
        `a run would train on ${examples.toExponential(2)} examples (${job.training.epochs} epochs), past the limit of ${RUN_EXAMPLES_LIMIT.toExponential(0)}`,
        `${where}: training.epochs`,
        'use fewer epochs or smaller tasks',
      );
    // a plugin's phaseCost that throws or returns no number is refused here, not when the pool orders the runs
    try {
      runPhasePasses(job, scenario, perPhase);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      throw Object.assign(new UserError(error.message, `${where}: learner '${job.learner.name}'`, error.fix), { cause: error });
    }
    const { bytes, parts } = estimateRunMemory(job, scenario);
    if (bytes > limit) {
      const largest = (Object.keys(parts) as (keyof typeof parts)[]).reduce((a, b) => (parts[b] > parts[a] ? b : a));
      // a batch's activations grow with the layers' widths too: wide layers are named first when they dominate
      const blamed: (keyof typeof parts)[] = (largest === 'training' || largest === 'evaluation') && Math.max(...job.model.hidden) > scenario.inputSize ? ['model', largest] : [largest];
      throw new UserError(
        `a run needs about ${formatBytes(bytes)} of memory (model [${[scenario.inputSize, ...job.model.hidden, scenario.outputs].join(', ')}], batch ${job.training.batchSize}, evaluation batch ${job.evaluation.batchSize}), past the limit of ${formatBytes(limit)}`,
        `${where}: ${blamed.map((part) => FIELD_OF[part]).join(' and ')}`,
        `${blamed.map((part) => FIX_OF[part]).join(', or ')}; the WASM backends cannot hold more than 4 GiB of tensors, so raise the limit (${RUN_MEMORY_ENV}=<GiB>) only with --backend tensorflow`,
      );
    }
  }
}

/** `build()`, its UserError naming the suite file too (a scenario's or schedule's own message names only the scenario). */
function inSuite<T>(file: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof UserError) || error.where?.startsWith(file)) throw error;
    throw Object.assign(new UserError(error.message, error.where ? `${file}: ${error.where}` : file, error.fix), { cause: error });
  }
}
