import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { formatTopologySummary, summarizeTopology, topologyToDot } from '../src/topology/summary.js';
import { rankGroups } from '../src/topology/rank-groups.js';

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

describe('rank groups', () => {
  it('rankGroups: ungrouped ranks are singletons; grouped ranks in rank order', () => {
    expect(rankGroups(parseTopologySpec('switch:3'))).toEqual([[0], [1], [2]]);
    expect(rankGroups(parseTopologySpec('nvl72:gpus=3'))).toEqual([[0, 1, 2]]);
  });
});
