/** The lab's engine in Node: the same code the page's workers run. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '@weft/cli';
import { getAlgorithm } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { DEFAULT_CONFIG, EXERCISES, bufferFrames, cliArgs, sweepFlags, contributionInputs, createPageDataCluster, dataGridLimit, dataGridRecorder, detailRun, forThePage, givensOf, gradeAnswer, inPageWords, gradeChoice, gradeRelative, gridOf, recordAttempt, roughly, runLab, truthOf } from '../dist/engine/index.js';
import { parseScenario } from '../dist/engine/scenario.js';

const popcount = (mask: number): number => mask.toString(2).replace(/0/g, '').length;

describe('runLab', () => {
  it('animates the run the sweep timed: the traced run at the focus size has the sweep row\u2019s time', async () => {
    const run = await runLab({ ...DEFAULT_CONFIG, sizesBytes: [DEFAULT_CONFIG.focusBytes] });
    for (const detail of run.details) {
      const row = run.rows.find((r) => r.algorithm === detail.algorithm)!;
      expect(detail.timeNs / 1000).toBe(row.timeUs);
      expect(detail.predictedNs / 1000).toBe(row.predictedUs);
    }
    expect(run.details.map((d) => d.rings[0]!.length)).toEqual([8, 8]);
  });
});

describe('bufferFrames', () => {
  it('replays a ring all-reduce: nothing at 0, contributions only grow, all 8 in every block at the end', async () => {
    const run = await runLab({ ...DEFAULT_CONFIG, algorithms: ['ring'], sizesBytes: [1024], focusBytes: 1024 });
    const grid = bufferFrames(run.details[0]!.schedule, run.details[0]!.steps);
    if (!grid.ok) throw new Error(grid.reason);
    const { masks, timesNs } = grid.frames;
    expect(timesNs.length).toBe(run.details[0]!.steps.length + 1);
    expect([...masks[0]!].every((m) => m === 0)).toBe(true);
    expect([...masks.at(-1)!].every((m) => m === 0xff)).toBe(true);
    // Values: every rank ends with the all-reduced value of each block's first element.
    const { values, expected } = grid.frames;
    expect([...values.at(-1)!]).toEqual(Array.from({ length: 64 }, (_, cell) => expected[cell % 8]));
    expect([...values[0]!].every(Number.isNaN)).toBe(true);
    for (let f = 1; f < masks.length; f++) {
      masks[f]!.forEach((m, cell) => expect(popcount(m)).toBeGreaterThanOrEqual(popcount(masks[f - 1]![cell]!)));
    }
  });

  it('says why it cannot replay a large buffer', async () => {
    const run = await runLab({ ...DEFAULT_CONFIG, algorithms: ['ring'], sizesBytes: [1024], focusBytes: 4 << 20 });
    const grid = bufferFrames(run.details[0]!.schedule, run.details[0]!.steps);
    expect(grid.ok ? '' : grid.reason).toMatch(/up to 65536 elements/);
  });
});

describe('data mode: the grid from the run\u2019s real bytes', () => {
  // In process, as in the page's worker (runLab in Node would run its sweep on worker threads).
  it('times the run as ghost mode does, and reads each block\u2019s contributions from its bytes', async () => {
    const config = { ...DEFAULT_CONFIG, focusBytes: 65536 };
    const topology = parseTopologySpec(config.topology);
    for (const name of ['ring', 'tree']) {
      const algorithm = getAlgorithm('allReduce', name);
      const ghost = await detailRun(config, topology, algorithm, 65536);
      const detail = await detailRun({ ...config, mode: 'data' }, topology, algorithm, 65536);
      expect(detail.timeNs).toBe(ghost.timeNs);
      const grid = gridOf(detail);
      if (!grid.ok) throw new Error(grid.reason);
      const { masks, values, timesNs, source } = grid.frames;
      expect(source).toBe('data');
      expect(timesNs[0]).toBe(0);
      expect(timesNs.at(-1)).toBe(detail.timeNs);
      expect([...masks[0]!].every((m) => m === 0)).toBe(true); // outputs poisoned: nothing yet
      expect([...masks.at(-1)!].every((m) => m === 0xff)).toBe(true); // every block: all 8 ranks
      expect([...values.at(-1)!].every((v) => v === 255)).toBe(true); // 2^0 + ... + 2^7
      for (let f = 1; f < masks.length; f++) {
        masks[f]!.forEach((m, cell) => expect(popcount(m)).toBeGreaterThanOrEqual(popcount(masks[f - 1]![cell]!)));
      }
      expect(gridOf(ghost)).toMatchObject({ ok: true, frames: { source: 'replay' } });
    }
  });

  it('reads only the ranks a round woke, and that is every change: the same frames as reading all of them (NVLS: switch agents too)', async () => {
    const topology = parseTopologySpec('dgx-h100:nodes=1');
    const config = { ...DEFAULT_CONFIG, topology: 'dgx-h100:nodes=1', channels: 0, mode: 'data' as const };
    const detail = await detailRun(config, topology, getAlgorithm('allReduce', 'nvls'), 65536);
    const { cluster, hosts } = createPageDataCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1 } });
    const everyRank = dataGridRecorder(detail.schedule);
    hosts.observe = (t, buffersOf) => everyRank.observe(t, buffersOf, null);
    await cluster.runSchedule(detail.schedule, { dtype: 'float32', op: 'sum', check: false, inputs: contributionInputs(8, detail.schedule.bufferCounts.input) });
    const [woken, all] = [gridOf(detail), everyRank.result()];
    if (!woken.ok || !all.ok) throw new Error('no grid');
    expect(woken.frames.timesNs).toEqual(all.frames.timesNs);
    expect(woken.frames.masks).toEqual(all.frames.masks);
    expect([...woken.frames.masks.at(-1)!].every((m) => m === 0xff)).toBe(true);
  });

  it('says why a run is too large for the grid', () => {
    const plan = (nranks: number, count: number) => ({ nranks, bufferCounts: { input: count, output: count, scratch: 0 } });
    expect(dataGridLimit(plan(8, 1 << 16))).toBeNull();
    expect(dataGridLimit(plan(8, 1 << 20))).toMatch(/reads output buffers of up to 65536 elements/);
    expect(dataGridLimit(plan(25, 1024))).toMatch(/runs of up to 24 ranks/);
  });
});

describe('the command the page prints', () => {
  it('steps through the sweep with -b/-e/-f when weft bench can, else names the animated size', () => {
    expect(sweepFlags(DEFAULT_CONFIG.sizesBytes)).toEqual(['-b', '1024', '-e', '67108864', '-f', '16']);
    expect(sweepFlags([4096])).toEqual(['-b', '4096', '-e', '4096']);
    for (const uneven of [[1024, 4096, 8192], [4096, 1024], [1024, 1024], [1000, 1500]]) expect(sweepFlags(uneven)).toBeNull();
    expect(cliArgs({ ...DEFAULT_CONFIG, sizesBytes: [1024, 1536] }, 'sweep').slice(6, 10)).toEqual(['-b', '262144', '-e', '262144']);
  });
});

describe('faults as weft bench takes them', () => {
  afterEach(() => vi.restoreAllMocks());
  it('a run with --fault and --straggler gives the rows of weft bench with the same flags', async () => {
    const config = {
      ...DEFAULT_CONFIG, algorithms: ['ring', 'tree'], sizesBytes: [262144], focusBytes: 262144,
      faults: { links: [{ link: 'gpu1->switch0', degrade: 0.5, at: 20_000 }], stragglers: [{ rank: 3, delay: 5_000 }] },
    };
    const run = await runLab(config);
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    expect(await runCli(cliArgs(config, 262144))).toBe(0);
    vi.restoreAllMocks();
    const cli = JSON.parse(stdout) as { rows: { algorithm: string; timeUs: number }[] };
    expect(run.rows.map((r) => [r.algorithm, r.timeUs])).toEqual(cli.rows.map((r) => [r.algorithm, r.timeUs]));
    const { faults: _faults, ...faultFree } = config;
    const fault = await runLab(faultFree);
    for (const [i, detail] of run.details.entries()) {
      expect(detail.timeNs / 1000).toBe(run.rows[i]!.timeUs); // the animated run is the faulted one
      expect(detail.timeNs).toBeGreaterThan(fault.details[i]!.timeNs);
    }
  });
});

describe('exercises', () => {
  it('has six, each graded against a deterministic simulation', async () => {
    expect(EXERCISES.length).toBeGreaterThanOrEqual(6);
    const predict = EXERCISES.find((e) => e.id === 'predict-ring')!;
    const [a, b] = [await truthOf(predict), await truthOf(predict)];
    expect(a.value).toBe(b.value);
    const run = await runLab(predict.config);
    expect(a.value).toBe(run.rows[0]!.timeUs);
    expect(gradeAnswer(predict, a.value * 1.09, a).passed).toBe(true);
    expect(gradeAnswer(predict, a.value * 1.2, a).passed).toBe(false);
  });

  it('gives α, β and n for exercise 1, and the textbook ring formula on them passes', async () => {
    const predict = EXERCISES.find((e) => e.id === 'predict-ring')!;
    const givens = givensOf(predict.config);
    const [, n, alphaNs, betaPs] = /n = (\d+) GPUs, α = ([\d.]+) ns per message, β = ([\d.]+) ps per byte/.exec(givens)!.map(Number);
    const S = predict.config.focusBytes;
    const textbookUs = (2 * (n! - 1) * (alphaNs! + (S / n!) * betaPs! * 1e-3)) / 1000; // 2(n-1)(α + S/n β)
    expect(gradeAnswer(predict, textbookUs, await truthOf(predict)).passed).toBe(true);
  });

  it('grades relative error and choices in one sentence', () => {
    expect(gradeRelative(110, 100, 0.1, 'µs')).toMatchObject({ passed: true, score: 1 });
    expect(gradeRelative(130, 100, 0.1, 'µs')).toMatchObject({ passed: false, score: 0.5 });
    expect(gradeRelative(Number.NaN, 100, 0.1, 'µs').message).toBe('Enter a number (µs).');
    expect(gradeRelative(1e99, 2642, 0.1, 'µs').message).toBe('Off by a factor of 3.8e+95 (the bar is 10 %).');
    expect(gradeRelative(0, 2642, 0.1, 'µs').message).toBe('Off by 100.0 % (the bar is 10 %).');
    expect(gradeChoice(4, 8, [1, 2, 4, 8], String)).toMatchObject({ passed: false, score: 0.5, message: '4 is one step too low.' });
  });
});

describe('attempts', () => {
  it('withholds the simulated value and the exact error until a pass or the third wrong try, and counts every try', async () => {
    const predict = EXERCISES.find((e) => e.id === 'predict-ring')!;
    const truth = await truthOf(predict);
    const simulated = `${Math.round(truth.value)} µs`;
    const at = '2026-11-28T08:00:00.000Z';
    const first = recordAttempt(undefined, truth.value * 2, gradeAnswer(predict, truth.value * 2, truth), at);
    expect(first.grade.message).toBe('About 2× too high (the bar is 10 %). The simulated value shows after 2 more wrong tries (or when you pass).');
    expect(first.grade).not.toHaveProperty('expected');
    expect(first).toMatchObject({ attempts: 1, wrongAttempts: 1, revealed: false });
    const second = recordAttempt(first, truth.value / 3, gradeAnswer(predict, truth.value / 3, truth), at);
    expect(second.grade.message).toMatch(/^About 3× too low .* after 1 more wrong try /);
    expect(JSON.stringify(second.grade)).not.toContain(String(Math.round(truth.value)));
    const third = recordAttempt(second, truth.value * 1.3, gradeAnswer(predict, truth.value * 1.3, truth), at);
    expect(third.grade.message).toContain(`The simulation takes ${simulated}.`);
    expect(third.grade.expected).toBe(simulated);
    const fourth = recordAttempt(third, truth.value, gradeAnswer(predict, truth.value, truth), at);
    expect(fourth).toMatchObject({ attempts: 4, wrongAttempts: 3, revealed: true, grade: { passed: true } });
    expect(fourth.history!.map((a) => a.passed)).toEqual([false, false, false, true]);
    expect(fourth.history![0]!.answer).toBe(truth.value * 2);
    // A pass on the first try shows the value at once.
    expect(recordAttempt(undefined, truth.value, gradeAnswer(predict, truth.value, truth), at).grade.message).toContain(`The simulation takes ${simulated}.`);
  });

  it('says roughly how far off, never exactly', () => {
    expect([1.2, 1 / 1.2, 2.4, 0.1, 1234, 0, -5].map(roughly)).toEqual([
      'A little too high (within 1.5× of it)', 'A little too low (within 1.5× of it)', 'About 2× too high', 'Over 10× too low', 'Over 1000× too high',
      'Too low: the simulated value is above 0', 'Too low: the simulated value is above 0',
    ]);
  });
});

describe('Compare\u2019s failed link', () => {
  it('fails a link with another path between its ends, and none on a single switch', async () => {
    const { failableLink } = await import('../dist/engine/failable-link.js');
    const of = async (topology: string) => failableLink(await runLab({ ...DEFAULT_CONFIG, topology, algorithms: ['ring'], sizesBytes: [262144] }));
    expect(await of('switch:8')).toBeNull();
    expect(await of('fullmesh:8')).toBeNull(); // no detour through a third GPU: GPUs do not forward
    expect(await of('ring:8')).toBe('router0->router1'); // the other way round the ring
    expect(await of('leafspine:hosts=16,leaves=4,spines=2')).toBe('leaf0->spine0');
  });

  it('says what faults did once per cause, not once per run', async () => {
    const { faultSummary } = await import('../dist/ui/fault-summary.js');
    const run = await runLab({ ...DEFAULT_CONFIG, faults: { links: [{ link: 'gpu0->switch0', down: 40_000 }], stragglers: [], crashes: [] } });
    const text = faultSummary(run.faults!);
    expect(run.faults!.outcomes.filter((o) => o.error).length).toBeGreaterThan(5);
    // Two causes, each said once: transfers in flight over the link when it failed (pinned to it), and
    // transfers started after it failed, from gpu0, whose only link it was (no path left).
    expect(text.match(/stranded/g)).toHaveLength(2);
    expect(text).toContain('Why: a transfer stranded: link gpu0->switch0 is down and the flow was pinned to it.');
    expect(text).toContain("Why: a transfer stranded: link gpu0->switch0 is down and no path is left between the transfer's endpoints.");
    const { causeOf } = await import('../dist/ui/fault-summary.js');
    // The 1 KiB ring's first transfer from gpu0 starts after the failure (Compare's per-algorithm line).
    expect(causeOf(run.details[0]!.error!)).toBe("a transfer stranded: link gpu0->switch0 is down and no path is left between the transfer's endpoints");
    expect(text).toMatch(/ring: failed at 1 KiB, 16 KiB, 256 KiB, 4 MiB, 64 MiB\. tree: unaffected at 1 KiB, 16 KiB; failed at 256 KiB, 4 MiB, 64 MiB\./);
  });
});

describe('the CLI\u2019s messages on the page', () => {
  const pageError = (scenario: unknown) => inPageWords(async () => runLab(parseScenario(scenario).config)).then(() => '', (e: Error) => e.message);

  it('says what to change in the form, not which flag to pass', async () => {
    const budget = await pageError({ config: { mode: 'data', sizesBytes: [1024 ** 3], focusBytes: 262144 } });
    expect(budget).toMatch(/^sizes: ring at 1 GiB needs 16\.00 GiB of rank buffers on 8 ranks, over data mode's budget of [\d.]+ GiB \([^)]*\); pick mode ghost \(the same simulated times, no payload\) or a smaller "to" size/);
    expect(budget).not.toContain('--mode');
    const typo = await pageError({ config: { topology: 'swich:8' } });
    expect(typo).toMatch(/^config\.topology \(--topology\): unknown topology preset "swich"; accepted presets: switch, .*nvl72; type a preset spec such as switch:8 in the form's topology box\.$/);
    expect(await pageError({ config: { algorithms: [] } })).toBe('config.algorithms: names no algorithm; tick at least one algorithm in the form (in a scenario: list at least one built-in name, such as ring).');
    expect(forThePage('wrong on 1 ranks (count 1, channels 1, chunk 0): deadlock')).toBe('wrong on 1 rank (count 1, channels 1, chunk 0): deadlock');
    expect(forThePage('config.qps (--qps): \'0\' is not accepted; use a whole number from 1 to 64')).toBe('config.qps (--qps): \'0\' is not accepted; use a whole number from 1 to 64');
  });
});

describe('scenarios', () => {
  it('fills defaults and names the field that is wrong', () => {
    expect(parseScenario({ config: { topology: 'switch:4' } }).config).toEqual({ ...DEFAULT_CONFIG, topology: 'switch:4' });
    expect(() => parseScenario({ config: { algorithms: ['rung'] } })).toThrow("config.algorithms (--algo): 'rung' is not accepted for allreduce in the lab; use ring, tree,");
    expect(() => parseScenario({ config: { qps: 0 } })).toThrow("config.qps (--qps): '0' is not accepted; use a whole number from 1 to 64");
    expect(() => parseScenario({ config: { topology: 'switch:x' } })).toThrow(/^config\.topology \(--topology\): /);
  });
});

describe('stepArrows', () => {
  it('names every peer a tree node forwards to, and what it received', async () => {
    const { stepArrows } = await import('../dist/ui/format.js');
    expect(stepArrows({ participant: 2, channel: 0, op: 'recvCopySend', peer: 0, sendPeers: [5, 6, 3], startNs: 0, endNs: 1 })).toEqual(['r0→r2', 'r2→r5', 'r2→r6', 'r2→r3']);
    expect(stepArrows({ participant: 1, channel: 0, op: 'send', peer: 4, sendPeers: [4], startNs: 0, endNs: 1 })).toEqual(['r1→r4']);
    expect(stepArrows({ participant: 1, channel: 0, op: 'recvReduce', peer: 4, startNs: 0, endNs: 1 })).toEqual(['r4→r1']);
  });
});
