/**
 * The lab in a real headless Chromium, served by `weft lab`: cross-origin isolation, the
 * same numbers as `weft bench --format json`, the timeline, an instructor's scenario, one
 * view embedded, a shared link that replays. Grading: lab-exercises.test.ts; data mode,
 * faults, code splitting: lab-data.test.ts (three files keep each under 30 s).
 * WEFT_LAB_SCREENSHOTS=1 also saves each view to docs/lab/ (the README shows them).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weft } from '../cli/run-weft.js';
import { hasChromium, openLab, scenarioQuery, shot as shotOf, startSession, stopSession, type LabServer } from './lab-browser.js';

const KiB = 1024;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB, 4096 * KiB], focusBytes: 256 * KiB, channels: 1 } };

interface Row { algorithm: string; bytes: number; timeUs: number; busBwGBps: number; links?: { linkId: string; bytesCarried: number; utilization: number }[] }

describe.skipIf(!hasChromium)('weft lab in headless Chromium', () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;

  const open = (query = ''): Promise<void> => openLab(page, server, query);
  const shot = (label: string, name: string): Promise<void> => shotOf(page, label, name);

  beforeAll(async () => ({ server, browser, page } = await startSession()));
  afterAll(() => stopSession({ server, browser }));

  it('is cross-origin isolated and renders a ring on 8 ranks with the numbers of weft bench --format json', async () => {
    await open(scenarioQuery(RING_8));
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    const cli = JSON.parse(weft(['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '-b', '256K', '-e', '4M', '-f', '16', '--channels', '1', '--links', '16', '--format', 'json']).stdout) as { rows: Row[] };
    const shown = await page.$$eval('section[aria-label=Bandwidth] [data-testid=results] tr[data-algorithm]', (trs) => trs.map((tr) => ({ bytes: Number(tr.getAttribute('data-bytes')), timeUs: Number(tr.getAttribute('data-time-us')), busBwGBps: Number(tr.getAttribute('data-busbw')) })));
    expect(shown).toEqual(cli.rows.map((r) => ({ bytes: r.bytes, timeUs: r.timeUs, busBwGBps: r.busBwGBps })));
    // Link statistics of the animated run (256 KiB) equal the CLI's for the same row.
    const links = await page.$$eval('[data-testid=busiest-links] tr[data-link-id]', (trs) => trs.map((tr) => ({ linkId: tr.getAttribute('data-link-id')!, bytesCarried: Number(tr.getAttribute('data-bytes')), utilization: Number(tr.getAttribute('data-utilization')) })));
    const cliLinks = new Map(cli.rows[0]!.links!.map((l) => [l.linkId, l]));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect({ bytes: link.bytesCarried, util: link.utilization }).toEqual({ bytes: cliLinks.get(link.linkId)!.bytesCarried, util: cliLinks.get(link.linkId)!.utilization });
    expect(await page.getByTestId('run-summary').textContent()).toContain(`${(cli.rows[0]!.timeUs).toFixed(2)} µs simulated`);
    await page.getByTestId('compare').click(); // B: the same with tree instead of ring
    await expect.poll(() => page.locator('section[aria-label=Compare] tr[data-algorithm=tree]').count(), { timeout: 20_000 }).toBe(2);
    await shot('Bandwidth', 'bandwidth');
    await shot('Channels', 'channels');
  });

  it('steps the timeline forward and back, and the buffer grid follows', async () => {
    await open(scenarioQuery(RING_8));
    const clock = () => page.getByTestId('clock').getAttribute('data-t-ns').then(Number);
    const complete = () => page.getByTestId('buffer-grid').getAttribute('data-complete').then(Number);
    expect(await complete()).toBe(64); // the end: every rank holds every block, all 8 contributions
    await page.locator('.timeline-controls').focus();
    await page.keyboard.press('Home');
    expect(await clock()).toBe(0);
    expect(await complete()).toBe(0);
    await page.getByTestId('step-forward').click();
    const first = await clock();
    expect(first).toBeGreaterThan(0);
    await page.keyboard.press('ArrowRight');
    expect(await clock()).toBeGreaterThan(first);
    await page.getByTestId('step-back').click();
    expect(await clock()).toBe(first);
    await page.keyboard.press('End');
    await shot('Gantt', 'timeline');
    await page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    expect(await complete()).toBe(0); // mid-run: blocks still gathering contributions
    await page.getByTestId('step-forward').click();
    await page.getByTestId('scrub').fill('300'); // 30 % of the run: chunks in flight
    // docs/lab/buffers.png is the data-mode grid (lab-data.test.ts): the real bytes.
    await shot('Topology', 'topology');
  });

  it('opens an instructor\u2019s YAML scenario with its own exercise, and says what is wrong with a bad one', async () => {
    await open('?scenario=scenarios/ring-8.yaml');
    const card = page.getByTestId('exercise-scenario');
    expect(await card.textContent()).toContain('Predict the tree at 64 KiB');
    const tree = await page.evaluate(() => window.weftLab.run!.details.find((d) => d.algorithm === 'tree')!.timeNs / 1000);
    await card.getByTestId('answer').fill(String(tree * 1.1));
    await card.getByTestId('submit').click();
    await expect.poll(() => card.getByTestId('grade').getAttribute('data-passed').catch(() => null), { timeout: 20_000 }).toBe('true');
    await page.goto(server.url + scenarioQuery({ config: { qps: 0 } }));
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toBe("config.qps (--qps): '0' is not accepted; use a whole number from 1 to 64");
  });

  it('embeds one view alone (?view=) for a course page', async () => {
    await open(`${scenarioQuery(RING_8)}&view=topology`);
    expect(await page.locator('section.view').evaluateAll((views) => views.map((v) => v.getAttribute('aria-label')))).toEqual(['Topology']);
    expect(await page.locator('form.config').count()).toBe(0);
  });

  it('replays a shared link: the same run in a fresh page, faults included', async () => {
    const scenario = {
      config: { topology: 'leafspine:hosts=16,leaves=2,spines=4', algorithms: ['ring', 'tree'], sizesBytes: [64 * KiB, 1024 * KiB], focusBytes: 64 * KiB, routing: 'adaptive', fault: ['link=host3->leaf0,degrade=0.5@10us'] },
    };
    await open(scenarioQuery(scenario));
    await page.getByTestId('share').click();
    const link = await page.getByTestId('share-link').inputValue();
    const rows = () => [window.weftLab.run!.rows.map((r) => [r.algorithm, r.bytes, r.timeUs, r.wrong]), window.weftLab.run!.config];
    const before = await page.evaluate(rows);
    const fresh = await browser.newPage();
    await fresh.goto(link);
    await fresh.waitForFunction(() => window.weftLab?.run != null, null, { timeout: 30_000 });
    expect(await fresh.evaluate(rows)).toEqual(before);
    await fresh.close();
  });
});
