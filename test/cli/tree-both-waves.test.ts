/**
 * NCCL's Tree on two DGX H100 servers (rail-aligned, non-blocking between servers, so no
 * link is shared by accident), simulated against predicted, where both waves of the tree
 * share a link: tree/LL128 at 16 MiB runs 15 chunks of 72,000 B per channel, and the NVLink
 * of a rank near its chain's head carries the totals coming back down while its reduce still
 * streams up. The predictor charged one wave's edges per stage there (99.71 µs predicted,
 * 106.47 simulated, 1.068); it now counts every stream running on the link at each stage
 * (packages/collectives/src/all-reduce/tree-pipeline.ts laterStagesNs): 108.45 µs, 0.982.
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

describe('tree: predicted time where both waves share a link', () => {
  it('dgx-h100:nodes=2 tree/LL128 16 MiB simulates within 3 % of its prediction', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '--algo', 'tree', '--proto', 'LL128', '-b', '16M', '-e', '16M', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [row] = JSON.parse(run.stdout).rows as { timeUs: number; predictedUs: number; chunkBytes: number }[];
    expect(row!.chunkBytes).toBe(72000);
    expect(row!.predictedUs).toBeCloseTo(108.45, 2);
    expect(Math.abs(row!.timeUs / row!.predictedUs - 1)).toBeLessThan(0.03);
  });
});
