/**
 * What a student's and a teacher's walk through the lab found (benchmarks/results/lab.md,
 * "A student's and a teacher's walk"), each checked in headless Chromium: play at a run's end
 * replays it, Compare varies the run it shows (not unsaved form edits), the size sweep never
 * empties, an unknown ?view= says so, "Open this run in the views" shows it, text on coloured
 * cells is readable, the plot's labels stay inside it, a 640 px embed keeps its clock in view.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { weft } from '../cli/run-weft.js';
import { hasChromium, myRing, openLab, scenarioQuery, useLabSession } from './lab-browser.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB, channels: 1 } };

/** Runs the form's configuration and waits for the page to finish: a new run, or an error line. */
async function pressRun(page: Page): Promise<void> {
  const before = await page.evaluate(() => window.weftLab.runs);
  await page.getByTestId('run').click();
  await page.waitForFunction((runs) => window.weftLab.runs > runs || document.querySelector('[data-testid=error]') !== null, before, { timeout: 30_000 });
}

describe.skipIf(!hasChromium)('weft lab: what a student and a teacher walking it found', () => {
  const lab = useLabSession();
  const { open } = lab;

  it('plays a run from the start when play is pressed at its end (where every run opens)', async () => {
    const { page } = lab;
    await open(scenarioQuery(RING_8));
    const clock = () => page.getByTestId('clock').getAttribute('data-t-ns').then(Number);
    const end = await page.evaluate(() => window.weftLab.run!.details[0]!.timeNs);
    expect(await clock()).toBe(end);
    await page.getByTestId('play').click();
    expect(await page.getByTestId('play').textContent()).toBe('pause');
    await expect.poll(clock, { timeout: 5000 }).toBeLessThan(end); // running from 0, not stopped at the end
    await page.getByTestId('play').click();
    expect(await clock()).toBeLessThan(end);
    // Switching the animated algorithm while it plays shows the other one at its own end, stopped.
    await open(scenarioQuery({ config: { ...RING_8.config, algorithms: ['ring', 'tree'] } }));
    await page.getByTestId('play').click();
    await page.waitForTimeout(150);
    await page.getByTestId('detail-tree').click();
    await page.waitForTimeout(300); // frames of the old loop, had it survived
    const treeEnd = await page.evaluate(() => window.weftLab.run!.details[1]!.timeNs);
    expect([await clock(), await page.getByTestId('play').textContent()]).toEqual([treeEnd, 'play']);
    // The channel box takes any typing: -1 or an empty box still shows channel 0's ring, not an empty picture.
    const channel = page.locator('section[aria-label=Channels] input');
    for (const typed of ['-1', '']) {
      await channel.fill(typed);
      expect(await page.locator('section[aria-label=Channels] svg line').count()).toBeGreaterThan(0);
    }
  });

  it('compares and shares the run it shows, not the form edited since, and drops B when A changes', async () => {
    const { page } = lab;
    await open(scenarioQuery(RING_8));
    const b = page.locator('section[aria-label=Compare] .side-by-side > div').nth(1);
    const compare = async () => {
      await page.getByTestId('compare').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=compare]')?.textContent === 'Compare', null, { timeout: 30_000 });
      return b.locator('p.note').first().textContent();
    };
    const before = await compare(); // B: tree on switch:8
    expect(before).toMatch(/^tree: \d+\.\d\d µs \((LL|LL128|Simple)\)$/); // with the protocol it ran
    await page.getByTestId('topology').fill('nvl72'); // typed, not run: A is still the switch:8 ring
    expect(await compare()).toBe(before);
    // "Share this run" shares the run shown too.
    await page.getByTestId('share').click();
    const shared = new URL(await page.getByTestId('share-link').inputValue()).searchParams.get('s')!;
    expect(JSON.parse(Buffer.from(shared, 'base64url').toString()).config.topology).toBe('switch:8');
    await pressRun(page); // now A is nvl72: the switch:8 comparison no longer belongs to it
    expect(await b.textContent()).toContain('Pick a variant and press Compare.');
    // "The other of ring / tree" only where it is an alternative: not for an all-gather (no tree), nor when A has both.
    const variants = () => page.locator('section[aria-label=Compare] select option').allTextContents();
    expect(await variants()).toContain('the other of ring / tree');
    for (const config of [{ collective: 'allGather', algorithms: ['ring'] }, { algorithms: ['ring', 'tree'] }]) {
      await open(scenarioQuery({ config: { ...RING_8.config, ...config } }));
      // On one switch no link has another path: a failure would strand every run, so it is not offered, and a sentence says why.
      expect(await variants()).toEqual(['adaptive routing', '4 queue pairs']);
      expect(await page.getByTestId('no-failable-link').textContent()).toMatch(/^No link to fail half way: on switch:8 no link A used has another path/);
    }
  });

  it('prints the command of the run shown, and that command gives the busbw table\u2019s rows', async () => {
    const { page } = lab;
    await open(); // the default sweep: 1 KiB to 64 MiB, ×16
    const line = async () => (await page.getByTestId('cli-line').locator('code').textContent())!;
    const printed = await line();
    expect(printed).toContain(' -b 1024 -e 67108864 -f 16 ');
    const cli = JSON.parse(weft(printed.split(' ').slice(1)).stdout) as { rows: { algorithm: string; bytes: number; timeUs: number }[] };
    const shown = await page.$$eval('section[aria-label=Bandwidth] [data-testid=results] tr[data-algorithm]', (trs) => trs.map((tr) => [tr.getAttribute('data-algorithm'), Number(tr.getAttribute('data-bytes')), Number(tr.getAttribute('data-time-us'))]));
    expect(shown).toEqual(cli.rows.map((r) => [r.algorithm, r.bytes, r.timeUs]));
    await page.getByTestId('topology').fill('nvl72'); // typed, not run: still the command of the run shown
    expect(await line()).toBe(printed);
  });

  it('keeps the size sweep non-empty and keeps the bound the student picked', async () => {
    const { page } = lab;
    await open(); // sizes 1 KiB to 64 MiB
    await page.getByTestId('size-min').selectOption(String(128 * MiB)); // above the upper bound
    expect([await page.getByTestId('size-min').inputValue(), await page.getByTestId('size-max').inputValue()]).toEqual([String(128 * MiB), String(128 * MiB)]);
    await pressRun(page);
    expect(await page.evaluate(() => window.weftLab.run!.config.sizesBytes)).toEqual([128 * MiB]);
    await page.getByTestId('size-min').selectOption(String(KiB));
    await page.getByTestId('size-max').selectOption(String(2 * KiB)); // an odd number of steps from 1 KiB: kept, not snapped back
    expect(await page.getByTestId('size-max').inputValue()).toBe(String(2 * KiB));
    // Data mode greys out the sizes it cannot hold in the page (sweep to 1 MiB, animated run to 256 KiB).
    await page.getByTestId('mode').selectOption('data');
    const disabled = (id: string) => page.getByTestId(id).locator('option:disabled').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect((await disabled('size-max'))[0]).toBe(String(2 * MiB));
    expect((await disabled('focus'))[0]).toBe(String(512 * KiB));
  });

  it('says what is wrong with an unknown ?view= and shows the whole lab; a failed run says the views are the previous one', async () => {
    const { page } = lab;
    await open(`${scenarioQuery(RING_8)}&view=buffer`);
    expect(await page.getByTestId('view-error').textContent()).toBe(
      '?view=buffer is not a view of the lab; use one of bandwidth, topology, channels, timeline, buffers, compare, exercises. Showing the whole lab.',
    );
    expect(await page.locator('form.config').count()).toBe(1);
    await page.goto(`${lab.server.url}?scenario=scenarios/no-such.yaml`); // a typo in a course page's link
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toBe("The scenario file 'scenarios/no-such.yaml' could not be loaded (HTTP 404 Not Found).");
    await open(scenarioQuery(RING_8));
    await page.getByTestId('topology').fill('bogus:3');
    await pressRun(page);
    expect(await page.getByTestId('error').textContent()).toMatch(/^unknown topology preset "bogus"/);
    expect(await page.getByTestId('stale-run').textContent()).toBe('The views below still show the previous run (on switch:8).');
  });

  it('brings an exercise\u2019s run into view when the student opens it, and shows code in prompts as code', async () => {
    const { page } = lab;
    await open(scenarioQuery(RING_8));
    const card = page.getByTestId('exercise-predict-ring');
    await card.getByRole('button', { name: 'Open this run in the views' }).click();
    await page.waitForFunction(() => window.weftLab.run?.config.focusBytes === 64 * 1024 * 1024, null, { timeout: 30_000 });
    await expect.poll(() => page.getByTestId('run-summary').evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= -1 && r.bottom <= innerHeight; }), { timeout: 5000 }).toBe(true);
    // Enter in an answer box submits it.
    await card.getByTestId('answer').fill('1000');
    await card.getByTestId('answer').press('Enter');
    await expect.poll(() => card.getByTestId('grade').getAttribute('data-passed', { timeout: 1000 }).catch(() => null), { timeout: 20_000 }).toBe('false');
    expect(await page.locator('section[aria-label=Exercises]').textContent()).not.toContain('`');
    expect(await page.getByTestId('exercise-write-allreduce').locator('p code').first().textContent()).toBe('weft bench --algo ./file.mjs');
  });

  it('draws text on coloured cells at a readable contrast, and the plot\u2019s labels inside the plot', async () => {
    const { page } = lab;
    await open(`${scenarioQuery({ config: { ...RING_8.config, sizesBytes: [KiB, 512 * MiB] } })}`);
    await page.locator('.timeline-controls').focus();
    await page.keyboard.press('Home'); // t = 0: every buffer cell empty (grey)
    await page.getByTestId('step-forward').click();
    // WCAG 2 contrast of each utilisation swatch and buffer cell, text against background.
    const contrasts = await page.$$eval('.swatch, [data-testid=buffer-grid] td', (cells) => {
      const lum = (css: string) => {
        const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      return cells.map((cell) => {
        const style = getComputedStyle(cell);
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return (a! + 0.05) / (b! + 0.05);
      });
    });
    expect(contrasts.length).toBeGreaterThan(64);
    expect(Math.min(...contrasts)).toBeGreaterThanOrEqual(4.5);
    const overflow = await page.$$eval('section[aria-label=Bandwidth] svg.plot text:not([transform])', (texts) => {
      const width = (texts[0]!.ownerSVGElement as SVGSVGElement).viewBox.baseVal.width;
      return texts.map((t) => (t as SVGTextElement).getBBox()).filter((box) => box.x < 0 || box.x + box.width > width).length;
    });
    expect(overflow).toBe(0);
  });

  it('says that the views replay a run a fault stopped without the faults, and gives its time as such', async () => {
    const { page } = lab;
    await open(scenarioQuery({ config: { ...RING_8.config, algorithms: ['ring', 'tree'], crash: ['rank=2@30us'] } }));
    expect(await page.getByTestId('detail-error').textContent()).toMatch(/^This run did not complete: rank 2 crashed at 30000 ns .*\. The views below replay it without the faults\.$/);
    expect(await page.getByTestId('run-summary').textContent()).toMatch(/^Without the faults: ring at 256 KiB: \d+\.\d\d µs simulated/);
    expect(await page.getByTestId('detail-ring').textContent()).toBe('ring · did not complete');
  });

  it('shows what a student\u2019s code printed (a worker\u2019s console is out of sight)', async () => {
    const { page } = lab;
    await open();
    const card = page.getByTestId('exercise-write-allreduce');
    await page.evaluate((code) => window.weftLab.setCode(code), myRing().replace('plan(params) {', 'plan(params) { console.log("planning", params.nranks, { n: params.nranks }, 10n);'));
    await card.getByTestId('submit').click();
    await expect.poll(() => card.getByTestId('printed').textContent({ timeout: 1000 }).catch(() => null), { timeout: 30_000 }).toMatch(/^planning 1 \{"n":1\} 10\n/);
    const lines = (await card.getByTestId('printed').textContent())!.split('\n');
    expect(lines).toHaveLength(21); // the checker plans 160 cases: the first 20 lines, then a note
    expect(lines.at(-1)).toBe('… (only the first 20 lines are kept)');
    expect(await card.getByTestId('grade').getAttribute('data-passed')).toBe('true');
  });

  it('opens a scenario file again when the teacher picks the same (edited) file', async () => {
    const { page } = lab;
    await open();
    const dir = mkdtempSync(join(tmpdir(), 'weft-lab-scenario-'));
    const file = join(dir, 'mine.yaml');
    const pick = async (topology: string) => {
      writeFileSync(file, `config:\n  topology: ${topology}\n  algorithms: [ring]\n  sizesBytes: [64K]\n  focusBytes: 64K\n`);
      await page.getByTestId('scenario-file').setInputFiles(file);
      await expect.poll(() => page.evaluate(() => window.weftLab.run!.config.topology), { timeout: 20_000 }).toBe(topology);
    };
    await pick('switch:4');
    await pick('switch:6');
  });

  it('draws a run of more steps than a function takes arguments (64 ranks, 16 channels: 131 072 steps)', async () => {
    const { page } = lab;
    // Math.max(...steps) threw "Maximum call stack size exceeded" past ~110 000 steps: the page rendered nothing, for good.
    await open(scenarioQuery({ config: { ...RING_8.config, topology: 'switch:64', channels: 16 } }));
    expect(await page.locator('section[aria-label=Gantt] h2 small').textContent()).toMatch(/^131072 steps;/);
    expect(await page.getByTestId('run-summary').textContent()).toMatch(/^ring at 256 KiB: \d+\.\d\d µs simulated, .*16 channel\(s\)/);
  }, 90_000);

  it('keeps a view that throws while drawing to itself: a sentence in its place, the page working', async () => {
    const { page } = lab;
    await open(scenarioQuery({ config: { ...RING_8.config, algorithms: ['ring', 'tree'] } }));
    // A fault injected where only the Gantt reaches: reducing over a run's step records.
    await page.evaluate(() => {
      const reduce = Array.prototype.reduce;
      (window as unknown as { restoreReduce: () => void }).restoreReduce = () => void (Array.prototype.reduce = reduce);
      Array.prototype.reduce = function (this: unknown[], ...args: unknown[]) {
        if (typeof this[0] === 'object' && this[0] !== null && 'participant' in this[0]) throw new Error('injected');
        return (reduce as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof reduce;
    });
    await page.getByTestId('detail-tree').click();
    expect(await page.getByTestId('view-failed').textContent()).toBe('This view could not be drawn for this run (injected); the form and the other views still work.');
    expect(await page.locator('section.view').evaluateAll((views) => views.map((v) => v.getAttribute('aria-label')))).toEqual(['Topology', 'Channels', 'Gantt', 'Buffers', 'Bandwidth', 'Compare', 'Exercises']);
    await page.evaluate(() => (window as unknown as { restoreReduce: () => void }).restoreReduce());
    await page.getByTestId('detail-ring').click(); // other data: the view tries again
    expect(await page.getByTestId('view-failed').count()).toBe(0);
    expect(await page.locator('svg.gantt').count()).toBe(1);
  });

  it('keeps the timeline controls inside a 640 px embed, and the page inside a phone\u2019s width', async () => {
    const narrow = await lab.browser.newPage({ viewport: { width: 640, height: 560 } });
    await openLab(narrow, lab.server, `${scenarioQuery(RING_8)}&view=buffers`);
    const spill = await narrow.$$eval('.timeline-controls, .timeline-controls > *', (elements) => elements.filter((e) => e.getBoundingClientRect().right > innerWidth).length);
    expect(spill).toBe(0);
    await narrow.close();
    // The whole page on a phone: one column, nothing wider than the screen.
    const phone = await lab.browser.newPage({ viewport: { width: 390, height: 800 } });
    await openLab(phone, lab.server, scenarioQuery(RING_8));
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.close();
  });
});
