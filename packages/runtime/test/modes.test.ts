/**
 * Simulated results depend on nothing but the inputs: data mode (worker threads, any
 * ranksPerWorker) and ghost mode (in-process) give identical times, link statistics and
 * flow records, and repeating a run with the same seed repeats them exactly. Contended
 * cases (maxMin on a DGX pair, several channels, pipelining) make event order matter.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, type RunResult } from '@weft/runtime';
import { network, plan } from './helpers.js';

const topology = parseTopologySpec('dgx-h100:nodes=2');
const CASES = [
  { collective: 'allReduce', algorithm: 'ring', count: 1 << 16 },
  { collective: 'allReduce', algorithm: 'hierarchical', count: 1 << 16 },
  { collective: 'allReduce', algorithm: 'tree', count: 1 << 16 },
  { collective: 'allToAll', algorithm: 'direct', count: 1 << 12 },
  { collective: 'allGather', algorithm: 'ring', count: 1 << 12 },
] as const;

function simulated(r: RunResult) {
  return { timeNs: r.timeNs, events: r.events, linkStats: r.linkStats, flows: r.flows, steps: r.steps };
}

describe('data and ghost mode agree exactly; same seed, same results', () => {
  for (const c of CASES) {
    it(`${c.collective}/${c.algorithm} on ${topology.name}, maxMin, 2 channels, chunked`, async () => {
      const schedule = plan(c.collective, c.algorithm, topology, c.count, { channels: 2, chunkElements: 4096 });
      const options = { dtype: 'float32', op: 'sum', trace: true, iters: 2, warmupIters: 1 } as const;
      const ghost = await createCluster({ topology, network: network('maxMin', 7), mode: 'ghost' });
      const ghostA = await ghost.runSchedule(schedule, options);
      const ghostB = await ghost.runSchedule(schedule, options);
      const data = await createCluster({ topology, network: network('maxMin', 7), mode: 'data', ranksPerWorker: 4 });
      const packed = await createCluster({ topology, network: network('maxMin', 7), mode: 'data', ranksPerWorker: 16 });
      try {
        const dataA = await data.runSchedule(schedule, { ...options, check: true });
        const dataB = await packed.runSchedule(schedule, { ...options, check: true });
        expect(dataA.wrong).toBe(0);
        expect(dataB.wrong).toBe(0);
        expect(ghostA.timeNs).toBeGreaterThan(0);
        expect(simulated(ghostB)).toEqual(simulated(ghostA));
        expect(simulated(dataA)).toEqual(simulated(ghostA));
        expect(simulated(dataB)).toEqual(simulated(ghostA));
        expect(ghostA.linkStats.some((l) => l.peakConcurrentFlows > 1)).toBe(true);
      } finally {
        await data.close();
        await packed.close();
      }
    });
  }

  it('another seed changes ECMP paths but not the data-vs-ghost agreement', async () => {
    const fat = parseTopologySpec('dgx-h100:nodes=4');
    const schedule = plan('allReduce', 'ring', fat, 1 << 16, { channels: 4 });
    const runs: RunResult[] = [];
    for (const mode of ['ghost', 'data'] as const) {
      const cluster = await createCluster({ topology: fat, network: network('maxMin', 3), mode, ranksPerWorker: 8 });
      try {
        runs.push(await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: mode === 'data' }));
      } finally {
        await cluster.close();
      }
    }
    expect(simulated(runs[1]!)).toEqual(simulated(runs[0]!));
  });
});
