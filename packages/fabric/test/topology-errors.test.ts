import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { parsePresetArgs, parseTopologySpec } from '../src/presets/spec.js';
import { findPreset } from '../src/presets/registry.js';
import { parseTopologyText } from '../src/topology/file.js';
import { validateTopology } from '../src/topology/validate.js';
import type { Topology } from '../src/types.js';

/** Runs `fn`, expects a one-line WeftInputError, returns its message. */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeftInputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a WeftInputError, nothing was thrown');
}

describe('spec errors', () => {
  it.each([
    // [spec, text the message must contain]
    ['torus:4', 'unknown topology preset "torus"; accepted presets: switch, ring, fullmesh, leafspine, spectrumx-multisite, hgx-a100, dgx-h100, hgx-h200, hgx-b200, gb200-nvl4, nvl72'],
    ['dgx-h100:nodes=4,nicBandwidth=800Gbps', 'unknown parameter "nicBandwidth"; accepted keys: nodes, gpusPerNode, nvlinkBw'],
    ['dgx-h100', 'missing required parameter "nodes"'],
    ['dgx-h100:nodes=0', 'nodes: cannot use "0"; expected a positive integer'],
    ['dgx-h100:nodes=2.5', 'nodes: cannot use "2.5"'],
    ['dgx-h100:nodes=513,tiers=2', 'dgx-h100: 513 servers need 136 rail leaves, more than two tiers of 128-port switches can join non-blocking'],
    ['dgx-h100:nodes=2,fabric=ib-qdr', 'dgx-h100: fabric: cannot use "ib-qdr"; expected one of spectrumx, ib-hdr, ib-ndr, ib-xdr'],
    ['hgx-a100:nodes=2,switchCapacity=100Gbps', 'hgx-a100: switchCapacity gives 0 port(s) at the NIC rate; a fat tree needs switches of at least 2 ports'],
    ['nvl72:variant=gb100', 'nvl72: variant: cannot use "gb100"; expected one of gb200, gb300'],
    ['dgx-h100:nodes=2,tiers=4', 'dgx-h100: tiers=4 is not accepted; expected 0 (automatic), 2 or 3'],
    ['dgx-h100:nodes=4,nicBw=800', 'nicBw: cannot read "800"'],
    ['dgx-h100:nodes=4,nvlinkEfficiency=1.5', 'nvlinkEfficiency: cannot use "1.5"; expected a number in (0, 1]'],
    ['switch:8,linkLatency=5', 'linkLatency: cannot read "5"'],
    ['switch:8,reduction=yes', 'reduction: cannot use "yes"; expected true or false'],
    ['switch:8,n=4', 'parameter "n" given twice'],
    ['switch:8,,linkBw=1Gbps', 'empty parameter'],
    ['leafspine:16,leaves=4,spines=2', '"16" is not key=value'],
    ['leafspine:hosts=2,leaves=4,spines=1', 'leaves=4 is more than hosts=2'],
    ['leafspine:hosts=8,leaves=2,spines=2,oversubscription=0.5', 'oversubscription: cannot use "0.5"; expected a number >= 1'],
    ['ring:x', 'n: cannot use "x"'],
    // Keys are looked up among the preset's own keys: inherited object properties are unknown keys.
    ['switch:4,__proto__=1', 'switch: unknown parameter "__proto__"; accepted keys: n, linkBw'],
    ['switch:4,constructor=1', 'switch: unknown parameter "constructor"; accepted keys: n, linkBw'],
    ['ring:toString=2', 'ring: unknown parameter "toString"'],
    ['dgx-h100:nodes=9007199254740993', 'nodes: cannot use "9007199254740993"; expected a positive integer'],
    ['leafspine:hosts=8,leaves=2,spines=2,oversubscription=Infinity', 'oversubscription: cannot use "Infinity"; expected a number >= 1'],
  ])('%s', (spec, expected) => {
    expect(inputError(() => parseTopologySpec(spec))).toContain(expected);
  });
});

const goodFile = {
  nodes: [
    { id: 'g0', kind: 'gpu' },
    { id: 'g1', kind: 'gpu' },
    { id: 'sw', kind: 'switch' },
  ],
  links: [
    { from: 'g0', to: 'sw', bandwidth: '400Gbps', latency: '1us' },
    { from: 'g1', to: 'sw', bandwidth: 5e10, latency: 1000 },
  ],
};

function withChange(change: (file: any) => void): string {
  const file = structuredClone(goodFile) as any;
  change(file);
  return JSON.stringify(file);
}

/**
 * The value readers accept exactly what the zod schemas they replaced did (smpi.md §37): a count
 * is digits whose value is a safe integer (zod's `.int()`), factors and ratios `Number(text)`
 * (zod's coercion: hex and signs pass, empty is 0) but finite (zod's numbers are).
 */
describe('preset parameter values at the edges of what is accepted', () => {
  /** What a preset's other required parameters need to be for `key=text` alone to be judged. */
  const REQUIRED: Readonly<Record<string, string>> = { 'dgx-h100': 'nodes=2,', leafspine: 'hosts=4,leaves=2,spines=1,' };
  const value = (preset: string, key: string, text: string) => parsePresetArgs(findPreset(preset)!, `${REQUIRED[preset] ?? ''}${key}=${text}`).values[key];
  it.each([
    ['switch', 'n', '008', 8],
    ['switch', 'n', '9007199254740991', undefined], // a safe integer, then over MAX_PRESET_COUNT (below)
    ['dgx-h100', 'nvlinkEfficiency', '0x1', 1],
    ['dgx-h100', 'nvlinkEfficiency', ' 1e-1', 0.1],
    ['dgx-h100', 'nvlinkEfficiency', '+.5', 0.5],
    ['leafspine', 'oversubscription', '0x10', 16],
    ['leafspine', 'oversubscription', '1e3', 1000],
    ['dgx-h100', 'reduction', 'false', 0],
    ['spectrumx-multisite', 'km', '00', 0],
  ])('%s %s=%j reads as %j', (preset, key, text, expected) => {
    if (expected === undefined) {
      expect(inputError(() => value(preset, key, text))).toContain('is more than 65536');
      return;
    }
    expect(value(preset, key, text)).toBe(expected);
  });

  it.each([
    ['switch:9007199254740993', 'switch: n: cannot use "9007199254740993"; expected a positive integer'],
    ['switch:99999999999999999999', 'switch: n: cannot use "99999999999999999999"; expected a positive integer'],
    ['switch:0x8', 'switch: n: cannot use "0x8"; expected a positive integer'],
    ['switch:-8', 'switch: n: cannot use "-8"; expected a positive integer'],
    ['spectrumx-multisite:sites=1', 'spectrumx-multisite: sites: cannot use "1"; expected a positive integer >= 2'],
    // min 0: not "a positive integer >= 0" (0 is not positive)
    ['spectrumx-multisite:km=-1', 'spectrumx-multisite: km: cannot use "-1"; expected an integer >= 0'],
    ['dgx-h100:nodes=2,spines=x', 'dgx-h100: spines: cannot use "x"; expected an integer >= 0'],
    ['dgx-h100:nodes=2,nvlinkEfficiency=Infinity', 'dgx-h100: nvlinkEfficiency: cannot use "Infinity"; expected a number in (0, 1]'],
    ['dgx-h100:nodes=2,nvlinkEfficiency=1e400', 'dgx-h100: nvlinkEfficiency: cannot use "1e400"; expected a number in (0, 1]'],
    ['dgx-h100:nodes=2,nvlinkEfficiency=-0', 'dgx-h100: nvlinkEfficiency: cannot use "-0"; expected a number in (0, 1]'],
    ['dgx-h100:nodes=2,nvlinkEfficiency=', 'dgx-h100: nvlinkEfficiency: cannot use ""; expected a number in (0, 1]'],
    ['dgx-h100:nodes=2,nvlinkEfficiency=NaN', 'dgx-h100: nvlinkEfficiency: cannot use "NaN"; expected a number in (0, 1]'],
    ['leafspine:hosts=4,leaves=2,spines=1,oversubscription=Infinity', 'leafspine: oversubscription: cannot use "Infinity"; expected a number >= 1'],
    ['leafspine:hosts=4,leaves=2,spines=1,oversubscription=0.5', 'leafspine: oversubscription: cannot use "0.5"; expected a number >= 1'],
    ['dgx-h100:nodes=2,reduction=TRUE', 'dgx-h100: reduction: cannot use "TRUE"; expected true or false'],
    ['dgx-h100:nodes=2,nvlinkBw=1e30Gbps', 'dgx-h100: nvlinkBw: "1e30Gbps" is outside the physical range 1 B/s to 1 PB/s (8 bps to 8 Pbps)'],
  ])('%s: %s', (spec, message) => {
    expect(inputError(() => parseTopologySpec(spec))).toBe(message);
  });
});

describe('topology file errors', () => {
  it('the unchanged file is accepted', () => {
    expect(parseTopologyText(JSON.stringify(goodFile), 'ok.json').ranks).toEqual(['g0', 'g1']);
  });

  it.each([
    ['zero bandwidth', (f: any) => (f.links[1].bandwidth = 0), 'bad.json: links[1].bandwidth: must be > 0, got 0'],
    ['negative bandwidth', (f: any) => (f.links[1].bandwidth = -3), 'links[1].bandwidth: must be > 0, got -3'],
    ['bandwidth without unit', (f: any) => (f.links[0].bandwidth = '400'), 'links[0].bandwidth: cannot read "400"'],
    ['negative latency', (f: any) => (f.links[1].latency = -1), 'links[1].latency: must be >= 0, got -1'],
    ['unknown kind', (f: any) => (f.nodes[2].kind = 'router'), 'nodes[2].kind: unknown kind "router"; accepted: gpu, host, nic, nvswitch, switch, leaf, spine, core'],
    ['duplicate id', (f: any) => (f.nodes[1].id = 'g0'), 'nodes[1].id: duplicate node id "g0"'],
    ['unknown link node', (f: any) => (f.links[0].to = 'sw9'), 'links[0].to: unknown node "sw9"'],
    ['self link', (f: any) => (f.links[0].to = 'g0'), 'links[0]: link from "g0" to itself'],
    ['rank on a switch', (f: any) => (f.ranks = ['g0', 'sw']), 'ranks[1]: node "sw" is a switch; ranks must be endpoints (gpu, host)'],
    ['unknown rank', (f: any) => (f.ranks = ['g7']), 'ranks[0]: unknown node "g7"'],
    ['missing field', (f: any) => delete f.links[0].latency, 'links[0].latency: missing or not a latency; expected a number with ns, us, ms or s'],
    ['unknown key', (f: any) => (f.links[0].speed = 1), 'links[0]: Unrecognized key: "speed"; accepted link keys: from, to, bandwidth, latency, duplex'],
    ['wrong type', (f: any) => (f.nodes[0].reduction = 'yes'), 'bad.json: nodes[0].reduction: cannot use "yes" for node "g0"; expected true or false'],
    ['no nodes', (f: any) => (f.nodes = []), 'bad.json: nodes: cannot use []; expected a list of at least one node, each { id, kind }'],
    // zod's own text (`Invalid input: expected string, received undefined`) named neither the node nor what is accepted.
    ['missing kind', (f: any) => delete f.nodes[1].kind, 'bad.json: nodes[1].kind: missing for node "g1"; expected one of gpu, host, nic, nvswitch, switch, leaf, spine, core'],
    ['missing id', (f: any) => delete f.nodes[0].id, 'bad.json: nodes[0].id: missing; expected a non-empty name, e.g. gpu0'],
    ['kind not a name', (f: any) => (f.nodes[2].kind = 7), 'bad.json: nodes[2].kind: cannot use 7 for node "sw"; expected one of gpu, host'],
    ['compute capability in words', (f: any) => (f.computeCapability = 'nine'), 'bad.json: computeCapability: cannot use "nine"; expected a number from 7.0 to 12.9, e.g. 9.0 (H100)'],
    ['compute capability out of range', (f: any) => (f.computeCapability = 20), 'bad.json: computeCapability: cannot use 20; expected a number from 7.0 to 12.9'],
    ['duplex in words', (f: any) => (f.links[0].duplex = 'no'), 'bad.json: links[0].duplex: cannot use "no" for link "g0" → "sw"; expected true or false'],
    ['a rank that is not a name', (f: any) => (f.ranks = ['g0', 3]), 'bad.json: ranks[1]: cannot use 3; expected a gpu or host node id'],
    ['disconnected', (f: any) => f.links.pop(), 'topology is disconnected: rank 0 (g0) cannot reach rank 1 (g1)'],
    ['one-way link', (f: any) => (f.links[1].duplex = false), 'rank 0 (g0) cannot reach rank 1 (g1)'],
  ])('%s', (_label, change, expected) => {
    expect(inputError(() => parseTopologyText(withChange(change), 'bad.json'))).toContain(expected);
  });

  it('endpoints do not forward: g0 - g1 - g2 in a line is disconnected for g0 → g2', () => {
    const file = {
      nodes: [{ id: 'g0', kind: 'gpu' }, { id: 'g1', kind: 'gpu' }, { id: 'g2', kind: 'gpu' }],
      links: [
        { from: 'g0', to: 'g1', bandwidth: '1GB/s', latency: '1us' },
        { from: 'g1', to: 'g2', bandwidth: '1GB/s', latency: '1us' },
      ],
    };
    expect(inputError(() => parseTopologyText(JSON.stringify(file), 'line.json'))).toContain('rank 0 (g0) cannot reach rank 2 (g2)');
  });

  it('GPUs of one NVLink switch in different groups (a slip that made the layout flat, 8x slower) are refused, naming both', () => {
    const file = (group2: string) => `nodes:
  - { id: nvs, kind: nvswitch }
  - { id: g0, kind: gpu, group: s0 }
  - { id: g1, kind: gpu, group: s0 }
  - { id: g2, kind: gpu${group2} }
links:
  - { from: g0, to: nvs, bandwidth: 370GB/s, latency: 300ns }
  - { from: g1, to: nvs, bandwidth: 370GB/s, latency: 300ns }
  - { from: g2, to: nvs, bandwidth: 370GB/s, latency: 300ns }
`;
    expect(inputError(() => parseTopologyText(file(''), 'x.yaml'))).toBe('x.yaml: nodes: g2 (no group) and g0 (group "s0") link to the same NVLink switch nvs; the GPUs of one NVLink switch are one server: give them one group (topology x.yaml)');
    expect(inputError(() => parseTopologyText(file(', group: s1'), 'x.yaml'))).toBe('x.yaml: nodes: g2 (group "s1") and g0 (group "s0") link to the same NVLink switch nvs; the GPUs of one NVLink switch are one server: give them one group (topology x.yaml)');
    expect(() => parseTopologyText(file(', group: s0'), 'x.yaml')).not.toThrow();
  });

  it('malformed JSON / YAML and unknown extensions name the file', () => {
    expect(inputError(() => parseTopologyText('{"nodes": [', 'x.json'))).toMatch(/^x\.json: invalid JSON: /);
    expect(inputError(() => parseTopologyText('nodes: [1,\n b: }', 'x.yaml'))).toMatch(/^x\.yaml: invalid YAML: /);
    // Where, as a line and column (was: no position, or a first line cut to a bare colon).
    expect(inputError(() => parseTopologyText('name: x\nnodes: [1, 2\n', 'x.yaml'))).toBe('x.yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 3, column 1)');
    expect(inputError(() => parseTopologyText('a: b: c\n', 'x.yaml'))).toBe('x.yaml: invalid YAML: Nested mappings are not allowed in compact mappings (line 1, column 4)');
    expect(inputError(() => parseTopologyText('{}', 'x.txt'))).toBe('x.txt: unknown file type; accepted extensions: .json, .yaml, .yml');
  });
});

describe('validateTopology on hand-built objects', () => {
  const base: Topology = {
    name: 't',
    nodes: [
      { id: 'a', kind: 'gpu' },
      { id: 'b', kind: 'gpu' },
    ],
    links: [
      { id: 'a->b', from: 'a', to: 'b', bandwidthBytesPerSec: 1, latencyNs: 0 },
      { id: 'b->a', from: 'b', to: 'a', bandwidthBytesPerSec: 1, latencyNs: 0 },
    ],
    ranks: ['a', 'b'],
  };
  it('accepts a valid two-GPU cable', () => {
    expect(validateTopology(base)).toBe(base);
  });
  it.each([
    ['duplicate link id', { ...base, links: [base.links[0]!, { ...base.links[1]!, id: 'a->b' }] }, 'links[1].id: duplicate link id "a->b"'],
    ['NaN bandwidth', { ...base, links: [{ ...base.links[0]!, bandwidthBytesPerSec: NaN }, base.links[1]!] }, 'links[0].bandwidth: NaN B/s on link a->b is outside the physical range 1 B/s to 1 PB/s'],
    ['5e-324 bandwidth', { ...base, links: [{ ...base.links[0]!, bandwidthBytesPerSec: 5e-324 }, base.links[1]!] }, 'links[0].bandwidth: 5e-324 B/s on link a->b is outside the physical range 1 B/s to 1 PB/s (8 bps to 8 Pbps)'],
    ['1e308 latency', { ...base, links: [{ ...base.links[0]!, latencyNs: 1e308 }, base.links[1]!] }, 'links[0].latency: 1e+308 ns on link a->b is outside the physical range 0 to 1 s'],
    ['control character in an id', { ...base, nodes: [...base.nodes, { id: 'x\u001b[2Jy', kind: 'gpu' }] }, 'nodes[2].id: "x\\u001b[2Jy" contains a control character'],
    ['infinite latency', { ...base, links: [base.links[0]!, { ...base.links[1]!, latencyNs: Infinity }] }, 'links[1].latency: Infinity ns on link b->a is outside the physical range 0 to 1 s'],
    ['no ranks', { ...base, ranks: [] }, 'ranks: no ranks'],
    ['rank twice', { ...base, ranks: ['a', 'a'] }, 'ranks[1]: node "a" appears twice'],
  ])('%s', (_label, topology, expected) => {
    expect(inputError(() => validateTopology(topology as Topology))).toContain(expected);
  });
});

describe('a topology built in code', () => {
  it('a link to a node that does not exist: one line naming the node (was: a plain Error without it)', async () => {
    const { indexGraph } = await import('../src/topology/graph.js');
    const topology = {
      name: 'hand-built',
      nodes: [{ id: 'gpu0', kind: 'gpu' }, { id: 'gpu1', kind: 'gpu' }],
      links: [{ id: 'gpu0->x', from: 'gpu0', to: 'x', bandwidthBytesPerSec: 1e9, latencyNs: 100 }],
      ranks: ['gpu0', 'gpu1'],
    } as unknown as Topology;
    // Routers and the network index a topology's graph first (topology/graph.ts indexGraph).
    expect(inputError(() => indexGraph(topology))).toBe("link gpu0->x names an unknown node 'x'; the topology's nodes are its nodes[] ids (validateTopology checks a hand-built topology)");
  });
});
