import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, liveWorkerCount, RankCrashedError, RankError, RankTimeoutError } from '@weft/runtime';
import { network, plan } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;
const topology = parseTopologySpec('switch:4');

describe('the watchdog ends runs a rank never yields in', () => {
  it('a rank in an infinite loop is terminated and named with its last operation (data mode)', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', roundTimeoutMs: 500 });
    const error = await cluster.runProgram(fixtures, 'spinsForever').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankTimeoutError);
    expect((error as Error).message).toMatch(/^rank 1 did not yield within 0\.5 s of wall time at virtual time \d+ ns; its last operation: send to rank 0 on channel \d+;/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('a rank in a synchronous infinite loop is terminated and named in ghost mode too (its program runs in a thread of its own)', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost', roundTimeoutMs: 500 });
    const started = performance.now();
    const error = await cluster.runProgram(fixtures, 'spinsForever').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankTimeoutError);
    expect((error as Error).message).toMatch(/^rank 1 did not yield within 0\.5 s of wall time at virtual time \d+ ns; its last operation: send to rank 0;/);
    expect(performance.now() - started).toBeLessThan(15_000);
    // The stuck thread is gone and this one was never blocked: the cluster runs the next program.
    const next = await cluster.runProgram<{ afterComputeNs: number }>(fixtures, 'computeThenAllReduce');
    expect(next.results[3]!.afterComputeNs).toBe(3000);
    await cluster.close();
  });

  for (const mode of ['data', 'ghost'] as const) {
    it(`a rank awaiting a promise that never resolves is reported, not a silent exit (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode, roundTimeoutMs: 300 });
      const error = await cluster.runProgram(fixtures, 'awaitsForever').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RankTimeoutError);
      expect((error as Error).message).toContain('its last operation: compute');
      expect((error as Error).message).toMatch(/^rank 2 did not yield within 0.3 s/);
      await cluster.close();
      expect(liveWorkerCount()).toBe(0);
    });
  }

  for (const mode of ['data', 'ghost'] as const) {
    it(`the rank named is the one that did not yield, not a rank of its host that posted and waits; the hint names the API option and the CLI flag (${mode})`, async () => {
      // Ranks 0 and 1 share a worker in data mode (2 per worker); all four share the host in ghost mode.
      const cluster = await createCluster({ topology, network: network(), mode, ranksPerWorker: 2, roundTimeoutMs: 1000 });
      const error = await cluster.runProgram(fixtures, 'oneAwaitsForever').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RankTimeoutError);
      expect((error as Error).message).toBe(
        'rank 1 did not yield within 1 s of wall time at virtual time 0 ns; its last operation: none (it had not posted an operation); stopped (raise the limit: --timeout SECONDS in weft bench and weft train; API: roundTimeoutMs)',
      );
      await cluster.close();
      expect(liveWorkerCount()).toBe(0);
    });
  }

  it('process.exit inside a rank is a RankError naming the rank (not its thread\'s other ranks), and no worker is left', async () => {
    for (const ranksPerWorker of [1, 2]) {
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker });
      const error = await cluster.runProgram(fixtures, 'exits').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RankError);
      expect((error as Error).message).toMatch(/^rank 3 failed: process\.exit\(7\) called in a rank program/);
      await cluster.close();
      expect(liveWorkerCount()).toBe(0);
    }
  });

  it('process.exit inside a ghost-mode rank (run in this process) is that rank\'s RankError, and the process goes on', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost' });
    const realExit = process.exit;
    const error = await cluster.runProgram(fixtures, 'exits').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankError);
    expect((error as Error).message).toMatch(/^rank 3 failed: process\.exit\(7\) called in a rank program/);
    expect(process.exit).toBe(realExit);
    await cluster.close();
  });
});

describe('rank faults', () => {
  const schedule = () => plan('allReduce', 'ring', topology, 1024);
  const options = { dtype: 'float32', op: 'sum' } as const;

  it('a delayed straggler delays the collective by exactly its delay when it is on the critical path (ghost = data)', async () => {
    const times: number[] = [];
    for (const mode of ['ghost', 'data'] as const) {
      const cluster = await createCluster({ topology, network: network(), mode });
      const base = await cluster.runSchedule(schedule(), options);
      const late = await cluster.runSchedule(schedule(), { ...options, faults: [{ kind: 'delayRank', rank: 2, delayNs: 100_000 }] });
      if (mode === 'data') expect(late.wrong).toBe(0);
      // Every ring step waits for rank 2: it starts 100 us late and the rest follows.
      expect(late.timeNs).toBeCloseTo(base.timeNs + 100_000, 6);
      times.push(late.timeNs);
      await cluster.close();
    }
    expect(times[0]).toBe(times[1]);
  });

  it('a crashed rank ends the run with a RankCrashedError naming it and a waiting peer', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost' });
    const error = await cluster.runSchedule(schedule(), { dtype: 'float32', op: 'sum', check: false, faults: [{ kind: 'crashRank', rank: 1, atNs: 0 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankCrashedError);
    expect((error as Error).message).toMatch(/^rank 1 crashed at 0 ns \(injected fault\); the run stopped at \d+ ns; 3 participant\(s\) left waiting, e\.g\. rank \d: recv from rank \d/);
    await cluster.close();
  });

  it('a slow straggler stretches its compute by its factor', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost' });
    const fast = await cluster.runProgram<{ afterComputeNs: number }>(fixtures, 'computeThenAllReduce');
    const slow = await cluster.runProgram<{ afterComputeNs: number }>(fixtures, 'computeThenAllReduce', undefined, { faults: [{ kind: 'slowRank', rank: 3, factor: 2 }] });
    expect(fast.results[3]!.afterComputeNs).toBe(3000);
    expect(slow.results[3]!.afterComputeNs).toBe(6000);
    expect(slow.results[2]!.afterComputeNs).toBe(2000);
    await cluster.close();
  });

  it("a slow straggler does not stretch a collective's fixed costs (NCCL's launch latency, local copies)", async () => {
    for (const mode of ['ghost', 'data'] as const) {
      const cluster = await createCluster({ topology, network: network(), mode, ranksPerWorker: 2 });
      // NCCL's ring under Simple: 8.4 us of launch latency and a local input-to-output copy per rank.
      const ring = plan('allReduce', 'ring', topology, 1 << 12, { protocol: 'Simple' });
      const run = (faults: { kind: 'slowRank'; rank: number; factor: number }[]) => cluster.runSchedule(ring, { dtype: 'float32', op: 'sum', check: false, faults });
      const base = await run([]);
      expect(base.timeNs).toBeGreaterThan(8400);
      expect((await run([{ kind: 'slowRank', rank: 1, factor: 4 }])).timeNs).toBe(base.timeNs);
      await cluster.close();
    }
  });
});
