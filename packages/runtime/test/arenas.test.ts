/**
 * Data placement paths: one arena for everything (the default here), one arena per worker
 * (payloads cross arenas: the receiver lands them in its own arena before the SIMD kernel),
 * and hosts too big for an arena (standalone buffers, every message in its own SAB). All
 * must give #wrong 0 and identical simulated times.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network, plan } from './helpers.js';

const topology = parseTopologySpec('switch:8');
const count = 10_000; // 40 kB per buffer; a 2-rank host needs ~200 kB with staging

describe('arena placement', () => {
  it('single arena, arena per worker, and standalone buffers agree', async () => {
    const schedules = [plan('allReduce', 'ring', topology, count, { channels: 2, chunkElements: 1000 }), plan('allToAll', 'direct', topology, count / 8), plan('reduceScatter', 'ring', topology, count / 8)];
    const times: number[][] = [];
    // A 2-rank host needs ~1.3 MB here (buffers + staging with its 1 MiB slack): 2 MiB arenas
    // hold one host each; 64 KiB arenas hold none.
    for (const arenaMaxBytes of [undefined, 2 * 2 ** 20, 64 * 1024]) {
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 2, ...(arenaMaxBytes ? { arenaMaxBytes } : {}) });
      try {
        const row: number[] = [];
        for (const schedule of schedules) {
          for (const op of ['sum', 'max'] as const) {
            const result = await cluster.runSchedule(schedule, { dtype: 'float32', op });
            expect(result.wrong).toBe(0);
            // Standalone hosts have no staging region: every message takes its own SAB.
            if (arenaMaxBytes === 64 * 1024) expect(result.stagingOverflows).toBeGreaterThan(0);
            else expect(result.stagingOverflows).toBe(0);
            row.push(result.timeNs);
          }
        }
        times.push(row);
      } finally {
        await cluster.close();
      }
    }
    expect(times[1]).toEqual(times[0]);
    expect(times[2]).toEqual(times[0]);
  });
});
