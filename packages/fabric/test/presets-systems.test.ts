/**
 * The system presets (hgx-a100, dgx-h100, hgx-h200, hgx-b200, gb200-nvl4, nvl72 variants and
 * racks) and the rail fat tree under them: per-GPU bandwidths equal the cited products,
 * reduction flags follow the hardware, leaves use whole ports, and the three-tier tree is
 * non-blocking. Expected values are restated from the cited inputs so a change in
 * hardware.json shows up here.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { summarizeTopology } from '../src/topology/summary.js';
import type { Topology } from '../src/types.js';

const GB = 1e9;
const NVLINK3 = 300 * GB * (20.0 / 25); // A100: 12 × 25 GB/s × NCCL SM80_NVLINK_BW 20.0 / 25 = 240 GB/s
const NVLINK4 = 450 * GB * 0.824; // H100/H200: 18 × 25 GB/s × SM90 20.6 / 25 = 370.8 GB/s
const NVLINK5 = 900 * GB * 0.802; // Blackwell: 18 × 50 GB/s × SM100 40.1 / 50 = 721.8 GB/s
const PCIE4 = 32 * GB * 0.75; // Gen4 x16, NCCL topo.cc 16 × 120 / 80 = 24 GB/s
const PCIE5 = 64 * GB * 0.75; // Gen5 x16: 48 GB/s
const PCIE6 = 128 * GB * 0.75; // Gen6 x16: 96 GB/s
const ROCE = 0.98037; // RoCEv2 at 4 KiB MTU
const IB = 0.99369; // InfiniBand at 4 KiB MTU: 4096 / (4096 + 26)
const port = (gbps: number, efficiency: number) => (gbps / 8) * GB * efficiency;

function perGpu(t: Topology) {
  const p = summarizeTopology(t).perGpu!;
  const one = (r: { minBytesPerSec: number; maxBytesPerSec: number } | undefined) => {
    expect(r!.minBytesPerSec).toBe(r!.maxBytesPerSec); // every GPU alike
    return r!.minBytesPerSec;
  };
  return { nvlink: one(p.scaleUp), pcie: p.pcie && one(p.pcie), nic: p.nicPort && one(p.nicPort) };
}

function kinds(t: Topology): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of t.nodes) out[n.kind] = (out[n.kind] ?? 0) + 1;
  return out;
}

function linkBw(t: Topology, id: string): number {
  const link = t.links.find((l) => l.id === id);
  if (!link) throw new Error(`no link ${id}`);
  return link.bandwidthBytesPerSec;
}

describe('per-GPU NVLink, PCIe and NIC bandwidth = the cited products', () => {
  it.each([
    ['hgx-a100:nodes=2', NVLINK3, PCIE4, port(200, IB)],
    ['dgx-h100:nodes=2', NVLINK4, PCIE5, port(400, ROCE)],
    ['dgx-h100:nodes=2,fabric=ib-ndr', NVLINK4, PCIE5, port(400, IB)],
    ['hgx-h200:nodes=2', NVLINK4, PCIE5, port(400, ROCE)],
    ['hgx-b200:nodes=2', NVLINK5, PCIE5, port(400, ROCE)],
    ['hgx-b200:nodes=2,nicBw=800Gbps,pcieBw=128GB/s,fabric=ib-xdr', NVLINK5, PCIE6, port(800, IB)],
    ['gb200-nvl4', NVLINK5, PCIE5, port(400, ROCE)],
    ['nvl72:variant=gb200,racks=2', NVLINK5, PCIE5, port(400, IB)],
    ['nvl72:racks=2', NVLINK5, PCIE6, port(800, IB)],
  ])('%s', (spec, nvlink, pcie, nic) => {
    const got = perGpu(parseTopologySpec(spec));
    expect(got.nvlink).toBeCloseTo(nvlink, -3);
    expect(got.pcie).toBeCloseTo(pcie, -3);
    expect(got.nic).toBeCloseTo(nic, -3);
  });

  it('one NVL72 rack (racks=1, either variant) has NVLink only: 72 × 721.8 GB/s, no NICs', () => {
    for (const spec of ['nvl72', 'nvl72:variant=gb200']) {
      const t = parseTopologySpec(spec);
      expect(kinds(t)).toEqual({ gpu: 72, nvswitch: 1 });
      const got = summarizeTopology(t).perGpu!;
      expect(got.scaleUp!.minBytesPerSec).toBeCloseTo(NVLINK5, -3);
      expect(got.pcie).toBeUndefined();
    }
  });
});

describe('in-network reduction flags', () => {
  const reducing = (t: Topology, kind: string) => t.nodes.filter((n) => n.kind === kind && n.reduction).length;
  it('A100 NVSwitch (gen 2) does not reduce; H100/H200/B200/NVL72 NVLink switches do; reduction=… overrides', () => {
    expect(reducing(parseTopologySpec('hgx-a100:nodes=1'), 'nvswitch')).toBe(0);
    expect(reducing(parseTopologySpec('hgx-a100:nodes=1,reduction=true'), 'nvswitch')).toBe(1);
    for (const spec of ['dgx-h100:nodes=1', 'hgx-h200:nodes=1', 'hgx-b200:nodes=1', 'nvl72']) expect(reducing(parseTopologySpec(spec), 'nvswitch'), spec).toBe(1);
    expect(reducing(parseTopologySpec('dgx-h100:nodes=1,reduction=false'), 'nvswitch')).toBe(0);
    expect(reducing(parseTopologySpec('gb200-nvl4'), 'nvswitch')).toBe(0);
  });
  it('InfiniBand leaves and spines reduce (SHARP); Spectrum-X ones do not unless switchReduction=true', () => {
    const ib = parseTopologySpec('dgx-h100:nodes=2,fabric=ib-ndr');
    expect(reducing(ib, 'leaf')).toBe(8);
    expect(reducing(ib, 'spine')).toBe(kinds(ib).spine);
    expect(reducing(parseTopologySpec('dgx-h100:nodes=2'), 'leaf')).toBe(0);
    expect(reducing(parseTopologySpec('dgx-h100:nodes=2,switchReduction=true'), 'leaf')).toBe(8);
  });
});

describe('rail fat tree: whole ports (regression: 72 GPUs per server spread each leaf over 32 spines at ~3 GB/s)', () => {
  it('dgx-h100:nodes=2,gpusPerNode=72: 72 leaves, 32 spines, every leaf with one full 400G port to every spine', () => {
    const t = parseTopologySpec('dgx-h100:nodes=2,gpusPerNode=72');
    expect(kinds(t)).toMatchObject({ leaf: 72, spine: 32 });
    const uplinks = t.links.filter((l) => l.from.startsWith('su0.leaf') && l.to.startsWith('spine'));
    expect(uplinks).toHaveLength(72 * 32);
    for (const l of uplinks) expect(l.bandwidthBytesPerSec).toBeCloseTo(port(400, ROCE), -3);
  });

  it('hgx-a100 SU of 20 servers on 40-port HDR switches: 20 down, 20 up per leaf', () => {
    const t = parseTopologySpec('hgx-a100:nodes=20');
    expect(kinds(t)).toMatchObject({ leaf: 8, spine: 4 }); // 8 leaves × 20 uplinks / 40 ports
    expect(linkBw(t, 'su0.leaf0->spine3')).toBeCloseTo(5 * port(200, IB), -3);
  });
});

describe('three-tier fat tree (pods of leaf-spine joined by super-spines)', () => {
  it('dgx-h100 goes past 4096 GPUs by default: nodes=513 → 3 pods of ≤ 64 leaves, 32 spines each, 32 planes of 2 super-spines', () => {
    const t = parseTopologySpec('dgx-h100:nodes=513');
    expect(kinds(t)).toMatchObject({ gpu: 4104, leaf: 136, spine: 96, core: 64 });
    // a full pod spine: 64 leaves × 1 port down, 64 up, over 2 super-spines → 32 ports each
    expect(linkBw(t, 'pod0.spine5->plane5.core1')).toBeCloseTo(32 * port(400, ROCE), -3);
    expect(t.links.some((l) => l.from === 'pod0.spine5' && l.to === 'plane4.core0')).toBe(false); // spine k only on plane k
  });

  it('is non-blocking: bisection = half the GPUs × their 48 GB/s PCIe path (4 pods, small switches)', () => {
    // 8 servers, 2 per SU, 16-port switches: pods of 8 leaves (one SU each) → 4 pods
    const t = parseTopologySpec('dgx-h100:nodes=8,serversPerSu=2,switchCapacity=6.4Tbps,tiers=3');
    expect(kinds(t)).toMatchObject({ leaf: 32, spine: 8, core: 4 });
    const summary = summarizeTopology(t);
    expect(summary.bisection.bandwidthBytesPerSec).toBeCloseTo(32 * PCIE5, -3);
    expect(summary.bisection.reverseBandwidthBytesPerSec).toBeCloseTo(32 * PCIE5, -3);
    expect(summary.diameterHops).toBe(8); // gpu nic leaf spine core spine leaf nic gpu
  });

  it('is non-blocking with default parameters at 4104 GPUs (3 pods)', () => {
    const summary = summarizeTopology(parseTopologySpec('dgx-h100:nodes=513'));
    // ranks 0..2051 vs 2052..4103: 2052 PCIe paths, plus server 256 split 4|4 over NVLink
    expect(summary.bisection.bandwidthBytesPerSec).toBeCloseTo(2052 * PCIE5 + 4 * NVLINK4, -3);
  });
});
