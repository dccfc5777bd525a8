/**
 * A student's and a teacher's third walk through the lab (benchmarks/results/lab.md, "A third
 * walk"), in headless Chromium: each defect it found, as a student meets it. Each test failed on
 * the lab before its fix (the first by freezing the page past its 120 s limit; the others also
 * run alone).
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, scenarioQuery, useLabSession } from './lab-browser.js';

const KiB = 1024;
const exercise = (algorithm: string) => ({ prompt: `Predict ${algorithm}.`, algorithm });
const A = { config: { topology: 'switch:8', algorithms: ['tree'], sizesBytes: [64 * KiB], focusBytes: 64 * KiB }, exercise: exercise('tree') };
const B = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [1024 * KiB], focusBytes: 1024 * KiB }, exercise: exercise('ring') };

describe.skipIf(!hasChromium)('weft lab: a third walk', () => {
  const lab = useLabSession();

  it('typing fast in the code editor keeps every key and the page alive (it froze: the editor and the page swapped old and new text forever), and the code survives a reload', async () => {
    const { page } = lab;
    await lab.open();
    // The editor loads when its card comes into view.
    const card = page.getByTestId('exercise-write-allreduce');
    await card.scrollIntoViewIfNeeded({ timeout: 20_000 });
    const editor = card.locator('.cm-content');
    await editor.waitFor({ timeout: 20_000 });
    await editor.click();
    await page.keyboard.press('Control+Home');
    const typed = 'abcdefghijklmnopqrstuvwxyz0123456789';
    await page.keyboard.type(typed);
    for (let i = 0; i < 10; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('XYZ');
    const expected = typed.slice(0, -10) + 'XYZ';
    // The page answers, and the first line holds every key in order.
    await expect.poll(() => page.evaluate(() => document.querySelector('.cm-line')?.textContent ?? ''), { timeout: 10_000 }).toMatch(new RegExp(`^${expected}`));
    await lab.open();
    await card.scrollIntoViewIfNeeded({ timeout: 20_000 });
    const line = card.locator('.cm-line').first();
    await line.waitFor({ timeout: 20_000 });
    expect(await line.textContent()).toMatch(new RegExp(`^${expected}`));
    // Reset puts the starter back (and keeps it).
    await page.getByText('Reset the code to the starter').click();
    await expect.poll(() => line.textContent(), { timeout: 10_000 }).not.toMatch(new RegExp(`^${expected}`));
  });

  it('a scenario with a misspelt field or that is no object says so (it ran the default scenario)', async () => {
    const { page } = lab;
    // No run starts (openLab waits for one): the page says what is wrong.
    await page.goto(lab.server.url + scenarioQuery({ confg: { topology: 'switch:4' } }));
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toBe("'confg' is not a scenario field; use config, code or exercise.");
    await page.goto(lab.server.url + scenarioQuery([1, 2]));
    await expect.poll(() => page.getByTestId('error').textContent().catch(() => null), { timeout: 20_000 }).toBe('A scenario is a JSON object with a "config" field.');
  });

  it('a size under one element stays in the table and off the log size axis (it drew NaN paths: console errors)', async () => {
    const { page } = lab;
    const errors: string[] = [];
    const listen = (m: { type(): string; text(): string }) => void (m.type() === 'error' && errors.push(m.text()));
    page.on('console', listen);
    try {
      await lab.open(scenarioQuery({ config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [3, 1024], focusBytes: 1024 } }));
      expect(await page.locator('section[aria-label=Bandwidth] tr[data-bytes="0"]').count()).toBe(1);
      expect(await page.locator('section[aria-label=Bandwidth] svg path').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? '').filter((d) => d.includes('NaN')))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      page.off('console', listen);
    }
  });

  it("each scenario's exercise keeps its own attempts (B showed A's grade and counted on from A's tries)", async () => {
    const { page } = lab;
    await lab.open(scenarioQuery(A));
    const card = page.getByTestId('exercise-scenario');
    await card.getByTestId('answer').fill('3');
    await card.getByTestId('submit').click();
    await expect.poll(() => card.getByTestId('grade').getAttribute('data-attempts').catch(() => null), { timeout: 20_000 }).toBe('1');
    await lab.open(scenarioQuery(B));
    expect(await page.getByTestId('exercise-scenario').textContent()).toContain('Predict ring.');
    expect(await page.getByTestId('exercise-scenario').getByTestId('grade').count()).toBe(0);
    // A's record is still A's.
    await lab.open(scenarioQuery(A));
    expect(await page.getByTestId('exercise-scenario').getByTestId('grade').getAttribute('data-attempts')).toBe('1');
  });
});
