/**
 * The report in a real browser: Debian's Chromium, driven by playwright-core. It checks what a reader
 * sees (every chart drawn, the table sorting on a click, no script error) and saves a full-page
 * screenshot as a CI artifact. Without /usr/bin/chromium the suite is skipped, with the reason in its
 * title; `.ci/run` installs Chromium, so CI always runs it.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildReport } from '../../results/report/index.js';
import { toyRecords } from './records.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** CI keeps clbench-results/ as the run's artifacts */
export const ARTIFACT_DIR = path.join(root, 'clbench-results', 'report-browser-test');

const available = existsSync(CHROMIUM);
const title = available ? 'HTML report in headless Chromium' : `HTML report in headless Chromium — SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`;

describe(title, function () {
  this.timeout(60000);
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    if (!available) this.skip();
    mkdirSync(ARTIFACT_DIR, { recursive: true });
    const file = path.join(ARTIFACT_DIR, 'report.html');
    writeFileSync(file, await buildReport(toyRecords(), { sources: ['spec/results/records.ts (hand-made records)'] }));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    // a self-contained page asks for nothing: any request beyond the file itself is a failure
    page.on('request', (request) => {
      if (request.url() !== pathToFileURL(file).href) problems.push(`request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
  });

  after(async () => {
    await browser?.close();
  });

  it('draws every chart: an SVG with marks and a non-empty box in each figure', async () => {
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = svg ? svg.querySelectorAll('path, rect, line, text, circle').length : 0;
        const drawn = svg ? [...svg.querySelectorAll('path')].filter((p) => (p.getAttribute('d') ?? '').length > 0).length : 0;
        return { kind: figure.dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0, marks, drawn };
      }),
    );
    expect(charts.map((c) => c.kind)).to.deep.equal(['average-accuracy', 'cost', 'accuracy-matrix', 'task-accuracy', 'facilitation', 'rehearsal-counts']);
    for (const c of charts) {
      expect(c.width, c.kind).to.be.greaterThan(200);
      expect(c.height, c.kind).to.be.greaterThan(100);
      expect(c.marks, c.kind).to.be.greaterThan(20);
      expect(c.drawn, c.kind).to.be.greaterThan(0);
    }
  });

  it('sorts the leaderboard on a click on a column header, and back on a second click', async () => {
    const table = page.locator('table.leaderboard').first();
    const learners = () => table.locator('tbody th').allTextContents();
    const replay = 'replay(α=1) with a long label to test truncation';
    expect(await learners()).to.deep.equal(['naive', replay, 'joint']);
    const accuracy = table.locator('thead th', { hasText: 'Average accuracy' });
    await accuracy.click();
    expect(await accuracy.getAttribute('aria-sort')).to.equal('ascending');
    expect(await learners()).to.deep.equal(['naive', replay, 'joint']);
    await accuracy.click();
    expect(await accuracy.getAttribute('aria-sort')).to.equal('descending');
    expect(await learners()).to.deep.equal(['joint', replay, 'naive']);
    // text columns sort alphabetically; sorting by the learner moves the header's mark
    const learner = table.locator('thead th', { hasText: 'Learner' });
    await learner.click();
    expect(await learners()).to.deep.equal(['joint', 'naive', replay]);
    expect(await accuracy.getAttribute('aria-sort')).to.equal(null);
    // examples trained: fewer first
    await table.locator('thead th', { hasText: 'Examples trained' }).click();
    expect(await learners()).to.deep.equal(['naive', replay, 'joint']);
  });

  it('runs without a script error or a network request', () => {
    expect(problems).to.deep.equal([]);
  });

  it("saves one figure as SVG and as PNG (twice its size, on white) from the figure's links", async () => {
    const figure = page.locator('figure.chart[data-chart="average-accuracy"]').first();
    const [width, height] = await figure.locator('svg').evaluate((svg) => [Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))]);
    const [svgFile] = await Promise.all([page.waitForEvent('download'), figure.locator('a[data-export="svg"]').click()]);
    expect(svgFile.suggestedFilename()).to.match(/-average-accuracy\.svg$/);
    const svg = readFileSync(await svgFile.path(), 'utf8');
    expect(svg).to.match(/^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).to.contain('average accuracy on seen tasks');
    const [pngFile] = await Promise.all([page.waitForEvent('download'), figure.locator('a[data-export="png"]').click()]);
    expect(pngFile.suggestedFilename()).to.match(/-average-accuracy\.png$/);
    const png = readFileSync(await pngFile.path());
    expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
    // the IHDR chunk: width and height in pixels
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([Math.round(2 * width), Math.round(2 * height)]);
    writeFileSync(path.join(ARTIFACT_DIR, 'average-accuracy.png'), png);
    // the blob: URLs the saving made are the page's own, not network requests
    expect(problems.filter((p) => !p.startsWith('request: blob:'))).to.deep.equal([]);
  });

  it('saves a full-page screenshot as a CI artifact', async () => {
    const file = path.join(ARTIFACT_DIR, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).to.equal(true);
  });
});
