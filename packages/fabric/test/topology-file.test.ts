import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { parseTopologyText, topologyToJson, topologyToYaml } from '../src/topology/file.js';

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
