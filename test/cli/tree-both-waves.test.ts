/**
 * NCCL's Tree and Ring on two DGX H100 servers (rail-aligned, non-blocking between servers, so
 * no link is shared by accident), simulated against predicted where the mid-size mechanism is:
 *
 * - Tree, both waves on one link: tree/LL128 at 16 MiB runs 15 chunks of 72,000 B per channel,
 *   and the NVLink of a rank near its chain's head carries the totals coming back down while
 *   its reduce still streams up. The predictor charged one wave's edges per stage there (99.71
 *   µs predicted, 106.47 simulated, 1.068); it now counts every stream running on the link at
 *   each stage (packages/collectives/src/all-reduce/tree-pipeline.ts laterStagesNs): 108.45 µs.
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

/** One ghost run of `algo` under `proto` at `size` on dgx-h100:nodes=2: its JSON row. */
function benchRow(algo: string, proto: string, size: string): Row {
  const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '--algo', algo, '--proto', proto, '-b', size, '-e', size, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout).rows as Row[])[0]!;
}

describe('predicted time at mid sizes on two servers', () => {
  it('tree/LL128 16 MiB, both waves on one link, simulates within 3 % of its prediction', () => {
    const row = benchRow('tree', 'LL128', '16M');
    expect(row.chunkBytes).toBe(72000);
    expect(row.predictedUs).toBeCloseTo(108.45, 2);
    expect(Math.abs(row.timeUs / row.predictedUs - 1)).toBeLessThan(0.03);
  });

  it('ring/LL128 8 MiB, 16 channels starting in lockstep, simulates within 2 % of its prediction', () => {
    const row = benchRow('ring', 'LL128', '8M');
    expect(row.channels).toBe(16);
    expect(row.predictedUs).toBeCloseTo(99.59, 2);
    expect(Math.abs(row.timeUs / row.predictedUs - 1)).toBeLessThan(0.02);
  });
});
