import { isWeftInputError } from '@weft/sim';
import { describe, expect, it } from 'vitest';
import { chooseAlgorithm } from '../src/auto.js';
import { ncclAlgoTimeUs, ncclChoose, ncclTuneBytes, ncclTuneInputs, ncclTuneModel, type NcclTuneInputs } from '../src/nccl-tuner.js';
import type { CostParams, PlanParams, RankLayout } from '../src/types.js';

/** `servers` DGX H100s: 8 GPUs each on NVLink (370.8 GB/s per GPU), one 400 Gb/s NIC per GPU on its own rail (48 GB/s). */
function dgxH100(servers: number): { layout: RankLayout; cost: CostParams; nranks: number } {
  const nranks = 8 * servers;
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: 8 }, (_, k) => 8 * s + k));
  const layout: RankLayout = { groups, hasReductionSwitch: servers === 1, inSwitchReduction: 'nvls', groupReductionSwitches: true, rails: Array.from({ length: nranks }, (_, r) => r % 8) };
  const perGpu = servers === 1 ? 370.8e9 : 48e9;
  const cost: CostParams = {
    alphaNs: 1000,
    bandwidthBytesPerSec: perGpu,
    intra: { alphaNs: 1000, bandwidthBytesPerSec: 370.8e9 },
    inter: { alphaNs: 3000, bandwidthBytesPerSec: 48e9 },
    computeCapability: 9,
  };
  return { layout, cost, nranks };
}

const entry = (t: NcclTuneInputs, name: string) => ncclTuneModel('allReduce', t).find((e) => `${e.row}/${e.protocol}` === name)!;

describe("NCCL's tuning model (tuning.cc 2.24–2.26 ncclTopoTuneModel, ncclTopoGetAlgoTime), closed forms by hand", () => {
  const two = dgxH100(2);
  const t2 = ncclTuneInputs(two.layout, two.nranks, two.cost);

  it("reads each algorithm's graph: 2 DGX H100 → ring and tree 8 channels at 48 GB/s (16 on the communicator), NVLS 8 heads at 40/48, 2 nodes, Intel-host LL cap 39 GB/s", () => {
    expect(t2).toMatchObject({ nranks: 16, nodes: 2, commChannels: 16, llMaxGbs: 39, computeCapability: 9 });
    expect(t2.ring).toMatchObject({ nChannels: 8, bwIntraGbs: 48, bwInterGbs: 48 });
    expect(t2.tree).toMatchObject({ nChannels: 8, bwIntraGbs: 48, bwInterGbs: 48 });
    expect(t2.nvls).toMatchObject({ nChannels: 8, bwIntraGbs: 40, bwInterGbs: 48 });
  });

  it('Ring/Simple on 2 DGX H100: busBw 8 × 48 = 384, algbw × 16/30; latency 8.4 + 28 · max(3.4, 3 · 1.0) + 2 · 14', () => {
    const e = entry(t2, 'Ring/Simple');
    expect(e.algBwGBps).toBeCloseTo((384 * 16) / 30, 9);
    expect(e.latencyUs).toBeCloseTo(8.4 + 28 * 3.4 + 2 * 14, 9);
    // The ring's "plateau effect": ×1.4 latency once bytes / (16 channels · 16 ranks) ≥ 64 (not at 8 KiB: 32 B).
    expect(ncclAlgoTimeUs(e, 'allReduce', 8192, t2)).toBeCloseTo(131.6 + 8192 / (1000 * 204.8), 9);
    expect(ncclAlgoTimeUs(e, 'allReduce', 65536, t2)).toBeCloseTo(131.6 * 1.4 + 65536 / (1000 * 204.8), 9);
  });

  it('Tree/LL128 on 2 DGX H100: min(min(384·.92, 8·41.4)·120/128, 8·36.7) · 0.5; latency 14 + 2·(7·1.25 + 1·8.5)', () => {
    const e = entry(t2, 'Tree/LL128');
    expect(e.algBwGBps).toBeCloseTo(8 * 36.7 * 0.5, 9);
    expect(e.latencyUs).toBeCloseTo(14 + 2 * (7 * 1.25 + 8.5), 9);
    // treeCorrectionFactor[LL128][log2i(1 MiB >> 6) = 14] = 0.6.
    expect(ncclAlgoTimeUs(e, 'allReduce', 1 << 20, t2)).toBeCloseTo(48.5 + (1 << 20) / (1000 * 146.8 * 0.6), 9);
  });

  it("Ring/LL's cap and Tree/LL's 1/3.8: min(39, 384·.5) · 16/30; min(min(353.28, 331.2)/3.8, 39) · 0.5", () => {
    expect(entry(t2, 'Ring/LL').algBwGBps).toBeCloseTo((39 * 16) / 30, 9);
    expect(entry(t2, 'Tree/LL').algBwGBps).toBeCloseTo(0.5 * Math.min(331.2 / 3.8, 39), 9);
  });

  it("NVLSTree on 2 nodes: the NVLS graph's 8 · min(40, 48) · 5/6, latency 25 + 2·1·14; on 4+ nodes half the inter bandwidth; no NVLS across nodes", () => {
    const e = entry(t2, 'NVLSTree/Simple');
    expect(e.algBwGBps).toBeCloseTo((8 * 40 * 5) / 6, 9);
    expect(e.latencyUs).toBeCloseTo(25 + 2 * 14, 9);
    const t4 = { ...t2, nodes: 4, nranks: 32 };
    expect(entry(t4, 'NVLSTree/Simple').algBwGBps).toBeCloseTo((8 * 24 * 5) / 6, 9);
    expect(entry(t4, 'NVLSTree/Simple').latencyUs).toBeCloseTo(25 + 2 * 2 * 14, 9);
    expect(ncclTuneModel('allReduce', t2).map((x) => x.row)).not.toContain('NVLS');
  });

  it("one DGX H100: ring 12 × 30 GB/s, NVLS graph 8 × 40 → 320 · 5/6 at 25 µs; no NVLSTree; Ring/LL 6.6 + 14 · 0.6", () => {
    const one = dgxH100(1);
    const t1 = ncclTuneInputs(one.layout, one.nranks, one.cost);
    expect(t1).toMatchObject({ nodes: 1, llMaxGbs: 141 });
    expect(t1.ring).toMatchObject({ nChannels: 12, bwIntraGbs: 30 });
    expect(t1.nvls).toMatchObject({ nChannels: 8, bwIntraGbs: 40 });
    expect(entry(t1, 'NVLS/Simple')).toMatchObject({ latencyUs: 25 });
    expect(entry(t1, 'NVLS/Simple').algBwGBps).toBeCloseTo((320 * 5) / 6, 9);
    expect(entry(t1, 'Ring/LL').latencyUs).toBeCloseTo(6.6 + 14 * 0.6, 9);
    expect(ncclTuneModel('allReduce', t1).map((x) => x.row)).not.toContain('NVLSTree');
    // NCCL's documented defaults on 8× Hopper: Ring/LL for small messages, NVLS/Simple for large.
    expect(ncclChoose('allReduce', 8, t1).best).toMatchObject({ row: 'Ring', protocol: 'LL' });
    expect(ncclChoose('allReduce', 64 << 20, t1).best).toMatchObject({ row: 'NVLS', protocol: 'Simple' });
    // Only runnable candidates are picked.
    expect(ncclChoose('allReduce', 64 << 20, t1, (row) => row !== 'NVLS').best).toMatchObject({ row: 'Ring', protocol: 'Simple' });
  });
});

describe("chooseAlgorithm's rule switch (tuner 'weft' | 'nccl')", () => {
  const params = (layout: RankLayout, nranks: number, count: number): PlanParams => ({ nranks, count, root: 0, elementBytes: 4, channels: 0, chunkElements: 1 << 19, chunkAuto: true, layout });

  it("'nccl' runs NCCL's pick and marks it; 'weft' keeps weft's argmin; both carry NCCL's times", () => {
    const { layout, cost, nranks } = dgxH100(2);
    const p = params(layout, nranks, 1 << 18); // 1 MiB: NCCL's model picks NVLSTree/Simple (56.3 µs)
    const nccl = chooseAlgorithm('allReduce', p, cost, undefined, 'nccl');
    expect(`${nccl.algorithm.name}/${nccl.params.protocol}`).toBe('nvlstree/Simple');
    expect(nccl.candidates.filter((c) => c.ncclChoice).map((c) => c.name)).toEqual(['nvlstree']);
    const weft = chooseAlgorithm('allReduce', p, cost, undefined, 'weft');
    // 'auto' (the default) is NCCL's rule on a preset that names its GPUs.
    expect(chooseAlgorithm('allReduce', p, cost).algorithm.name).toBe('nvlstree');
    expect(weft.candidates.map((c) => c.ncclPredictedNs)).toEqual(nccl.candidates.map((c) => c.ncclPredictedNs));
    const min = Math.min(...weft.candidates.filter((c) => c.params).map((c) => c.predictedNs));
    expect(weft.predictedNs).toBe(min);
  });

  it("'nccl' on a topology that names no GPU: one clear input error", () => {
    const { layout, nranks } = dgxH100(1);
    const cost: CostParams = { alphaNs: 1000, bandwidthBytesPerSec: 50e9, intra: { alphaNs: 1000, bandwidthBytesPerSec: 50e9 }, inter: { alphaNs: 1000, bandwidthBytesPerSec: 50e9 } };
    let error: unknown;
    try {
      chooseAlgorithm('allReduce', params(layout, nranks, 1024), cost, undefined, 'nccl');
    } catch (e) {
      error = e;
    }
    expect(isWeftInputError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/--tuner nccl: .*names no GPU/);
    // The default rule still runs there.
    expect(chooseAlgorithm('allReduce', params(layout, nranks, 1024), cost).candidates.every((c) => c.ncclPredictedNs === undefined)).toBe(true);
  });
});

describe("NCCL's tuning model: NVLS rows need Hopper or later (nvlsSupport)", () => {
  it('an A100 server (cc 8.0) has no NVLS row, an H100 server has one, and none without an NVLS graph', () => {
    const graph = { nChannels: 12, bwIntraGbs: 20, bwInterGbs: 20 };
    const t: NcclTuneInputs = { nranks: 8, nodes: 1, computeCapability: 8, ring: graph, tree: graph, nvls: graph, commChannels: 24, llMaxGbs: 87.7, sameChannels: true };
    expect(ncclTuneModel('allReduce', t).map((e) => e.row)).not.toContain('NVLS');
    expect(ncclTuneModel('allReduce', { ...t, computeCapability: 9 }).map((e) => e.row)).toContain('NVLS');
    expect(ncclTuneModel('allReduce', { ...t, computeCapability: 9, nvls: null }).map((e) => e.row)).not.toContain('NVLS');
  });

  it('NVLS reduce-scatter and all-gather only up to 32 local ranks (enqueue.cc: NCCL_MAX_NVLS_ARITY); all-reduce on 72 too', () => {
    const graph = { nChannels: 32, bwIntraGbs: 20, bwInterGbs: 40 };
    const t: NcclTuneInputs = { nranks: 72, nodes: 1, computeCapability: 10, ring: graph, tree: graph, nvls: graph, commChannels: 32, llMaxGbs: 282, sameChannels: true };
    for (const collective of ['reduceScatter', 'allGather'] as const) {
      expect(ncclTuneModel(collective, t).map((e) => e.row)).not.toContain('NVLS');
      expect(ncclTuneModel(collective, { ...t, nranks: 32 }).map((e) => e.row)).toContain('NVLS');
    }
    expect(ncclTuneModel('allReduce', t).map((e) => e.row)).toContain('NVLS');
  });

  it("Tree reads the tree graph, not the ring's: on 2 nodes its bwIntra (raised by the search's pass 2)", () => {
    const ring = { nChannels: 8, bwIntraGbs: 24, bwInterGbs: 24 };
    const t: NcclTuneInputs = { nranks: 16, nodes: 2, computeCapability: 8, ring, tree: { nChannels: 8, bwIntraGbs: 30, bwInterGbs: 24 }, nvls: null, commChannels: 16, llMaxGbs: 39, sameChannels: false };
    // Ampere, 2 nodes: min(8·30·.92, 8·23.6) · 0.5 (was min(8·24·.92, …) · 0.5 on the ring's graph).
    expect(entry(t, 'Tree/Simple').algBwGBps).toBeCloseTo(0.5 * Math.min(8 * 30 * 0.92, 8 * 23.6), 9);
    expect(entry({ ...t, tree: ring }, 'Tree/Simple').algBwGBps).toBeCloseTo(0.5 * 8 * 24 * 0.92, 9);
    expect(entry(t, 'Ring/Simple').algBwGBps).toBeCloseTo((8 * 24 * 16) / 30, 9);
  });
});

describe("NCCL's nBytes (enqueue.cc ncclGetAlgoInfo: elementSize × ncclFuncMaxSendRecvCount)", () => {
  it('is the larger buffer: nranks·count for all-gather and reduce-scatter, count otherwise', () => {
    expect(ncclTuneBytes('allGather', 10, 4, 16)).toBe(640);
    expect(ncclTuneBytes('reduceScatter', 10, 4, 16)).toBe(640);
    expect(ncclTuneBytes('allReduce', 10, 4, 16)).toBe(40);
    expect(ncclTuneBytes('broadcast', 10, 4, 16)).toBe(40);
  });

  it("auto's NCCL rule times an all-gather of 4 MiB per rank on 16 ranks as NCCL does: 64 MiB through the ring", () => {
    const { layout, cost, nranks } = dgxH100(2);
    const count = (4 << 20) / 4; // NCCL's count: per rank
    const p: PlanParams = { nranks, count, root: 0, elementBytes: 4, channels: 0, chunkElements: 1 << 19, chunkAuto: true, layout };
    const choice = chooseAlgorithm('allGather', p, cost, undefined, 'nccl');
    const { candidates } = ncclChoose('allGather', 64 << 20, ncclTuneInputs(layout, nranks, cost));
    for (const c of choice.candidates.filter((x) => x.ncclPredictedNs !== undefined)) {
      const nccl = candidates.find((n) => n.row === 'Ring' && n.protocol === c.protocol)!;
      expect(c.ncclPredictedNs).toBeCloseTo(nccl.timeUs * 1000, 6);
    }
    // Before: the per-rank 4 MiB was passed, and LL128 looked 4× cheaper than it is.
    expect(`${choice.algorithm.name}/${choice.params.protocol}`).toBe('ring/Simple');
  });
});
