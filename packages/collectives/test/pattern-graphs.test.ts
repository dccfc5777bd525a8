import { describe, expect, it } from 'vitest';
import { formatGraphs, searchGraphs } from '../src/channels/pattern-graphs.js';
import { searchGraph, speedLadderGbs } from '../src/channels/search.js';
import type { CostParams, RankLayout } from '../src/types.js';

/**
 * `servers` servers of `gpus` GPUs each (NVLink `nvlinkGbs` per GPU, one NIC of `nicGbs` per GPU
 * on its own rail), an NVSwitch with NVLink SHARP per server when `nvls`; one server has no NIC.
 */
function cluster(servers: number, gpus: number, nvlinkGbs: number, nicGbs: number, cc: number, nvls: boolean): { layout: RankLayout; cost: CostParams; nranks: number } {
  const nranks = servers * gpus;
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: gpus }, (_, k) => gpus * s + k));
  const rails = servers > 1 ? Array.from({ length: nranks }, (_, r) => r % gpus) : undefined;
  const layout: RankLayout = { groups, hasReductionSwitch: nvls && servers === 1, inSwitchReduction: 'nvls', groupReductionSwitches: nvls, ...(rails ? { rails } : {}) };
  const perGpu = servers === 1 ? nvlinkGbs : nicGbs;
  const cost: CostParams = {
    alphaNs: 1000,
    bandwidthBytesPerSec: perGpu * 1e9,
    intra: { alphaNs: 1000, bandwidthBytesPerSec: nvlinkGbs * 1e9 },
    inter: { alphaNs: 3000, bandwidthBytesPerSec: (servers === 1 ? nvlinkGbs : nicGbs) * 1e9 },
    computeCapability: cc,
  };
  return { layout, cost, nranks };
}
const graphs = (c: ReturnType<typeof cluster>) => searchGraphs(c.layout, c.nranks, c.cost);

describe("NCCL's per-pattern graphs (search.cc ncclTopoCompute on weft's NVLink and NIC budgets), closed forms", () => {
  it('one DGX H100 (8 × 370.8 GB/s NVLink): tree = ring 12 × 30; NVLS 8 heads, (8+1)·40 ≤ 370.8 < 9·50, bwInter raised to 60', () => {
    const g = graphs(cluster(1, 8, 370.8, 48, 9, true));
    expect(g.ring).toMatchObject({ nChannels: 12, bwIntraGbs: 30, bwInterGbs: 30, typeInter: 'PIX' });
    // Tree: 12 channels (the ring's), start 30 (12·40 > 370.8·8/7), and 40 does not fit 12 (9 × 40): pass 2 leaves it.
    expect(g.tree).toMatchObject({ nChannels: 12, bwIntraGbs: 30, bwInterGbs: 30 });
    // NVLS, no NIC: min = max = 8 channels; pass 2 raises bwInter 40 → 50 → 60 (the ladder's top; < 2·40 each time).
    expect(g.nvls).toEqual({ nChannels: 8, bwIntraGbs: 40, bwInterGbs: 60, typeIntra: 'NVL', typeInter: 'PIX' });
  });

  it('two DGX H100 (8 NICs of 48 GB/s): tree = ring 8 × 48; NVLS 6 × 48 → 7 × 45 → 8 × 40 (all heads), bwInter back up to the NIC, 48', () => {
    const g = graphs(cluster(2, 8, 370.8, 48, 9, true));
    expect(g.ring).toMatchObject({ nChannels: 8, bwIntraGbs: 48, typeInter: 'PIX' });
    expect(g.tree).toMatchObject({ nChannels: 8, bwIntraGbs: 48, bwInterGbs: 48 });
    expect(g.nvls).toMatchObject({ nChannels: 8, bwIntraGbs: 40, bwInterGbs: 48 });
    // 16 servers: the same per-server search.
    expect(graphs(cluster(16, 8, 370.8, 48, 9, true)).nvls).toMatchObject({ nChannels: 8, bwIntraGbs: 40, bwInterGbs: 48 });
  });

  it('two HGX A100 (240 GB/s NVLink, 24 GB/s NICs): ring 8 × 24; the tree raises bwIntra to 30 (7 × 30 ≤ 240, 7 × 48 is not), bwInter 24; no NVLS on Ampere', () => {
    const g = graphs(cluster(2, 8, 240, 24, 8, true));
    expect(g.ring).toMatchObject({ nChannels: 8, bwIntraGbs: 24, bwInterGbs: 24 });
    expect(g.tree).toMatchObject({ nChannels: 8, bwIntraGbs: 30, bwInterGbs: 24 });
    expect(g.nvls).toBeNull();
  });

  it('two HGX B200 (721.8 GB/s NVLink, 48 GB/s NICs): the tree raises bwIntra to 96 (7 × 96 ≤ 721.8), NVLS 8 × 48', () => {
    const g = graphs(cluster(2, 8, 721.8, 48, 10, true));
    expect(g.tree).toMatchObject({ nChannels: 8, bwIntraGbs: 96, bwInterGbs: 48 });
    expect(g.nvls).toMatchObject({ nChannels: 8, bwIntraGbs: 48, bwInterGbs: 48 });
  });

  it('one GB200 NVL72 rack (72 × 721.8 GB/s): ring 16 × 45, tree 16 × 40 (no 16 at 50 or 60), NVLS capped at 32 heads, 33 × 20 ≤ 721.8', () => {
    const g = graphs(cluster(1, 72, 721.8, 48, 10, true));
    expect(g.ring).toMatchObject({ nChannels: 16, bwIntraGbs: 45 });
    expect(g.tree).toMatchObject({ nChannels: 16, bwIntraGbs: 40, bwInterGbs: 40 });
    expect(g.nvls).toMatchObject({ nChannels: 32, bwIntraGbs: 20, bwInterGbs: 40 });
  });

  it('two NVL72 racks (a 48 GB/s NIC per GPU): tree = ring 16 × 45.1; NVLS steps down to 32 heads at 20 ((32+1)·20 ≤ 721.8), bwInter 40', () => {
    const g = graphs(cluster(2, 72, 721.8, 48, 10, true));
    expect(g.ring).toMatchObject({ nChannels: 16, bwIntraGbs: 45.1 });
    expect(g.tree).toMatchObject({ nChannels: 16, bwIntraGbs: 45.1, bwInterGbs: 45.1 });
    expect(g.nvls).toMatchObject({ nChannels: 32, bwIntraGbs: 20, bwInterGbs: 40 });
  });

  it("one ladder per GPU generation feeds every pattern (NCCL 2.23–2.28's arrays): ring and tree agree where the ring's speed is a step, and differ where it is a duplicated one", () => {
    // sm100 intra has no 45 in 2.23–2.28; inter has 45.1; sm90 intra has 11 (not in the pre-Blackwell copy).
    expect(speedLadderGbs(10, false)).toEqual([90, 80, 70, 60, 50, 40, 30, 24, 20, 19, 18]);
    expect(speedLadderGbs(10, true).slice(0, 3)).toEqual([96, 48, 45.1]);
    expect(speedLadderGbs(9, false)).toContain(11);
    expect(speedLadderGbs(8, false)[0]).toBe(40);
    const cases = [
      { c: cluster(1, 8, 370.8, 48, 9, true), withNics: false },
      { c: cluster(2, 8, 370.8, 48, 9, true), withNics: true },
      { c: cluster(2, 72, 721.8, 48, 10, true), withNics: true },
      { c: cluster(20, 72, 721.8, 48, 10, true), withNics: true },
      { c: cluster(1, 72, 721.8, 48, 10, true), withNics: false },
    ];
    for (const { c, withNics } of cases) {
      const ladder = speedLadderGbs(c.cost.computeCapability!, withNics);
      const g = graphs(c);
      // The tree's and NVLS's speeds are steps of the same ladder the ring searched.
      for (const gbs of [g.tree.bwIntraGbs, g.tree.bwInterGbs, g.nvls!.bwIntraGbs, g.nvls!.bwInterGbs]) expect(ladder).toContain(gbs);
      if (ladder.includes(g.ring.bwInterGbs)) {
        expect(g.tree.bwInterGbs).toBe(g.ring.bwInterGbs);
      } else {
        // One NVL72 rack: 8 × 90 (720 of 721.8 GB/s) duplicated to 16 × 45 (ncclTopoDupChannels halves the
        // speed, off the ladder); the tree searches exactly 16 channels from the first step with
        // 16·s ≤ 721.8·72/71: 40, as NCCL 2.26 would print.
        expect(g.ring).toMatchObject({ nChannels: 16, bwInterGbs: 45 });
        expect(ladder).toContain(2 * g.ring.bwInterGbs);
        expect(g.tree.bwInterGbs).toBe(Math.max(...ladder.filter((s) => s * 16 <= (721.8 * 72) / 71)));
      }
    }
  });

  it("Hopper's 11 GB/s step: a 22 GB/s two-GPU server finds 2 × 11 (22, every byte of the budget), not 1 × 20", () => {
    const c = cluster(1, 2, 22, 22, 9, false);
    expect(searchGraph(c.layout, c.nranks, c.cost)).toMatchObject({ graphChannels: 2, gbs: 11 });
  });

  it('no NVLink SHARP switch, or no GPU named: no NVLS graph; without a GPU the tree is the ring graph', () => {
    expect(graphs(cluster(1, 4, 721.8, 48, 10, false)).nvls).toBeNull();
    const anonymous = cluster(2, 8, 370.8, 48, 9, true);
    const { computeCapability: _cc, ...cost } = anonymous.cost;
    const g = searchGraphs(anonymous.layout, anonymous.nranks, cost);
    expect(g.nvls).toBeNull();
    expect(g.tree).toBe(g.ring);
  });

  it("prints as NCCL_DEBUG_SUBSYS=GRAPH does (ncclTopoPrintGraph): pattern id, channels, bw intra/inter, types; PIX even without a NIC (the search's start type)", () => {
    expect(formatGraphs(graphs(cluster(1, 8, 370.8, 48, 9, true)))).toEqual([
      'Pattern 4 (ring), nChannels 12, bw 30.000000/30.000000, type NVL/PIX',
      'Pattern 1 (tree), nChannels 12, bw 30.000000/30.000000, type NVL/PIX',
      'Pattern 5 (nvls), nChannels 8, bw 40.000000/60.000000, type NVL/PIX',
    ]);
  });
});
