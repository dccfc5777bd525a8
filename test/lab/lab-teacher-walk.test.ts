/**
 * A teacher's walk of the lab (instructor authoring course material), in headless Chromium:
 * the fixes that live in the page (the engine's are in packages/lab/test/teacher-walk.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasChromium, scenarioQuery, useLabSession } from './lab-browser.js';

const KiB = 1024;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB, channels: 1 } };
const linkScenario = (link: string): { code?: string } => JSON.parse(Buffer.from(new URL(link).searchParams.get('s')!, 'base64url').toString()) as { code?: string };

describe.skipIf(!hasChromium)('weft lab: a teacher\u2019s walk, in headless Chromium', () => {
  const session = useLabSession();

  it('shares the editor\u2019s code only when asked, and a link\u2019s code never overwrites a student\u2019s own', async () => {
    const { page } = session;
    await session.open(scenarioQuery(RING_8));
    const mine = '// my exercise-3 work\nexport default {};\n';
    await page.evaluate((c) => window.weftLab.setCode(c), mine);
    const stored = () => page.evaluate(() => localStorage.getItem('weft-lab-code'));
    await expect.poll(stored).toBe(mine);
    // A teacher's link: the run, not the editor's code.
    await page.getByTestId('share').click();
    expect(linkScenario(await page.getByTestId('share-link').inputValue()).code).toBeUndefined();
    await page.getByTestId('share-code').check();
    await page.getByTestId('share').click();
    expect(linkScenario(await page.getByTestId('share-link').inputValue()).code).toBe(mine);
    // A link with other code: the student's stays (saved and in the editor), the link's is offered.
    const theirs = '// the teacher\u2019s solution\nexport default {};\n';
    await session.open(scenarioQuery({ ...RING_8, code: theirs }));
    expect(await page.getByTestId('offered-code').textContent()).toContain('your own saved code is kept');
    expect(await stored()).toBe(mine);
    await page.getByTestId('use-link-code').click();
    await expect.poll(stored).toBe(theirs);
    expect(await page.getByTestId('offered-code').count()).toBe(0);
    // Nothing of the student's to lose (the same code): taken as it is, nothing offered.
    await session.open(scenarioQuery({ ...RING_8, code: theirs }));
    expect(await page.getByTestId('offered-code').count()).toBe(0);
  });

  it('says the grader could not be loaded when its worker file is missing, and counts no attempt', async () => {
    const { page } = session;
    await session.open('?limit=20000'); // a long limit: the old page waited it out and blamed the code
    const card = page.getByTestId('exercise-write-allreduce');
    const attemptsBefore = await card.getByTestId('grade').getAttribute('data-attempts', { timeout: 1000 }).catch(() => null);
    await page.route(/student-worker[^/]*\.js/, (route) => route.fulfill({ status: 404, body: 'not found' })); // the site re-exported since
    const started = Date.now();
    await card.getByTestId('submit').click();
    const failure = card.getByTestId('grade-error');
    await failure.waitFor({ timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await failure.textContent()).toMatch(/^Not graded: The grader could not be loaded .*Reload the page, then submit again\.$/);
    expect(await failure.textContent()).not.toContain('loop');
    expect(await card.getByTestId('grade').getAttribute('data-attempts', { timeout: 1000 }).catch(() => null)).toBe(attemptsBefore);
    await page.unroute(/student-worker[^/]*\.js/);
  });

  it('lists a scenario\u2019s faults in the form, and clears them', async () => {
    const { page } = session;
    await session.open(scenarioQuery({ config: { topology: 'leafspine:hosts=16,leaves=2,spines=4', algorithms: ['ring'], sizesBytes: [64 * KiB], focusBytes: 64 * KiB, faults: { links: [{ link: 'leaf0->spine0', down: '30us' }] } } }));
    expect(await page.getByTestId('form-faults').textContent()).toContain('--fault link=leaf0->spine0,down@30000ns');
    await page.getByTestId('topology').fill('switch:8');
    await page.getByTestId('run').click();
    await page.getByTestId('error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('error').textContent()).toMatch(/^faults: link 'leaf0->spine0' is not in topology switch:8; .*press "Clear faults" in the form/);
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.getByTestId('clear-faults').click();
    expect(await page.getByTestId('form-faults').count()).toBe(0);
    await page.getByTestId('run').click();
    await page.waitForFunction((n) => window.weftLab.runs > n, runs, { timeout: 30_000 });
    expect(await page.evaluate(() => [window.weftLab.run!.config.topology, window.weftLab.run!.config.faults])).toEqual(['switch:8', undefined]);
    expect(await page.getByTestId('cli-line').textContent()).not.toContain('--fault');
  });

  it('exports an instructor\u2019s exercise under its key with its title and prompt', async () => {
    const { page } = session;
    const exercise = { title: 'Ring at 256 KiB, by the teacher', prompt: 'How long does ring take at 256 KiB?', algorithm: 'ring' };
    await session.open(scenarioQuery({ ...RING_8, exercise }));
    const card = page.getByTestId('exercise-scenario');
    await card.getByTestId('answer').fill('1');
    await card.getByTestId('submit').click();
    await card.getByTestId('grade').waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-results').click()]);
    const results = (JSON.parse(readFileSync(await download.path(), 'utf8')) as { results: Record<string, { exercise?: { title: string; prompt: string } }> }).results;
    const [key, record] = Object.entries(results).find(([k]) => k.startsWith('scenario:'))!;
    expect(key).toMatch(/^scenario:[0-9a-f]{8}$/);
    expect(record.exercise).toMatchObject({ title: exercise.title, prompt: exercise.prompt, algorithm: 'ring', topology: 'switch:8' });
  });

  it('shows the protocol each row ran, and runs the one a scenario or the form picks', async () => {
    const { page } = session;
    const protos = () => page.$$eval('section[aria-label=Bandwidth] [data-testid=results] tr[data-algorithm]', (trs) => trs.map((tr) => [tr.getAttribute('data-algorithm'), tr.querySelector('[data-testid=proto]')!.textContent]));
    await session.open(scenarioQuery({ config: { ...RING_8.config, algorithms: ['ring', 'tree'], sizesBytes: [64 * 1024 * KiB], focusBytes: 64 * 1024 * KiB, proto: 'LL128' } }));
    expect(await page.locator('section[aria-label=Bandwidth] [data-testid=results] th').allTextContents()).toContain('proto');
    expect(await protos()).toEqual([['ring', 'LL128'], ['tree', 'LL128']]);
    expect(await page.getByTestId('proto').first().inputValue()).toBe('LL128'); // the form's select
    expect(await page.getByTestId('cli-line').textContent()).toContain(' --proto LL128 ');
    expect(await page.getByTestId('run-summary').textContent()).toContain('protocol LL128');
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.locator('form[aria-label="Run configuration"] [data-testid=proto]').selectOption('auto');
    await page.getByTestId('run').click();
    await page.waitForFunction((n) => window.weftLab.runs > n, runs, { timeout: 30_000 });
    expect(await protos()).toEqual([['ring', 'Simple'], ['tree', 'Simple']]); // NCCL's tuner at 64 MiB
    expect(await page.getByTestId('cli-line').textContent()).not.toContain('--proto');
  });
});
