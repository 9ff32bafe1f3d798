/**
 * Checks of a suite that its schema cannot express, run when it is read (so `validate` refuses what `run`
 * would): each names the file, the field and the fix.
 *
 *   labels and scenario names   at most NAME_LIMIT characters: they name the run's files (a 300-character
 *                               label failed later as ENAMETOOLONG, reported as a disk problem)
 *   seeds                       each once: a repeated seed is the same run twice
 *   published                   keys name a scenario the entry runs on; mean, std and sem are fractions in [0, 1];
 *                               a spread is a std or a sem with its runs, not both
 *   epochs                      at most EPOCH_LIMIT (`epochs: 1e308` is an integer to JSON Schema)
 */
import { UserError } from '../core/errors.js';

/** What these checks read of a suite (./suite.ts's Suite has it; a type of its own keeps the two files acyclic). */
interface SuiteFields {
  scenario?: { name?: string };
  scenarios?: { name?: string }[];
  training: { epochs: number };
  seeds: number[];
  learners: LearnerFields[];
}

interface LearnerFields {
  label?: string;
  scenarios?: string[];
  training?: { epochs?: number };
  published?: Record<string, { mean: number; std?: number; sem?: number; runs?: number }>;
}

/** Characters of a label or a scenario name: a run id joins both, and a file name holds 255 bytes. */
export const NAME_LIMIT = 100;
/** Epochs of a phase: far past any published protocol, low enough that the totals stay exact. */
export const EPOCH_LIMIT = 100_000;

export function checkSuiteLimits(suite: SuiteFields, file: string, scenarioNames: readonly string[], labels: readonly string[]): void {
  const scenarios = suite.scenarios ?? [suite.scenario!];
  for (const [i, name] of scenarioNames.entries()) {
    const field = suite.scenarios ? `scenarios[${i}].name` : 'scenario.name';
    checkName(name, `${file}: ${field}`, scenarios[i]?.name === undefined ? 'the default name comes from the dataset: give the scenario a shorter "name"' : 'give the scenario a shorter "name"');
  }
  for (const [i, label] of labels.entries()) checkName(label, `${file}: learners[${i}]${suite.learners[i].label === undefined ? '' : '.label'}`, 'give the entry a shorter "label" (the default label lists the options it sets)');

  const seen = new Map<number, number>();
  for (const [i, seed] of suite.seeds.entries()) {
    if (seen.has(seed)) throw new UserError(`seed ${seed} is listed twice (seeds[${seen.get(seed)}] and seeds[${i}]): the same run would be run twice`, `${file}: seeds`, 'list each seed once');
    seen.set(seed, i);
  }

  checkEpochs(suite.training.epochs, `${file}: training.epochs`);
  for (const [i, entry] of suite.learners.entries()) {
    if (entry.training?.epochs !== undefined) checkEpochs(entry.training.epochs, `${file}: learners[${i}].training.epochs`);
    checkPublished(entry, scenarioNames, `${file}: learners[${i}].published`);
  }
}

function checkName(name: string, where: string, fix: string): void {
  if ([...name].length > NAME_LIMIT) throw new UserError(`is ${[...name].length} characters long; at most ${NAME_LIMIT} (it names the run's files)`, where, fix);
}

function checkEpochs(epochs: number, where: string): void {
  if (epochs > EPOCH_LIMIT) throw new UserError(`${epochs} epochs is past the limit of ${EPOCH_LIMIT}`, where, `use at most ${EPOCH_LIMIT} epochs a phase`);
}

function checkPublished(entry: LearnerFields, scenarioNames: readonly string[], where: string): void {
  const runsOn = entry.scenarios ?? scenarioNames;
  for (const [key, published] of Object.entries(entry.published ?? {})) {
    if (!runsOn.includes(key))
      throw new UserError(
        `'${key}' names no scenario this entry runs on`,
        `${where}.${key}`,
        `key published results by the scenario's name: ${runsOn.map((n) => `'${n}'`).join(', ')}`,
      );
    if (published.mean < 0 || published.mean > 1)
      throw new UserError(`mean ${published.mean} is not a fraction in [0, 1]`, `${where}.${key}.mean`, 'give accuracies as fractions: 0.9525 for 95.25%');
    if (published.std !== undefined && (published.std < 0 || published.std > 1))
      throw new UserError(`std ${published.std} is not a fraction in [0, 1]`, `${where}.${key}.std`, 'give the standard deviation as a fraction, not negative: 0.012 for 1.2 points');
    if (published.sem !== undefined && (published.sem < 0 || published.sem > 1))
      throw new UserError(`sem ${published.sem} is not a fraction in [0, 1]`, `${where}.${key}.sem`, 'give the standard error as a fraction, not negative: 0.0126 for 1.26 points');
    if (published.std !== undefined && published.sem !== undefined)
      throw new UserError('both a std and a sem are given', `${where}.${key}`, 'keep the one the paper prints: "std" for a standard deviation, "sem" (with "runs") for a standard error');
    if ((published.sem === undefined) !== (published.runs === undefined))
      throw new UserError(
        published.sem === undefined ? '"runs" is given without a "sem"' : 'a "sem" is given without the number of runs it is over',
        `${where}.${key}.${published.sem === undefined ? 'runs' : 'sem'}`,
        'give a published standard error as "sem" with "runs" (e.g. "sem": 0.0126, "runs": 20): it is compared as the std sem·√runs',
      );
  }
}
