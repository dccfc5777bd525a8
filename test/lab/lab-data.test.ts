/**
 * The lab in headless Chromium, beyond lab.test.ts: data mode (real bytes in the page's
 * worker; the buffer grid reads them), faults written as `weft bench` takes them, and the
 * code-split page (an embedded view loads neither the plots nor CodeMirror).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weft } from '../cli/run-weft.js';
import { hasChromium, openLab, scenarioQuery, shot, startSession, stopSession, type LabServer } from './lab-browser.js';

const KiB = 1024;

interface Row { algorithm: string; bytes: number; timeUs: number; wrong: number | null }

/** The page's results table, as `weft bench --format json` has its rows. */
const shownRows = (page: Page): Promise<Row[]> =>
  page.$$eval('section[aria-label=Bandwidth] [data-testid=results] tr[data-algorithm]', (trs) =>
    trs.map((tr) => ({
      algorithm: tr.getAttribute('data-algorithm')!,
      bytes: Number(tr.getAttribute('data-bytes')),
      timeUs: Number(tr.getAttribute('data-time-us')),
      wrong: tr.getAttribute('data-wrong') === '' ? null : Number(tr.getAttribute('data-wrong')),
    })),
  );

const cliRows = (args: readonly string[]): Row[] =>
  (JSON.parse(weft(['bench', 'allreduce', ...args, '--format', 'json']).stdout) as { rows: Row[] }).rows.map((r) => ({ algorithm: r.algorithm, bytes: r.bytes, timeUs: r.timeUs, wrong: r.wrong }));

describe.skipIf(!hasChromium)('weft lab: data mode, faults, code splitting', () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;

  const open = (query: string): Promise<void> => openLab(page, server, query);

  beforeAll(async () => ({ server, browser, page } = await startSession()));
  afterAll(() => stopSession({ server, browser }));

  it('runs data mode in the page: the numbers and #wrong of weft bench --mode data, and a grid read from the bytes', async () => {
    const config = { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [64 * KiB, 256 * KiB], focusBytes: 256 * KiB, channels: 1, mode: 'data' };
    await open(scenarioQuery({ config }));
    expect(await shownRows(page)).toEqual(cliRows(['--topology', 'switch:8', '--algo', 'ring', '-b', '64K', '-e', '256K', '-f', '4', '--channels', '1', '--mode', 'data']));
    const grid = page.getByTestId('buffer-grid');
    expect(await grid.getAttribute('data-source')).toBe('data');
    expect(await grid.getAttribute('data-complete')).toBe('64');
    // Mid-run: the bytes hold partial sums, 2^r per contributing rank r.
    await page.getByTestId('scrub').fill('300');
    const cells = await grid.locator('td').evaluateAll((tds) => tds.map((td) => ({ mask: Number(td.getAttribute('data-mask')), shown: Number(td.textContent) })));
    expect(cells.length).toBe(64);
    for (const { mask, shown } of cells) expect(shown).toBe(mask.toString(2).replace(/0/g, '').length);
    const partial = cells.filter((c) => c.shown > 1 && c.shown < 8).length;
    expect(partial).toBeGreaterThan(0);
    expect(await grid.getAttribute('data-complete')).toBe('0');
    await shot(page, 'Buffers', 'buffers'); // WEFT_LAB_SCREENSHOTS=1: docs/lab/buffers.png is this data-mode grid
    // A student who picks data mode in the form gets a run it can hold (sizes up to 1 MiB), not an error.
    await open('');
    await page.getByTestId('mode').selectOption('data');
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.getByTestId('run').click();
    await page.waitForFunction((before) => window.weftLab.runs > before, runs, { timeout: 30_000 });
    expect(await page.evaluate(() => window.weftLab.run!.config.mode)).toBe('data');
    expect(await page.evaluate(() => window.weftLab.run!.config.sizesBytes)).toEqual([1024, 16384, 262144]); // the default sweep's sizes up to 1 MiB
    expect(await page.getByTestId('buffer-grid').getAttribute('data-source')).toBe('data');
    expect(await page.getByTestId('error').count()).toBe(0);
    // A data run too big for the page is refused with the page's own limit, not the CLI's (half a machine's memory).
    await page.goto(server.url + scenarioQuery({ config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * 2 ** 20], focusBytes: 256 * 2 ** 20, mode: 'data' } }));
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toMatch(
      // In the form's words (mode, the sizes' "to"), not weft bench's flags (--mode ghost, -e).
      /^sizes: ring at 256 MiB needs .* of rank buffers on 8 ranks, over data mode's budget of .* \(what one page's engine worker may hold: half the browser's reported device memory, at most 512 MiB\); pick mode ghost \(the same simulated times, no payload\) or a smaller "to" size/,
    );
  });

  it('takes faults as weft bench does: the same flags give the same rows, and the page says what they did', async () => {
    const flags = { fault: ['link=gpu1->switch0,degrade=0.5@20us'], straggler: ['rank=3,delay=5us'] };
    const config = { topology: 'switch:8', algorithms: ['ring', 'tree'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB, channels: 1, ...flags };
    await open(scenarioQuery({ config }));
    expect(await shownRows(page)).toEqual(
      // The lab's defaults: one channel, 2 MiB chunks (config.ts DEFAULT_CONFIG).
      cliRows(['--topology', 'switch:8', '--algo', 'ring,tree', '-b', '256K', '-e', '256K', '--channels', '1', '--chunk', '2M', '--mode', 'ghost', '--fault', flags.fault[0]!, '--straggler', flags.straggler[0]!]),
    );
    expect(await page.getByTestId('fault-outcomes').first().textContent()).toMatch(/^Faults: link gpu1->switch0 at 0.5× capacity from 20000 ns; rank 3 starts 5000 ns late\. ring: slower ×1\.\d\d at 256 KiB/);
    // A bad link gets weft bench's line for it.
    await page.goto(server.url + scenarioQuery({ config: { fault: ['link=gpu0->gpu1,down@5us'] } }));
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toBe("--fault: link 'gpu0->gpu1' is not in topology switch:8; links from gpu0: gpu0->switch0");
  });

  it('loads views on demand: an embedded view fetches neither the plots nor CodeMirror, the page CodeMirror only when it shows', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } }); // nothing in flight from the tests before
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await open(`${scenarioQuery({ config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB } })}&view=topology`);
    await page.waitForTimeout(500);
    const scripts = requested.filter((p) => p.endsWith('.js'));
    expect(scripts.some((p) => /\/assets\/index-/.test(p))).toBe(true);
    expect(scripts.filter((p) => /\/assets\/(editor|bandwidth|exercises|compare)-/.test(p))).toEqual([]);
    // The whole page loads the plots with its first run, and CodeMirror once the editor scrolls into view.
    requested.length = 0;
    await open('');
    expect(requested.some((p) => /\/assets\/bandwidth-/.test(p))).toBe(true);
    expect(requested.some((p) => /\/assets\/editor-/.test(p))).toBe(false);
    await page.getByLabel('Algorithm editor').scrollIntoViewIfNeeded();
    await page.getByLabel('Algorithm editor').locator('.cm-content').waitFor({ timeout: 20_000 });
    expect(requested.some((p) => /\/assets\/editor-/.test(p))).toBe(true);
  });
});
