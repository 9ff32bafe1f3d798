/**
 * Shape, rate and amount controls of the power law (issue 20): an exponential whose β is fitted to the power
 * law, and uniform / exponential budgets matched phase by phase to the unrestricted power law's rehearsal.
 * Expected values are computed by hand below each case.
 */
import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { matchedBeta, unrestrictedRehearsal } from '../../scenarios/scheduleMatch.js';
import { resolveSchedule, scheduleCounts, scheduleLabel, type ScheduleSpec } from '../../scenarios/schedules.js';
import { thrown } from '../helpers/tf.js';

const FOUR = [1000, 1000, 1000, 1000];

function counts(spec: ScheduleSpec, sizes = FOUR): number[][] {
  return scheduleCounts(resolveSchedule(spec), sizes).counts;
}

describe('power-law matched controls (scenarios/scheduleMatch.ts)', () => {
  it('fits β to the oldest : newest ratio: 10 tasks, α 5.6, τ 10 give 8 / (5.6 · ln(19/11)) ≈ 2.6138', () => {
    // ln(19/11) = 0.546544; 5.6 · 0.546544 = 3.060646; 8 / 3.060646 = 2.61384
    expect(matchedBeta(5.6, 10, 10)).to.be.closeTo(2.61384, 1e-4);
    // 4 tasks: K = 3, β = 2 / (5.6 · ln(13/11)) = 2 / 0.935503 = 2.13789
    expect(matchedBeta(5.6, 10, 4)).to.be.closeTo(2.13789, 1e-4);
  });

  it('a fitted exponential has the power law\'s oldest : newest ratio at the last phase', () => {
    // budget 500 split by e^(−k/2.13789), k = 1, 2, 3: weights 0.62635, 0.39231, 0.24572 (sum 1.26438):
    // floor(500 · w / Σw) = 247, 155, 97 (newest to oldest); 97/247 ≈ (1.3/1.1)^(−5.6) = 0.3924
    expect(counts({ kind: 'exponential', beta: 'match-powerlaw', budgetFraction: 0.5 })[3]).to.deep.equal([97, 155, 247, 1000]);
    // unrestricted: round(1000 · e^(−k/β)) = 626, 392, 246
    expect(counts({ kind: 'exponential', beta: 'match-powerlaw' })[3]).to.deep.equal([246, 392, 626, 1000]);
  });

  it('reports the fitted β with the counts', () => {
    const { warnings } = scheduleCounts(resolveSchedule({ kind: 'exponential', beta: 'match-powerlaw', budgetFraction: 0.5 }), FOUR);
    expect(warnings.join(' ')).to.contain('beta 2.1379');
  });

  it('the unrestricted power law rehearses 586, 946 and 1176 examples in phases 2..4 of 1000-example tasks', () => {
    // round(1000 · 1.1^−5.6) = 586, round(1000 · 1.2^−5.6) = 360, round(1000 · 1.3^−5.6) = 230
    expect(unrestrictedRehearsal(5.6, 10, FOUR)).to.deep.equal([0, 586, 586 + 360, 586 + 360 + 230]);
    // capped at the past tasks' sizes, as the power law's own counts are
    expect(unrestrictedRehearsal(5.6, 10, [100, 1000])).to.deep.equal([0, 100]);
  });

  it('uniform matched to the unrestricted power law: floor(R_p / (p − 1)) a past task', () => {
    // R = 586, 946, 1176: 586; floor(946/2) = 473; floor(1176/3) = 392
    expect(counts({ kind: 'uniform', budget: 'match-unrestricted-powerlaw' })).to.deep.equal([
      [1000, 0, 0, 0],
      [586, 1000, 0, 0],
      [473, 473, 1000, 0],
      [392, 392, 392, 1000],
    ]);
  });

  it('exponential β 1 matched to the unrestricted power law: floor(R_p · e^(−k) / Σ e^(−i))', () => {
    // phase 3: 946 · {0.135335, 0.367879} / 0.503214 = 254.4, 691.6; phase 4: 1176 · {0.049787, 0.135335,
    // 0.367879} / 0.553001 = 105.9, 287.8, 782.3
    expect(counts({ kind: 'exponential', beta: 1, budget: 'match-unrestricted-powerlaw' })).to.deep.equal([
      [1000, 0, 0, 0],
      [586, 1000, 0, 0],
      [254, 691, 1000, 0],
      [105, 287, 782, 1000],
    ]);
  });

  it('matches the power law of the spec\'s own α and τ', () => {
    // α 1, τ 1: round(1000 / (1 + k)) = 500, 333: R_3 = 833, floor(833 / 2) = 416
    expect(counts({ kind: 'uniform', budget: 'match-unrestricted-powerlaw', alpha: 1, tau: 1 })[2]).to.deep.equal([416, 416, 1000, 0]);
  });

  it('labels name the match; specs without it resolve as before (run keys unchanged)', () => {
    expect(scheduleLabel(resolveSchedule({ kind: 'exponential', beta: 'match-powerlaw', budgetFraction: 0.5 }))).to.equal(
      'exponential(alpha=5.6,tau=10,beta=match-powerlaw,r=0.5)',
    );
    expect(scheduleLabel(resolveSchedule({ kind: 'uniform', budget: 'match-unrestricted-powerlaw' }))).to.equal(
      'uniform(alpha=5.6,tau=10,budget=match-unrestricted-powerlaw)',
    );
    expect(resolveSchedule({ kind: 'exponential', budgetFraction: 0.5 })).to.deep.equal({
      kind: 'exponential',
      beta: 1,
      budgetFraction: 0.5,
      minPerTask: 0,
      minPerTaskMode: 'warn',
      sampling: 'phase',
    });
  });

  it('rejects a power law on an unmatched schedule, two budgets, and a fit over fewer than 3 tasks', () => {
    thrown(() => resolveSchedule({ kind: 'uniform', alpha: 2, budgetFraction: 0.5 }), UserError);
    thrown(() => resolveSchedule({ kind: 'uniform', budget: 'match-unrestricted-powerlaw', budgetFraction: 0.5 }), UserError);
    thrown(() => resolveSchedule({ kind: 'powerlaw', budget: 'match-unrestricted-powerlaw' } as ScheduleSpec), UserError);
    thrown(() => counts({ kind: 'exponential', beta: 'match-powerlaw', budgetFraction: 0.5 }, [1000, 1000]), UserError);
  });
});
