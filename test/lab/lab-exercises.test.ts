/**
 * Grading in a real headless Chromium: a correct and a broken student all-reduce (the
 * checker's counterexample), a runaway loop stopped by the time limit, a numeric answer
 * against the simulation, and the results exported as JSON.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weft } from '../cli/run-weft.js';
import { SHOTS, hasChromium, myRing, openLab, scenarioQuery, startSession, stopSession, type LabServer } from './lab-browser.js';

const KiB = 1024;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB, 4096 * KiB], focusBytes: 256 * KiB, channels: 1 } };

interface Row { timeUs: number }

describe.skipIf(!hasChromium)('weft lab: exercises graded in headless Chromium', () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;
  const open = (query = ''): Promise<void> => openLab(page, server, query);

  beforeAll(async () => ({ server, browser, page } = await startSession()));
  afterAll(() => stopSession({ server, browser }));

  it('grades a correct and a broken student all-reduce, and stops a runaway loop', async () => {
    await open(); // the default limit (8 s) for real work; a short one for the runaway loop below
    const card = page.getByTestId('exercise-write-allreduce');
    const submit = async (code: string) => {
      await page.evaluate((c) => window.weftLab.setCode(c), code);
      const since = await page.evaluate(() => new Date().toISOString());
      await card.getByTestId('submit').click();
      const gradedAt = () => card.getByTestId('grade').getAttribute('data-at', { timeout: 1000 }).catch(() => '');
      await expect.poll(async () => ((await gradedAt()) ?? '') >= since, { timeout: 30_000 }).toBe(true); // a grade of this submission
      return card.getByTestId('grade');
    };
    const good = await submit(myRing());
    expect(await good.getAttribute('data-passed')).toBe('true');
    expect(await good.textContent()).toMatch(/Correct on all \d+ checked cases/);
    const broken = await submit(myRing().replace('b.send(r, c, next, block(r - 1));', ''));
    expect(await broken.getAttribute('data-passed')).toBe('false');
    expect(await broken.textContent()).toContain('wrong on 2 ranks (count 1, channels 1, chunk 0): deadlock');
    await open('?limit=1000');
    // Stopped, and no grade: the "not graded" line says why (lab-a11y-walk.test.ts: no attempt counts).
    await page.evaluate(() => window.weftLab.setCode(`while (true) {}\nexport default {};`));
    await card.getByTestId('submit').click();
    await expect.poll(() => card.getByTestId('grade-error').textContent().catch(() => ''), { timeout: 30_000 }).toContain('ran for more than 1 s and was stopped');
    await open(scenarioQuery(RING_8));
    expect(await page.getByTestId('run-summary').isVisible()).toBe(true); // the page survived
  });

  it('grades a numeric answer against the simulation, revealing it only after three wrong tries, and exports every try', async () => {
    await open();
    const card = page.getByTestId('exercise-predict-ring');
    const cli = JSON.parse(weft(['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '-b', '64M', '-e', '64M', '--channels', '1', '--mode', 'ghost', '--format', 'json']).stdout) as { rows: Row[] };
    const truth = cli.rows[0]!.timeUs;
    const simulated = `Simulated: ${Math.round(truth)} µs.`;
    const answer = async (value: number, attempt: number) => {
      await card.getByTestId('answer').fill(String(value));
      await card.getByTestId('submit').click();
      await expect.poll(() => card.getByTestId('grade').getAttribute('data-attempts').catch(() => null), { timeout: 20_000 }).toBe(String(attempt));
      return (await card.getByTestId('grade').textContent())!;
    };
    // Wrong twice: the direction and rough size only (the second try cannot copy the answer).
    const first = await answer(Math.round(truth * 2), 1);
    expect(first).toContain('About 2× too high');
    expect(first).not.toContain(String(Math.round(truth)));
    expect(await answer(Math.round(truth / 2), 2)).toMatch(/About 2× too low .* after 1 more wrong try/);
    if (SHOTS) await card.screenshot({ path: `${SHOTS}exercise.png` });
    // The third wrong try shows the simulated value; then a right one passes.
    expect(await answer(Math.round(truth * 2), 3)).toContain(simulated);
    expect(await answer(Math.round(truth * 1.05), 4)).toContain('Passed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-results').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { results: Record<string, { answer: number; attempts: number; wrongAttempts: number; history: { answer: number; passed: boolean }[] }> };
    expect(exported.results['predict-ring']).toMatchObject({ answer: Math.round(truth * 1.05), attempts: 4, wrongAttempts: 3 });
    expect(exported.results['predict-ring']!.history.map((a) => [a.answer, a.passed])).toEqual([
      [Math.round(truth * 2), false], [Math.round(truth / 2), false], [Math.round(truth * 2), false], [Math.round(truth * 1.05), true],
    ]);
  });
});
