/**
 * Ghost mode at a few hundred ranks: the ring formula still holds exactly on a
 * non-blocking switch (each rank's up- and down-link carries one flow at a time). Wall time
 * is bounded by the test timeout; the 1024/4096-rank figures are in benchmarks/results/runtime.md.
 */
import { describe, expect, it } from 'vitest';
import { createRouter, parseTopologySpec } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network, plan } from './helpers.js';

describe('ghost mode scales', () => {
  for (const model of ['alphaBeta', 'maxMin'] as const) {
    it(`ring all-reduce on switch:256 (${model}) = 2(p-1)α + 2(p-1)/p·n/B`, async () => {
      const p = 256;
      const topology = parseTopologySpec(`switch:${p}`);
      const links = new Map(topology.links.map((l) => [l.id, l]));
      const path = createRouter(topology).pinnedPath(topology.ranks[0]!, topology.ranks[1]!, 0, 0, 1, new Set())!;
      const alphaNs = path.reduce((s, id) => s + links.get(id)!.latencyNs, 0);
      const bandwidth = Math.min(...path.map((id) => links.get(id)!.bandwidthBytesPerSec));
      const count = p * 4096;
      const cluster = await createCluster({ topology, network: network(model), mode: 'ghost' });
      const result = await cluster.runSchedule(plan('allReduce', 'ring-rankorder', topology, count), { dtype: 'float32', op: 'sum' });
      const expectedNs = 2 * (p - 1) * alphaNs + ((2 * (p - 1)) / p) * ((count * 4) / bandwidth) * 1e9;
      expect(Math.abs(result.timeNs - expectedNs)).toBeLessThan(1e-3);
      expect(result.events).toBe(2 * 2 * (p - 1) * p); // every transfer is sent, then delivered
      expect(result.wrong).toBe(-1);
    });
  }
});
