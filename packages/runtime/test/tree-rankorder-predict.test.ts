/**
 * The rank-order tree's predictor (collectives tree-rankorder-fluid.ts) replays its schedule's
 * steps as a fluid on a star: on a flat fabric (switch:N, servers of one GPU on one leaf) it is
 * the simulated time, for every protocol, rank counts that are powers of two and those that are
 * not, one chunk or many — up to the replay's horizon exactly, past it (the steady slope)
 * within 2 %; and across servers, where each rank has an NVLink and a NIC link of its own. `auto` picks by it on switch:N, where the textbook bound it replaces was 0.74–1.36
 * of the simulation and ran the tree where a faster protocol or the ring was there.
 */
import { describe, expect, it } from 'vitest';
import type { ProtocolName } from '@weft/collectives';
import { predictionMisses } from './prediction-misses.js';

const misses = (spec: string, sizes: readonly number[], protocols: readonly (ProtocolName | undefined)[], tolerance: number, name = 'tree') =>
  predictionMisses({ spec, collective: 'allReduce', names: [name], sizes, protocols, tolerance });

describe("the rank-order tree's predicted time is its simulated time on flat fabrics", () => {
  it('switch:5, 8 and 12, LL / LL128 / Simple, 4 KiB – 16 MiB: within 1e-3', async () => {
    const failures: string[] = [];
    for (const n of [5, 8, 12]) failures.push(...(await misses(`switch:${n}`, [4 << 10, 256 << 10, 4 << 20, 16 << 20], ['LL', 'LL128', 'Simple'], 1e-3)));
    expect(failures).toEqual([]);
  }, 180_000);

  it('one-GPU DGX H100 servers on one leaf (16) and switch:16 at 64 MiB (past the horizon under LL128: the slope): within 2 %', async () => {
    const failures = [
      ...(await misses('dgx-h100:nodes=16,gpusPerNode=1', [1 << 20, 64 << 20], ['LL128', 'Simple'], 0.02)),
      ...(await misses('switch:16', [64 << 20], ['LL128'], 0.02)),
    ];
    expect(failures).toEqual([]);
  }, 180_000);

  it('tree-rankorder on one DGX H100 and across 2 and 4 (NVLink and NIC links per rank, rail-aligned and crossing hops): within 1e-3, where the textbook bound was 0.84–1.09 and 2.7–3.2× the simulation', async () => {
    const failures = [
      ...(await misses('dgx-h100:nodes=2', [64 << 10, 4 << 20, 32 << 20], [undefined], 1e-3, 'tree-rankorder')),
      ...(await misses('dgx-h100:nodes=4', [512 << 10, 32 << 20], [undefined], 1e-3, 'tree-rankorder')),
      // One server: every hop on NVLink.
      ...(await misses('dgx-h100:nodes=1', [512 << 10, 32 << 20], [undefined], 1e-3, 'tree-rankorder')),
      // Two scalable units (4 servers of 4 on each leaf): a rail hop between leaves crosses a spine (0.96–0.98 when every rail hop paid the spine's α).
      ...(await misses('dgx-h100:nodes=8,serversPerSu=4,gpusPerNode=4', [64 << 10, 4 << 20], [undefined], 1e-3, 'tree-rankorder')),
    ];
    expect(failures).toEqual([]);
  }, 180_000);
});
