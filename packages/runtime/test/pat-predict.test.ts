/**
 * PAT's predictor (collectives pat.ts patPredictNs) is its schedule replayed for one rank: on a
 * fabric where every rank is alike (switch:N) it is the simulated time itself, for rank counts
 * that are powers of two and those that are not, both collectives, one chunk or many. `auto`
 * picks by it on fabrics without a named GPU, so it must not favour PAT where a ring is faster.
 */
import { describe, expect, it } from 'vitest';
import { countForBytes, getAlgorithm, resolveDefaults, type PlanParams } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network } from './helpers.js';

describe("PAT's predicted time is its simulated time on switch:N", () => {
  for (const collective of ['allGather', 'reduceScatter'] as const) {
    it(`${collective}: 3, 5, 7, 8 and 12 ranks, 64 KiB – 64 MiB, NCCL's channels and chunks (several chunks a channel)`, async () => {
      const failures: string[] = [];
      for (const n of [3, 5, 7, 8, 12]) {
        const topology = parseTopologySpec(`switch:${n}`);
        const cost = alphaBetaCost(topology);
        const algorithm = getAlgorithm(collective, 'pat');
        const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
        try {
          for (const bytes of [64 << 10, 1 << 20, 16 << 20, 64 << 20]) {
            const base: PlanParams = { nranks: n, count: countForBytes(collective, bytes, 'float32', n), root: 0, elementBytes: 4, channels: 0, chunkElements: (2 << 20) / 4, chunkAuto: true, layout: rankLayout(topology), protocol: 'Simple' };
            const params = resolveDefaults(algorithm, base, cost);
            const predictedNs = algorithm.predictNs(params, cost);
            const { timeNs } = await cluster.runSchedule(algorithm.plan(params), { dtype: 'float32', op: 'sum' });
            if (Math.abs(timeNs / predictedNs - 1) > 1e-4) failures.push(`${n} ranks, ${bytes} B: simulated ${timeNs} ns, predicted ${predictedNs} ns`);
          }
        } finally {
          await cluster.close();
        }
      }
      expect(failures).toEqual([]);
    }, 120_000);
  }
});
