import { describe, expect, it } from 'vitest';
import { createRouter, parseTopologySpec } from '@weft/fabric';
import { createCluster, RankError } from '@weft/runtime';
import { PLAN_CACHE_ENTRIES, planCacheSize } from '@weft/runtime/core';
import { network } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;
const topology = parseTopologySpec('switch:4');

/** Path latency and bottleneck bandwidth between two ranks of `topology`. */
function hop(a: number, b: number) {
  const links = new Map(topology.links.map((l) => [l.id, l]));
  const path = createRouter(topology).pinnedPath(topology.ranks[a]!, topology.ranks[b]!, 0, 0, 1, new Set())!;
  return { alphaNs: path.reduce((s, id) => s + links.get(id)!.latencyNs, 0), bandwidth: Math.min(...path.map((id) => links.get(id)!.bandwidthBytesPerSec)) };
}

describe('rank programs', () => {
  for (const mode of ['data', 'ghost'] as const) {
    it(`ping-pong moves bytes and takes 2(α + 12 B / B) (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network('maxMin'), mode, ranksPerWorker: 2 });
      try {
        const out = await cluster.runProgram<{ back?: number[]; got?: number[]; nowNs: number } | null>(fixtures, 'pingPong');
        const { alphaNs, bandwidth } = hop(0, 1);
        const wireNs = (12 / bandwidth) * 1e9;
        const oneWayNs = alphaNs + wireNs;
        // Rank 0 gets the reply after two one-way trips; rank 1 ends when its reply has left
        // (eager send: complete on `sent`, one wire time after the first delivery).
        expect(out.results[0]!.nowNs).toBeCloseTo(2 * oneWayNs, 6);
        expect(out.results[1]!.nowNs).toBeCloseTo(oneWayNs + wireNs, 6);
        if (mode === 'data') {
          expect(out.results[1]!.got).toEqual([1, 2, 3]);
          expect(out.results[0]!.back).toEqual([11, 12, 13]);
        } else {
          expect(out.results[0]!.back).toEqual([0, 0, 0]); // ghost: zeros of the sent length
        }
        expect(out.results[2]).toBeNull();
        expect(out.timeNs).toBeCloseTo(2 * oneWayNs, 6);
      } finally {
        await cluster.close();
      }
    });
  }

  it('compute advances virtual time per rank; allReduce inside a program sums', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 2 });
    try {
      const out = await cluster.runProgram<{ out: number[]; afterComputeNs: number; endNs: number }>(fixtures, 'computeThenAllReduce', { algorithm: 'ring' });
      out.results.forEach((r, rank) => {
        expect(r.afterComputeNs).toBe(rank * 1000);
        expect(r.out).toEqual([10, 20]); // 1+2+3+4, 2·(1+2+3+4)
        expect(r.endNs).toBeGreaterThan(3000); // rank 3 joins at 3000 ns
      });
      // Same program, other algorithm, same cluster (workers are reused).
      const tree = await cluster.runProgram<{ out: number[] }>(fixtures, 'computeThenAllReduce', { algorithm: 'tree' });
      for (const r of tree.results) expect(r.out).toEqual([10, 20]);
    } finally {
      await cluster.close();
    }
  });

  it('gather and scatter are rooted at options.root (data mode)', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 2 });
    try {
      const out = await cluster.runProgram<{ gathered: number[]; scattered: number[] }>(fixtures, 'gatherScatter', { root: 2 });
      // The root holds every rank's [r+1, 10(r+1)] in rank order; rank r gets back block r, doubled.
      expect(out.results[2]!.gathered).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
      out.results.forEach((r, rank) => expect(r.scattered).toEqual([2 * (rank + 1), 20 * (rank + 1)]));
    } finally {
      await cluster.close();
    }
  });

  it('spawned coroutines run concurrently and are joined', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 4 });
    try {
      const out = await cluster.runProgram<{ fromPrev: number; fromNext: number }>(fixtures, 'spawnJoin');
      out.results.forEach((r, rank) => {
        expect(r.fromPrev).toBe((rank + 3) % 4);
        expect(r.fromNext).toBe(100 + ((rank + 1) % 4));
      });
    } finally {
      await cluster.close();
    }
  });

  it('ghost mode: collectives take length-only ghost buffers, time them like arrays, allocate nothing', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    try {
      // In this thread (inProcess), so that its plan cache is the one planCacheSize() reads.
      const out = await cluster.runProgram<{ realNs: number; ghostNs: number; realLength: number; ghost: unknown; gathered: unknown; got: number[] }>(fixtures, 'ghostCollectives', { count: 1 << 20 }, { inProcess: true });
      for (const r of out.results) {
        expect(r.ghostNs).toBeGreaterThan(0);
        // The same time; the two calls start at different virtual times, so the last bits of
        // their float end-minus-start may differ.
        expect(r.ghostNs).toBeCloseTo(r.realNs, 6);
        expect(r.realLength).toBe(1 << 20);
        expect(r.ghost).toEqual({ ghost: true, dtype: 'float32', length: 1 << 20 });
        expect(r.gathered).toEqual({ ghost: true, dtype: 'float64', length: 4 << 20 });
        expect(r.got).toEqual([0, 0, 0]);
      }
      // Ranks in one thread share plans (bounded LRU): the two allReduce calls are one shape.
      expect(planCacheSize()).toBeGreaterThan(0);
      expect(planCacheSize()).toBeLessThanOrEqual(PLAN_CACHE_ENTRIES);
    } finally {
      await cluster.close();
    }
  });

  it('data mode refuses ghost buffers', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 2 });
    await expect(cluster.runProgram(fixtures, 'ghostCollectives', { count: 4 })).rejects.toThrow(/ghost buffer/);
  });

  it('awaiting a Task directly is reported, not hung', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    await expect(cluster.runProgram(fixtures, 'awaitTask')).rejects.toThrow(/ctx\.join/);
  });

  it('two operations in flight on one coroutine are reported', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 4 });
    const error = await cluster.runProgram(fixtures, 'twoAtOnce').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankError);
    expect((error as Error).message).toMatch(/already waiting on an operation/);
  });
});
