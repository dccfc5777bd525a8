import { describe, expect, it } from 'vitest';
import { channelRings, searchGraph } from '../src/channels/search.js';
import { channelRingsEdgeNsPerByte } from '../src/cost.js';
import type { CostParams, LinkGraph, PlanParams, RankLayout } from '../src/types.js';

/** A link graph from `gpus` endpoint nodes (ranks 0..gpus-1 on nodes 0..gpus-1), `switches` forwarding nodes after them, and duplex cables [a, b, GB/s]. */
function linkGraph(gpus: number, switches: number, cables: readonly (readonly [number, number, number])[]): LinkGraph {
  const nodeCount = gpus + switches;
  const links = cables.flatMap(([a, b, gbs]) => [[a, b, gbs], [b, a, gbs]] as const);
  const outStart = new Int32Array(nodeCount + 1);
  const sorted = [...links].sort((x, y) => x[0] - y[0]);
  for (const [a] of sorted) outStart[a + 1]!++;
  for (let i = 1; i <= nodeCount; i++) outStart[i]! += outStart[i - 1]!;
  return {
    nodeCount,
    rankNode: Int32Array.from({ length: gpus }, (_, r) => r),
    isEndpoint: Uint8Array.from({ length: nodeCount }, (_, i) => (i < gpus ? 1 : 0)),
    linkFrom: Int32Array.from(sorted, (l) => l[0]),
    linkTo: Int32Array.from(sorted, (l) => l[1]),
    linkBytesPerSec: Float64Array.from(sorted, (l) => l[2] * 1e9),
    outStart,
    outLinks: Int32Array.from(sorted, (_, i) => i),
  };
}

/** ring:N as the preset builds it: GPU i on router i at twice the ring link, routers in a bidirectional ring (49.02 GB/s = 400 Gb/s × 0.98037). */
const RING_GBS = 49.0185;
function ringGraph(n: number): LinkGraph {
  const cables: [number, number, number][] = [];
  for (let i = 0; i < n; i++) cables.push([i, n + i, 2 * RING_GBS], [n + i, n + ((i + 1) % n), RING_GBS]);
  return linkGraph(n, n, cables);
}
function fullmeshGraph(n: number): LinkGraph {
  const cables: [number, number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) cables.push([a, b, RING_GBS]);
  return linkGraph(n, 0, cables);
}
/** One switch (an NVSwitch) with every GPU on one link of `gbs` each way. */
function starGraph(n: number, gbs: number): LinkGraph {
  return linkGraph(n, 1, Array.from({ length: n }, (_, i) => [i, n, gbs] as const));
}

const layoutOf = (n: number, graph: LinkGraph, oneServer = false): RankLayout => ({
  groups: oneServer ? [Array.from({ length: n }, (_, r) => r)] : Array.from({ length: n }, (_, r) => [r]),
  hasReductionSwitch: false,
  linkGraph: graph,
});

/** cost.ts's inputs as fabric's alphaBetaCost gives them: a rank's injection toward all its peers. */
const costOf = (injectionGbs: number, computeCapability?: number): CostParams => ({
  alphaNs: 3_000,
  bandwidthBytesPerSec: injectionGbs * 1e9,
  intra: { alphaNs: 3_000, bandwidthBytesPerSec: injectionGbs * 1e9 },
  inter: { alphaNs: 3_000, bandwidthBytesPerSec: injectionGbs * 1e9 },
  ...(computeCapability === undefined ? {} : { computeCapability }),
});

/**
 * Directed-link loads of `rings` on ring:N / fullmesh:N, as "from>to" node keys: a hop of a ring
 * crosses GPU→router, router→router, router→GPU on ring:N (only between ring neighbours: the
 * shortest path), the one direct link on fullmesh:N.
 */
function loads(kind: 'ring' | 'fullmesh', n: number, rings: readonly (readonly number[])[]): Map<string, number> {
  const load = new Map<string, number>();
  const add = (key: string): void => void load.set(key, (load.get(key) ?? 0) + 1);
  for (const order of rings) {
    order.forEach((a, i) => {
      const b = order[(i + 1) % n]!;
      if (kind === 'fullmesh') return add(`${a}>${b}`);
      expect(Math.min((b - a + n) % n, (a - b + n) % n), `hop ${a}->${b} between ring neighbours`).toBe(1);
      add(`gpu${a}>r${a}`);
      add(`r${a}>r${b}`);
      add(`r${b}>gpu${b}`);
    });
  }
  return load;
}
const capacityOf = (key: string): number => (key.startsWith('gpu') || key.includes('>gpu') ? 2 * RING_GBS : RING_GBS);

describe('channel search on the fabric links (flat layouts: ring:N, fullmesh:N)', () => {
  it.each([
    ['ring', 5],
    ['ring', 8],
    ['fullmesh', 3],
    ['fullmesh', 4],
  ] as const)('%s:%i: a channel runs at its path bottleneck (49.02 GB/s), reserves it on every directed link, and the next channel runs the reverse direction', (kind, n) => {
    const graph = kind === 'ring' ? ringGraph(n) : fullmeshGraph(n);
    const layout = layoutOf(n, graph);
    const injection = kind === 'ring' ? 2 * RING_GBS : (n - 1) * RING_GBS;
    const found = searchGraph(layout, n, costOf(injection));
    // Two channels, one per direction, each at the one-direction link rate; NCCL's duplication doubles them (>= 25 GB/s).
    expect(found.gbs).toBeCloseTo(RING_GBS, 6);
    expect(found.graphChannels).toBe(2);
    expect(found.commChannels).toBe(4);
    const rings = channelRings(layout, n, found.commChannels);
    const everyRank = Array.from({ length: n }, (_, r) => r);
    rings.forEach((order, c) => expect([...order].sort((a, b) => a - b), `channel ${c}`).toEqual(everyRank));
    expect(rings[0]).toEqual(everyRank);
    // The reverse ring: 0 n-1 … 1.
    expect(rings[1]).toEqual([0, ...everyRank.slice(1).reverse()]);
    // No directed link carries more than it can: the graph's channels at gbs each, the duplicated ones at half.
    for (const [channels, perChannel] of [[found.graphChannels, found.gbs], [found.commChannels, (found.gbs * found.graphChannels) / found.commChannels]] as const) {
      const load = loads(kind, n, channelRings(layout, n, channels));
      for (const [key, count] of load) expect(count * perChannel, `${key}: ${count} channels`).toBeLessThanOrEqual((kind === 'ring' ? capacityOf(key) : RING_GBS) * (1 + 1e-9));
      // Both directions of the ring carry a channel.
      expect(load.get(kind === 'ring' ? 'r1>r0' : '1>0')).toBeGreaterThan(0);
      expect(load.get(kind === 'ring' ? 'r0>r1' : '0>1')).toBeGreaterThan(0);
    }
  });

  it('ring:5 with a compute capability: the ladder speeds fit per direction, not per GPU link (two directions of floor(49.02 / s))', () => {
    const n = 5;
    const layout = layoutOf(n, ringGraph(n));
    // sm90 intra ladder (one node: no NICs) from the widest path, 49.02: 40 fits once per direction (80), 24 twice (96) — more bandwidth.
    const found = searchGraph(layout, n, costOf(2 * RING_GBS, 9));
    expect(found.graphChannels * found.gbs).toBeLessThanOrEqual(2 * RING_GBS);
    expect(found.graphChannels * found.gbs).toBeGreaterThan(0.9 * 2 * RING_GBS);
    const load = loads('ring', n, channelRings(layout, n, found.graphChannels));
    for (const [key, count] of load) expect(count * found.gbs, key).toBeLessThanOrEqual(capacityOf(key) * (1 + 1e-9));
  });

  it('one NVSwitch (a star): every ring crosses each GPU link once each way, the rank order on every channel, floor(link / s) channels as before', () => {
    // 8 × H100 on 370.8 GB/s of NVLink: sm90 ladder 60 → 6 (360), down to 30: 12 (a tie) → duplicated to 12 at 30, 24 channels (NCCL #1367).
    const layout = layoutOf(8, starGraph(8, 370.8), true);
    const found = searchGraph(layout, 8, { ...costOf(370.8, 9), intra: { alphaNs: 1_000, bandwidthBytesPerSec: 370.8e9 } });
    expect(found).toEqual({ graphChannels: 12, gbs: 30, commChannels: 24 });
    for (const order of channelRings(layout, 8, 24)) expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // switch:8 (no compute capability): one channel at the GPU's link, duplicated.
    const plain = layoutOf(8, starGraph(8, 49.0185));
    expect(searchGraph(plain, 8, costOf(49.0185))).toEqual({ graphChannels: 1, gbs: 49.0185, commChannels: 2 });
  });

  it('the predictors see the links the rings use: fullmesh:4 leaves each rank by two of its three links (1.5 × the rank-injection time per byte); ring:N and one switch as per rank', () => {
    const params = (n: number, layout: RankLayout): PlanParams => ({ nranks: n, count: 1 << 20, root: 0, elementBytes: 4, channels: 4, chunkElements: 0, layout });
    const edge = (n: number, graph: LinkGraph, injectionGbs: number): number => {
      const layout = layoutOf(n, graph);
      const orders = channelRings(layout, n, 4);
      return channelRingsEdgeNsPerByte(orders, params(n, layout), costOf(injectionGbs))(orders[0]![0]!, orders[0]![1]!);
    };
    const perRank = (gbs: number): number => 1 / gbs; // ns per byte at the rank's injection, every channel's share together
    expect(edge(4, fullmeshGraph(4), 3 * RING_GBS)).toBeCloseTo(1.5 * perRank(3 * RING_GBS), 9);
    expect(edge(5, ringGraph(5), 2 * RING_GBS)).toBeCloseTo(perRank(2 * RING_GBS), 9);
    expect(edge(8, starGraph(8, RING_GBS), RING_GBS)).toBe(perRank(RING_GBS));
  });

  it('a layout without links keeps the rank order on every channel at the rank injection', () => {
    const layout: RankLayout = { groups: [[0], [1], [2]], hasReductionSwitch: false };
    expect(searchGraph(layout, 3, costOf(2 * RING_GBS))).toEqual({ graphChannels: 1, gbs: 2 * RING_GBS, commChannels: 2 });
    expect(channelRings(layout, 3, 2)).toEqual([[0, 1, 2], [0, 1, 2]]);
  });
});
