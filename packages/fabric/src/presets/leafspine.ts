/**
 * `leafspine:hosts=H,leaves=L,spines=S[,oversubscription=R][,planes=P]` — a two-tier Clos fabric.
 * Hosts (one NIC port each) are spread over the leaves in contiguous blocks (sizes differ
 * by at most one); every leaf connects to every spine. A leaf's uplink capacity is its
 * downlink capacity divided by R, split evenly over its S spine links, so R = 1 is
 * non-blocking and R = 3 is the common 3:1 oversubscription.
 *
 * Planes (the Spectrum-X paper's multiplane fabric): with P > 1 each host's NIC bandwidth
 * is split into P ports of hostBw / P, each on its own plane — a separate leaf-spine of L
 * leaves and S spines (`plane1.leaf0` …; plane 0 keeps the plain names) with no link
 * between planes. A plane's ports are P times slower, so a switch of the same capacity has
 * P times the ports: the same hosts fit on fewer leaves (leaves=1 is a flat plane, one
 * switch). The NIC spreads its traffic over its planes as the run's routing does (ECMP
 * hashes each flow to one plane; adaptive routing and spraying pick per packet).
 *
 * Latency accounting (all presets): a link's latency is the forwarding latency of the
 * device it enters (switch port-to-port latency, or the receiving NIC), and links that
 * leave an endpoint also carry the sending NIC's latency. So host→leaf→host costs
 * 2 × nicLatency + switchLatency, and a path through a spine 2 × nicLatency + 3 × switchLatency.
 */
import { WeftInputError } from '@weft/sim';
import { TopologyBuilder } from '../topology/builder.js';
import { hardwareBandwidth, hardwareFactor, hardwareLatency } from './hardware.js';
import { blockSizes, presetSources } from './common.js';
import type { ParamDef, ParamTexts, ParamValues, PresetDef } from './params.js';

/** Host ports and switches of a Spectrum-X Ethernet Clos (leafspine, and each site of spectrumx-multisite). */
/** A NIC split into more ports than this is not a product. */
const MAX_PLANES = 8;

export const ETHERNET_CLOS_PARAMS: Readonly<Record<string, ParamDef>> = {
  hostBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('ethernet.portLineRate'), hardware: 'ethernet.portLineRate', doc: 'host port line rate' },
  efficiency: { kind: 'factor', defaultValue: hardwareFactor('ethernet.roceEfficiency'), hardware: 'ethernet.roceEfficiency', doc: 'payload fraction of the line rate (RoCEv2 framing)' },
  switchLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.switchLatency'), hardware: 'ethernet.switchLatency', doc: 'port-to-port latency of one switch' },
  nicLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.nicLatency'), hardware: 'ethernet.nicLatency', doc: 'latency added by one NIC traversal (send or receive side)' },
};

export const leafSpinePreset: PresetDef = {
  name: 'leafspine',
  description: 'two-tier Clos: hosts spread evenly over leaves, every leaf to every spine, optional oversubscription',
  examples: ['leafspine:hosts=16,leaves=4,spines=2', 'leafspine:hosts=64,leaves=8,spines=4,oversubscription=3'],
  params: {
    hosts: { kind: 'count', doc: 'number of hosts (one rank and one NIC port each)' },
    leaves: { kind: 'count', doc: 'number of leaf switches' },
    spines: { kind: 'count', doc: 'number of spine switches' },
    oversubscription: { kind: 'ratio', defaultValue: 1, doc: 'leaf downlink capacity / uplink capacity (1 = non-blocking)' },
    planes: { kind: 'count', defaultValue: 1, max: { value: MAX_PLANES, why: 'a NIC splits into at most 8 ports' }, doc: 'independent planes, each a leaf-spine of leaves and spines; every host has hostBw / planes on each' },
    ...ETHERNET_CLOS_PARAMS,
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const hosts = values.hosts!;
    const leaves = values.leaves!;
    const spines = values.spines!;
    if (leaves > hosts) {
      throw new WeftInputError(`leafspine: leaves=${leaves} is more than hosts=${hosts}; every leaf needs at least one host`);
    }
    const planes = values.planes!;
    const shape = {
      hosts,
      leaves,
      spines,
      oversubscription: values.oversubscription!,
      hostBandwidth: (values.hostBw! * values.efficiency!) / planes,
      switchNs: values.switchLatency!,
      nicNs: values.nicLatency!,
    };
    const fabric = addLeafSpine(new TopologyBuilder(), '', shape);
    for (let p = 1; p < planes; p++) addLeafSpine(fabric.builder, `plane${p}.`, shape, fabric.hosts);
    const notes = [
      ...(planes > 1 ? [`planes: ${planes} independent leaf-spines (plane 0 unprefixed, then plane1. …), every host on each with hostBw × efficiency / ${planes}`] : []),
      `structure: ${hosts} hosts on ${leaves} leaves (contiguous blocks), each leaf linked to all ${spines} spines; leaf→spine link bandwidth = hosts on the leaf × hostBw × efficiency / (oversubscription × spines)`,
      'latency: each link carries the forwarding latency of the device it enters; links leaving a host also carry the sending NIC latency',
    ];
    return fabric.builder.build(spec, fabric.hosts, presetSources(leafSpinePreset, values, notes, texts));
  },
};

export interface LeafSpineShape {
  readonly hosts: number;
  readonly leaves: number;
  readonly spines: number;
  readonly oversubscription: number;
  /** Payload bandwidth of a host port, bytes/s. */
  readonly hostBandwidth: number;
  readonly switchNs: number;
  readonly nicNs: number;
}

/**
 * Adds one two-tier Clos to `b`, its node ids prefixed by `prefix` (`host0`, `leaf0`,
 * `spine0` …); returns the builder, the host ids in rank order and the spine ids.
 */
export function addLeafSpine(
  b: TopologyBuilder,
  prefix: string,
  shape: LeafSpineShape,
  /** Hosts already built (another plane's): their ports join this Clos too. */
  existingHosts?: readonly string[],
): { builder: TopologyBuilder; hosts: string[]; spines: string[] } {
  const { hosts, leaves, spines, hostBandwidth, switchNs, nicNs } = shape;
  const ranks = existingHosts ? [...existingHosts] : Array.from({ length: hosts }, (_, h) => b.addNode(`${prefix}host${h}`, 'host'));
  for (let l = 0; l < leaves; l++) b.addNode(`${prefix}leaf${l}`, 'leaf');
  const spineIds = Array.from({ length: spines }, (_, s) => b.addNode(`${prefix}spine${s}`, 'spine'));
  let next = 0;
  blockSizes(hosts, leaves).forEach((count, l) => {
    for (let k = 0; k < count; k++, next++) {
      b.addLink(ranks[next]!, `${prefix}leaf${l}`, hostBandwidth, nicNs + switchNs);
      b.addLink(`${prefix}leaf${l}`, ranks[next]!, hostBandwidth, nicNs);
    }
    const uplinkBandwidth = (count * hostBandwidth) / (shape.oversubscription * spines);
    for (let s = 0; s < spines; s++) b.addDuplex(`${prefix}leaf${l}`, spineIds[s]!, uplinkBandwidth, switchNs);
  });
  return { builder: b, hosts: ranks, spines: spineIds };
}
