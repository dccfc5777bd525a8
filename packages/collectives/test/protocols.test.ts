import { describe, expect, it } from 'vitest';
import { capStretch, lineWireBytes, llMaxBusBwGBps, ncclNvlsChannels, ncclNvlsChunkBytes, ncclNvlsTreeChunkBytes, nvlsChunkBytes, nvlsHeads, nvlsTreeChunkBytes, protocolCost, protocolEfficiency, scheduleProtocol, stepDataBytes } from '../src/protocols.js';
import { nvls, nvlstree, ring, tree } from '../src/all-reduce/index.js';
import { nvls as nvlsAllGather } from '../src/all-gather/index.js';
import { nvls as nvlsReduceScatter } from '../src/reduce-scatter/index.js';
import { treeChunkBytes } from '../src/all-reduce/tree.js';
import { nvlsTreeSlots } from '../src/all-reduce/nvls-steps.js';
import { resolveDefaults } from '../src/registry.js';
import type { Algorithm, CostParams, PlanParams, RankLayout } from '../src/types.js';

const servers = (count: number, perServer: number): RankLayout => ({
  groups: Array.from({ length: count }, (_, s) => Array.from({ length: perServer }, (_, g) => s * perServer + g)),
  hasReductionSwitch: false,
});

describe("protocol efficiency (NCCL tuning.cc's model refinements)", () => {
  it('gives each (row, protocol) its share of Simple bandwidth', () => {
    expect(protocolEfficiency('Ring', 'LL', servers(2, 8), 'allGather')).toBe(1 / 4);
    expect(protocolEfficiency('Ring', 'LL', servers(1, 8), 'allGather')).toBe(1 / 3);
    expect(protocolEfficiency('Ring', 'LL', servers(1, 8), 'allReduce')).toBe(1 / 4);
    expect(protocolEfficiency('Ring', 'LL128', servers(2, 8))).toBe(0.92);
    expect(protocolEfficiency('Ring', 'LL128', servers(4, 1))).toBe(0.7);
    expect(protocolEfficiency('Tree', 'LL', servers(2, 8))).toBe(1 / 3.8);
    expect(protocolEfficiency('Tree', 'LL128', servers(1, 8))).toBe(7 / 9);
    expect(protocolEfficiency('Tree', 'LL128', servers(2, 8))).toBe(120 / 128);
    for (const row of ['Ring', 'Tree', 'NVLS', 'NVLSTree'] as const) expect(protocolEfficiency(row, 'Simple', servers(2, 8))).toBe(1);
  });

  it('charges what the line format does not already give as wire bytes', () => {
    // Ring/LL: lines carry half their bytes; NCCL's 1/4 doubles that again.
    expect(lineWireBytes(scheduleProtocol('Ring', 'LL', servers(2, 8), 'allReduce'), 8000)).toBe(32000);
    // Ring/LL128 at 0.92: 120/128 of the line is data, so 0.9375 / 0.92 more on the wire.
    expect(lineWireBytes(scheduleProtocol('Ring', 'LL128', servers(2, 8)), 1200)).toBeCloseTo(1280 * (120 / 128 / 0.92), 9);
    // Tree/LL128 across servers is its line format exactly: no stretch.
    expect(scheduleProtocol('Tree', 'LL128', servers(2, 8)).stretch).toBeUndefined();
    expect(lineWireBytes(scheduleProtocol('Ring', 'Simple', servers(2, 8)), 1000)).toBe(1000);
  });

  it("steps carry the buffer's payload: Simple 512 KiB, LL 32 KiB, LL128 576,000 B", () => {
    expect(stepDataBytes('Simple')).toBe(512 * 1024);
    expect(stepDataBytes('LL')).toBe(32 * 1024);
    expect(stepDataBytes('LL128')).toBe(576000);
  });
});

describe("Tree's chunk per protocol (NCCL enqueue.cc: one buffer step per chunk; LL128 halved for small messages)", () => {
  const tree = (layout: RankLayout, bytes: number, protocol: 'LL' | 'LL128' | 'Simple', channels: number): PlanParams => ({
    nranks: layout.groups.flat().length,
    count: bytes / 4,
    root: 0,
    elementBytes: 4,
    channels,
    chunkElements: 0,
    layout,
    protocol,
  });

  it('moves one Simple step (512 KiB) or one LL step (32 KiB of data) per chunk, whatever the size', () => {
    for (const bytes of [1 << 20, 1 << 30]) {
      expect(treeChunkBytes(tree(servers(16, 8), bytes, 'Simple', 16))).toBe(512 * 1024);
      expect(treeChunkBytes(tree(servers(16, 8), bytes, 'LL', 16))).toBe(32 * 1024);
    }
  });

  it('halves LL128 chunks until each channel has nstepsLL128·64/ppn, then ·16/ppn of them', () => {
    // 16 servers of 8: nstepsLL128 = 1 + 4 + 0.8 = 5.8, thresholds 46.4 and 11.6 chunks.
    // 8 MiB on 16 channels = 512 KiB each: 576000 → 288000 → 144000 → 72000 (first loop stops
    // at ≤ 131072), 7 chunks < 11.6 → 36000, 14 chunks: done.
    expect(treeChunkBytes(tree(servers(16, 8), 8 << 20, 'LL128', 16))).toBe(36000);
    // 1 GiB: 64 MiB per channel = 116 chunks of 576000 ≥ 46.4: a whole step.
    expect(treeChunkBytes(tree(servers(16, 8), 1 << 30, 'LL128', 16))).toBe(576000);
    // 64 KiB: down to the floor, 576000 / 32 = 18000.
    expect(treeChunkBytes(tree(servers(2, 8), 64 << 10, 'LL128', 4))).toBe(18000);
  });
});

/** `count` servers of 8 H100s, GPU g of every server on rail g (dgx-h100's layout). */
const dgx = (count: number): RankLayout => ({ ...servers(count, 8), rails: servers(count, 8).groups.flat().map((r) => r % 8) });

/** dgx-h100's cited inputs: NVLink 450 × 20.6/25 = 370.8 GB/s, one NIC of 48 GB/s per GPU; Hopper (9.0). */
const DGX_H100: CostParams = {
  alphaNs: 10_000,
  bandwidthBytesPerSec: 48e9,
  intra: { alphaNs: 1_000, bandwidthBytesPerSec: 370.8e9 },
  inter: { alphaNs: 10_000, bandwidthBytesPerSec: 48e9 },
  computeCapability: 9,
};

/** An all-reduce of `bytes` under `protocol` with the algorithm's own channels and chunk, as auto resolves it. */
const resolved = (algorithm: Algorithm, layout: RankLayout, bytes: number, protocol: 'LL' | 'LL128' | 'Simple', cost = DGX_H100): PlanParams =>
  resolveDefaults(algorithm, { nranks: layout.groups.flat().length, count: bytes / 4, root: 0, elementBytes: 4, channels: 0, chunkElements: 1, chunkAuto: true, layout, protocol }, cost);

describe("NCCL's LL cap (tuning.cc llMaxBws)", () => {
  it('reads the GPU row on one server and the host row (not AMD) on more: 1, 2, 4+ servers', () => {
    expect(llMaxBusBwGBps(dgx(1), 9)).toBe(141.0);
    expect(llMaxBusBwGBps(dgx(1), 8)).toBe(87.7);
    expect(llMaxBusBwGBps(dgx(1), 10)).toBe(282.0);
    expect(llMaxBusBwGBps(dgx(1), 7)).toBe(39.0);
    expect(llMaxBusBwGBps(dgx(2), 9)).toBe(39.0);
    expect(llMaxBusBwGBps(dgx(4), 9)).toBe(20.4);
    expect(llMaxBusBwGBps(dgx(16), 10)).toBe(20.4);
    // No GPU named (a hand-written topology): no cap.
    expect(llMaxBusBwGBps(dgx(2), undefined)).toBeUndefined();
  });

  it('binds exactly on 2 DGX H100 servers: ring/LL busbw 39 GB/s (16 rail rings, two per 48 GB/s NIC)', () => {
    // Uncapped, 16 rail rings share 8 NICs of 48 GB/s two by two: Simple's busbw 16 × 24 =
    // 384 GB/s, LL's a quarter of it, 96; the cap stretches LL's wire by 96 / 39.
    const params = resolved(ring, dgx(2), 64 << 20, 'LL');
    expect(params.channels).toBe(16);
    expect(params.protocolCapStretch).toBeCloseTo(96 / 39, 12);
    // What the schedule's NIC hop then carries per channel: 48 GB/s / 2 channels / the wire factor.
    const seen = protocolCost(DGX_H100, ring.plan(params).protocol!);
    expect((16 * seen.inter.bandwidthBytesPerSec) / 2 / 1e9).toBeCloseTo(39, 9);
    // 4+ servers: 20.4 GB/s, the same 96 uncapped.
    expect(resolved(ring, dgx(4), 64 << 20, 'LL').protocolCapStretch).toBeCloseTo(96 / 20.4, 12);
  });

  it("holds tree/LL's predicted algbw to NCCL's Tree conversion of the cap: 39 · 0.5 = 19.5 GB/s on 2 servers, just under it at 256 MiB", () => {
    const params = resolved(tree, dgx(2), 256 << 20, 'LL');
    expect(params.protocolCapStretch).toBeGreaterThan(1);
    const algBwGBps = (256 << 20) / tree.predictNs(params, DGX_H100);
    expect(algBwGBps).toBeLessThanOrEqual(19.5);
    expect(algBwGBps).toBeGreaterThan(19.5 * 0.99);
  });

  it('does not bind where LL stays below it: one Hopper server (141 GB/s against 96 at most), LL128 and Simple, no GPU named', () => {
    for (const algorithm of [ring, tree]) expect(resolved(algorithm, dgx(1), 64 << 20, 'LL').protocolCapStretch).toBe(1);
    for (const protocol of ['LL128', 'Simple'] as const) expect(resolved(ring, dgx(2), 64 << 20, protocol).protocolCapStretch).toBe(1);
    const { computeCapability: _, ...anyGpu } = DGX_H100;
    expect(resolved(ring, dgx(2), 64 << 20, 'LL', anyGpu).protocolCapStretch).toBe(1);
    expect(capStretch(ring, 'Ring', { ...resolved(ring, dgx(2), 64 << 20, 'LL'), count: 0 }, DGX_H100)).toBe(1);
  });

  it('predicts with the stretch it plans with: the schedule carries it, the prediction uses it', () => {
    const params = resolved(ring, dgx(2), 64 << 20, 'LL');
    const schedule = ring.plan(params);
    expect(schedule.protocol!.stretch).toBeCloseTo(2 * (96 / 39), 12);
    // The same prediction whether the caller resolved the stretch or not.
    const { protocolCapStretch: _, ...unresolved } = params;
    expect(ring.predictNs(unresolved, DGX_H100)).toBe(ring.predictNs(params, DGX_H100));
  });
});

describe("NCCL's NVLS chunk (enqueue.cc, NVLS_NCHANNELS 16, NVLS_CHUNKSIZE 128 KiB)", () => {
  const MiB = 2 ** 20;
  it('cuts 128 KiB to 64, 32, 16 KiB below 64, 8, 2 chunks per work item (16 channels × heads)', () => {
    // 8 heads: 128 items; 64·128·128 KiB = 1 GiB, 8·128·64 KiB = 64 MiB, 2·128·32 KiB = 8 MiB.
    expect(ncclNvlsChunkBytes(1024 * MiB, 8)).toBe(131072);
    expect(ncclNvlsChunkBytes(1024 * MiB - 1, 8)).toBe(65536);
    expect(ncclNvlsChunkBytes(64 * MiB, 8)).toBe(65536);
    expect(ncclNvlsChunkBytes(64 * MiB - 1, 8)).toBe(32768);
    expect(ncclNvlsChunkBytes(8 * MiB, 8)).toBe(32768);
    expect(ncclNvlsChunkBytes(8 * MiB - 1, 8)).toBe(16384);
    // 72 heads (NVL72): 1152 items; 64 KiB up to 9 GiB, 32 KiB below 8·1152·64 KiB = 576 MiB.
    expect(ncclNvlsChunkBytes(8192 * MiB, 72)).toBe(65536);
    expect(ncclNvlsChunkBytes(512 * MiB, 72)).toBe(32768);
  });

  it("is nvls's own chunk: NCCL's 16 channels' worth per part on weft's one channel, 2 MiB from 1 GiB on 8 GPUs", () => {
    const layout: RankLayout = { groups: [[0, 1, 2, 3, 4, 5, 6, 7]], hasReductionSwitch: true };
    const chunkBytes = (bytes: number, channels = 0): number =>
      resolveDefaults(nvls, { nranks: 8, count: bytes / 4, root: 0, elementBytes: 4, channels, chunkElements: 1, chunkAuto: true, layout }, DGX_H100).chunkElements * 4;
    expect(chunkBytes(16 * MiB)).toBe(16 * 32768);
    expect(chunkBytes(64 * MiB)).toBe(16 * 65536);
    expect(chunkBytes(1024 * MiB)).toBe(2 * MiB);
    // NCCL's 16 channels asked for: NCCL's chunk itself.
    expect(chunkBytes(64 * MiB, 16)).toBe(65536);
    expect(nvlsChunkBytes({ nranks: 8, count: (64 * MiB) / 4, root: 0, elementBytes: 4, channels: 1, chunkElements: 1, layout })).toBe(MiB);
  });
});

describe("NCCL's NVLS channels per GPU generation (nvls.cc ncclNvlsInit: NVLS_NCHANNELS_SM90 / SM100_NVL / SM100)", () => {
  const MiB = 2 ** 20;
  const server: RankLayout = { groups: [[0, 1, 2, 3, 4, 5, 6, 7]], hasReductionSwitch: true };
  const twoServers: RankLayout = { groups: [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]], hasReductionSwitch: false, groupReductionSwitches: true };
  it('is 16 on Hopper and with no GPU named, 24 on one Blackwell NVLink domain, 32 across domains', () => {
    expect(ncclNvlsChannels(9, server)).toBe(16);
    expect(ncclNvlsChannels(9, twoServers)).toBe(16);
    expect(ncclNvlsChannels(undefined, twoServers)).toBe(16);
    expect(ncclNvlsChannels(10, server)).toBe(24);
    expect(ncclNvlsChannels(10, twoServers)).toBe(32);
  });
  it("sets the resolved run's NVLS chunk: 24 channels × heads work items and 24 NCCL chunks per part on B200", () => {
    const resolve = (algorithm: Algorithm, layout: RankLayout, bytes: number, computeCapability: number): PlanParams =>
      resolveDefaults(algorithm, { nranks: layout.groups.flat().length, count: bytes / 4, root: 0, elementBytes: 4, channels: 0, chunkElements: 1, chunkAuto: true, layout }, { ...DGX_H100, computeCapability });
    // 64 MiB on 8 GPUs: Hopper 128 items, 64 KiB (≥ 8·128·64 KiB = 64 MiB), 16 per part = 1 MiB;
    // B200 192 items, 32 KiB (< 8·192·64 KiB = 96 MiB), 24 per part = 768 KiB.
    const hopper = resolve(nvls, server, 64 * MiB, 9);
    const blackwell = resolve(nvls, server, 64 * MiB, 10);
    expect([hopper.nvlsChannels, hopper.chunkElements * 4]).toEqual([16, MiB]);
    expect([blackwell.nvlsChannels, blackwell.chunkElements * 4]).toEqual([24, 24 * 32768]);
    // The plan is cut at that chunk: more, smaller pipeline rounds on B200.
    const rank0Steps = (params: PlanParams): number => nvls.plan(params).participants[0]!.channels.reduce((sum, steps) => sum + steps.length, 0);
    expect(rank0Steps(blackwell)).toBeGreaterThan(rank0Steps(hopper));
    // NVLSTree across two B200 servers: 32 channels; its connection slots read them back to NCCL's chunk (one slot, 8 per connection).
    const tree2 = resolve(nvlstree, twoServers, 256 * MiB, 10);
    expect(tree2.nvlsChannels).toBe(32);
    expect(tree2.chunkElements * 4).toBe((32 * 131072) / tree2.channels);
    expect(nvlsTreeSlots(tree2)).toBe(8);
  });
});

describe("NCCL's NVLS heads (NCCL_MAX_NVLS_ARITY 32: search.cc maxChannels = min(32, ngpus))", () => {
  const MiB = 2 ** 20;
  const domain = (n: number, g = 1): RankLayout => ({
    groups: Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i)),
    hasReductionSwitch: g === 1,
    groupReductionSwitches: true,
  });
  it('every GPU of an 8-GPU server heads, 32 of a 40- or 72-GPU NVLink domain', () => {
    expect([1, 8, 32, 33, 40, 72].map(nvlsHeads)).toEqual([1, 8, 32, 32, 32, 32]);
  });
  it("nvls's and nvlstree's chunk rules count 32 heads on 72 ranks, not 72", () => {
    // 4 GiB over 16 channels × 32 heads = 512 items: 64·512·128 KiB = 4 GiB, so 128 KiB (16 × per part:
    // 2 MiB); over 72 heads (1152 items) it would be 64 KiB.
    const p = (layout: RankLayout, bytes: number): PlanParams => ({ nranks: layout.groups.flat().length, count: bytes / 4, root: 0, elementBytes: 4, channels: 1, chunkElements: 1, layout });
    expect(nvlsChunkBytes(p(domain(72), 4096 * MiB))).toBe(16 * 131072);
    expect(ncclNvlsChunkBytes(4096 * MiB, 72)).toBe(65536);
    // NVLSTree on 2 racks of 72: 1·512·64 KiB = 32 MiB, so 64 KiB at 32 MiB (72 heads: 32 KiB).
    expect(nvlsTreeChunkBytes({ ...p(domain(72, 2), 32 * MiB), channels: 2 })).toBe(8 * 65536);
    expect(ncclNvlsTreeChunkBytes(32 * MiB, 72, 2)).toBe(32768);
    // 8 GPUs: unchanged.
    expect(nvlsChunkBytes(p(domain(8), 1024 * MiB))).toBe(16 * 131072);
  });
});

describe("NCCL's NVLS chunk for reduce-scatter and all-gather (enqueue.cc: nBytes = a rank's n blocks)", () => {
  const MiB = 2 ** 20;
  const layout: RankLayout = { groups: [[0, 1, 2, 3, 4, 5, 6, 7]], hasReductionSwitch: true };
  /** The chunk per part `algorithm` resolves for `totalBytes` over all 8 blocks (count is one block). */
  const chunkBytes = (algorithm: Algorithm, totalBytes: number, channels = 0): number =>
    resolveDefaults(algorithm, { nranks: 8, count: totalBytes / 8 / 4, root: 0, elementBytes: 4, channels, chunkElements: 1, chunkAuto: true, layout }, DGX_H100).chunkElements * 4;
  for (const algorithm of [nvlsReduceScatter, nvlsAllGather]) {
    it(`${algorithm.collective}: the all-reduce rule on the n blocks, 16 NCCL chunks per part on one channel`, () => {
      // 8 heads: 128 work items; the thresholds are those of an all-reduce of all 8 blocks.
      expect(chunkBytes(algorithm, 1024 * MiB)).toBe(16 * 131072);
      expect(chunkBytes(algorithm, 1024 * MiB - 32)).toBe(16 * 65536);
      expect(chunkBytes(algorithm, 64 * MiB)).toBe(16 * 65536);
      expect(chunkBytes(algorithm, 64 * MiB - 32)).toBe(16 * 32768);
      expect(chunkBytes(algorithm, 8 * MiB)).toBe(16 * 32768);
      expect(chunkBytes(algorithm, 8 * MiB - 32)).toBe(16 * 16384);
      // NCCL's 16 channels asked for: NCCL's chunk itself.
      expect(chunkBytes(algorithm, 64 * MiB, 16)).toBe(65536);
    });
  }
});

describe("NCCL's NVLSTree chunk (enqueue.cc NCCL_ALGO_NVLS_TREE, NVLSTREE_MAX_CHUNKSIZE default)", () => {
  const MiB = 2 ** 20;
  it('128 KiB below 4 nodes, cut to 64 KiB below 4 chunks per work item and 32 KiB below 1', () => {
    // 8 heads: 128 items; 4·128·128 KiB = 64 MiB, 1·128·64 KiB = 8 MiB.
    for (const nodes of [2, 3]) {
      expect(ncclNvlsTreeChunkBytes(8192 * MiB, 8, nodes)).toBe(131072);
      expect(ncclNvlsTreeChunkBytes(64 * MiB, 8, nodes)).toBe(131072);
      expect(ncclNvlsTreeChunkBytes(64 * MiB - 1, 8, nodes)).toBe(65536);
      expect(ncclNvlsTreeChunkBytes(8 * MiB, 8, nodes)).toBe(65536);
      expect(ncclNvlsTreeChunkBytes(8 * MiB - 1, 8, nodes)).toBe(32768);
    }
    // 72 heads (NVL72 racks): 1152 items; 4·1152·128 KiB = 576 MiB, 1·1152·64 KiB = 72 MiB.
    expect(ncclNvlsTreeChunkBytes(576 * MiB, 72, 2)).toBe(131072);
    expect(ncclNvlsTreeChunkBytes(512 * MiB, 72, 2)).toBe(65536);
    expect(ncclNvlsTreeChunkBytes(72 * MiB - 1, 72, 2)).toBe(32768);
  });

  it('capped at 64 KiB from 4 nodes, then 32 KiB below one chunk per work item', () => {
    for (const nodes of [4, 8, 32]) {
      expect(ncclNvlsTreeChunkBytes(8192 * MiB, 8, nodes)).toBe(65536);
      expect(ncclNvlsTreeChunkBytes(8 * MiB, 8, nodes)).toBe(65536);
      expect(ncclNvlsTreeChunkBytes(8 * MiB - 1, 8, nodes)).toBe(32768);
    }
  });

  it("is nvlstree's own chunk: NCCL's 16 channels' worth over its 2 channels per part", () => {
    const servers = (g: number): RankLayout => ({
      groups: Array.from({ length: g }, (_, s) => Array.from({ length: 8 }, (_, i) => s * 8 + i)),
      hasReductionSwitch: false,
      groupReductionSwitches: true,
    });
    const chunkBytes = (g: number, bytes: number, channels = 0): number =>
      resolveDefaults(nvlstree, { nranks: 8 * g, count: bytes / 4, root: 0, elementBytes: 4, channels, chunkElements: 1, chunkAuto: true, layout: servers(g) }, DGX_H100).chunkElements * 4;
    expect(chunkBytes(2, 1024 * MiB)).toBe(8 * 131072);
    expect(chunkBytes(2, 16 * MiB)).toBe(8 * 65536);
    expect(chunkBytes(2, 1 * MiB)).toBe(8 * 32768);
    expect(chunkBytes(4, 1024 * MiB)).toBe(8 * 65536);
    expect(chunkBytes(2, 64 * MiB, 16)).toBe(131072);
  });
});
