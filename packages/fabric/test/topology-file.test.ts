import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { parseTopologyText, topologyToJson, topologyToYaml } from '../src/topology/file.js';
import { rankNicShares, rankRailLeaves, rankRails } from '../src/topology/rails.js';

describe('topology files', () => {
  it('reads YAML with unit strings, numbers, duplex default and explicit one-way links', () => {
    const yaml = [
      'name: tiny',
      'nodes:',
      '  - { id: g0, kind: gpu, group: box }',
      '  - { id: g1, kind: gpu, group: box }',
      '  - { id: h0, kind: host }',
      '  - { id: sw, kind: switch, reduction: true }',
      'links:',
      '  - { from: g0, to: sw, bandwidth: 400Gbps, latency: 1us }',
      '  - { from: g1, to: sw, bandwidth: 50GB/s, latency: 250ns }',
      '  - { from: h0, to: sw, bandwidth: 1e9, latency: 100, duplex: false }',
      '  - { from: sw, to: h0, bandwidth: 2e9, latency: 200, duplex: false }',
      'sources: ["made up for a test"]',
    ].join('\n');
    const t = parseTopologyText(yaml, 'tiny.yaml');
    expect(t.name).toBe('tiny');
    expect(t.ranks).toEqual(['g0', 'g1', 'h0']); // default: gpu/host nodes in file order
    expect(t.links.map((l) => [l.id, l.bandwidthBytesPerSec, l.latencyNs])).toEqual([
      ['g0->sw', 50e9, 1000],
      ['sw->g0', 50e9, 1000],
      ['g1->sw', 50e9, 250],
      ['sw->g1', 50e9, 250],
      ['h0->sw', 1e9, 100],
      ['sw->h0', 2e9, 200],
    ]);
    expect(t.nodes[3]).toEqual({ id: 'sw', kind: 'switch', reduction: true });
    expect(t.sources).toEqual(['made up for a test']);
  });

  it('name defaults to the file name; explicit ranks set the order', () => {
    const json = JSON.stringify({
      nodes: [{ id: 'a', kind: 'host' }, { id: 'b', kind: 'host' }],
      links: [{ from: 'a', to: 'b', bandwidth: '1Gbps', latency: '1ms' }],
      ranks: ['b', 'a'],
    });
    const t = parseTopologyText(json, 'dir/pair.json');
    expect(t.name).toBe('dir/pair.json');
    expect(t.ranks).toEqual(['b', 'a']);
  });

  it.each(['dgx-h100:nodes=2', 'leafspine:hosts=6,leaves=3,spines=2,oversubscription=3', 'ring:5', 'nvl72:gpus=8'])(
    'round-trips %s through JSON and YAML unchanged',
    (spec) => {
      const original = parseTopologySpec(spec);
      const viaJson = parseTopologyText(topologyToJson(original), 'x.json');
      const viaYaml = parseTopologyText(topologyToYaml(original), 'x.yaml');
      expect(viaJson).toEqual(original);
      expect(viaYaml).toEqual(original);
    },
  );

  it('writes duplex pairs once', () => {
    const file = JSON.parse(topologyToJson(parseTopologySpec('switch:2,linkLatency=1us')));
    expect(file.links).toEqual([
      { from: 'gpu0', to: 'switch0', bandwidth: 50e9 * 0.98037, latency: 1000, duplex: true },
      { from: 'gpu1', to: 'switch0', bandwidth: 50e9 * 0.98037, latency: 1000, duplex: true },
    ]);
  });
});

describe("an NVSwitch's reduction in a file", () => {
  const file = (computeCapability: string, efficiency = '') => `computeCapability: ${computeCapability}
nodes:
  - { id: nvs, kind: nvswitch, group: s0, reduction: true${efficiency} }
  - { id: g0, kind: gpu, group: s0 }
  - { id: g1, kind: gpu, group: s0 }
links:
  - { from: g0, to: nvs, bandwidth: 370.8GB/s, latency: 300ns }
  - { from: g1, to: nvs, bandwidth: 370.8GB/s, latency: 300ns }
`;
  const efficiencyOf = (text: string) => parseTopologyText(text, 'x.yaml').nodes.find((n) => n.id === 'nvs')!.reductionEfficiency;

  it("takes NCCL's NVLS efficiency for the file's GPU generation, as the presets do (was 1: 545 GB/s where the preset gives 464)", () => {
    expect(efficiencyOf(file('9.0'))).toBe(0.85);
    expect(efficiencyOf(file('10.0'))).toBe(0.74);
    expect(efficiencyOf(file('9.0'))).toBe(parseTopologySpec('dgx-h100:nodes=1').nodes.find((n) => n.kind === 'nvswitch')!.reductionEfficiency);
  });

  it('keeps what the file says, and none before Hopper (NVLS needs it) or without a generation', () => {
    expect(efficiencyOf(file('9.0', ', reductionEfficiency: 0.5'))).toBe(0.5);
    expect(efficiencyOf(file('8.0'))).toBeUndefined();
    expect(efficiencyOf(file('9.0').replace(/^computeCapability.*\n/, ''))).toBeUndefined();
  });
});

describe('rails in files: shared NICs and PCIe switches', () => {
  /** Two servers of four GPUs, two NICs each (GPUs 0,1 on NIC 0; 2,3 on NIC 1), directly or through a PCIe switch per NIC. */
  const file = (pcie: boolean) => {
    const lines = ['nodes:', '  - { id: leaf0, kind: leaf }', '  - { id: leaf1, kind: leaf }', '  - { id: spine, kind: spine }'];
    const links = ['links:', '  - { from: leaf0, to: spine, bandwidth: 800Gbps, latency: 300ns }', '  - { from: leaf1, to: spine, bandwidth: 800Gbps, latency: 300ns }'];
    for (let s = 0; s < 2; s++) {
      for (let n = 0; n < 2; n++) {
        lines.push(`  - { id: s${s}.nic${n}, kind: nic, group: s${s} }`);
        links.push(`  - { from: s${s}.nic${n}, to: leaf${n}, bandwidth: 400Gbps, latency: 300ns }`);
        if (pcie) {
          lines.push(`  - { id: s${s}.pcie${n}, kind: switch, group: s${s} }`);
          links.push(`  - { from: s${s}.pcie${n}, to: s${s}.nic${n}, bandwidth: 64GB/s, latency: 500ns }`);
        }
      }
      for (let g = 0; g < 4; g++) {
        lines.push(`  - { id: s${s}.gpu${g}, kind: gpu, group: s${s} }`);
        links.push(`  - { from: s${s}.gpu${g}, to: ${pcie ? `s${s}.pcie${g >> 1}` : `s${s}.nic${g >> 1}`}, bandwidth: 48GB/s, latency: 1us }`);
      }
    }
    return [...lines, ...links].join('\n');
  };

  it.each([false, true])('pcie %s: each GPU a rail of its own, both rails of a NIC on its leaf; each GPU half its NIC port', (pcie) => {
    const topology = parseTopologyText(file(pcie), 'x.yaml');
    expect(rankRails(topology)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    const leaves = rankRailLeaves(topology)!;
    expect(leaves[0]).toBe(leaves[1]);
    expect(leaves[2]).toBe(leaves[3]);
    expect(leaves[0]).not.toBe(leaves[2]);
    expect(leaves.slice(4)).toEqual(leaves.slice(0, 4));
    expect(rankNicShares(topology)).toEqual(Array(8).fill(25e9));
  });
});
