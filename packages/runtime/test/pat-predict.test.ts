/**
 * PAT's predictor (collectives pat.ts patPredictNs) is its schedule replayed for one rank: on a
 * fabric where every rank is alike (switch:N) it is the simulated time itself, for rank counts
 * that are powers of two and those that are not, both collectives, one chunk or many. `auto`
 * picks by it on fabrics without a named GPU, so it must not favour PAT where a ring is faster.
 */
import { describe, expect, it } from 'vitest';
import { predictionMisses } from './prediction-misses.js';

describe("PAT's predicted time is its simulated time on switch:N", () => {
  for (const collective of ['allGather', 'reduceScatter'] as const) {
    it(`${collective}: 3, 5, 7, 8 and 12 ranks, 64 KiB – 64 MiB, NCCL's channels and chunks (several chunks a channel)`, async () => {
      const failures: string[] = [];
      for (const n of [3, 5, 7, 8, 12]) {
        failures.push(...(await predictionMisses({ spec: `switch:${n}`, collective, names: ['pat'], sizes: [64 << 10, 1 << 20, 16 << 20, 64 << 20], protocols: ['Simple'], tolerance: 1e-4 })));
      }
      expect(failures).toEqual([]);
    }, 120_000);
  }
});
