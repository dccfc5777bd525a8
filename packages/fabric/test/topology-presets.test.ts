import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { rankGroups, hasReductionSwitch } from '../src/topology/rank-groups.js';
import hardware from '../src/presets/hardware.json' with { type: 'json' };
import type { Topology } from '../src/types.js';

// Cited inputs, restated here so a change in hardware.json is a visible test change.
const ROCE_EFFICIENCY = 0.98037; // RoCEv2 framing at a 4096-byte MTU: 4096 / (4096 + 82), as rounded in hardware.json
const PORT_400G = 400e9 / 8; // 400 Gb/s in bytes/s
const NVLINK4 = 450e9 * (20.6 / 25); // H100 NVLink per direction × NCCL SM90_NVLINK_BW / 25
const NVLINK5 = 900e9 * (40.1 / 50); // NVLink5 per direction × NCCL SM100_NVLINK_BW / 50
const PCIE5 = 64e9 * 0.75; // NCCL: 16 lanes × 240 (×100 Mb/s) / 80 = 48 GB/s
const NIC_NS = 1200; // (NCCL net step 2.7 us − one 300 ns switch hop) / 2
const SWITCH_NS = 300;

function link(t: Topology, id: string) {
  const found = t.links.find((l) => l.id === id);
  if (!found) throw new Error(`no link ${id}`);
  return found;
}

function countKinds(t: Topology): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of t.nodes) out[n.kind] = (out[n.kind] ?? 0) + 1;
  return out;
}

describe('hardware.json', () => {
  it('keeps line rate and efficiency apart, each with sources that exist', () => {
    const ids = new Set(hardware.sources.map((s) => s.id));
    for (const [key, value] of Object.entries(hardware.values)) {
      expect(value.note.length, key).toBeGreaterThan(20);
      expect(value.sources.length, key).toBeGreaterThan(0);
      for (const id of value.sources) expect(ids.has(id), `${key} cites ${id}`).toBe(true);
    }
    expect(hardware.values["ethernet.roceEfficiency"].value).toBeCloseTo(4096 / (4096 + 82), 5);
  });
});

describe('switch:N', () => {
  it('8 GPUs + 1 switch, 16 directed links at 400 Gb/s × RoCE efficiency', () => {
    const t = parseTopologySpec('switch:8');
    expect(countKinds(t)).toEqual({ gpu: 8, switch: 1 });
    expect(t.links).toHaveLength(16);
    expect(t.ranks).toEqual(['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7']);
    expect(link(t, 'gpu0->switch0').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    // NIC tx + switch on the way in, NIC rx on the way out.
    expect(link(t, 'gpu0->switch0').latencyNs).toBe(NIC_NS + SWITCH_NS);
    expect(link(t, 'switch0->gpu0').latencyNs).toBe(NIC_NS);
    expect(hasReductionSwitch(t)).toBe(false);
    expect(t.sources?.some((s) => s.includes('pingdo.net'))).toBe(true);
  });

  it('linkBw / linkLatency / efficiency / reduction overrides', () => {
    const t = parseTopologySpec('switch:4,linkBw=100GB/s,linkLatency=1us,efficiency=1,reduction=true');
    expect(t.links.every((l) => l.bandwidthBytesPerSec === 100e9 && l.latencyNs === 1000)).toBe(true);
    expect(hasReductionSwitch(t)).toBe(true);
    expect(t.sources?.[0]).toContain('linkBw=100GB/s');
    expect(t.sources?.some((s) => s.startsWith('linkBw = 100GB/s: set by the spec (default 400Gbps'))).toBe(true);
  });
});

describe('ring:N', () => {
  it('6 GPUs, 6 routers, ring cables both ways, injection links at twice the ring rate', () => {
    const t = parseTopologySpec('ring:6,efficiency=1');
    expect(countKinds(t)).toEqual({ gpu: 6, switch: 6 });
    expect(t.links).toHaveLength(6 * 2 + 6 * 2);
    expect(link(t, 'router5->router0').bandwidthBytesPerSec).toBe(PORT_400G);
    expect(link(t, 'gpu3->router3').bandwidthBytesPerSec).toBe(2 * PORT_400G);
  });
  it('linkLatency sets the ring-link latency; injection is then free', () => {
    const t = parseTopologySpec('ring:4,linkLatency=2us');
    expect(link(t, 'router0->router1').latencyNs).toBe(2000);
    expect(link(t, 'gpu0->router0').latencyNs).toBe(0);
  });
});

describe('fullmesh:N', () => {
  it('n(n-1) directed links, each costing a send and a receive NIC', () => {
    const t = parseTopologySpec('fullmesh:5');
    expect(countKinds(t)).toEqual({ gpu: 5 });
    expect(t.links).toHaveLength(20);
    expect(link(t, 'gpu1->gpu4').latencyNs).toBe(2 * NIC_NS);
  });
});

describe('leafspine', () => {
  it('hosts in contiguous blocks, every leaf to every spine, uplinks = downlinks / R', () => {
    const t = parseTopologySpec('leafspine:hosts=16,leaves=4,spines=2,oversubscription=2');
    expect(countKinds(t)).toEqual({ host: 16, leaf: 4, spine: 2 });
    expect(t.links).toHaveLength(16 * 2 + 4 * 2 * 2);
    expect(link(t, 'host5->leaf1').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(link(t, 'host4->leaf1')).toBeDefined();
    expect(t.links.some((l) => l.id === 'host4->leaf0')).toBe(false);
    // leaf capacity down: 4 × host rate; up: that / 2, over 2 spines → 1 host rate per link
    expect(link(t, 'leaf2->spine1').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(link(t, 'spine1->leaf2').latencyNs).toBe(SWITCH_NS);
  });
  it('uneven host counts: blocks differ by one and each leaf gets its own uplink capacity', () => {
    const t = parseTopologySpec('leafspine:hosts=5,leaves=2,spines=1,efficiency=1');
    expect(t.links.some((l) => l.id === 'host2->leaf0')).toBe(true); // leaf0: hosts 0-2
    expect(t.links.some((l) => l.id === 'host3->leaf1')).toBe(true); // leaf1: hosts 3-4
    expect(link(t, 'leaf0->spine0').bandwidthBytesPerSec).toBe(3 * PORT_400G);
    expect(link(t, 'leaf1->spine0').bandwidthBytesPerSec).toBe(2 * PORT_400G);
  });
});

describe('dgx-h100', () => {
  it('nodes=2: 16 GPUs, 2 NVSwitches, 16 NICs, 8 rail leaves, 2 spines, with the cited numbers', () => {
    const t = parseTopologySpec('dgx-h100:nodes=2');
    expect(countKinds(t)).toEqual({ gpu: 16, nvswitch: 2, nic: 16, leaf: 8, spine: 2 });
    // per GPU: NVLink ×2, PCIe ×2, NIC↔leaf ×2; per leaf: 2 spines × 2 directions
    expect(t.links).toHaveLength(16 * 6 + 8 * 2 * 2);
    expect(t.ranks.slice(0, 9)).toEqual([...Array.from({ length: 8 }, (_, g) => `node0.gpu${g}`), 'node1.gpu0']);
    expect(rankGroups(t)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11, 12, 13, 14, 15],
    ]);
    expect(t.nodes.find((n) => n.id === 'node1.nvswitch')).toMatchObject({ kind: 'nvswitch', reduction: true, group: 'node1' });
    expect(link(t, 'node0.gpu3->node0.nvswitch').bandwidthBytesPerSec).toBeCloseTo(NVLINK4, 0);
    expect(link(t, 'node0.gpu3->node0.nvswitch').latencyNs).toBe(300); // half of NCCL's 0.6 us NVLink step
    expect(link(t, 'node0.gpu3->node0.nic3').bandwidthBytesPerSec).toBeCloseTo(PCIE5, 0);
    expect(link(t, 'node0.gpu3->node0.nic3').latencyNs).toBe(NIC_NS);
    // rail-optimized: NIC 3 of both servers on the rail-3 leaf
    expect(link(t, 'node0.nic3->su0.leaf3').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(link(t, 'node1.nic3->su0.leaf3').latencyNs).toBe(SWITCH_NS);
    // non-blocking: 2 servers × 400G down = 2 spines × 1 × 400G up
    expect(link(t, 'su0.leaf3->spine1').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(hasReductionSwitch(t)).toBe(false); // each NVSwitch reaches only its own 8 GPUs
    expect(hasReductionSwitch(t, [8, 9, 10, 11, 12, 13, 14, 15])).toBe(true);
  });

  it('33 servers make two SUs (32 + 1): 16 leaves, 4 spines', () => {
    const t = parseTopologySpec('dgx-h100:nodes=33');
    expect(countKinds(t)).toMatchObject({ gpu: 264, leaf: 16, spine: 4 });
    expect(link(t, 'node32.nic0->su1.leaf0')).toBeDefined();
    // su1 holds one server, yet its leaves reach all 4 spines: one full-rate port each (a fat
    // tree joins every leaf to every spine; ports are whole, never a quarter-rate link)
    expect(link(t, 'su1.leaf0->spine0').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(link(t, 'su1.leaf0->spine3').bandwidthBytesPerSec).toBeCloseTo(PORT_400G * ROCE_EFFICIENCY, 0);
    expect(link(t, 'su0.leaf0->spine0').bandwidthBytesPerSec).toBeCloseTo((32 * PORT_400G * ROCE_EFFICIENCY) / 4, 0);
  });

  it('512 servers (4096 GPUs) fill 32 spines exactly', () => {
    const t = parseTopologySpec('dgx-h100:nodes=512');
    expect(countKinds(t)).toEqual({ gpu: 4096, nvswitch: 512, nic: 4096, leaf: 128, spine: 32 });
    expect(t.ranks).toHaveLength(4096);
  });

  it('overrides: nicBw=800Gbps, spines=3, gpusPerNode=4', () => {
    const t = parseTopologySpec('dgx-h100:nodes=4,nicBw=800Gbps,spines=3,gpusPerNode=4');
    expect(countKinds(t)).toEqual({ gpu: 16, nvswitch: 4, nic: 16, leaf: 4, spine: 3 });
    expect(link(t, 'node0.nic0->su0.leaf0').bandwidthBytesPerSec).toBeCloseTo(100e9 * ROCE_EFFICIENCY, 0);
    expect(t.sources?.some((s) => s.startsWith('nicBw = 800Gbps: set by the spec (default 400Gbps'))).toBe(true);
  });
});

describe('nvl72', () => {
  it('72 GPUs on one reduction-capable NVLink switch at NVLink5 × NCCL efficiency', () => {
    const t = parseTopologySpec('nvl72');
    expect(countKinds(t)).toEqual({ gpu: 72, nvswitch: 1 });
    expect(t.links).toHaveLength(144);
    expect(link(t, 'gpu71->nvswitch').bandwidthBytesPerSec).toBeCloseTo(NVLINK5, 0);
    expect(link(t, 'nvswitch->gpu0').latencyNs).toBe(300);
    expect(hasReductionSwitch(t)).toBe(true);
    expect(rankGroups(t)).toHaveLength(1);
  });
  it('gpus and nvlinkBw are overridable', () => {
    const t = parseTopologySpec('nvl72:gpus=4,nvlinkBw=1TB/s,nvlinkEfficiency=1');
    expect(t.ranks).toHaveLength(4);
    expect(link(t, 'gpu0->nvswitch').bandwidthBytesPerSec).toBe(1e12);
  });
});
