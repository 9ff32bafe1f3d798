/**
 * Errors a user can cause. The CLI prints `message` (and `hint`) without a stack trace; anything that
 * is not a `UserError` is a bug and is printed with its stack.
 */
import { didYouMean } from './suggest.js';

export class UserError extends Error {
  /** `where`: the file and field at fault; `fix`: what to do about it. */
  constructor(
    message: string,
    readonly where?: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  describe(): string {
    const parts = [this.where ? `${this.where}: ${this.message}` : this.message];
    if (this.fix) parts.push(`  fix: ${this.fix}`);
    return parts.join('\n');
  }
}

/** Raised inside a run when the loss or the weights stop being finite. The runner records it. */
export class DivergedError extends Error {
  constructor(
    readonly phase: number,
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
    /** what stopped being finite: the step's loss, or the parameters (checked at the end of each epoch) */
    readonly nonFinite: 'loss' | 'weights' = 'loss',
  ) {
    super(`training diverged (${nonFinite === 'loss' ? `loss ${loss}` : 'weights not finite'}) in phase ${phase + 1}, epoch ${epoch + 1}, step ${step + 1}`);
    this.name = 'DivergedError';
  }
}

/**
 * Writing to the results folder failed (disk full, no permission, a file where a folder should be). Not
 * a learner's failure: the suite stops, and what was written before stays intact.
 */
export class StorageError extends UserError {
  constructor(message: string, where?: string, fix?: string) {
    super(message, where, fix);
    this.name = 'StorageError';
  }
}

/** A run stopped on request (Ctrl-C) after its current step; its last phase checkpoint is kept. */
export class RunInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'RunInterrupted';
  }
}

/** "did you mean" list for unknown names. */
export function unknownName(kind: string, name: string, known: readonly string[], where?: string): UserError {
  return new UserError(
    `unknown ${kind} '${name}'${didYouMean(name, known)}`,
    where,
    `use one of: ${known.join(', ')}`,
  );
}
