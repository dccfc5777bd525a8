import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network, plan } from './helpers.js';

/** hardware.json: H100 SXM HBM3 3.35 TB/s (the default), GB300 8 TB/s. */
const H100_BYTES_PER_SEC = 3.35e12;
const GB300_BYTES_PER_SEC = 8e12;

describe('a 1-rank collective is charged its device-local copy at HBM bandwidth', () => {
  it('all-reduce of 1 MiB on one H100: read + write at 3.35 TB/s, the same in ghost and data mode', async () => {
    const count = 262_144; // 1 MiB of float32
    const expectedNs = (2 * count * 4 * 1e9) / H100_BYTES_PER_SEC;
    for (const mode of ['ghost', 'data'] as const) {
      const topology = parseTopologySpec('switch:1');
      const cluster = await createCluster({ topology, network: network(), mode });
      for (const algorithm of ['ring', 'tree']) {
        const result = await cluster.runSchedule(plan('allReduce', algorithm, topology, count), { dtype: 'float32', op: 'sum' });
        expect(result.timeNs).toBeCloseTo(expectedNs, 6);
        if (mode === 'data') expect(result.wrong).toBe(0);
      }
      await cluster.close();
    }
  });

  it('a preset that names its GPU uses that GPU: nvl72 (GB300, 8 TB/s)', async () => {
    const topology = parseTopologySpec('nvl72:gpus=1');
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost' });
    const result = await cluster.runSchedule(plan('allGather', 'ring', topology, 1000), { dtype: 'float32', op: 'sum' });
    expect(result.timeNs).toBeCloseTo((2 * 1000 * 4 * 1e9) / GB300_BYTES_PER_SEC, 6);
    await cluster.close();
  });

  it('multi-rank schedules keep their local steps free (NCCL fuses them into its primitives)', async () => {
    const topology = parseTopologySpec('switch:2,linkBw=100GB/s,linkLatency=0ns,efficiency=1');
    const cluster = await createCluster({ topology, network: network(), mode: 'ghost' });
    const count = 1024;
    const result = await cluster.runSchedule(plan('allGather', 'direct', topology, count), { dtype: 'float32', op: 'sum' });
    // One step: each rank sends its 4 KiB block to the other at 100 GB/s; its own block's local copy costs nothing.
    expect(result.timeNs).toBeCloseTo((count * 4 * 1e9) / 100e9, 6);
    await cluster.close();
  });
});
