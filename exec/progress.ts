/**
 * Progress reporting: live bars on a terminal (cli-progress: the suite, then one bar per worker), plain
 * lines otherwise (CI logs, pipes), one JSON object a line with --json (for scripts), nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import type { RunRecord } from '../results/record.js';
import type { RunEvent } from '../run/runJob.js';
import type { Job } from '../suite/suite.js';
import { printable } from '../core/terminal.js';

export interface Progress {
  start(total: number, slots: number): void;
  jobStart(index: number, job: Job, slot: number): void;
  event(index: number, slot: number, event: RunEvent): void;
  jobEnd(index: number, slot: number, record: RunRecord): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'json' | 'quiet';

/** The terminal the bars draw on: process.stderr, or a fake one in tests. */
export type BarStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export function createProgress(mode: ProgressMode, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), stream: BarStream = process.stderr): Progress {
  if (mode === 'quiet') return { start() {}, jobStart() {}, event() {}, jobEnd() {}, stop() {} };
  return inStartOrder(mode === 'json' ? jsonProgress(write) : mode === 'bar' ? barProgress(stream) : lineProgress(write));
}

/**
 * Numbers runs 1..N in the order they start. The runner passes each run's place in the suite's queue,
 * but a pool starts the longest runs first: without this the first lines would read [3/6] and [6/6].
 */
export function inStartOrder(inner: Progress): Progress {
  const ordinal = new Map<number, number>();
  const of = (index: number) => ordinal.get(index) ?? index;
  return {
    start: (total, slots) => inner.start(total, slots),
    jobStart(index, job, slot) {
      if (!ordinal.has(index)) ordinal.set(index, ordinal.size);
      inner.jobStart(of(index), job, slot);
    },
    event: (index, slot, e) => inner.event(of(index), slot, e),
    jobEnd: (index, slot, record) => inner.jobEnd(of(index), slot, record),
    stop: () => inner.stop(),
  };
}

export function outcome(record: RunRecord): string {
  const matrix = record.accuracy.matrix;
  const last = matrix[matrix.length - 1] ?? [];
  const acc = last.length ? (100 * last.reduce((a, b) => a + b, 0)) / last.length : NaN;
  if (record.status === 'completed') return `done in ${record.timings.totalSeconds.toFixed(1)} s, final average accuracy ${acc.toFixed(2)}%`;
  if (record.status === 'diverged')
    return `DIVERGED in phase ${record.diverged!.phase + 1} (${record.diverged!.nonFinite === 'weights' ? 'weights not finite' : `loss ${record.diverged!.loss}`})`;
  return `FAILED: ${printable(record.error ?? '')}`;
}

function lineProgress(write: (line: string) => void): Progress {
  let total = 0;
  const names = new Map<number, string>();
  const prefix = (index: number) => `[${index + 1}/${total}] ${names.get(index) ?? ''}`;
  return {
    start(count) {
      total = count;
    },
    jobStart(index, job) {
      names.set(index, printable(job.id));
      write(`${prefix(index)}: start`);
    },
    event(index, _slot, e) {
      if (e.type === 'resumed') write(`${prefix(index)}: resumed ${resumedWhere(e)} from its checkpoint`);
      if (e.type === 'note') write(`${prefix(index)}: ${printable(e.message)}`);
      if (e.type === 'epoch')
        write(`${prefix(index)}: phase ${e.phase + 1} epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} new-task acc ${(100 * e.accuracy).toFixed(2)}% (${Math.round(e.examplesPerSecond)} ex/s)`);
    },
    jobEnd(index, _slot, record) {
      write(`${prefix(index)}: ${outcome(record)}`);
      names.delete(index);
    },
    stop() {},
  };
}

interface SlotState {
  bar: cliProgress.SingleBar;
  epochs: number;
  phases: number;
  rate: string;
  /** 'run i/N' */
  run: string;
  id: string;
}

function barProgress(stream: BarStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      etaBuffer: 100,
      // true: cli-progress cuts every bar line at the terminal's width itself (false only asks the
      // terminal to stop wrapping, which not every terminal does)
      linewrap: true,
      // a narrow bar leaves the width to the run's phase, epoch, rate and id
      barsize: 20,
      format: '{label} |{bar}| {value}/{total} {unit} | ETA {eta_formatted} {info}',
    },
    cliProgress.Presets.shades_classic,
  );
  let suite: cliProgress.SingleBar | null = null;
  let done = 0;
  let runs = 0;
  const slots: SlotState[] = [];
  return {
    start(total, count) {
      runs = total;
      suite = multi.create(total, 0, { label: 'suite', unit: 'runs', info: '' });
      for (let s = 0; s < Math.min(count, total); s++)
        slots.push({ bar: multi.create(1, 0, { label: `worker ${s + 1}`, unit: 'steps', info: '' }), epochs: 1, phases: 1, rate: '-', run: '', id: '' });
    },
    jobStart(index, job, slot) {
      const s = slots[slot];
      Object.assign(s, { epochs: job.training.epochs, phases: 1, rate: '-', run: `run ${index + 1}/${runs}`, id: printable(job.id) });
      s.bar.setTotal(1);
      s.bar.update(0, { info: `${s.run} ${s.id}` });
    },
    event(_index, slot, e) {
      const s = slots[slot];
      if (e.type === 'resumed') multi.log(`${s.id}: resumed ${resumedWhere(e)} from its checkpoint\n`);
      if (e.type === 'note') multi.log(`${s.id}: ${printable(e.message)}\n`);
      if (e.type === 'phase') s.phases = e.phases;
      if (e.type === 'epoch') s.rate = String(Math.round(e.examplesPerSecond));
      if (e.type === 'step') {
        s.bar.setTotal(s.phases * s.epochs * e.steps);
        s.bar.update((e.phase * s.epochs + e.epoch) * e.steps + e.step + 1, {
          // the id last: cli-progress cuts lines at the terminal's width
          info: `${s.run} phase ${e.phase + 1}/${s.phases} epoch ${e.epoch + 1}/${s.epochs} ${s.rate} ex/s ${s.id}`,
        });
      }
    },
    jobEnd(_index, slot, record) {
      done++;
      suite?.update(done);
      multi.log(`${printable(record.runId)}: ${outcome(record)}\n`);
      slots[slot].bar.update(0, { info: 'waiting' });
    },
    stop() {
      // the worker bars go (a finished run's last 'waiting' line is stale); the suite bar stays as the summary
      for (const s of slots) multi.remove(s.bar);
      multi.stop();
    },
  };
}

/**
 * --json: one JSON object a line, for scripts. Every object has `event` and `time` (ISO 8601); runs are
 * numbered `run` 1..`runs` in the order this process takes them up, phases and epochs from 1, accuracies
 * are fractions in [0, 1]. A loss that is not finite is written as null. Training steps are not reported
 * (too many); the CLI adds a last `suite-end` object with the files it wrote.
 */
export function jsonProgress(write: (line: string) => void): Progress {
  let runs = 0;
  const ids = new Map<number, string>();
  const emit = (event: string, fields: Record<string, unknown>) => write(JSON.stringify({ event, time: new Date().toISOString(), ...fields }));
  const run = (index: number) => ({ run: index + 1, runs, runId: ids.get(index) ?? null });
  return {
    start(total, slots) {
      runs = total;
      emit('suite-start', { runs: total, workers: slots });
    },
    jobStart(index, job, slot) {
      ids.set(index, job.id);
      emit('run-start', { ...run(index), scenario: job.scenario.name, learner: job.learner.label, seed: job.seed, worker: slot + 1 });
    },
    event(index, _slot, e) {
      if (e.type === 'phase') emit('phase', { ...run(index), phase: e.phase + 1, phases: e.phases });
      if (e.type === 'epoch')
        emit('epoch', { ...run(index), phase: e.phase + 1, epoch: e.epoch + 1, epochs: e.epochs, loss: e.loss, newTaskAccuracy: e.accuracy, examplesPerSecond: e.examplesPerSecond });
      if (e.type === 'resumed') emit('resumed', { ...run(index), afterPhase: e.phase, ...(e.epochs ? { afterEpoch: e.epochs } : {}) });
      if (e.type === 'note') emit('note', { ...run(index), message: e.message });
    },
    jobEnd(index, _slot, record) {
      const last = record.accuracy.matrix[record.accuracy.matrix.length - 1];
      const finalAverageAccuracy = record.status === 'completed' && last ? last.reduce((a, b) => a + b, 0) / last.length : null;
      emit('run-end', {
        ...run(index),
        status: record.status,
        finalAverageAccuracy,
        trainSeconds: record.timings.trainSeconds,
        totalSeconds: record.timings.totalSeconds,
        diverged: record.diverged,
        error: record.error,
      });
      ids.delete(index);
    },
    stop() {},
  };
}

/** 'after phase 3', or 'in phase 4 after epoch 6' for a checkpoint within a phase. */
function resumedWhere(e: Extract<RunEvent, { type: 'resumed' }>): string {
  return e.epochs ? `in phase ${e.phase + 1} after epoch ${e.epochs}` : `after phase ${e.phase}`;
}
