import { expect } from 'chai';
import { buildLeaderboard } from '../../results/leaderboard.js';
import { leaderboardMarkdown, markdownCell } from '../../results/markdown.js';
import { leaderboardLegend, leaderboardTable, TABLE_WIDTH } from '../../results/table.js';
import { makeRecord, toyRecords } from './records.js';

const LONG_SCENARIO = 'split-synthetic:classes=8,features=16,trainPerClass=60,testPerClass=20,spread=25-class-with-more-words-still';
const LONG_LABEL = 'ewc(lambda=600,fisher=empirical,fisherSamples=2000,halfFactor=true) with a note';

function wideRows() {
  return buildLeaderboard([
    makeRecord({ scenario: LONG_SCENARIO, learner: LONG_LABEL, matrix: [[0.999, 0.001], [0.0001, 0.9999]], position: [0, 0], published: { mean: 0.9346, std: 0.0201, source: 'Hsu et al. 2018' } }),
    makeRecord({ scenario: LONG_SCENARIO, learner: LONG_LABEL, seed: 1, matrix: [[0.5, 0], [0, 0.5]], position: [0, 0] }),
    makeRecord({ scenario: LONG_SCENARIO, learner: 'naive', matrix: [[1, 0], [0, 1]], position: [0, 1], status: 'diverged' }),
    makeRecord({ scenario: 'short', learner: 'joint', matrix: [[1, 0], [1, 1]], position: [1, 0], trainSeconds: 12345.6 }),
  ]);
}

describe('terminal leaderboard table', () => {
  it(`fits a ${TABLE_WIDTH}-column terminal with long scenario names and learner labels`, () => {
    const lines = leaderboardTable(wideRows()).split('\n');
    const tooWide = lines.filter((l) => [...l].length > TABLE_WIDTH);
    expect(tooWide).to.deep.equal([]);
  });

  it('puts each scenario on its own line above its learners and cuts long labels with …', () => {
    const lines = leaderboardTable(wideRows()).split('\n');
    expect(lines[0]).to.match(/^learner\s+n\s+ACC %\s+BWT %\s+forget %\s+LA %\s+pub\. %\s+train s$/);
    // a scenario name longer than the terminal is cut too
    expect(LONG_SCENARIO.length).to.be.greaterThan(TABLE_WIDTH);
    expect(lines[2]).to.equal(`${LONG_SCENARIO.slice(0, TABLE_WIDTH - 1)}…`);
    expect(lines[3].startsWith(LONG_LABEL.slice(0, 20))).to.equal(true);
    expect(lines[3]).to.contain('…').and.to.contain('93.46');
    expect(lines[4]).to.match(/^naive \[1 diverged\]/);
    expect(lines[5]).to.equal('short:');
    expect(lines[6]).to.match(/^joint\s+1\s+100\.00±—/);
    expect(lines[6]).to.match(/12345\.6$/);
    expect(lines).to.have.length(7);
  });

  it('has a legend under it that names every column, within the width', () => {
    const legend = leaderboardLegend(wideRows()).split('\n');
    expect(legend.filter((l) => l.length > TABLE_WIDTH)).to.deep.equal([]);
    const text = legend.join(' ');
    for (const column of ['n:', 'ACC:', 'BWT:', 'forget:', 'LA:', 'pub.:', 'train s:', '±—: one seed']) expect(text).to.contain(column);
    expect(leaderboardLegend(buildLeaderboard(toyRecords()))).to.not.contain('pub.');
  });

  it('drops the published column when no row has a published value', () => {
    expect(leaderboardTable(buildLeaderboard(toyRecords())).split('\n')[0]).to.not.contain('pub.');
  });
});

describe('Markdown leaderboard', () => {
  it('is a GitHub table: header, alignment row, one row per leaderboard row, percentages', () => {
    const md = leaderboardMarkdown(buildLeaderboard(toyRecords())).split('\n');
    expect(md[0]).to.equal('| Scenario | Learner | Seeds | ACC (%) | BWT (%) | Forgetting (%) | LA (%) | Train (s) |');
    expect(md[1]).to.equal('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md).to.have.length(5);
    // naive, seeds 0 and 1 (seed 2 diverged): ACC 0.4 and 1.4/3; BWT −0.775 and −0.475 (forgetting the
    // same, negated); LA 2.75/3 and 2.35/3; std = |difference| / √2
    expect(md[2]).to.equal('| split-toy-task | naive (1 diverged) | 2 | 43.33 ± 4.71 | -62.50 ± 21.21 | 62.50 ± 21.21 | 85.00 ± 9.43 | 1.5 |');
  });

  it('escapes pipes so a label cannot split a cell, and shows published values when given', () => {
    expect(markdownCell('a|b\\c')).to.equal('a\\|b\\\\c');
    const md = leaderboardMarkdown(wideRows());
    expect(md.split('\n')[0]).to.contain('Published ACC (%)');
    expect(md).to.contain('93.46 ± 2.01');
  });
});
