/**
 * An accessibility and teaching walk through the lab, in headless Chromium: each defect it
 * found, as a student meets it (a busy machine, a German keyboard, a screen reader, the keyboard
 * alone, a phone). Each test failed on the lab before its fix.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, myRing, openLab, scenarioQuery, useLabSession } from './lab-browser.js';

const KiB = 1024;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB, channels: 1 } };

/** The record of exercise `id` in this browser (what the export sends the instructor). */
const saved = (page: Page, id: string) =>
  page.evaluate((key) => (JSON.parse(localStorage.getItem('weft-lab-results') ?? '{}') as Record<string, { answer: unknown; attempts?: number } | undefined>)[key] ?? null, id);

/** The data-testid of the element that has the keyboard's focus ('' for none: the page's body). */
const focused = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');

/** The accessible name of `locator` as a screen reader reads it (from its ARIA snapshot; YAML quotes a line with a colon). */
const nameOf = async (locator: Locator): Promise<string | null> => /^- '?\w+ "((?:[^"\\]|\\.)*)"/.exec(await locator.ariaSnapshot())?.[1] ?? null;

/** Submits the code exercise with `code`; resolves with the card once it holds a grade or a "not graded" line of this submission. */
async function submitCode(page: Page, code: string): Promise<Locator> {
  const card = page.getByTestId('exercise-write-allreduce');
  await page.evaluate((c) => window.weftLab.setCode(c), code);
  const since = await page.evaluate(() => new Date().toISOString());
  await card.getByTestId('submit').click();
  await expect.poll(async () => {
    if (await card.getByTestId('grade-error').count() > 0) return true;
    return ((await card.getByTestId('grade').getAttribute('data-at', { timeout: 500 }).catch(() => '')) ?? '') >= since;
  }, { timeout: 60_000 }).toBe(true);
  return card;
}

describe.skipIf(!hasChromium)('weft lab: an accessibility and teaching walk', () => {
  const lab = useLabSession();

  it('grades a correct algorithm whatever the grader itself takes: the limit is per call into the student\u2019s code (it failed the docs\u2019 my-ring as "a loop that never ends" once grading passed the limit)', async () => {
    const { page } = lab;
    // A 1 s limit: the grader's own checks and timed runs of my-ring take several seconds, and
    // the first three plan() calls busy-wait 0.4 s each (1.2 s of the student's code in all, none past 1 s).
    await lab.open('?limit=1000');
    const slow = myRing()
      .replace("const { channelRanges", 'let slowCalls = 3;\nconst { channelRanges')
      .replace('  plan(params) {\n', '  plan(params) {\n    if (slowCalls-- > 0) { const end = Date.now() + 400; while (Date.now() < end); }\n');
    expect(slow).toContain('slowCalls-- > 0');
    const card = await submitCode(page, slow);
    expect(await card.getByTestId('grade-error').count()).toBe(0);
    expect(await card.getByTestId('grade').getAttribute('data-passed')).toBe('true');
    expect(await card.getByTestId('grade').textContent()).toMatch(/Correct on all \d+ checked cases/);
  });

  it('still stops an infinite loop in plan(), names the call, shows what it printed, and counts no attempt (it was recorded as a wrong attempt)', async () => {
    const { page } = lab;
    await lab.open('?limit=1000');
    const before = (await saved(page, 'write-allreduce'))?.attempts ?? 0;
    const looping = myRing().replace('  plan(params) {\n', "  plan(params) {\n    console.log('planning', params.nranks);\n    while (true) {}\n");
    const started = Date.now();
    const card = await submitCode(page, looping);
    expect(Date.now() - started).toBeLessThan(30_000);
    const stopped = (await card.getByTestId('grade-error').textContent())!;
    expect(stopped).toMatch(/^Stopped, not graded \(no attempt counted\): your code \(plan\(\{ nranks \d+.*\)\) ran for more than 1 s and was stopped\. Look for a loop that never ends/);
    expect(stopped).toContain('submit again');
    expect(await card.getByTestId('printed').textContent()).toMatch(/^planning \d+$/);
    expect((await saved(page, 'write-allreduce'))?.attempts ?? 0).toBe(before);
    // A loop at the module's top level is stopped too, and the page lives on.
    const top = await submitCode(page, 'while (true) {}\nexport default {};');
    expect(await top.getByTestId('grade-error').textContent()).toContain("your code (your module's top level) ran for more than 1 s and was stopped");
    await lab.open(scenarioQuery(RING_8));
    expect(await page.getByTestId('run-summary').isVisible()).toBe(true);
  });

  describe('under a German locale', () => {
    let context: BrowserContext;
    let page: Page;
    it('grades the number the student typed with a decimal comma (2642,24 was graded as 264224), and refuses one it cannot read', async () => {
      context = await lab.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      try {
        await openLab(page, lab.server);
        const card = page.getByTestId('exercise-predict-ring');
        const box = card.getByTestId('answer');
        await box.click();
        await page.keyboard.type('2642,24');
        await card.getByTestId('submit').click();
        await expect.poll(() => saved(page, 'predict-ring').then((s) => s?.attempts ?? 0), { timeout: 20_000 }).toBe(1);
        expect((await saved(page, 'predict-ring'))!.answer).toBe(2642.24);
        // Thousands separators are refused in one sentence: no grade, no attempt.
        await box.fill('');
        await box.click();
        await page.keyboard.type('1.234,5');
        await card.getByTestId('submit').click();
        await expect.poll(() => card.getByTestId('grade-error').textContent().catch(() => ''), { timeout: 5000 }).toContain('Type a number such as 2642.24 or 2642,24');
        expect((await saved(page, 'predict-ring'))!.attempts).toBe(1);
      } finally {
        await context.close();
      }
    });

    it('runs with the qps the student typed ("2,5" ran with qps 25): a whole number is asked for, and Run waits', async () => {
      context = await lab.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      try {
        await openLab(page, lab.server, scenarioQuery(RING_8));
        const qps = page.getByRole('textbox', { name: 'qps' }).or(page.getByRole('spinbutton', { name: 'qps' }));
        const runs = await page.evaluate(() => window.weftLab.runs);
        await qps.click({ clickCount: 3 });
        await page.keyboard.type('2,5');
        await page.keyboard.press('Enter'); // the form's submit: Run
        // Given time for a run (the old page ran one, with qps 25), none comes: the box says what it needs.
        await page.waitForFunction((n) => window.weftLab.runs > n, runs, { timeout: 10_000 }).catch(() => undefined);
        expect.soft(await page.evaluate(() => window.weftLab.run!.config.qps)).not.toBe(25);
        expect.soft(await page.evaluate(() => window.weftLab.runs)).toBe(runs);
        expect(await page.getByTestId('qps-problem').textContent({ timeout: 2000 })).toContain('qps takes a whole number from 1 to 64');
        await qps.click({ clickCount: 3 });
        await page.keyboard.type('3');
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => window.weftLab.runs > n, runs, { timeout: 30_000 });
        expect(await page.evaluate(() => window.weftLab.run!.config.qps)).toBe(3);
      } finally {
        await context.close();
      }
    });
  });

  it('names the second sizes select and the code editor\u2019s text box for a screen reader (both had no name)', async () => {
    const { page } = lab;
    await lab.open(scenarioQuery(RING_8));
    expect.soft(await nameOf(page.getByTestId('size-min'))).toBeTruthy();
    expect.soft(await nameOf(page.getByTestId('size-max'))).toBeTruthy();
    expect.soft(await nameOf(page.getByTestId('size-max'))).not.toBe(await nameOf(page.getByTestId('size-min')));
    const card = page.getByTestId('exercise-write-allreduce');
    await card.scrollIntoViewIfNeeded();
    const editor = card.locator('.cm-content');
    await editor.waitFor({ timeout: 20_000 });
    expect.soft(await nameOf(editor) ?? '').toMatch(/algorithm/i);
  });

  it('Space on "Step back" and "Step forward" steps (it started playback), and the bar\u2019s keys hint is read', async () => {
    const { page } = lab;
    await lab.open(scenarioQuery(RING_8));
    const clock = page.getByTestId('clock');
    const end = Number(await clock.getAttribute('data-t-ns'));
    await page.getByTestId('step-back').focus();
    await page.keyboard.press('Space');
    const back = Number(await clock.getAttribute('data-t-ns'));
    expect.soft(back).toBeGreaterThan(0);
    expect.soft(back).toBeLessThan(end);
    expect.soft(await page.getByTestId('play').getAttribute('aria-label')).toBe('Play');
    await page.keyboard.press('Space');
    expect.soft(Number(await clock.getAttribute('data-t-ns'))).toBeLessThan(back);
    expect.soft(await page.getByTestId('play').getAttribute('aria-label')).toBe('Play');
    // From a moment mid-run (paused), Space on "Step forward" steps one event on.
    await page.getByTestId('scrub').fill('500');
    if ((await page.getByTestId('play').getAttribute('aria-label')) === 'Pause') await page.getByTestId('play').click();
    const middle = Number(await clock.getAttribute('data-t-ns'));
    await page.getByTestId('step-forward').focus();
    await page.keyboard.press('Space');
    const forward = Number(await clock.getAttribute('data-t-ns'));
    expect.soft(forward).toBeGreaterThan(middle);
    expect.soft(await page.getByTestId('play').getAttribute('aria-label')).toBe('Play');
    expect.soft(await page.getByRole('group', { name: /^Timeline controls \(Space/ }).count()).toBe(1);
  });

  it('announces a run\u2019s result and a grade (polite live regions), and keeps the keyboard\u2019s focus on a control after Run, Stop, Clear faults and Submit (it fell to the page\u2019s body)', async () => {
    const { page } = lab;
    await lab.open(scenarioQuery({ config: { ...RING_8.config, faults: { links: [{ link: 'gpu3->switch0', degrade: 0.5 }] } } }));
    expect.soft(await page.getByRole('status').filter({ hasText: 'µs simulated' }).count()).toBe(1);
    // Run, by the keyboard.
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.getByTestId('run').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => window.weftLab.runs > n, runs, { timeout: 30_000 });
    expect.soft(await focused(page)).toBe('run');
    // Clear faults takes its own button away.
    await page.getByTestId('clear-faults').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('clear-faults').count()).toBe(0);
    expect.soft(await focused(page)).toBe('run');
    // Stop, by the keyboard, during a long run.
    await page.getByTestId('topology').fill('leafspine:hosts=512,leaves=16,spines=8');
    await page.getByTestId('run').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('stop').focus({ timeout: 5000 });
    await page.keyboard.press('Enter');
    await page.getByTestId('stopped').waitFor({ timeout: 5000 });
    expect.soft(await focused(page)).toBe('run');
    // A grade is announced where it appears, and Submit keeps the focus.
    const card = page.getByTestId('exercise-predict-ring');
    const attempts = (await saved(page, 'predict-ring'))?.attempts ?? 0;
    await card.getByTestId('answer').fill('1000');
    await card.getByTestId('submit').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => saved(page, 'predict-ring').then((s) => s?.attempts ?? 0), { timeout: 20_000 }).toBe(attempts + 1);
    expect.soft(await card.getByRole('status').textContent({ timeout: 2000 }).catch(() => '')).toContain(`attempt ${attempts + 1}`);
    expect.soft(await focused(page)).toBe('submit');
  });

  it('says how long the user waited for a run, buffer grids included (it named only the simulation: 4 s of an 18.6 s wait)', async () => {
    const { page } = lab;
    // One size: a short simulation, and buffer grids that take longer than it.
    await lab.open(scenarioQuery(RING_8));
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.getByTestId('topology').fill('switch:16');
    const waited = await page.evaluate(async (n) => {
      const start = performance.now();
      (document.querySelector('[data-testid=run]') as HTMLButtonElement).click();
      await new Promise<void>((resolve) => {
        const poll = () => (window.weftLab.runs > n ? resolve() : setTimeout(poll, 5));
        poll();
      });
      return performance.now() - start;
    }, runs);
    // The summary's longest time (its total) is at least most of what the page measured from the click to the run.
    await page.waitForTimeout(500); // the summary measures once the views have drawn
    const summary = (await page.getByTestId('run-summary').textContent())!;
    const times = [...summary.matchAll(/([\d.]+) (ms|s)\b/g)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1));
    expect(Math.max(...times)).toBeGreaterThanOrEqual(0.8 * waited);
    expect(summary).toMatch(/buffer grids/);
  });

  it('says which algorithm is shown by more than colour (aria-pressed), and names each exercise\u2019s "Open this run" and "Submit" apart', async () => {
    const { page } = lab;
    await lab.open(); // the default run: ring and tree
    await page.getByTestId('detail-tree').click();
    expect.soft(await page.getByTestId('detail-tree').getAttribute('aria-pressed')).toBe('true');
    expect.soft(await page.getByTestId('detail-ring').getAttribute('aria-pressed')).toBe('false');
    const names = async (buttons: Locator) => Promise.all((await buttons.all()).map(nameOf));
    const opens = await names(page.getByRole('button', { name: /^Open this run in the views/ }));
    const submits = await names(page.getByTestId('submit'));
    expect(opens.length).toBeGreaterThanOrEqual(6);
    expect.soft(new Set(opens).size).toBe(opens.length);
    expect(submits.length).toBe(opens.length);
    expect.soft(new Set(submits).size).toBe(submits.length);
  });

  it('fits a phone\u2019s 375 px with the share link shown, and the link box is labelled (it scrolled sideways, unlabelled)', async () => {
    const context = await lab.browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    try {
      await openLab(page, lab.server, scenarioQuery(RING_8));
      await page.getByTestId('share').click();
      await page.getByTestId('share-link').waitFor();
      expect.soft(await nameOf(page.getByTestId('share-link')) ?? '').toMatch(/link/i);
      expect.soft(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    } finally {
      await context.close();
    }
  });
});
