/**
 * The 4- and 16-server rings (the 16-server one is 128 ranks, 16 channels, about half a
 * million simulated transfers: about 20 s in ghost mode on a 2-core machine), apart from
 * the quick preset checks in presets.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ringBusBw } from './ring-busbw.js';

describe('--algo ring busbw at 1 GiB (ghost), 4 and 16 servers', () => {
  it.each(['dgx-h100:nodes=4', 'dgx-h100:nodes=16'])('%s: still bounded by 8 × 48 GB/s PCIe = 384 GB/s, flat in the server count (within 0.5 percent: NCCL launch and step latencies)', (spec) => {
    const { busBwGBps } = ringBusBw(spec);
    expect(busBwGBps).toBeLessThanOrEqual(384 * (1 + 1e-9));
    expect(busBwGBps).toBeGreaterThan(0.995 * 384);
  }, 120_000);
});
