/**
 * NCCL's Tree and Ring on two (and four) DGX H100 servers (rail-aligned, non-blocking between servers, so
 * no link is shared by accident), simulated against predicted where the mid-size mechanism is:
 *
 * - Tree, both waves on one link: tree/LL128 at 16 MiB runs 15 chunks of 72,000 B per channel,
 *   and the NVLink of a rank near its chain's head carries the totals coming back down while
 *   its reduce still streams up. The predictor charged one wave's edges per stage there (99.71
 *   µs predicted, 106.47 simulated, 1.068); then it counted every stream running on the link at
 *   each stage (packages/collectives/src/all-reduce/tree-pipeline.ts laterStagesNs): 108.45 µs;
 *   now the fluid of every channel's chunks (tree-fluid.ts): 106.63 µs.
 * - Tree, the fill on four servers: tree/Simple at 64 MiB runs 8 chunks of 512 KiB per channel;
 *   while channel c's first chunk climbs its chain, the channels in which a rank sits nearer
 *   its chain's leaf already stream through that rank's NVLink (the chains are rotations), 2,
 *   4, …, 14 of them. The pipeline bound charged the fill 2 per NVLink (476.75 µs predicted,
 *   545.99 simulated, 1.145); the fluid of the chunks: 547.25 µs.
 * - Ring, channels in lockstep: ring/LL128 at 8 MiB is one loop iteration of 30 steps of 32 KiB
 *   per channel, and the first steps share every rank's NVLink among 14 channels (1.9 µs of
 *   LL128 step latency after the shared transfer) until the NIC hops pull the channels apart.
 *   The predictor assumed them apart from the start (84.87 µs predicted, 99.09 simulated,
 *   1.168); it now runs one period of one ring as a fluid
 *   (packages/collectives/src/ring-lockstep.ts): 99.59 µs.
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

interface Row {
  timeUs: number;
  predictedUs: number;
  chunkBytes: number;
  channels: number;
}

/** One ghost run of `algo` under `proto` at `size` on `topology`: its JSON row. */
function benchRow(algo: string, proto: string, size: string, topology = 'dgx-h100:nodes=2'): Row {
  const run = weft(['bench', 'allreduce', '--topology', topology, '--mode', 'ghost', '--algo', algo, '--proto', proto, '-b', size, '-e', size, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout).rows as Row[])[0]!;
}

describe('predicted time at mid sizes on two and four servers', () => {
  it('tree/LL128 16 MiB, both waves on one link, simulates within 1 % of its prediction', () => {
    const row = benchRow('tree', 'LL128', '16M');
    expect(row.chunkBytes).toBe(72000);
    expect(row.predictedUs).toBeCloseTo(106.63, 2);
    expect(Math.abs(row.timeUs / row.predictedUs - 1)).toBeLessThan(0.01);
  });

  it('tree/Simple 64 MiB on four servers, the fill sharing each NVLink, simulates within 1 % of its prediction', () => {
    const row = benchRow('tree', 'Simple', '64M', 'dgx-h100:nodes=4');
    expect(row.chunkBytes).toBe(524288);
    expect(row.channels).toBe(16);
    expect(row.predictedUs).toBeCloseTo(547.25, 2);
    expect(Math.abs(row.timeUs / row.predictedUs - 1)).toBeLessThan(0.01);
  });

  it('ring/LL128 8 MiB, 16 channels starting in lockstep, simulates within 2 % of its prediction', () => {
    const row = benchRow('ring', 'LL128', '8M');
    expect(row.channels).toBe(16);
    expect(row.predictedUs).toBeCloseTo(99.59, 2);
    expect(Math.abs(row.timeUs / row.predictedUs - 1)).toBeLessThan(0.02);
  });
});
