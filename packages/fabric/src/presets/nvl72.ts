/**
 * `nvl72[:variant=gb200|gb300][,racks=R]` — GB200 or GB300 NVL72 racks. One rack is one
 * NVLink domain: 72 Blackwell (Ultra) GPUs, each with 18 NVLink5 links to the NVLink
 * switch trays, modelled as one aggregate, reduction-capable `nvswitch` node with one link
 * each way per GPU (NVLink stripes over all 18 links, so the aggregate is exact for
 * bandwidth). With racks=1 there are no scale-out NICs (ids gpu<i>, nvswitch).
 *
 * With racks=R ≥ 2 (multi-node NVLink inside each rack, ids rack<r>.gpu<i>): every GPU also
 * has its own scale-out NIC — ConnectX-7 400G on PCIe Gen5 for GB200, ConnectX-8 800G on
 * PCIe Gen6 for GB300 — on rail i of a rail-optimized fat tree (rail-fabric.ts) in SUs of 8
 * racks; the fabric defaults to InfiniBand NDR for GB200 and XDR (Quantum-X800) for GB300.
 */
import { TopologyBuilder } from '../topology/builder.js';
import { addFabric, checkFabricFits, fabricParams, nvlsEfficiencyParam } from './cluster.js';
import { presetSources } from './common.js';
import { hardwareBandwidth, hardwareFactor, hardwareLatency, type HardwareKey } from './hardware.js';
import type { ParamTexts, ParamValues, PresetDef } from './params.js';
import { FABRIC_NAMES } from './scale-out.js';
import { addServers } from './servers.js';

interface Variant {
  readonly name: string;
  readonly gpus: HardwareKey;
  readonly pcieBw: HardwareKey;
  readonly nicBw: HardwareKey;
  readonly fabric: string;
  /** The GPU's HBM bandwidth (device-local copies and reductions). */
  readonly hbm: HardwareKey;
  /** The GPU's CUDA compute capability (NCCL's channel search). */
  readonly computeCapability: HardwareKey;
}

const VARIANTS: readonly Variant[] = [
  { name: 'gb200', gpus: 'gb200Nvl72.gpus', pcieBw: 'pcie.gen5x16LineRate', nicBw: 'ethernet.portLineRate', fabric: 'ib-ndr', hbm: 'gb200.hbmBandwidth', computeCapability: 'blackwell.computeCapability' },
  { name: 'gb300', gpus: 'gb300Nvl72.gpus', pcieBw: 'pcie.gen6x16LineRate', nicBw: 'ethernet.cx8PortLineRate', fabric: 'ib-xdr', hbm: 'gb300.hbmBandwidth', computeCapability: 'blackwellUltra.computeCapability' },
];

export const nvl72Preset: PresetDef = {
  name: 'nvl72',
  description: 'GB200/GB300 NVL72 racks: 72 GPUs on NVLink5 through the NVLink switch; racks=R joins racks over a rail-optimized InfiniBand or Spectrum-X fat tree',
  examples: ['nvl72', 'nvl72:gpus=36', 'nvl72:variant=gb200', 'nvl72:racks=4', 'nvl72:variant=gb300,racks=8,fabric=spectrumx'],
  params: {
    variant: { kind: 'choice', choices: VARIANTS.map((v) => v.name), defaultValue: 1, doc: 'gb200 (ConnectX-7 400G) or gb300 (Blackwell Ultra, ConnectX-8 800G)' },
    racks: { kind: 'count', defaultValue: 1, doc: 'NVL72 racks; 2 or more adds one scale-out NIC per GPU and the fat tree' },
    gpus: { kind: 'count', optional: true, doc: "GPUs per NVLink domain (default: the variant's 72)" },
    nvlinkBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('nvlink5.perGpuLineRate'), hardware: 'nvlink5.perGpuLineRate', doc: 'NVLink line rate per GPU per direction' },
    nvlinkEfficiency: { kind: 'factor', defaultValue: hardwareFactor('nvlink5.efficiency'), hardware: 'nvlink5.efficiency', doc: 'achievable fraction of the NVLink line rate' },
    nvlinkLatency: { kind: 'latency', defaultValue: hardwareLatency('nvlink.hopLatency'), hardware: 'nvlink.hopLatency', doc: 'GPU→NVLink switch→GPU latency' },
    reduction: { kind: 'boolean', defaultValue: 1, hardware: 'nvswitch3.reduction', doc: 'the NVLink switch reduces in the switch (NVLS)' },
    nvlsEfficiency: nvlsEfficiencyParam('nvls.blackwellEfficiency'),
    pcieBw: { kind: 'bandwidth', optional: true, doc: "GPU↔NIC PCIe line rate (default: the variant's, Gen5 for gb200, Gen6 for gb300)" },
    pcieEfficiency: { kind: 'factor', defaultValue: hardwareFactor('pcie.efficiency'), hardware: 'pcie.efficiency', doc: 'achievable fraction of the PCIe line rate (NCCL topo.cc)' },
    nicBw: { kind: 'bandwidth', optional: true, doc: "NIC port line rate (default: the variant's, 400G for gb200, 800G for gb300)" },
    nicLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.nicLatency'), hardware: 'ethernet.nicLatency', doc: 'one NIC traversal, send or receive side' },
    ...fabricParams(undefined),
    serversPerSu: { kind: 'count', defaultValue: hardwareFactor('superpod.racksPerSu'), hardware: 'superpod.racksPerSu', doc: 'racks per scalable unit (one leaf per rail per SU)' },
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const variant = VARIANTS[values.variant!]!;
    const gpus = values.gpus ?? hardwareFactor(variant.gpus);
    const nvlinkBytesPerSec = values.nvlinkBw! * values.nvlinkEfficiency!;
    const b = new TopologyBuilder();
    const derived: HardwareKey[] = values.gpus === undefined ? [variant.gpus] : [];
    if (values.racks === 1) {
      const ranks = Array.from({ length: gpus }, (_, i) => b.addNode(`gpu${i}`, 'gpu', { group: 'nvl72' }));
      b.addNode('nvswitch', 'nvswitch', {
        group: 'nvl72',
        reduction: values.reduction === 1,
        ...(values.reduction === 1 ? { reductionEfficiency: values.nvlsEfficiency! } : {}),
      });
      for (const gpu of ranks) b.addDuplex(gpu, 'nvswitch', nvlinkBytesPerSec, values.nvlinkLatency! / 2);
      const notes = [
        `structure: one ${variant.name} NVL72 rack: ${gpus} GPUs (group nvl72), one aggregate NVLink5 link each way to one nvswitch node (reduction ${values.reduction === 1 ? 'capable' : 'not capable'}); no scale-out NICs (racks=1)`,
        'latency: GPU→switch→GPU = nvlinkLatency, half on each link',
      ];
      const topology = b.build(spec, ranks, presetSources(nvl72Preset, values, notes, texts, [...derived, variant.hbm, variant.computeCapability]));
      return { ...topology, deviceMemoryBandwidthBytesPerSec: hardwareBandwidth(variant.hbm), computeCapability: hardwareFactor(variant.computeCapability) };
    }
    const nicBw = values.nicBw ?? hardwareBandwidth(variant.nicBw);
    const pcieBw = values.pcieBw ?? hardwareBandwidth(variant.pcieBw);
    if (values.nicBw === undefined) derived.push(variant.nicBw);
    if (values.pcieBw === undefined) derived.push(variant.pcieBw);
    const fabricIndex = values.fabric ?? FABRIC_NAMES.indexOf(variant.fabric);
    checkFabricFits('nvl72', { ...values, nicBw }, fabricIndex, values.racks!, gpus);
    const { ranks, nics } = addServers(b, {
      servers: values.racks!,
      gpusPerServer: gpus,
      prefix: 'rack',
      nvlinkBytesPerSec,
      nvlinkLatencyNs: values.nvlinkLatency!,
      reduction: values.reduction === 1,
      reductionEfficiency: values.nvlsEfficiency,
      nic: { pcieBytesPerSec: pcieBw * values.pcieEfficiency!, nicLatencyNs: values.nicLatency! },
    });
    const fabric = addFabric(b, 'nvl72', { ...values, nicBw }, fabricIndex, nics);
    const notes = [
      `structure: ${values.racks} ${variant.name} NVL72 racks × ${gpus} GPUs (groups rack<r>, one NVLink domain each: rack<r>.nvswitch); per GPU one scale-out NIC rack<r>.nic<i> over PCIe on rail i (nicBw ${nicBw * 8e-9} Gb/s, PCIe ${pcieBw * 1e-9} GB/s line rate)`,
      ...fabric.notes,
      `fabric default for ${variant.name}: ${variant.fabric} (DGX SuperPOD reference architecture: one NIC per GPU, rail-optimized, scalable units of 8 racks)`,
    ];
    const topology = b.build(spec, ranks, presetSources(nvl72Preset, values, notes, texts, [...derived, ...fabric.derived, variant.hbm, variant.computeCapability]));
    return { ...topology, deviceMemoryBandwidthBytesPerSec: hardwareBandwidth(variant.hbm), computeCapability: hardwareFactor(variant.computeCapability), defaultRouting: fabric.routing };
  },
};
