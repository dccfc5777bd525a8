/**
 * Small teaching topologies: `switch:N`, `ring:N`, `fullmesh:N`, each with optional
 * `linkBw=…,efficiency=…,nicLatency=…,switchLatency=…` or a uniform `linkLatency=…`.
 *
 * Every cable is modelled as one Ethernet port per end (defaults: a 400 Gb/s ConnectX-7
 * port with RoCEv2 framing efficiency), so bandwidth = linkBw × efficiency. Latency follows
 * the rule used by every preset: a link carries the latency of the device it enters (a
 * switch hop, or the receiving NIC), and links leaving a GPU also carry the sending NIC.
 * `linkLatency=X` replaces that rule: every link (ring: every ring link) then costs X.
 */

import { TopologyBuilder } from '../topology/builder.js';
import { hardwareBandwidth, hardwareFactor, hardwareLatency } from './hardware.js';
import { presetSources } from './common.js';
import type { ParamDef, ParamTexts, ParamValues, PresetDef } from './params.js';

const ETHERNET_PARAMS: Readonly<Record<string, ParamDef>> = {
  linkBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('ethernet.portLineRate'), hardware: 'ethernet.portLineRate', doc: 'line rate of every link' },
  efficiency: { kind: 'factor', defaultValue: hardwareFactor('ethernet.roceEfficiency'), hardware: 'ethernet.roceEfficiency', doc: 'payload fraction of the line rate' },
  nicLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.nicLatency'), hardware: 'ethernet.nicLatency', doc: 'one NIC traversal (send or receive side)' },
  linkLatency: { kind: 'latency', optional: true, doc: 'if set, the latency of every link, replacing the NIC/switch rule' },
};

const SWITCH_LATENCY: ParamDef = {
  kind: 'latency',
  defaultValue: hardwareLatency('ethernet.switchLatency'),
  hardware: 'ethernet.switchLatency',
  doc: 'port-to-port latency of one switch hop',
};

const LATENCY_NOTE = 'latency: each link carries the forwarding latency of the device it enters; links leaving a GPU also carry the sending NIC latency (unless linkLatency is set)';

export const switchPreset: PresetDef = {
  name: 'switch',
  description: 'N GPUs on one non-blocking switch',
  examples: ['switch:8', 'switch:8,linkBw=400Gbps,linkLatency=1us', 'switch:8,reduction=true'],
  positional: 'n',
  params: {
    n: { kind: 'count', doc: 'number of GPUs' },
    ...ETHERNET_PARAMS,
    switchLatency: SWITCH_LATENCY,
    reduction: { kind: 'boolean', defaultValue: 0, doc: 'the switch can reduce in the network (SHARP-like)' },
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const n = values.n!;
    const bandwidth = values.linkBw! * values.efficiency!;
    const uniform = values.linkLatency;
    const b = new TopologyBuilder();
    const ranks = gpus(b, n);
    b.addNode('switch0', 'switch', { reduction: values.reduction === 1 });
    for (const gpu of ranks) {
      b.addLink(gpu, 'switch0', bandwidth, uniform ?? values.nicLatency! + values.switchLatency!);
      b.addLink('switch0', gpu, bandwidth, uniform ?? values.nicLatency!);
    }
    const notes = [`structure: ${n} GPUs, each with one link to switch0 (non-blocking)`, LATENCY_NOTE];
    return b.build(spec, ranks, presetSources(switchPreset, values, notes, texts));
  },
};

export const ringPreset: PresetDef = {
  name: 'ring',
  description: 'N GPUs in a bidirectional ring; each GPU has an on-chip router that forwards ring traffic',
  examples: ['ring:8', 'ring:8,linkBw=400Gbps,linkLatency=1us'],
  positional: 'n',
  params: {
    n: { kind: 'count', doc: 'number of GPUs' },
    ...ETHERNET_PARAMS,
    switchLatency: { ...SWITCH_LATENCY, doc: 'latency of one router hop' },
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    // gpu/host nodes never forward, so ring traffic between non-neighbours passes through
    // a router per GPU (as in a torus, where the router sits in the chip). The GPU↔router
    // injection link carries both ring directions, hence twice the ring-link bandwidth.
    const n = values.n!;
    const bandwidth = values.linkBw! * values.efficiency!;
    const ringPorts = n >= 3 ? 2 : 1;
    const uniform = values.linkLatency;
    const b = new TopologyBuilder();
    const ranks = gpus(b, n);
    for (let i = 0; i < n; i++) b.addNode(`router${i}`, 'switch');
    for (let i = 0; i < n; i++) {
      b.addLink(`gpu${i}`, `router${i}`, ringPorts * bandwidth, uniform === undefined ? values.nicLatency! + values.switchLatency! : 0);
      b.addLink(`router${i}`, `gpu${i}`, ringPorts * bandwidth, uniform === undefined ? values.nicLatency! : 0);
    }
    const cables = n >= 3 ? n : n - 1; // a 2-ring is one cable; a 1-ring has none
    for (let i = 0; i < cables; i++) b.addDuplex(`router${i}`, `router${(i + 1) % n}`, bandwidth, uniform ?? values.switchLatency!);
    const notes = [
      `structure: ${n} GPUs, each attached to its own router (router i); routers form a bidirectional ring; GPU↔router links have ${ringPorts}× the ring-link bandwidth`,
      `${LATENCY_NOTE}; with linkLatency set, ring links cost linkLatency and GPU↔router links 0`,
    ];
    return b.build(spec, ranks, presetSources(ringPreset, values, notes, texts));
  },
};

export const fullMeshPreset: PresetDef = {
  name: 'fullmesh',
  description: 'N GPUs with a direct link between every pair',
  examples: ['fullmesh:4', 'fullmesh:4,linkBw=100GB/s,linkLatency=500ns'],
  positional: 'n',
  params: {
    n: { kind: 'count', doc: 'number of GPUs', max: { value: 1024, why: 'a full mesh has n×(n-1) directed links' } },
    ...ETHERNET_PARAMS,
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const n = values.n!;
    const bandwidth = values.linkBw! * values.efficiency!;
    const latency = values.linkLatency ?? 2 * values.nicLatency!; // send NIC + receive NIC
    const b = new TopologyBuilder();
    const ranks = gpus(b, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) b.addDuplex(`gpu${i}`, `gpu${j}`, bandwidth, latency);
    const notes = [`structure: ${n} GPUs, one duplex link per pair (${(n * (n - 1)) / 2} cables)`, 'latency: each direct link costs the sending plus the receiving NIC latency (unless linkLatency is set)'];
    return b.build(spec, ranks, presetSources(fullMeshPreset, values, notes, texts));
  },
};

function gpus(b: TopologyBuilder, n: number): string[] {
  return Array.from({ length: n }, (_, i) => b.addNode(`gpu${i}`, 'gpu'));
}
