/**
 * `dgx-h100:nodes=K` — K DGX H100 servers on a rail-optimized Spectrum-X leaf-spine fabric.
 *
 * Per server s (group `node<s>`):
 *   - 8 GPUs `node<s>.gpu<g>`, each with one aggregate NVLink4 link each way to the
 *     server's NVSwitch node `node<s>.nvswitch` (reduction-capable: NVLink SHARP / NVLS).
 *     NVLink stripes every transfer over all 18 links and the 4 NVSwitch chips, so one
 *     aggregate link per GPU is exact for bandwidth.
 *   - one ConnectX-7 `node<s>.nic<g>` per GPU, reached over PCIe Gen5 x16.
 * Fabric: servers are grouped in scalable units (SUs) of `serversPerSu` (32, DGX SuperPOD);
 * NIC g of every server in SU u connects to the rail-g leaf `su<u>.leaf<g>`. Every leaf
 * connects to every spine with uplink capacity = its downlink capacity (non-blocking).
 * Spines: `spines=0` (default) picks the smallest divisor of serversPerSu that gives the
 * spine layer enough ports, where a spine has switchCapacity / nicBw ports (SN5600: 128 at
 * 400 Gb/s). So 1 SU → 2 spines, 2 SUs → 4, … 16 SUs (512 servers, 4096 GPUs) → 32; beyond
 * that a two-tier fabric runs out of spine ports and the preset refuses (no super-spine).
 *
 * Latency: GPU→NVSwitch→GPU costs nvlinkLatency (half on each link); GPU↔NIC links carry
 * nicLatency (NIC processing + PCIe + proxy, each side); links entering a switch carry
 * switchLatency. A rail-local inter-server path: 2 × nicLatency + switchLatency.
 */
import { WeftInputError } from '@weft/sim';
import { TopologyBuilder } from '../topology/builder.js';
import { hardwareBandwidth, hardwareFactor, hardwareLatency } from './hardware.js';
import { presetSources } from './common.js';
import type { ParamTexts, ParamValues, PresetDef } from './params.js';

export const dgxH100Preset: PresetDef = {
  name: 'dgx-h100',
  description: 'DGX H100 servers (8 GPUs on NVSwitch, one 400G NIC per GPU) on a rail-optimized Spectrum-X leaf-spine',
  examples: ['dgx-h100:nodes=4', 'dgx-h100:nodes=4,nicBw=800Gbps', 'dgx-h100:nodes=64,spines=8'],
  params: {
    nodes: { kind: 'count', doc: 'number of DGX H100 servers' },
    gpusPerNode: { kind: 'count', defaultValue: hardwareFactor('dgxH100.gpusPerNode'), hardware: 'dgxH100.gpusPerNode', doc: 'GPUs (and NICs, rails) per server' },
    nvlinkBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('nvlink4.perGpuLineRate'), hardware: 'nvlink4.perGpuLineRate', doc: 'NVLink line rate per GPU per direction' },
    nvlinkEfficiency: { kind: 'factor', defaultValue: hardwareFactor('nvlink4.efficiency'), hardware: 'nvlink4.efficiency', doc: 'achievable fraction of the NVLink line rate' },
    nvlinkLatency: { kind: 'latency', defaultValue: hardwareLatency('nvlink.hopLatency'), hardware: 'nvlink.hopLatency', doc: 'GPU→NVSwitch→GPU latency' },
    pcieBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('pcie.gen5x16LineRate'), hardware: 'pcie.gen5x16LineRate', doc: 'GPU↔NIC PCIe line rate per direction' },
    pcieEfficiency: { kind: 'factor', defaultValue: hardwareFactor('pcie.efficiency'), hardware: 'pcie.efficiency', doc: 'achievable fraction of the PCIe line rate' },
    nicBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('ethernet.portLineRate'), hardware: 'ethernet.portLineRate', doc: 'NIC port line rate (also leaf and spine ports)' },
    ethEfficiency: { kind: 'factor', defaultValue: hardwareFactor('ethernet.roceEfficiency'), hardware: 'ethernet.roceEfficiency', doc: 'RoCEv2 payload fraction of the Ethernet line rate' },
    nicLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.nicLatency'), hardware: 'ethernet.nicLatency', doc: 'one NIC traversal, send or receive side' },
    switchLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.switchLatency'), hardware: 'ethernet.switchLatency', doc: 'leaf or spine port-to-port latency' },
    serversPerSu: { kind: 'count', defaultValue: hardwareFactor('superpod.serversPerSu'), hardware: 'superpod.serversPerSu', doc: 'servers per scalable unit (one leaf per rail per SU)' },
    switchCapacity: { kind: 'bandwidth', defaultValue: hardwareBandwidth('spectrum4.switchCapacity'), hardware: 'spectrum4.switchCapacity', doc: 'switch capacity, to size the spine layer' },
    spines: { kind: 'count', defaultValue: 0, min: 0, doc: 'number of spines (0 = smallest that fits, see docs)' },
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const nodes = values.nodes!;
    const gpusPerNode = values.gpusPerNode!;
    const serversPerSu = values.serversPerSu!;
    const nvlinkBandwidth = values.nvlinkBw! * values.nvlinkEfficiency!;
    const pcieBandwidth = values.pcieBw! * values.pcieEfficiency!;
    const nicBandwidth = values.nicBw! * values.ethEfficiency!;
    const nvlinkHalfNs = values.nvlinkLatency! / 2;
    const nicNs = values.nicLatency!;
    const switchNs = values.switchLatency!;
    // SUs fill in order: SU u holds servers [u*serversPerSu, …), the last one may be partial.
    const suSizes = Array.from({ length: Math.ceil(nodes / serversPerSu) }, () => 0);
    for (let s = 0; s < nodes; s++) suSizes[Math.floor(s / serversPerSu)]!++;
    const leafCount = suSizes.length * gpusPerNode;
    const spines = values.spines! > 0 ? values.spines! : autoSpines(leafCount, serversPerSu, Math.floor(values.switchCapacity! / values.nicBw!), nodes);

    const b = new TopologyBuilder();
    const ranks: string[] = [];
    for (let s = 0; s < nodes; s++) {
      const group = `node${s}`;
      for (let g = 0; g < gpusPerNode; g++) ranks.push(b.addNode(`node${s}.gpu${g}`, 'gpu', { group }));
      b.addNode(`node${s}.nvswitch`, 'nvswitch', { group, reduction: true });
      for (let g = 0; g < gpusPerNode; g++) b.addNode(`node${s}.nic${g}`, 'nic', { group });
    }
    suSizes.forEach((_, u) => {
      for (let g = 0; g < gpusPerNode; g++) b.addNode(`su${u}.leaf${g}`, 'leaf');
    });
    for (let k = 0; k < spines; k++) b.addNode(`spine${k}`, 'spine');

    for (let s = 0; s < nodes; s++) {
      const su = Math.floor(s / serversPerSu);
      for (let g = 0; g < gpusPerNode; g++) {
        const gpu = `node${s}.gpu${g}`;
        const nic = `node${s}.nic${g}`;
        b.addDuplex(gpu, `node${s}.nvswitch`, nvlinkBandwidth, nvlinkHalfNs);
        b.addDuplex(gpu, nic, pcieBandwidth, nicNs);
        b.addLink(nic, `su${su}.leaf${g}`, nicBandwidth, switchNs);
        b.addLink(`su${su}.leaf${g}`, nic, nicBandwidth, 0); // the NIC's own latency sits on nic→gpu
      }
    }
    suSizes.forEach((servers, u) => {
      const uplinkBandwidth = (servers * nicBandwidth) / spines; // non-blocking: uplinks = downlinks
      for (let g = 0; g < gpusPerNode; g++) {
        for (let k = 0; k < spines; k++) b.addDuplex(`su${u}.leaf${g}`, `spine${k}`, uplinkBandwidth, switchNs);
      }
    });
    const notes = [
      `structure: ${nodes} servers × ${gpusPerNode} GPUs in ${suSizes.length} SU(s) of up to ${serversPerSu}; ${leafCount} rail leaves (su<u>.leaf<rail>), ${spines} spines; NIC g → rail-g leaf of its SU; each leaf's uplink capacity equals its downlink capacity (1:1), split evenly over the spines`,
      'NVLink: one aggregate GPU↔NVSwitch link per GPU (NVLink stripes over all 18 links); NVSwitch marked reduction-capable (NVLink SHARP / NVLS)',
      'latency: GPU→NVSwitch→GPU = nvlinkLatency (half per link); GPU↔NIC links carry nicLatency; links entering a leaf or spine carry switchLatency; leaf→NIC carries 0 (the NIC is counted on nic→gpu)',
      'spines: smallest divisor of serversPerSu with spines × (switchCapacity / nicBw) ports ≥ leaves × serversPerSu uplinks, unless spines is set',
    ];
    return { ...b.build(spec, ranks, presetSources(dgxH100Preset, values, notes, texts)), deviceMemoryBandwidthBytesPerSec: hardwareBandwidth('h100.hbmBandwidth') };
  },
};

/**
 * Smallest spine count that (a) divides a leaf's uplink ports evenly (serversPerSu of them,
 * at the NIC rate) and (b) gives the spine layer enough ports for every leaf uplink.
 */
function autoSpines(leaves: number, serversPerSu: number, portsPerSpine: number, nodes: number): number {
  const needed = Math.ceil((leaves * serversPerSu) / portsPerSpine);
  for (let d = Math.max(1, needed); d <= serversPerSu; d++) {
    if (serversPerSu % d === 0) return d;
  }
  throw new WeftInputError(
    `dgx-h100: nodes=${nodes} needs ${leaves} leaves, more than a two-tier fabric of ${portsPerSpine}-port spines can join (at most ${portsPerSpine} leaves, i.e. ${Math.floor(portsPerSpine / (leaves / Math.ceil(nodes / serversPerSu))) * serversPerSu} servers); use fewer nodes or set spines=… explicitly`,
  );
}
