/**
 * Progress reporting: live bars on a terminal (cli-progress: the suite, then one bar per worker), plain
 * lines otherwise (CI logs, pipes), nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import type { RunRecord } from '../results/record.js';
import type { RunEvent } from './runJob.js';
import type { Job } from './suite.js';

export interface Progress {
  start(total: number, slots: number): void;
  jobStart(index: number, job: Job, slot: number): void;
  event(index: number, slot: number, event: RunEvent): void;
  jobEnd(index: number, slot: number, record: RunRecord): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'quiet';

export function createProgress(mode: ProgressMode, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  if (mode === 'quiet') return { start() {}, jobStart() {}, event() {}, jobEnd() {}, stop() {} };
  return mode === 'bar' ? barProgress() : lineProgress(write);
}

export function outcome(record: RunRecord): string {
  const matrix = record.accuracy.matrix;
  const last = matrix[matrix.length - 1] ?? [];
  const acc = last.length ? (100 * last.reduce((a, b) => a + b, 0)) / last.length : NaN;
  if (record.status === 'completed') return `done in ${record.timings.totalSeconds.toFixed(1)} s, final average accuracy ${acc.toFixed(2)}%`;
  if (record.status === 'diverged') return `DIVERGED in phase ${record.diverged!.phase + 1} (loss ${record.diverged!.loss})`;
  return `FAILED: ${record.error}`;
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
      names.set(index, job.id);
      write(`${prefix(index)}: start`);
    },
    event(index, _slot, e) {
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
  run: string;
}

function barProgress(): Progress {
  const multi = new cliProgress.MultiBar(
    { hideCursor: true, clearOnComplete: false, autopadding: true, etaBuffer: 100, format: '{label} |{bar}| {value}/{total} {unit} | ETA {eta_formatted} {info}' },
    cliProgress.Presets.shades_classic,
  );
  let suite: cliProgress.SingleBar | null = null;
  let done = 0;
  const slots: SlotState[] = [];
  return {
    start(total, count) {
      suite = multi.create(total, 0, { label: 'suite', unit: 'runs', info: '' });
      for (let s = 0; s < Math.min(count, total); s++)
        slots.push({ bar: multi.create(1, 0, { label: `worker ${s + 1}`, unit: 'steps', info: '' }), epochs: 1, phases: 1, rate: '-', run: '' });
    },
    jobStart(index, job, slot) {
      const s = slots[slot];
      Object.assign(s, { epochs: job.training.epochs, phases: 1, rate: '-', run: `run ${index + 1}: ${job.id}` });
      s.bar.setTotal(1);
      s.bar.update(0, { info: s.run });
    },
    event(_index, slot, e) {
      const s = slots[slot];
      if (e.type === 'phase') s.phases = e.phases;
      if (e.type === 'epoch') s.rate = String(Math.round(e.examplesPerSecond));
      if (e.type === 'step') {
        s.bar.setTotal(s.phases * s.epochs * e.steps);
        s.bar.update((e.phase * s.epochs + e.epoch) * e.steps + e.step + 1, {
          info: `phase ${e.phase + 1}/${s.phases} epoch ${e.epoch + 1}/${s.epochs} ${s.rate} ex/s ${s.run}`,
        });
      }
    },
    jobEnd(_index, slot, record) {
      done++;
      suite?.update(done);
      multi.log(`${record.runId}: ${outcome(record)}\n`);
      slots[slot].bar.update(0, { info: 'waiting' });
    },
    stop() {
      multi.stop();
    },
  };
}
