/**
 * What the walk left for later (benchmarks/results/lab.md, "The walk's leftovers"), in headless
 * Chromium: a Stop button for a long simulation, what student code printed before the time limit
 * stopped it, a failed link's cause said once, and the CLI's flag advice said in the form's words.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, scenarioQuery, useLabSession } from './lab-browser.js';

const KiB = 1024;
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB], focusBytes: 256 * KiB, channels: 1 } };

describe.skipIf(!hasChromium)('weft lab: the walk\u2019s leftovers', () => {
  const lab = useLabSession();

  it('stops a long simulation: the engine worker ends, the page says so, and the next run works in a fresh worker', async () => {
    const { page } = lab;
    await lab.open(scenarioQuery(RING_8));
    expect(await page.getByTestId('stop').count()).toBe(0); // only while a run is in flight
    // ~5 s of simulation in the worker (a leaf-spine of 512 hosts; the walk's big run).
    await page.getByTestId('topology').fill('leafspine:hosts=512,leaves=16,spines=8');
    await page.getByTestId('run').click();
    await page.getByTestId('stop').click({ timeout: 5000 });
    expect(await page.getByTestId('stopped').textContent({ timeout: 2000 })).toMatch(/^The run was stopped before it finished; the views below still show the previous run\./);
    expect(await page.getByTestId('run').textContent()).toBe('Run');
    expect(await page.evaluate(() => window.weftLab.run!.config.topology)).toBe('switch:8');
    const runs = await page.evaluate(() => window.weftLab.runs);
    await page.getByTestId('topology').fill('switch:4');
    await page.getByTestId('run').click();
    await page.waitForFunction((before) => window.weftLab.runs > before, runs, { timeout: 30_000 });
    expect(await page.evaluate(() => window.weftLab.run!.config.topology)).toBe('switch:4');
    expect(await page.getByTestId('stopped').count()).toBe(0);
  });

  it('shows what student code printed before the time limit stopped it', async () => {
    const { page } = lab;
    await lab.open('?limit=1000');
    const card = page.getByTestId('exercise-write-allreduce');
    await page.evaluate(() => window.weftLab.setCode("console.log('about to loop'); console.log('i =', 0);\nwhile (true) {}\nexport default {};"));
    await card.getByTestId('submit').click();
    await expect.poll(() => card.getByTestId('grade-error').textContent().catch(() => ''), { timeout: 20_000 }).toContain('ran for more than 1 s and was stopped');
    expect(await card.getByTestId('grade-error').textContent()).toContain('below is what it printed before it was stopped');
    expect(await card.getByTestId('printed').textContent()).toBe('about to loop\ni = 0');
  });

  it('says what a failed link did once per cause, not once per run', async () => {
    const { page } = lab;
    await lab.open(scenarioQuery({ config: { topology: 'switch:8', algorithms: ['ring', 'tree'], fault: ['link=gpu0->switch0,down@40us'] } }));
    const outcomes = (await page.getByTestId('fault-outcomes').first().textContent())!;
    // One sentence per cause (was one per run: eight here): pinned in flight, and no path left for what started after.
    expect(outcomes.match(/stranded/g)).toHaveLength(2);
    expect(outcomes).toContain('ring: failed at 1 KiB, 16 KiB, 256 KiB, 4 MiB, 64 MiB.');
    expect(await page.locator('section[aria-label=Compare] .side-by-side p.note').first().textContent()).toBe(
      "ring, tree: did not complete (a transfer stranded: link gpu0->switch0 is down and no path is left between the transfer's endpoints)",
    );
  });

  it('says what to change in the form where the CLI would name a flag', async () => {
    const { page } = lab;
    for (const [config, expected] of [
      [{ topology: 'swich:8' }, /^config\.topology \(--topology\): unknown topology preset "swich"; accepted presets: .*; type a preset spec such as switch:8 in the form's topology box\.$/],
      [{ algorithms: [] }, /^config\.algorithms: names no algorithm; tick at least one algorithm in the form/],
    ] as const) {
      await page.goto(lab.server.url + scenarioQuery({ config }));
      await expect.poll(() => page.getByTestId('error').textContent().catch(() => ''), { timeout: 20_000 }).toMatch(expected);
    }
  });
});
