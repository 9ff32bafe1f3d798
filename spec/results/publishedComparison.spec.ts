/**
 * Ours against the published value (results/publishedComparison.ts): difference, two combined standard
 * deviations 2·√(s_ours² + s_pub²), within or outside — worked out by hand — and undecided, never a match or
 * a miss, when a side has no spread. The CSV, Markdown and HTML tables carry it.
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { leaderboardColumns, leaderboardCsv } from '../../results/csv.js';
import { buildLeaderboard } from '../../results/leaderboard.js';
import { leaderboardMarkdown, publishedMarkdown } from '../../results/markdown.js';
import { comparePublished, describeComparison } from '../../results/publishedComparison.js';
import { makeRecord } from './records.js';

const metric = (mean: number, std: number | null, n: number) => ({ average_accuracy: { mean, std, n } });
const PUB = { mean: 0.93, std: 0.01, source: 'paper' };

describe('comparison with the published value', () => {
  it('is within 2σ when |ours − published| ≤ 2·√(s_ours² + s_pub²), outside when larger', () => {
    // 0.91 ± 0.02 against 0.93 ± 0.01: difference −0.02, 2σ = 2·√0.0005 = 0.044721
    const near = comparePublished({ metrics: metric(0.91, 0.02, 3), published: PUB })!;
    expect(near.difference).to.be.closeTo(-0.02, 1e-12);
    expect(near.twoSd).to.be.closeTo(0.0447214, 1e-7);
    expect(near.within).to.equal(true);
    // 0.88 ± 0.01: difference −0.05 > 2·√0.0002 = 0.028284
    const far = comparePublished({ metrics: metric(0.88, 0.01, 3), published: PUB })!;
    expect(far.twoSd).to.be.closeTo(0.0282843, 1e-7);
    expect(far.within).to.equal(false);
    // the sign does not matter: 0.98 ± 0.01 is outside too, 0.95 ± 0.01 within
    expect(comparePublished({ metrics: metric(0.98, 0.01, 3), published: PUB })!.within).to.equal(false);
    expect(comparePublished({ metrics: metric(0.95, 0.01, 3), published: PUB })!.within).to.equal(true);
  });

  it('is undecided (not a match) when one side has no spread: one seed, or a published value without std', () => {
    const oneSeed = comparePublished({ metrics: metric(0.93, null, 1), published: PUB })!;
    expect(oneSeed).to.deep.equal({ difference: 0, twoSd: null, within: null });
    const noStd = comparePublished({ metrics: metric(0.5, 0.01, 3), published: { mean: 0.93, std: null, source: 'x' } })!;
    expect(noStd.within).to.equal(null);
    expect(comparePublished({ metrics: metric(0.9, 0.01, 3), published: null })).to.equal(null);
    expect(comparePublished({ metrics: {}, published: PUB })).to.equal(null);
  });

  it('reads in percentage points', () => {
    expect(describeComparison({ difference: -0.02, twoSd: 0.0447214, within: true })).to.equal('within 2σ (−2.00 of 4.47)');
    expect(describeComparison({ difference: 0.0523, twoSd: 0.0282843, within: false })).to.equal('outside 2σ (+5.23 of 2.83)');
    expect(describeComparison({ difference: 0.001, twoSd: null, within: null })).to.equal('+0.10 (no std: undecided)');
  });

  describe('in the tables', () => {
    // two seeds a row: ACC (final-row mean) 0.90 and 0.92 → 0.91 ± 0.014142; 0.80 and 0.82 → 0.81 ± 0.014142; one seed of 'c'
    const rows = buildLeaderboard([
      makeRecord({ learner: 'a', matrix: [[0.9]], published: PUB }),
      makeRecord({ learner: 'a', seed: 1, matrix: [[0.92]], published: PUB }),
      makeRecord({ learner: 'b', matrix: [[0.8]], position: [0, 1], published: PUB }),
      makeRecord({ learner: 'b', seed: 1, matrix: [[0.82]], position: [0, 1], published: PUB }),
      makeRecord({ learner: 'c', matrix: [[0.93]], position: [0, 2], published: PUB }),
      makeRecord({ learner: 'd', matrix: [[0.5]], position: [0, 3] }),
    ]);

    it('CSV: published_difference, published_two_sd, published_within_2sd (empty when undecided or unpublished)', () => {
      expect(leaderboardColumns().slice(-3)).to.deep.equal(['published_difference', 'published_two_sd', 'published_within_2sd']);
      const csv = parse(leaderboardCsv(rows), { columns: true }) as Record<string, string>[];
      const by = (label: string) => csv.find((r) => r.learner === label)!;
      // a: −0.02 within 2·√(0.014142² + 0.01²) = 2·√0.0003 = 0.034641
      expect(Number(by('a').published_difference)).to.be.closeTo(-0.02, 1e-6);
      expect(Number(by('a').published_two_sd)).to.be.closeTo(0.034641, 1e-6);
      expect(by('a').published_within_2sd).to.equal('true');
      expect(by('b').published_within_2sd).to.equal('false');
      expect(by('c').published_difference).to.equal('0');
      expect([by('c').published_two_sd, by('c').published_within_2sd]).to.deep.equal(['', '']);
      expect([by('d').published_difference, by('d').published_within_2sd]).to.deep.equal(['', '']);
    });

    it('Markdown: a "vs published" column beside the published value', () => {
      const md = leaderboardMarkdown(rows).split('\n');
      expect(md[0]).to.contain('| Published ACC (%) | vs published |');
      expect(md.find((l) => l.includes('| a |'))).to.contain('| within 2σ (−2.00 of 3.46) |');
      expect(md.find((l) => l.includes('| b |'))).to.contain('| outside 2σ (−12.00 of 3.46) |');
      expect(md.find((l) => l.includes('| c |'))).to.contain('| +0.00 (no std: undecided) |');
    });
    it('the published table: a learner a row, ours, published and verdict a scenario; misses in bold; unpublished learners left out', () => {
      const other = buildLeaderboard([
        makeRecord({ scenario: 'split-toy-domain', learner: 'a', matrix: [[0.7]], published: PUB }),
        makeRecord({ scenario: 'split-toy-domain', learner: 'a', seed: 1, matrix: [[0.72]], published: PUB }),
      ]);
      const md = publishedMarkdown([...rows, ...other]).split('\n');
      expect(md[0]).to.equal(
        '| Learner | split-toy-task: ours (%) | published (%) | ours − published (2σ) | split-toy-domain: ours (%) | published (%) | ours − published (2σ) |',
      );
      expect(md.slice(2).map((l) => l.split(' | ')[0])).to.deep.equal(['| a', '| b', '| c']);
      expect(md[2]).to.equal('| a | 91.00 ± 1.41 | 93.00 ± 1.00 | within 2σ (−2.00 of 3.46) | 71.00 ± 1.41 | 93.00 ± 1.00 | **outside 2σ (−22.00 of 3.46)** |');
      expect(md[4]).to.equal('| c | 93.00 ± — (1 seed) | 93.00 ± 1.00 | +0.00 (no std: undecided) |  |  |  |');
    });
  });
});
