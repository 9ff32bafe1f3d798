/**
 * Per-phase series of a leaderboard row: the mean over a row's completed runs of a number each run
 * has once per phase (examples trained, the average accuracy over the tasks seen so far).
 */
import { averageAccuracyCurve } from '../metrics/index.js';
import type { RunRecord } from './record.js';

/** Element-wise mean of equally long series; null for no series. */
export function meanSeries(series: number[][]): number[] | null {
  if (series.length === 0) return null;
  const length = Math.min(...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => series.reduce((sum, s) => sum + s[i], 0) / series.length);
}

/** A_p = (1/p) Σ_{j≤p} R[p][j] after every phase p, averaged over runs: the power-law paper's main curve. */
export function averageAccuracyCurveMean(runs: RunRecord[]): number[] | null {
  return meanSeries(runs.map((r) => averageAccuracyCurve(r.accuracy.matrix)));
}

/** Examples trained on in each phase (all epochs), averaged over runs. */
export function examplesPerPhaseMean(runs: RunRecord[]): number[] | null {
  return meanSeries(runs.map((r) => r.examplesPerPhase));
}
