/**
 * What a suite writes to choose a rehearsal schedule, and its resolution to a complete, checked
 * specification (every parameter filled in with its kind's default). The counts the specification
 * implies are computed in ./scheduleCounts.ts; the phase data it draws in ./schedules.ts.
 *
 * Reference: reference/algorithms.md §1.2 (the environments of the precursor code) and §1.5 (the
 * generalised schedule). Age k = p − j is the number of phases since task j was introduced.
 */
import { UserError } from '../core/errors.js';

export const SCHEDULE_KINDS = ['none', 'full', 'uniform', 'exponential', 'powerlaw', 'powerlaw-compat', 'powerlaw-table'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** One line per kind, for `clbench list`. Age k = p − j. */
export const SCHEDULE_DESCRIPTIONS: Record<ScheduleKind, string> = {
  none: 'no rehearsal: each phase is its new task (the default)',
  full: 'every past task in full (upper bound)',
  uniform: 'every past task alike; budgetFraction, or budget "match-unrestricted-powerlaw" (alpha, tau)',
  exponential: 'past task weight e^(-k/beta); beta (1, or "match-powerlaw": fitted to alpha, tau), budgetFraction or budget',
  powerlaw: 'past task weight (1 + k/tau)^(-alpha); alpha (5.6), tau (10), budgetFraction',
  'powerlaw-compat': "the precursor code's budgeted index rule alpha*x_j^(alpha-1); alpha (5), budgetFraction (required)",
  'powerlaw-table': "the precursor code's literal unrestricted table 57927, 33969, ... (ages 0..10)",
};

/** How a phase's examples are drawn from the counts n[p][j]. */
export type ScheduleSampling = 'phase' | 'stochastic';

/** A schedule as written in a suite: `kind` and only the parameters the user chose. */
export interface ScheduleSpec {
  kind: ScheduleKind;
  /** power-law exponent α (powerlaw: weight (1 + k/τ)^(−α); powerlaw-compat: Beta(α,1) shape) */
  alpha?: number;
  /** power-law age offset τ, in phases */
  tau?: number;
  /**
   * exponential scale β: weight e^(−k/β); 'match-powerlaw' fits β to the power law (1 + k/τ)^(−α) of this
   * spec's `alpha` and `tau` (./scheduleMatch.ts: the same oldest : newest ratio over the rehearsed ages)
   */
  beta?: number | typeof MATCH_POWERLAW;
  /** budgeted mode: total rehearsal R = floor(r · nNew) a phase, split over the past tasks by weight */
  budgetFraction?: number;
  /**
   * 'match-unrestricted-powerlaw': each phase rehearses, in all, what the unrestricted power law of this spec's
   * `alpha` and `tau` rehearses in that phase (./scheduleMatch.ts), split by this kind's weights
   */
  budget?: typeof MATCH_UNRESTRICTED;
  /** examples of the new task a phase (and the unit of every relative count); default the task's size */
  nNew?: number;
  /** least intended count of a rehearsed task a phase; 0 = no floor */
  minPerTask?: number;
  /** below `minPerTask`: 'warn' (report it, as the precursor code does) or 'clamp' (raise it) */
  minPerTaskMode?: 'warn' | 'clamp';
  /** 'phase': a fixed phase dataset drawn without replacement; 'stochastic': i.i.d. draws ∝ n[p][j] */
  sampling?: ScheduleSampling;
}

/** A schedule with every parameter its kind uses filled in; parameters it does not use are absent. */
export interface ResolvedSchedule {
  kind: ScheduleKind;
  alpha?: number;
  tau?: number;
  beta?: number | typeof MATCH_POWERLAW;
  /** absent = unrestricted (counts relative to nNew); present = budgeted */
  budgetFraction?: number;
  /** present: budgeted phase by phase to the unrestricted power law's rehearsal (exclusive with budgetFraction) */
  budget?: typeof MATCH_UNRESTRICTED;
  /** absent = each task's own training-set size (powerlaw-table: 57927, its literal table) */
  nNew?: number;
  minPerTask: number;
  minPerTaskMode: 'warn' | 'clamp';
  sampling: ScheduleSampling;
}

/** `beta` value: fit the exponential's rate to a power law (./scheduleMatch.ts). */
export const MATCH_POWERLAW = 'match-powerlaw';
/** `budget` value: each phase's rehearsal total is the unrestricted power law's (./scheduleMatch.ts). */
export const MATCH_UNRESTRICTED = 'match-unrestricted-powerlaw';

/** The precursor code's N = MAX_TASK_EXAMPLES: the new-task count its tables are written for. */
export const PRECURSOR_N = 57927;

/** Parameters each kind accepts (besides the common nNew, minPerTask, minPerTaskMode, sampling). */
const PARAMETERS: Record<ScheduleKind, readonly (keyof ScheduleSpec)[]> = {
  none: [],
  full: [],
  uniform: ['budgetFraction', 'budget', 'alpha', 'tau'],
  exponential: ['beta', 'budgetFraction', 'budget', 'alpha', 'tau'],
  powerlaw: ['alpha', 'tau', 'budgetFraction'],
  'powerlaw-compat': ['alpha', 'budgetFraction'],
  'powerlaw-table': [],
};
const COMMON: readonly (keyof ScheduleSpec)[] = ['kind', 'nNew', 'minPerTask', 'minPerTaskMode', 'sampling'];

/**
 * Fill in the defaults of `spec`'s kind and reject parameters the kind does not use (a `beta` on a
 * power law is a mistake, not a no-op). `where` names the suite field in error messages.
 */
export function resolveSchedule(spec: ScheduleSpec, where = 'schedule'): ResolvedSchedule {
  const kind = spec.kind;
  if (!SCHEDULE_KINDS.includes(kind)) throw new UserError(`unknown schedule kind '${kind}'`, `${where}.kind`, `use one of: ${SCHEDULE_KINDS.join(', ')}`);
  const allowed = [...COMMON, ...PARAMETERS[kind]];
  for (const key of Object.keys(spec) as (keyof ScheduleSpec)[]) {
    if (spec[key] !== undefined && !allowed.includes(key))
      throw new UserError(
        `'${key}' does not apply to the '${kind}' schedule`,
        `${where}.${key}`,
        PARAMETERS[kind].length ? `'${kind}' takes: ${PARAMETERS[kind].join(', ')} (and nNew, minPerTask, minPerTaskMode, sampling)` : `remove it ('${kind}' takes only nNew, minPerTask, minPerTaskMode, sampling)`,
      );
  }
  const resolved: ResolvedSchedule = {
    kind,
    minPerTask: spec.minPerTask ?? 0,
    minPerTaskMode: spec.minPerTaskMode ?? 'warn',
    sampling: spec.sampling ?? 'phase',
  };
  if (spec.nNew !== undefined) resolved.nNew = positiveInteger(spec.nNew, `${where}.nNew`);
  else if (kind === 'powerlaw-table') resolved.nNew = PRECURSOR_N;
  if (!(Number.isInteger(resolved.minPerTask) && resolved.minPerTask >= 0))
    throw new UserError(`minPerTask must be a non-negative integer, got ${resolved.minPerTask}`, `${where}.minPerTask`, 'e.g. 1195 (the precursor code)');
  if (kind === 'exponential') resolved.beta = spec.beta === MATCH_POWERLAW ? MATCH_POWERLAW : positive(spec.beta ?? 1, `${where}.beta`);
  if (kind === 'uniform' || kind === 'exponential') resolveMatchedPowerlaw(spec, resolved, where);
  if (kind === 'powerlaw') {
    // The precursor's unrestricted curve, 57927·(1 + k/10)^(−5.6) (environments.py of archana53/power-law-for-CI), is the default shape.
    resolved.alpha = positive(spec.alpha ?? 5.6, `${where}.alpha`);
    resolved.tau = positive(spec.tau ?? 10, `${where}.tau`);
  }
  if (kind === 'powerlaw-compat') {
    resolved.alpha = spec.alpha ?? 5;
    // The precursor code refuses α ≤ 2 for this rule; we keep its domain so compat runs mean the same thing.
    if (!(Number.isFinite(resolved.alpha) && resolved.alpha > 2))
      throw new UserError(`powerlaw-compat needs alpha > 2 (as the precursor code), got ${resolved.alpha}`, `${where}.alpha`, 'use alpha 5 (the precursor default), or kind "powerlaw" for an age-based power law');
    if (spec.budgetFraction === undefined)
      throw new UserError("'powerlaw-compat' is the precursor's budgeted rule and needs a budget", `${where}.budgetFraction`, 'add e.g. "budgetFraction": 0.5, or use kind "powerlaw-table" for its unrestricted table');
  }
  if (spec.budget !== undefined && kind !== 'uniform' && kind !== 'exponential')
    throw new UserError(`'budget' applies to the uniform and exponential schedules, not '${kind}'`, `${where}.budget`, 'use budgetFraction');
  if (spec.budgetFraction !== undefined) {
    if (!(Number.isFinite(spec.budgetFraction) && spec.budgetFraction >= 0))
      throw new UserError(`budgetFraction must be a number ≥ 0, got ${spec.budgetFraction}`, `${where}.budgetFraction`, 'e.g. 0.5: rehearse half as many examples as the new task brings');
    resolved.budgetFraction = spec.budgetFraction;
  }
  return resolved;
}

/**
 * A short name for the environment, with every parameter that shapes it: 'none', 'full',
 * 'uniform(r=0.5)', 'powerlaw(alpha=5.6,tau=10)' (unrestricted), 'powerlaw(alpha=5.6,tau=10,r=0.1)',
 * 'powerlaw-compat(precursor index rule,alpha=5,r=1)'. Leaderboards and run ids use it.
 */
export function scheduleLabel(s: ResolvedSchedule): string {
  const parts: string[] = [];
  if (s.kind === 'powerlaw-compat') parts.push('precursor index rule');
  if (s.kind === 'powerlaw-table') parts.push('precursor table');
  if (s.alpha !== undefined) parts.push(`alpha=${s.alpha}`);
  if (s.tau !== undefined) parts.push(`tau=${s.tau}`);
  if (s.beta !== undefined) parts.push(`beta=${s.beta}`);
  if (s.budgetFraction !== undefined) parts.push(`r=${s.budgetFraction}`);
  if (s.budget !== undefined) parts.push(`budget=${s.budget}`);
  if (s.nNew !== undefined && !(s.kind === 'powerlaw-table' && s.nNew === PRECURSOR_N)) parts.push(`nNew=${s.nNew}`);
  // A floor that only warns leaves the counts as they are, so it does not name a different environment.
  if (s.minPerTask > 0 && s.minPerTaskMode === 'clamp') parts.push(`min=${s.minPerTask}`);
  if (s.sampling === 'stochastic') parts.push('stochastic');
  return parts.length ? `${s.kind}(${parts.join(',')})` : s.kind;
}

/** The default schedule: every phase is the whole new task and nothing else (today's fine-tune stream). */
export function isDefaultSchedule(s: ResolvedSchedule): boolean {
  return s.kind === 'none' && s.nNew === undefined && s.sampling === 'phase';
}

/**
 * Uniform and exponential schedules may be matched to a power law (a fitted β, or a phase-by-phase budget);
 * `alpha` and `tau` then name that power law (defaults 5.6 and 10, the unrestricted curve's) and mean
 * nothing otherwise. `budget` and `budgetFraction` are two budgets: one at most.
 */
function resolveMatchedPowerlaw(spec: ScheduleSpec, resolved: ResolvedSchedule, where: string): void {
  const matched = resolved.beta === MATCH_POWERLAW || spec.budget !== undefined;
  for (const key of ['alpha', 'tau'] as const)
    if (spec[key] !== undefined && !matched)
      throw new UserError(
        `'${key}' does not apply to the '${spec.kind}' schedule unless it is matched to a power law (it names that power law)`,
        `${where}.${key}`,
        `remove it, or add "beta": "${MATCH_POWERLAW}" (exponential) or "budget": "${MATCH_UNRESTRICTED}"`,
      );
  if (spec.budget !== undefined) {
    if (spec.budget !== MATCH_UNRESTRICTED)
      throw new UserError(`unknown budget '${String(spec.budget)}'`, `${where}.budget`, `use "${MATCH_UNRESTRICTED}", or budgetFraction`);
    if (spec.budgetFraction !== undefined)
      throw new UserError('a schedule takes one budget: budgetFraction or budget, not both', `${where}.budget`, 'remove one of them');
    resolved.budget = MATCH_UNRESTRICTED;
  }
  if (!matched) return;
  resolved.alpha = positive(spec.alpha ?? 5.6, `${where}.alpha`);
  resolved.tau = positive(spec.tau ?? 10, `${where}.tau`);
}

function positive(value: number, where: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new UserError(`must be a number > 0, got ${value}`, where, 'give a positive number');
  return value;
}

function positiveInteger(value: number, where: string): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new UserError(`must be a positive integer, got ${value}`, where, 'e.g. 6000');
  return value;
}
