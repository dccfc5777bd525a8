import { describe, expect, it } from 'vitest';
import { ring } from '../src/all-reduce/ring.js';
import { ringRankOrder } from '../src/all-reduce/ring-rankorder.js';
import { tree, treeRun } from '../src/all-reduce/tree.js';
import { treePipelineNs, type TreePipeline } from '../src/all-reduce/tree-pipeline.js';
import { treeRankOrder } from '../src/all-reduce/tree-rankorder.js';
import { channelRings, channelTrees, formatChannels, searchChannelCount } from '../src/channels/search.js';
import { checkSchedule } from '../src/checker.js';
import { protocolCost, scheduleProtocol } from '../src/protocols.js';
import { checkReference } from '../src/reference.js';
import type { CostParams, PlanParams, RankLayout } from '../src/types.js';

/** `servers` servers of `gpus` ranks in rank order, GPU g of every server on rail g (dgx-h100's numbering). */
function railLayout(servers: number, gpus: number): RankLayout {
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: gpus }, (_, g) => s * gpus + g));
  return { groups, hasReductionSwitch: true, rails: groups.flat().map((r) => r % gpus) };
}

const serverOf = (layout: RankLayout, rank: number): number => layout.groups.findIndex((g) => g.includes(rank));

const plan = (layout: RankLayout, count: number, channels: number, chunkElements = 0): PlanParams => ({
  nranks: layout.groups.flat().length,
  count,
  root: 0,
  elementBytes: 4,
  channels,
  chunkElements,
  layout,
});

const LAYOUTS: [number, number][] = [[1, 8], [2, 8], [4, 8], [16, 8], [4, 4], [3, 4], [5, 8]];

/** dgx-h100's cited inputs: NVLink 450 × 20.6/25 = 370.8 GB/s, GPU↔NIC PCIe 64 × 48/64 = 48 GB/s per direction. */
const DGX: CostParams = {
  alphaNs: 10_000,
  bandwidthBytesPerSec: 48e9,
  intra: { alphaNs: 1_000, bandwidthBytesPerSec: 370.8e9 },
  inter: { alphaNs: 10_000, bandwidthBytesPerSec: 48e9 },
};

/** The run tree's predictors read under Tree/Simple on `cost` (tree.predictNs adds the launch). */
const pipelineOf = (p: PlanParams, cost: CostParams): TreePipeline => treeRun(p, protocolCost(cost, scheduleProtocol('Tree', 'Simple', p.layout, 'allReduce')));

describe('channel rings (NCCL search.cc / rings.cc idea)', () => {
  it.each(LAYOUTS)('%i servers of %i: every ring visits every rank once, stays inside a server on NVLink and crosses servers only rail to rail', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const n = servers * gpus;
    for (const channels of [1, gpus, 2 * gpus]) {
      channelRings(layout, n, channels).forEach((order, c) => {
        expect([...order].sort((a, b) => a - b), `channel ${c}`).toEqual(Array.from({ length: n }, (_, r) => r));
        let crossings = 0;
        order.forEach((a, i) => {
          const b = order[(i + 1) % n]!;
          if (serverOf(layout, a) === serverOf(layout, b)) return;
          crossings++;
          expect(layout.rails![a], `channel ${c}: ${a} -> ${b}`).toBe(layout.rails![b]);
          expect(serverOf(layout, b)).toBe((serverOf(layout, a) + 1) % servers);
        });
        // One entry and one exit per server: each server's ranks are consecutive on the ring.
        expect(crossings).toBe(servers === 1 ? 0 : servers);
      });
    }
  });

  it.each(LAYOUTS.filter(([s]) => s > 1))('%i servers of %i: k·G channels give every NIC k channels out and k in', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const n = servers * gpus;
    for (const k of [1, 2]) {
      const out = new Array<number>(n).fill(0);
      const into = new Array<number>(n).fill(0);
      for (const order of channelRings(layout, n, k * gpus)) {
        order.forEach((a, i) => {
          const b = order[(i + 1) % n]!;
          if (serverOf(layout, a) !== serverOf(layout, b)) {
            out[a]!++;
            into[b]!++;
          }
        });
      }
      expect(out).toEqual(new Array<number>(n).fill(k));
      expect(into).toEqual(new Array<number>(n).fill(k));
    }
  });

  it('2 servers of 8: channel 0 enters at GPU 0, walks down, leaves from GPU 1 to GPU 1 of the next server', () => {
    expect(formatChannels(railLayout(2, 8), 16, 16).slice(0, 2)).toEqual([
      'Channel 00/16 :    0   7   6   5   4   3   2   1   9  15  14  13  12  11  10   8',
      'Channel 01/16 :    1   0   7   6   5   4   3   2  10   8  15  14  13  12  11   9',
    ]);
  });

  it('flat layouts (one group, no rails, servers with different rails, 2 rails and an odd server count) get the rank order', () => {
    const rankOrder = Array.from({ length: 16 }, (_, r) => r);
    const { groups } = railLayout(2, 8);
    const flats: RankLayout[] = [
      { groups: [rankOrder], hasReductionSwitch: false, rails: rankOrder.map((r) => r % 8) },
      { groups, hasReductionSwitch: false },
      { groups, hasReductionSwitch: false, rails: rankOrder.map((r) => (r < 8 ? r : 15 - r + 1)) },
    ];
    for (const layout of flats) for (const order of channelRings(layout, 16, 4)) expect(order).toEqual(rankOrder);
    const twoRails = railLayout(3, 2);
    for (const order of channelRings(twoRails, 6, 2)) expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('channel trees (NCCL trees.cc: chain inside a server, double binary tree between servers)', () => {
  it.each(LAYOUTS)('%i servers of %i: each tree spans every rank, chains inside servers, rail-aligned between them', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const n = servers * gpus;
    const trees = channelTrees(layout, n, 2 * gpus);
    trees.forEach((t, c) => {
      expect(t.parent.filter((p) => p < 0)).toHaveLength(1);
      expect(t.depth.every((d, r) => r === t.root || d > 0)).toBe(true);
      t.parent.forEach((p, r) => {
        if (p < 0) return;
        if (serverOf(layout, p) !== serverOf(layout, r)) {
          expect(layout.rails![p], `channel ${c}: ${r} -> ${p}`).toBe(layout.rails![r]);
          expect(layout.rails![r]).toBe(c % gpus);
        }
      });
      // Inside a server: a chain (at most one child in the same server).
      for (let r = 0; r < n; r++) expect(t.children[r]!.filter((k) => serverOf(layout, k) === serverOf(layout, r)).length).toBeLessThanOrEqual(1);
    });
    if (servers > 2) {
      // The two halves use complementary inter-server trees: different roots.
      expect(serverOf(layout, trees[0]!.root)).not.toBe(serverOf(layout, trees[gpus]!.root));
    }
  });

  it('formats NCCL_DEBUG=INFO tree lines: down0/down1/down2->rank->up', () => {
    // Channel 0: tree 0 (server 0 at the root), heads on rail 0; channel 1: the mirrored tree
    // (server 1 at the root), heads on rail 1 (ranks 1 and 9), chains walking down from them.
    const lines = formatChannels(railLayout(2, 8), 16, 2);
    expect(lines).toContain('rank 0 Trees [0] 7/8/-1->0->-1 [1] 7/-1/-1->0->1');
    expect(lines).toContain('rank 8 Trees [0] 15/-1/-1->8->0 [1] 15/-1/-1->8->9');
  });
});

describe('searchChannelCount (search.cc ncclTopoCompute, in weft terms)', () => {
  it('a NIC per GPU: one channel per NIC, duplicated because a channel runs at >= 25 GB/s', () => {
    // 8 rails; each GPU forwards 7 of 8 channels on NVLink: 7/8·8·48 = 336 <= 370.8 GB/s.
    expect(searchChannelCount(railLayout(2, 8), 16, DGX)).toBe(16);
    expect(searchChannelCount(railLayout(16, 8), 128, DGX)).toBe(16);
    expect(searchChannelCount(railLayout(4, 4), 16, DGX)).toBe(8);
  });

  it('NVLink too slow for one channel per NIC: fewer channels; slow NICs: no duplication', () => {
    // 200 GB/s NVLink: n·7/8·48 <= 200 → n = 4.
    expect(searchChannelCount(railLayout(2, 8), 16, { ...DGX, intra: { alphaNs: 1000, bandwidthBytesPerSec: 200e9 } })).toBe(8);
    const slowNic = { ...DGX, bandwidthBytesPerSec: 12e9, inter: { alphaNs: 10_000, bandwidthBytesPerSec: 12e9 } };
    expect(searchChannelCount(railLayout(2, 8), 16, slowNic)).toBe(8);
  });

  it('flat: one channel at the rank bandwidth, duplicated', () => {
    expect(searchChannelCount(railLayout(1, 8), 8, { ...DGX, bandwidthBytesPerSec: 370.8e9 })).toBe(2);
  });
});

describe('searchChannelCount with the GPU named (NCCL search.cc speed ladders, ncclTopoDupChannels, connect.cc)', () => {
  const oneServer = (nvlinkGbs: number, computeCapability: number): CostParams => ({
    alphaNs: 1_000,
    bandwidthBytesPerSec: nvlinkGbs * 1e9,
    intra: { alphaNs: 1_000, bandwidthBytesPerSec: nvlinkGbs * 1e9 },
    inter: { alphaNs: 1_000, bandwidthBytesPerSec: nvlinkGbs * 1e9 },
    computeCapability,
  });

  it('8×H100 (370.8 GB/s, sm90): 6 at 60 GB/s, duplicated to 12, doubled by connect.cc: 24 (NCCL issue #1367)', () => {
    expect(searchChannelCount(railLayout(1, 8), 8, oneServer(370.8, 9))).toBe(24);
  });

  it('8×A100 (12 × 20 = 240 GB/s, sm80): 6 at 40 fills the GPU, duplicated to 12, doubled: 24', () => {
    expect(searchChannelCount(railLayout(1, 8), 8, oneServer(240, 8))).toBe(24);
  });

  it('8×B200 (18 × 40.1 GB/s, sm100): 8 at 90, duplicated to 16, doubled: 32', () => {
    expect(searchChannelCount(railLayout(1, 8), 8, oneServer(18 * 40.1, 10))).toBe(32);
  });

  it('a slow link below the ladder: NCCL falls back to one channel, doubled by connect.cc', () => {
    expect(searchChannelCount(railLayout(1, 8), 8, oneServer(2, 9))).toBe(2);
  });

  it('two DGX H100 (48 GB/s NICs, sm90): 8 at 48, no duplication (Hopper, below 50 GB/s, more than 4), doubled: 16', () => {
    expect(searchChannelCount(railLayout(2, 8), 16, { ...DGX, computeCapability: 9 })).toBe(16);
  });

  it('sm90 multi-server doubling: 4 GPUs with 48 GB/s NICs: 4 at 48 → duplicated to 8 at 24 → 16; A100: the same by duplication', () => {
    // 4 at 48 GB/s: Hopper duplicates (only 4 channels) to 8 at 24; connect.cc doubles to 16;
    // 24 GB/s is not above 45, so no further doubling.
    expect(searchChannelCount(railLayout(2, 4), 8, { ...DGX, computeCapability: 9 })).toBe(16);
    expect(searchChannelCount(railLayout(2, 4), 8, { ...DGX, computeCapability: 8 })).toBe(16);
  });
});

describe('ring on rail-aligned channels', () => {
  it.each(LAYOUTS)('%i servers of %i: passes the symbolic checker (channels G and 2G, unchunked and chunked, uneven counts)', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const failures: string[] = [];
    // The checker's cost grows with ranks × channels: fewer combinations on the larger layouts.
    const big = servers * gpus > 64;
    for (const count of big ? [1000] : servers * gpus >= 32 ? [1, 4099] : [1, 1000, 4099]) {
      for (const channels of big ? [gpus] : [gpus, 2 * gpus]) {
        for (const chunk of big ? [7] : [0, 7]) {
          const result = checkSchedule(ring.plan(plan(layout, count, channels, chunk)));
          if (!result.ok) failures.push(`count=${count} channels=${channels} chunk=${chunk}: ${result.error}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('reduces real numbers correctly on 2 servers of 4', () => {
    const { wrong } = checkReference(ring.plan(plan(railLayout(2, 4), 37, 8, 3)), 'sum', 'float32');
    expect(wrong).toBe(0);
  });

  it('runs channel c on channel c\'s ring: its first send goes to the ring successor', () => {
    const layout = railLayout(2, 8);
    const s = ring.plan(plan(layout, 16 * 16, 16));
    const orders = channelRings(layout, 16, 16);
    orders.forEach((order, c) => {
      order.forEach((r, i) => {
        const first = s.participants[r]!.channels[c]!.find((st) => st.op === 'send')!;
        expect('peer' in first && first.peer).toBe(order[(i + 1) % 16]);
      });
    });
  });

  it('predicts the bottleneck: 2 servers of 8, 16 channels → 2 channels per NIC, 16 × 48/2 = 384 GB/s busbw; rank order 48 GB/s', () => {
    const bytes = 2 ** 30;
    const p = plan(railLayout(2, 8), bytes / 4, 16);
    const busBw = (ns: number): number => (bytes * (2 * 15)) / 16 / ns;
    // Bandwidth term only (α = 0): per rank, 2 of the 16 channels leave through its NIC
    // (48/2 GB/s each) and 14 use its NVLink (370.8/14 = 26.5 GB/s each), so each channel
    // runs at 24 GB/s. In rank order all 16 channels cross at 7→8 and 15→0: 48/16 each.
    const noAlpha = { ...DGX, alphaNs: 0, intra: { ...DGX.intra, alphaNs: 0 }, inter: { ...DGX.inter, alphaNs: 0 } };
    expect(busBw(ringRankOrder.predictNs(p, noAlpha))).toBeCloseTo(48, 9);
    // NCCL's ring under Simple (the default protocol): the slowest sender's 30 back-to-back
    // steps at 384 GB/s, one NET step latency (14 µs) after them, and the launch (8.4 µs).
    const senderNs = (30 * (bytes / 16)) / 384;
    expect(ring.predictNs(p, noAlpha)).toBeCloseTo(8400 + senderNs + 14000, 6);
    expect(busBw(senderNs)).toBeCloseTo(384, 9);
  });

  it('keeps the flat closed form: on one group ring and ring-rankorder plan and predict alike', () => {
    const layout = railLayout(1, 8);
    for (const channels of [1, 3]) {
      const p = plan(layout, 1001, channels, 5);
      // Under LL a step is one message, as in the textbook ring; Simple slices it (auto.test.ts).
      expect(ring.plan({ ...p, protocol: 'LL' }).participants).toEqual(ringRankOrder.plan(p).participants);
      // The same closed form, on the protocol's α and β, plus its launch.
      const ll = scheduleProtocol('Ring', 'LL', layout, 'allReduce');
      expect(ring.predictNs({ ...p, protocol: 'LL' }, DGX)).toBe(ll.launchNs + ringRankOrder.predictNs(p, protocolCost(DGX, ll)));
    }
  });
});

describe('tree on channel trees (NCCL Tree: chains in servers, rail-aligned double binary tree between them)', () => {
  const TREE_LAYOUTS: [number, number][] = [[2, 8], [4, 8], [16, 8], [3, 4]];

  it.each(TREE_LAYOUTS)('%i servers of %i: passes the symbolic checker (channels 1, G and 2G, unchunked and chunked)', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const failures: string[] = [];
    const big = servers * gpus > 64;
    for (const count of big ? [1000] : [1, 1000, 4099]) {
      for (const channels of big ? [2 * gpus] : [1, gpus, 2 * gpus]) {
        for (const chunk of big ? [7] : [0, 7]) {
          const result = checkSchedule(tree.plan(plan(layout, count, channels, chunk)));
          if (!result.ok) failures.push(`count=${count} channels=${channels} chunk=${chunk}: ${result.error}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(TREE_LAYOUTS)('%i servers of %i: every message between servers stays on one rail; channel c runs channel c\'s tree (its reduce on schedule channel c, its broadcast on c + C)', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const n = servers * gpus;
    const C = 2 * gpus;
    const s = tree.plan(plan(layout, 16 * n, C, 5));
    expect(s.participants[0]!.channels).toHaveLength(2 * C);
    const trees = channelTrees(layout, n, C).concat(channelTrees(layout, n, C));
    let crossings = 0;
    const bad: string[] = [];
    s.participants.forEach((p, r) =>
      p.channels.forEach((steps, c) => {
        for (const st of steps) {
          if (!('peer' in st)) continue;
          const t = trees[c]!;
          if (t.parent[r] !== st.peer && t.parent[st.peer] !== r) bad.push(`channel ${c}: ${r} <-> ${st.peer} is no tree edge`);
          if (serverOf(layout, r) === serverOf(layout, st.peer)) continue;
          crossings++;
          if (layout.rails![st.peer] !== layout.rails![r]) bad.push(`channel ${c}: ${r} <-> ${st.peer} crosses rails`);
        }
      }),
    );
    expect(bad).toEqual([]);
    expect(crossings).toBeGreaterThan(0);
  });

  it('groups without rails: chains in rank order from each group\'s first rank; checker and sums pass', () => {
    for (const [groups, size] of [[2, 8], [3, 3]] as const) {
      const layout: RankLayout = { groups: railLayout(groups, size).groups, hasReductionSwitch: false };
      for (const channels of [1, 2, 3]) {
        const s = tree.plan(plan(layout, 1001, channels, 13));
        expect(checkSchedule(s)).toEqual({ ok: true });
        expect(checkReference(s, 'sum', 'float32').wrong).toBe(0);
      }
    }
  });

  it('reduces real numbers correctly (2 servers of 8, 3 of 4, 4 of 8)', () => {
    for (const [servers, gpus, channels] of [[2, 8, 16], [3, 4, 8], [4, 8, 3]] as const) {
      const { wrong } = checkReference(tree.plan(plan(railLayout(servers, gpus), 1001, channels, 13)), 'sum', 'float32');
      expect(wrong, `${servers}x${gpus}`).toBe(0);
    }
  });

  it('layouts with every rank its own server (switch:8, ring:8) keep the textbook double binary tree: same schedule, same prediction', () => {
    for (const n of [1, 2, 7, 8]) {
      const layout: RankLayout = { groups: Array.from({ length: n }, (_, r) => [r]), hasReductionSwitch: false };
      for (const channels of [1, 3]) {
        for (const chunk of [0, 5]) {
          const p = plan(layout, 1001, channels, chunk);
          // NCCL's tree carries its protocol (Simple by default) where it moves anything.
          const simple = scheduleProtocol('Tree', 'Simple', layout);
          const protocol = n > 1 ? { protocol: simple } : {};
          expect(tree.plan(p)).toEqual({ ...treeRankOrder.plan(p), algorithm: 'tree', ...protocol });
          const expected = n > 1 ? simple.launchNs + treeRankOrder.predictNs(p, protocolCost(DGX, simple)) : 0;
          expect(tree.predictNs(p, DGX)).toBe(expected);
        }
      }
    }
  });

  it('one server (one group of 8) runs NCCL\'s tree there: a chain per channel, reduced up and broadcast down, as `weft topo --channels` prints it', () => {
    const layout: RankLayout = { groups: [Array.from({ length: 8 }, (_, r) => r)], hasReductionSwitch: false };
    for (const t of channelTrees(layout, 8, 4)) {
      expect(t.root).toBe(0);
      expect(t.parent).toEqual([-1, 0, 1, 2, 3, 4, 5, 6]);
      expect(t.height[t.root]).toBe(7);
    }
    const p = plan(layout, 1001, 2, 0);
    const schedule = tree.plan(p);
    expect(schedule).not.toEqual({ ...treeRankOrder.plan(p), algorithm: 'tree', protocol: schedule.protocol });
    expect(checkSchedule(schedule)).toEqual({ ok: true });
  });

  it('defaults to the searched channel count, fewer for small messages (NCCL enqueue.cc: threads × threshold bytes per channel)', () => {
    // Simple: 512 threads × 64 bytes = 32 KiB per channel before another is used.
    expect(tree.defaultChannels!(plan(railLayout(2, 8), 1 << 20, 0), DGX)).toBe(16);
    expect(tree.defaultChannels!(plan(railLayout(2, 8), (5 * 32768) / 4, 0), DGX)).toBe(5);
    expect(tree.defaultChannels!(plan(railLayout(2, 8), 1000, 0), DGX)).toBe(1);
    // Ring/LL: 512 threads × 8 bytes × nRanks (16) = 64 KiB per channel.
    expect(ring.defaultChannels!({ ...plan(railLayout(2, 8), (3 * 65536) / 4, 0), protocol: 'LL' }, DGX)).toBe(3);
  });

  it('predicts the bottleneck: 2 servers of 8, 16 channels, 1 GiB in 2 MiB chunks: NVLink-bound, ≈ 397 GB/s busbw', () => {
    const bytes = 2 ** 30;
    const chunk = 2 ** 21;
    const p = plan(railLayout(2, 8), bytes / 4, 16, chunk / 4);
    const noAlpha = { ...DGX, alphaNs: 0, intra: { ...DGX.intra, alphaNs: 0 }, inter: { ...DGX.inter, alphaNs: 0 } };
    // Per rank and channel part, counting each tree edge once up and once down: NVLink sends
    // 2 per channel where the rank is inside its server's chain, 1 where it is the head or the
    // tail (2 channels each): 12·2 + 2 + 2 = 28; the NIC sends 2 (up in one tree, down in the
    // other). 28/370.8 > 2/48, so NVLink is the bottleneck: a stage (every channel moving one
    // 2 MiB chunk over every edge) takes 28·chunk/370.8 GB/s. At 1 GiB the link's work binds
    // (tree-pipeline.ts): it carries 28 channel parts (64 MiB each) from the start — a chain's
    // tail sends up at once — and the last of them, a total sent down to a chain's tail,
    // still pays the hop's α (NCCL's Tree/Simple NVLink step, 4 µs); the launch adds 8.4 µs.
    // The fluid of the chunks (tree-fluid.ts, what tree predicts on these symmetric chains)
    // cannot beat that work and adds the fill and drain where the NVLink is not full: 5089.77
    // µs, as the simulation (`weft bench allreduce --topology dgx-h100:nodes=2 --algo tree
    // --proto Simple --channels 16 --chunk 2M -b 1G`).
    const stageNs = (28 * chunk) / 370.8;
    const partBytes = bytes / 16;
    const workNs = 8400 + (28 * partBytes) / 370.8 + 4000;
    expect(treePipelineNs(pipelineOf(p, noAlpha))).toBeCloseTo(workNs - 8400, 6);
    expect(tree.predictNs(p, noAlpha)).toBeGreaterThanOrEqual(workNs);
    expect(tree.predictNs(p, noAlpha)).toBeLessThan(workNs * 1.005);
    // Steady state alone: 2·15/16 · 16/28 · 370.8 = 397.3 GB/s busbw.
    const busBw = (ns: number): number => (bytes * (2 * 15)) / 16 / ns;
    expect(busBw(31 * stageNs + stageNs)).toBeCloseTo((30 / 16) * (16 / 28) * 370.8, 6);
    expect(busBw(tree.predictNs(p, noAlpha))).toBeGreaterThan(380);
  });

  it('bounds a mid-size tree from one wave per stage: 2 servers of 8, 16 MiB in 512 KiB chunks (2 per channel)', () => {
    const chunk = 2 ** 19;
    const p = plan(railLayout(2, 8), 2 ** 24 / 4, 16, chunk / 4);
    const noAlpha = { ...DGX, alphaNs: 0, intra: { ...DGX.intra, alphaNs: 0 }, inter: { ...DGX.inter, alphaNs: 0 } };
    // The first chunk's round trip: up 7 NVLink hops (4 µs Tree/Simple step, its transfer
    // beside one other channel's first chunk) and the rail hop (14 µs), and down again. Then
    // one more stage, in which a rank's NVLink carries one wave's edges, 14 — the reduce wave
    // passes a rank near its chain's tail a whole round trip before the broadcast wave comes
    // back, so the two do not hold the link together (both waves, 28 per stage, was the old
    // predictor: 185.0 µs here; the pipeline bound 173.6). tree predicts these symmetric
    // chains from the fluid of the chunks instead (tree-fluid.ts): 164.60 µs, as simulated;
    // the pipeline bound stays for layouts without the symmetry.
    const roundTripNs = 2 * (7 * (4000 + (2 * chunk) / 370.8) + 14000 + chunk / 48);
    expect(treePipelineNs(pipelineOf(p, noAlpha))).toBeCloseTo(roundTripNs + (14 * chunk) / 370.8, 6);
    expect(tree.predictNs(p, noAlpha)).toBeCloseTo(164_600, -2);
  });
});
