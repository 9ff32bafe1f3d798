/**
 * Progress reporting: a live bar on a terminal (cli-progress), plain lines otherwise (CI logs, pipes),
 * nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import type { RunRecord } from '../results/record.js';
import type { RunEvent } from './runJob.js';
import type { Job } from './suite.js';

export interface Progress {
  jobStart(index: number, total: number, job: Job): void;
  event(event: RunEvent): void;
  jobEnd(record: RunRecord): void;
  stop(): void;
}

export function createProgress(mode: 'bar' | 'lines' | 'quiet', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  if (mode === 'quiet') return { jobStart() {}, event() {}, jobEnd() {}, stop() {} };
  return mode === 'bar' ? barProgress() : lineProgress(write);
}

function outcome(record: RunRecord): string {
  const matrix = record.accuracy.matrix;
  const last = matrix[matrix.length - 1] ?? [];
  const acc = last.length ? (100 * last.reduce((a, b) => a + b, 0)) / last.length : NaN;
  if (record.status === 'completed') return `done in ${record.timings.totalSeconds.toFixed(1)} s, final average accuracy ${acc.toFixed(2)}%`;
  if (record.status === 'diverged') return `DIVERGED in phase ${record.diverged!.phase + 1} (loss ${record.diverged!.loss})`;
  return `FAILED: ${record.error}`;
}

function lineProgress(write: (line: string) => void): Progress {
  let prefix = '';
  return {
    jobStart(index, total, job) {
      prefix = `[${index + 1}/${total}] ${job.id}`;
      write(`${prefix}: start`);
    },
    event(e) {
      if (e.type === 'epoch')
        write(`${prefix}: phase ${e.phase + 1} epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} new-task acc ${(100 * e.accuracy).toFixed(2)}% (${Math.round(e.examplesPerSecond)} ex/s)`);
    },
    jobEnd(record) {
      write(`${prefix}: ${outcome(record)}`);
    },
    stop() {},
  };
}

function barProgress(): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: '{run} |{bar}| phase {phase} epoch {epoch} | {rate} ex/s | run ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phases = 1;
  let epochs = 1;
  let steps = 1;
  let phase = 0;
  let epoch = 0;
  let rate = '';
  let run = '';
  const value = (step: number) => (phase * epochs + epoch) * steps + step;
  return {
    jobStart(index, total, job) {
      run = `run ${index + 1}/${total}`;
      epochs = job.training.epochs;
      phase = epoch = 0;
      if (started) bar.stop();
      bar.start(100, 0, { run, phase: '-', epoch: '-', rate: '-' });
      started = true;
    },
    event(e) {
      if (e.type === 'phase') phases = e.phases;
      if (e.type === 'step') {
        ({ phase, epoch, steps } = e);
        bar.setTotal(phases * epochs * steps);
        bar.update(value(e.step + 1), { run, phase: `${phase + 1}/${phases}`, epoch: `${epoch + 1}/${epochs}`, rate });
      }
      if (e.type === 'epoch') rate = String(Math.round(e.examplesPerSecond));
    },
    jobEnd(record) {
      bar.stop();
      started = false;
      process.stderr.write(`  ${record.runId}: ${outcome(record)}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
