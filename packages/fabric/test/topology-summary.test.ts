import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/topology/spec.js';
import { formatTopologySummary, summarizeTopology, topologyToDot } from '../src/topology/summary.js';
import { alphaBetaCost, rankGroups } from '../src/topology/helpers.js';

const HOST_BW = 50e9 * 0.98037; // one 400 Gb/s port × RoCE efficiency (hardware.json)

describe('bisection bandwidth (max-flow, first half of ranks → second half)', () => {
  // Closed form for leafspine with H hosts split evenly over an even number of leaves L:
  // the first half of hosts sits on the first L/2 leaves, whose total uplink capacity is
  // (L/2) × (H/L) × bw / R = H × bw / (2R); for R >= 1 that is the bottleneck.
  it.each([
    [16, 4, 2, 1],
    [16, 4, 2, 2],
    [24, 4, 3, 3],
    [32, 8, 4, 4],
  ])('leafspine hosts=%i leaves=%i spines=%i oversubscription=%i = H·bw/(2R)', (hosts, leaves, spines, ratio) => {
    const t = parseTopologySpec(`leafspine:hosts=${hosts},leaves=${leaves},spines=${spines},oversubscription=${ratio}`);
    const summary = summarizeTopology(t);
    const closedForm = (hosts * HOST_BW) / (2 * ratio);
    expect(summary.bisection.bandwidthBytesPerSec).toBeCloseTo(closedForm, -3);
    expect(summary.bisection.reverseBandwidthBytesPerSec).toBeCloseTo(closedForm, -3);
    expect(summary.diameterHops).toBe(4); // host → leaf → spine → leaf → host
  });

  it.each([
    ['switch:8', 4 * HOST_BW, 2], // 4 host links cross the cut
    ['ring:8', 2 * HOST_BW, 6], // two ring cables cross; gpu0→gpu4 = 1 + 4 + 1 hops
    ['fullmesh:4', 4 * HOST_BW, 1], // 2 × 2 direct links from the first half to the second
    ['dgx-h100:nodes=2', 8 * 48e9, 6], // eight GPU→NIC PCIe links (48 GB/s each) feed the network
    ['nvl72', 36 * 900e9 * 0.802, 2],
  ])('%s', (spec, bisection, diameter) => {
    const summary = summarizeTopology(parseTopologySpec(spec));
    expect(summary.bisection.bandwidthBytesPerSec).toBeCloseTo(bisection, -3);
    expect(summary.diameterHops).toBe(diameter);
  });
});

describe('summary contents', () => {
  it('dgx-h100:nodes=2: counts, bandwidth classes, groups', () => {
    const summary = summarizeTopology(parseTopologySpec('dgx-h100:nodes=2'));
    expect(summary.nodesByKind).toEqual({ gpu: 16, nvswitch: 2, nic: 16, leaf: 8, spine: 2 });
    expect(summary.linkCount).toBe(128);
    expect(summary.rankCount).toBe(16);
    expect(summary.groupSizes).toEqual([8, 8]);
    expect(summary.reductionSwitches).toEqual(['node0.nvswitch', 'node1.nvswitch']);
    // NVLink 370.8 GB/s ×32; NIC↔leaf and leaf↔spine (2 servers / 2 spines = one port each) ×64; PCIe 48 GB/s ×32
    expect(summary.bandwidthClasses.map((c) => [Math.round(c.bandwidthBytesPerSec / 1e6), c.linkCount])).toEqual([
      [370800, 32],
      [49019, 64],
      [48000, 32],
    ]);
    const text = formatTopologySummary(summary);
    expect(text).toContain('max-flow');
    expect(text).toContain('diameter     6 hops');
    expect(text).toContain('groups       2 (sizes 8×2)');
  });

  it('DOT: one cluster per group, duplex cables drawn once with dir=both', () => {
    const dot = topologyToDot(parseTopologySpec('dgx-h100:nodes=1'));
    expect(dot.startsWith('digraph "dgx-h100:nodes=1" {')).toBe(true);
    expect(dot).toContain('subgraph "cluster_node0"');
    // 8 NVLink + 8 PCIe + 8 leaf↔spine×2 spines are symmetric; NIC↔leaf differs in latency (300 vs 0 ns)
    expect(dot.match(/dir=both/g)).toHaveLength(8 + 8 + 16);
    expect(dot.match(/ -> /g)).toHaveLength(8 + 8 + 16 + 16);
    expect(dot).toContain('"node0.gpu0" [label="node0.gpu0\\ngpu rank 0", shape=box];');
  });
});

describe('helpers for algorithms', () => {
  it('rankGroups: ungrouped ranks are singletons; grouped ranks in rank order', () => {
    expect(rankGroups(parseTopologySpec('switch:3'))).toEqual([[0], [1], [2]]);
    expect(rankGroups(parseTopologySpec('nvl72:gpus=3'))).toEqual([[0, 1, 2]]);
  });

  it('switch:8: alpha = NIC + switch + NIC, bandwidth = one port', () => {
    const cost = alphaBetaCost(parseTopologySpec('switch:8'));
    expect(cost.alphaNs).toBe(1200 + 300 + 1200);
    expect(cost.bandwidthBytesPerSec).toBeCloseTo(HOST_BW, -3);
    expect(cost.intra).toEqual(cost.inter); // every rank its own group: one class
  });

  it('dgx-h100:nodes=2: intra is NVLink, inter is PCIe-bound and crosses a spine', () => {
    const cost = alphaBetaCost(parseTopologySpec('dgx-h100:nodes=2'));
    expect(cost.intra.alphaNs).toBe(600);
    expect(cost.intra.bandwidthBytesPerSec).toBeCloseTo(450e9 * 0.824, -3);
    // worst inter pair changes rail: NIC 1200 + leaf 300 + spine 300 + leaf 300 + NIC 1200
    expect(cost.inter.alphaNs).toBe(3300);
    expect(cost.inter.bandwidthBytesPerSec).toBeCloseTo(48e9, -3);
    expect(cost.alphaNs).toBe(3300);
    expect(cost.bandwidthBytesPerSec).toBeCloseTo(48e9, -3);
  });

  it('dgx-h100:nodes=64 (representative pairs) gives the same answer as nodes=2', () => {
    const small = alphaBetaCost(parseTopologySpec('dgx-h100:nodes=2'));
    const big = alphaBetaCost(parseTopologySpec('dgx-h100:nodes=64'));
    expect(big.intra.alphaNs).toBe(small.intra.alphaNs);
    expect(big.inter.alphaNs).toBe(small.inter.alphaNs);
    expect(big.inter.bandwidthBytesPerSec).toBeCloseTo(small.inter.bandwidthBytesPerSec, -3);
    expect(big.intra.bandwidthBytesPerSec).toBeCloseTo(small.intra.bandwidthBytesPerSec, -3);
  });

  it('injection bandwidth vs one path: fullmesh injects on all links; oversubscribed uplinks slow one path', () => {
    const mesh = alphaBetaCost(parseTopologySpec('fullmesh:4'));
    expect(mesh.bandwidthBytesPerSec).toBeCloseTo(3 * HOST_BW, -3);
    expect(mesh.pathBandwidthBytesPerSec).toBeCloseTo(HOST_BW, -3);
    // 4 hosts per leaf, R = 8: each leaf's one spine link carries 4 × bw / 8 = bw / 2
    const ls = alphaBetaCost(parseTopologySpec('leafspine:hosts=8,leaves=2,spines=1,oversubscription=8'));
    expect(ls.bandwidthBytesPerSec).toBeCloseTo(HOST_BW, -3);
    expect(ls.pathBandwidthBytesPerSec).toBeCloseTo(HOST_BW / 2, -3);
  });

  it('one rank: nothing to send', () => {
    const cost = alphaBetaCost(parseTopologySpec('switch:1'));
    expect(cost.alphaNs).toBe(0);
    expect(cost.bandwidthBytesPerSec).toBe(Infinity);
  });
});
