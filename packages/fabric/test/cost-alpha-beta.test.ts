/**
 * The alpha-beta cost model read off a topology: latency of the worst shortest path and
 * per-rank injection bandwidth, per class of rank pair (same server, different servers).
 */
import { describe, expect, it } from 'vitest';
import { alphaBetaCost } from '../src/cost/alpha-beta-cost.js';
import { parseTopologySpec } from '../src/presets/spec.js';
import { parseTopologyText } from '../src/topology/file.js';

const HOST_BW = 50e9 * 0.98037; // one 400 Gb/s port × RoCE efficiency (hardware.json)

describe('alphaBetaCost', () => {
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

  it('rails: a pair of one rail in different servers crosses its rail leaf only (NIC + leaf + NIC)', () => {
    // NCCL's rings cross servers on one rail; the worst inter pair (alphaNs) changes rail through a spine.
    expect(alphaBetaCost(parseTopologySpec('dgx-h100:nodes=2')).inter.railAlphaNs).toBe(1200 + 300 + 1200);
    expect(alphaBetaCost(parseTopologySpec('dgx-h100:nodes=16')).inter.railAlphaNs).toBe(2700); // representative pair
    expect(alphaBetaCost(parseTopologySpec('switch:8')).inter.railAlphaNs).toBeUndefined(); // no rails
    expect(alphaBetaCost(parseTopologySpec('nvl72:variant=gb200')).inter.railAlphaNs).toBeUndefined(); // one group
    // Two scalable units: the rail pair on one leaf, not the one between leaves (through a spine: 3,300 ns, the worst pair's).
    const twoUnits = alphaBetaCost(parseTopologySpec('dgx-h100:nodes=64'));
    expect(twoUnits.inter.railAlphaNs).toBe(2700);
    expect(twoUnits.inter.alphaNs).toBe(3300);
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

  it('all peers at once: intra + inter where the classes leave by separate links, one link\'s worth where they share it', () => {
    for (const spec of ['dgx-h100:nodes=2', 'dgx-h100:nodes=64', 'hgx-a100:nodes=2', 'nvl72:racks=2']) {
      const cost = alphaBetaCost(parseTopologySpec(spec));
      expect(cost.allPeersBandwidthBytesPerSec, spec).toBeCloseTo(cost.intra.bandwidthBytesPerSec + cost.inter.bandwidthBytesPerSec, -3);
    }
    // The README's my-cluster.yaml: each GPU's one 400 Gbps link to its server's switch carries
    // both its server's traffic and the spine's (the tree predictor loads it with both).
    const yaml = [
      'nodes:',
      ...[0, 1, 2, 3].map((g) => `  - { id: gpu${g}, kind: gpu, group: server${g >> 1} }`),
      '  - { id: sw0, kind: switch }', '  - { id: sw1, kind: switch }', '  - { id: spine, kind: switch }',
      'links:',
      ...[0, 1, 2, 3].map((g) => `  - { from: gpu${g}, to: sw${g >> 1}, bandwidth: 400Gbps, latency: 1us }`),
      '  - { from: sw0, to: spine, bandwidth: 800Gbps, latency: 500ns }', '  - { from: sw1, to: spine, bandwidth: 800Gbps, latency: 500ns }',
    ].join('\n');
    const cost = alphaBetaCost(parseTopologyText(yaml, 'my-cluster.yaml'));
    expect(cost.intra.bandwidthBytesPerSec).toBe(50e9);
    expect(cost.inter.bandwidthBytesPerSec).toBe(50e9);
    expect(cost.allPeersBandwidthBytesPerSec).toBe(50e9);
  });

  it('one rank: nothing to send', () => {
    const cost = alphaBetaCost(parseTopologySpec('switch:1'));
    expect(cost.alphaNs).toBe(0);
    expect(cost.bandwidthBytesPerSec).toBe(Infinity);
    expect(cost.allPeersBandwidthBytesPerSec).toBe(Infinity);
  });
});
