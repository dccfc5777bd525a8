/**
 * Ring/LL at small sizes on four DGX H100 servers: one channel (NCCL runs fewer for small
 * messages), 62 dependent hops, 8 of them NIC hops on one rail (GPU→NIC→rail leaf→NIC→GPU,
 * 2.7 µs, as LL's NET step latency). The predictor charged every NIC hop the worst inter pair's
 * latency (3.3 µs, through a spine): 89.56 µs predicted, 84.76 simulated (0.946). With the
 * rail's latency (alphaBetaCost inter.railAlphaNs, nccl-ring.ts ringCost) it is the simulation's.
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

describe('ring/LL on rail-aligned rings', () => {
  it('dgx-h100:nodes=4 64 KiB: predicted = simulated (every hop one message, NIC hops at the rail latency)', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=4', '--mode', 'ghost', '--algo', 'ring', '--proto', 'LL', '-b', '64K', '-e', '64K', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const row = (JSON.parse(run.stdout).rows as { timeUs: number; predictedUs: number; channels: number }[])[0]!;
    expect(row.channels).toBe(1);
    expect(row.timeUs).toBeCloseTo(84.76, 2);
    expect(row.predictedUs).toBeCloseTo(row.timeUs, 3);
  });
});
