import { describe, expect, it } from 'vitest';
import { treeFluidNs, type TreeFluid } from '../src/all-reduce/tree-fluid.js';
import { treePipelineNs } from '../src/all-reduce/tree-pipeline.js';
import { channelTrees } from '../src/channels/search.js';
import type { RankLayout } from '../src/types.js';

function railLayout(servers: number, gpus: number): RankLayout {
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: gpus }, (_, g) => s * gpus + g));
  return { groups, hasReductionSwitch: true, rails: groups.flat().map((r) => r % gpus) };
}

/** NVLink 370.8 GB/s and NIC 48 GB/s (dgx-h100's inputs), α 4 µs and 14 µs (NCCL's Tree/Simple NVLink step and NET hop). */
const B_NV = 370.8;
const B_NIC = 48;
const A_NV = 4000;
const A_NIC = 14_000;

function run(servers: number, gpus: number, channels: number, chunkBytes: number, chunks: number): TreeFluid {
  const layout = railLayout(servers, gpus);
  const n = servers * gpus;
  const groupOf = Int32Array.from({ length: n }, (_, r) => Math.floor(r / gpus));
  return {
    trees: channelTrees(layout, n, channels),
    groupOf,
    nsPerByte: [1 / B_NV, 1 / B_NIC],
    alpha: (a, b) => (groupOf[a] === groupOf[b] ? A_NV : A_NIC),
    chunkBytes,
    chunks,
    partBytes: chunkBytes * chunks,
  };
}

describe('treeFluidNs: every channel\'s chunks as a fluid over (half, server, chain index)', () => {
  it('2 servers of 2, 4 channels, one chunk: the leaves share the NVLink going up, the fan-out does not', () => {
    // Chains [0,1] and [1,0] in each server, the first two channels on the tree rooted at
    // server 0, the others at server 1. Every rank is a leaf in 2 channels: 2 chunks on its
    // NVLink at once (2b/B_nv + α). Then the child server's heads cross the NICs (b/B_nic + α,
    // one per NIC), the root heads post down to their chain's tail and to the other server at
    // once (the NIC leg is the longer), and that server's heads forward to their tails, alone
    // on the NVLink by then: 3b/B_nv + 2b/B_nic + 2α_nv + 2α_nic. The pipeline bound charges
    // every hop of the round trip the fill's sharing (2 on the NVLink): 4b/B_nv + ….
    const b = 1 << 20;
    const expected = (3 * b) / B_NV + (2 * b) / B_NIC + 2 * A_NV + 2 * A_NIC;
    expect(treeFluidNs(run(2, 2, 4, b, 1))).toBeCloseTo(expected, 6);
    expect(treePipelineNs({ ...run(2, 2, 4, b, 1), fillSharing: [2, 1] })).toBeCloseTo(expected + b / B_NV, 6);
  });

  it('2 servers of 2, 4 channels, two chunks: the NIC legs follow each other, the fan-out waits for its previous chunk', () => {
    // b = 256 KiB, so a NIC leg (5.5 µs) is shorter than its α (14 µs) and no two NIC
    // transfers overlap. Leaves send chunk 0 (2 flows per NVLink: 2b/B_nv) and then chunk 1.
    // A child server's head sends chunk 0 over its NIC once it lands (t1 = 2b/B_nv + α_nv),
    // chunk 1 right after; the root posts chunk 0 at t1 + b/B_nic + α_nic and chunk 1 once
    // that has left (its input landed at the same moment); the child head forwards chunk 1 to
    // its tail when it lands: t1 + 3b/B_nic + 2α_nic + b/B_nv + α_nv.
    const b = 1 << 18;
    const expected = (3 * b) / B_NV + (3 * b) / B_NIC + 2 * A_NV + 2 * A_NIC;
    expect(treeFluidNs(run(2, 2, 4, b, 2))).toBeCloseTo(expected, 6);
  });

  it('the ragged last chunk moves only its bytes', () => {
    const b = 1 << 18;
    const whole = treeFluidNs(run(2, 2, 4, b, 2))!;
    const ragged = treeFluidNs({ ...run(2, 2, 4, b, 2), partBytes: b + b / 2 })!;
    // The root's last NIC leg and the last tail copy carry half a chunk.
    expect(whole - ragged).toBeCloseTo(b / 2 / B_NIC + b / 2 / B_NV, 6);
  });

  it('long runs: the fluid\'s first chunks and their slope per further chunk', () => {
    const at = (chunks: number): number => treeFluidNs(run(2, 2, 4, 1 << 16, chunks))!;
    // Past FLUID_CHUNKS the time grows by the same amount per chunk.
    expect(at(300) - at(200)).toBeCloseTo(at(200) - at(100), 3);
    // The NIC binds: it carries a child head's reduce in one half and a root head's
    // broadcast in the other, 2b/B_nic a chunk (the NVLink's 4 edges take 4b/B_nv, less).
    expect((at(300) - at(200)) / 100).toBeCloseTo((2 * (1 << 16)) / B_NIC, 3);
  });

  it('without the symmetry (one channel on 2 servers of 2), every (channel, rank) is a position', () => {
    // Chains [0,1] and [2,3], server 0 the root: the leaves send up alone (b/B_nv + α_nv), the
    // head of server 1 crosses its NIC, the root posts down to 1 and 2 at once, 2 forwards to 3.
    const b = 1 << 20;
    expect(treeFluidNs(run(2, 2, 1, b, 1))).toBeCloseTo((2 * b) / B_NV + (2 * b) / B_NIC + 2 * A_NV + 2 * A_NIC, 6);
  });

  it('null where the run is too big for the fluid: over MAX_POSITIONS positions', () => {
    expect(treeFluidNs(run(64, 8, 16, 1 << 20, 1))).toBeNull();
    expect(treeFluidNs(run(40, 8, 4, 1 << 20, 1))).toBeNull();
    expect(treeFluidNs(run(32, 8, 16, 1 << 20, 1))).not.toBeNull();
  });

  it('null on a link of no or unbounded bandwidth (no shares to take)', () => {
    expect(treeFluidNs({ ...run(2, 2, 4, 1 << 20, 1), nsPerByte: [1 / B_NV, Infinity] })).toBeNull();
    expect(treeFluidNs({ ...run(2, 2, 4, 1 << 20, 1), nsPerByte: [0, 1 / B_NIC] })).toBeNull();
  });
});
