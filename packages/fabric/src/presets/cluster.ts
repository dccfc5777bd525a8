/**
 * The preset factory for GPU servers on a scale-out fabric (dgx-h100, hgx-a100, hgx-h200,
 * hgx-b200, gb200-nvl4): a system is its cited defaults — GPUs per server, NVLink generation,
 * whether the NVLink switch reduces, PCIe generation to the NICs, NIC rate and the fabric it
 * ships on — and every preset gets the same parameters and builder (servers.ts for the
 * servers, rail-fabric.ts for the fat tree). A system file is then a short table.
 */
import { TopologyBuilder } from '../topology/builder.js';
import { hardwareBandwidth, hardwareFactor, hardwareFlag, hardwareLatency, type HardwareKey } from './hardware.js';
import { presetSources } from './common.js';
import type { ParamDef, ParamTexts, ParamValues, PresetDef } from './params.js';
import type { RoutingName } from '../types.js';
import { addRailFabric, describeRailFabric, railFabricShape } from './rail-fabric.js';
import { FABRIC_NAMES, fabricDefaults, fabricKeys, scaleOutFabric } from './scale-out.js';
import { addServers } from './servers.js';

export interface SystemDefaults {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
  /** What one server is called in docs ("DGX H100 server", "GB200 NVL4 board"). */
  readonly server: string;
  readonly gpusPerNode: HardwareKey;
  readonly nvlinkBw: HardwareKey;
  readonly nvlinkEfficiency: HardwareKey;
  /** Whether the NVLink switch reduces (nvswitch2.reduction = false, nvswitch3.reduction = true). */
  readonly reduction: HardwareKey;
  /** NCCL's achievable fraction of NVLink bandwidth for in-switch reduction (NVLS); absent where the switch has none. */
  readonly nvlsEfficiency?: HardwareKey;
  readonly pcieBw: HardwareKey;
  readonly nicBw: HardwareKey;
  /** The GPU's HBM bandwidth: what device-local copies and reductions are charged (device-memory.ts). */
  readonly hbmBandwidth: HardwareKey;
  /** The GPU's CUDA compute capability: NCCL's channel search picks its bandwidth ladder by it. */
  readonly computeCapability: HardwareKey;
  /** The fabric the system ships on or its reference architecture uses (a SCALE_OUT_FABRICS name). */
  readonly fabric: string;
  /** Why that fabric is the default, with the source. */
  readonly fabricNote: string;
  /** Extra lines for the sources (what is assumed about this system). */
  readonly notes?: readonly string[];
}

/** The parameters every cluster preset accepts, with the system's cited defaults. */
function clusterParams(system: SystemDefaults): Record<string, ParamDef> {
  return {
    nodes: { kind: 'count', doc: `number of ${system.server}s` },
    gpusPerNode: { kind: 'count', defaultValue: hardwareFactor(system.gpusPerNode), hardware: system.gpusPerNode, doc: 'GPUs (and NICs, rails) per server' },
    nvlinkBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth(system.nvlinkBw), hardware: system.nvlinkBw, doc: 'NVLink line rate per GPU per direction' },
    nvlinkEfficiency: { kind: 'factor', defaultValue: hardwareFactor(system.nvlinkEfficiency), hardware: system.nvlinkEfficiency, doc: 'achievable fraction of the NVLink line rate (NCCL topo.h)' },
    nvlinkLatency: { kind: 'latency', defaultValue: hardwareLatency('nvlink.hopLatency'), hardware: 'nvlink.hopLatency', doc: 'GPU→NVSwitch→GPU latency' },
    reduction: { kind: 'boolean', defaultValue: hardwareFlag(system.reduction) ? 1 : 0, hardware: system.reduction, doc: 'the NVLink switch reduces in the switch (NVLS)' },
    ...(system.nvlsEfficiency ? { nvlsEfficiency: nvlsEfficiencyParam(system.nvlsEfficiency) } : {}),
    pcieBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth(system.pcieBw), hardware: system.pcieBw, doc: 'GPU↔NIC PCIe line rate per direction' },
    pcieEfficiency: { kind: 'factor', defaultValue: hardwareFactor('pcie.efficiency'), hardware: 'pcie.efficiency', doc: 'achievable fraction of the PCIe line rate (NCCL topo.cc)' },
    nicBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth(system.nicBw), hardware: system.nicBw, doc: 'NIC port line rate (also the fabric switch ports)' },
    nicLatency: { kind: 'latency', defaultValue: hardwareLatency('ethernet.nicLatency'), hardware: 'ethernet.nicLatency', doc: 'one NIC traversal, send or receive side' },
    ...fabricParams(FABRIC_NAMES.indexOf(system.fabric)),
    serversPerSu: { kind: 'count', defaultValue: hardwareFactor('superpod.serversPerSu'), hardware: 'superpod.serversPerSu', doc: 'servers per scalable unit (one leaf per rail per SU)' },
  };
}

/** The NVLS efficiency parameter (carried on the NVLink switch node as reductionEfficiency). */
export function nvlsEfficiencyParam(key: HardwareKey): ParamDef {
  return { kind: 'factor', defaultValue: hardwareFactor(key), hardware: key, doc: 'achievable fraction of NVLink bandwidth for in-switch reduction (NVLS)' };
}

/** The scale-out fabric's parameters; `fabric` defaults to `defaultFabric` (an index), or is derived when undefined. */
export function fabricParams(defaultFabric: number | undefined): Record<string, ParamDef> {
  const fabric: ParamDef =
    defaultFabric === undefined
      ? { kind: 'choice', choices: FABRIC_NAMES, optional: true, doc: `scale-out fabric: ${FABRIC_NAMES.join(', ')} (default: the variant's)` }
      : { kind: 'choice', choices: FABRIC_NAMES, defaultValue: defaultFabric, doc: `scale-out fabric: ${FABRIC_NAMES.join(', ')}` };
  return {
    fabric,
    netEfficiency: { kind: 'factor', optional: true, doc: "payload fraction of the NIC line rate (default: the fabric's, RoCEv2 or InfiniBand framing)" },
    switchLatency: { kind: 'latency', optional: true, doc: "leaf/spine port-to-port latency (default: the fabric's)" },
    switchCapacity: { kind: 'bandwidth', optional: true, doc: "switch capacity; ports = capacity / nicBw (default: the fabric's switch)" },
    switchReduction: { kind: 'boolean', optional: true, doc: 'fabric switches reduce in the network (default: true on InfiniBand (SHARP), false on Spectrum-X)' },
    spines: { kind: 'count', defaultValue: 0, min: 0, doc: 'spines (per pod with three tiers); 0 = the smallest that fits' },
    tiers: { kind: 'count', defaultValue: 0, min: 0, doc: 'fabric tiers: 2, 3, or 0 = two when they fit, else three (pods joined by super-spines)' },
  };
}

/** A PresetDef for one system. `overrides` replaces default parameters (e.g. serversPerSu for racks). */
export function clusterPreset(system: SystemDefaults, overrides: Record<string, ParamDef> = {}): PresetDef {
  const preset: PresetDef = {
    name: system.name,
    description: system.description,
    examples: system.examples,
    params: { ...clusterParams(system), ...overrides },
    build: (values: ParamValues, spec: string, texts?: ParamTexts) => buildCluster(preset, system, values, spec, texts),
  };
  return preset;
}

function buildCluster(preset: PresetDef, system: SystemDefaults, values: ParamValues, spec: string, texts?: ParamTexts) {
  checkFabricFits(system.name, values, values.fabric!, values.nodes!, values.gpusPerNode!);
  const b = new TopologyBuilder();
  const { ranks, nics } = addServers(b, {
    servers: values.nodes!,
    gpusPerServer: values.gpusPerNode!,
    prefix: 'node',
    nvlinkBytesPerSec: values.nvlinkBw! * values.nvlinkEfficiency!,
    nvlinkLatencyNs: values.nvlinkLatency!,
    reduction: values.reduction === 1,
    reductionEfficiency: values.nvlsEfficiency,
    nic: { pcieBytesPerSec: values.pcieBw! * values.pcieEfficiency!, nicLatencyNs: values.nicLatency! },
  });
  const fabric = addFabric(b, system.name, values, values.fabric!, nics);
  const notes = [
    `structure: ${values.nodes} ${system.server}s × ${values.gpusPerNode} GPUs (groups node<s>); per GPU one aggregate NVLink link each way to node<s>.nvswitch (reduction ${values.reduction === 1 ? 'capable' : 'not capable'}) and one NIC node<s>.nic<g> over PCIe, on rail g`,
    ...fabric.notes,
    `fabric default: ${system.fabricNote}`,
    ...(system.notes ?? []),
  ];
  const topology = b.build(spec, ranks, presetSources(preset, values, notes, texts, [...fabric.derived, system.hbmBandwidth, system.computeCapability]));
  return { ...topology, deviceMemoryBandwidthBytesPerSec: hardwareBandwidth(system.hbmBandwidth), computeCapability: hardwareFactor(system.computeCapability), defaultRouting: fabric.routing };
}

/**
 * Builds the rail fat tree for `nics` from the fabric parameters (fabricParams, plus nicBw,
 * serversPerSu): returns the notes describing it, the hardware.json keys behind the fabric
 * defaults it used, and the routing its switches do by default (the topology's defaultRouting).
 */
/** Switch ports at the NIC rate: the fabric's switch capacity (or switchCapacity) over nicBw. */
function fabricRadix(values: ParamValues, fabricIndex: number): number {
  return Math.floor((values.switchCapacity ?? fabricDefaults(scaleOutFabric(fabricIndex)).switchCapacityBytesPerSec) / values.nicBw!);
}

/**
 * Refuses, before a GPU is built, a fabric of `servers` servers × `rails` NICs that no switch of
 * the fabric's radix builds (rail-fabric.ts railFabricShape; addFabric then builds that shape).
 */
export function checkFabricFits(what: string, values: ParamValues, fabricIndex: number, servers: number, rails: number): void {
  railFabricShape({ what, servers, rails, radix: fabricRadix(values, fabricIndex), serversPerSu: values.serversPerSu!, spines: values.spines!, tiers: values.tiers! });
}

export function addFabric(b: TopologyBuilder, what: string, values: ParamValues, fabricIndex: number, nics: string[][]): { notes: string[]; derived: HardwareKey[]; routing: RoutingName } {
  const fabric = scaleOutFabric(fabricIndex);
  const defaults = fabricDefaults(fabric);
  const efficiency = values.netEfficiency ?? defaults.efficiency;
  const switchLatencyNs = values.switchLatency ?? defaults.switchLatencyNs;
  const reduction = values.switchReduction === undefined ? defaults.reduction : values.switchReduction === 1;
  const radix = fabricRadix(values, fabricIndex);
  const shape = addRailFabric(b, {
    what,
    nics,
    portBytesPerSec: values.nicBw! * efficiency,
    radix,
    switchLatencyNs,
    serversPerSu: values.serversPerSu!,
    spines: values.spines!,
    tiers: values.tiers!,
    reduction,
  });
  const notes = [
    describeRailFabric(shape, values.serversPerSu!, radix),
    `fabric ${fabric.name}: ${fabric.description}; port payload = nicBw × ${efficiency}, switch latency ${switchLatencyNs} ns, fabric switches ${reduction ? 'reduction-capable (SHARP)' : 'not reduction-capable'}, routing ${defaults.routing} unless --routing says otherwise`,
    'latency: GPU→NVSwitch→GPU = nvlinkLatency (half per link); GPU↔NIC links carry nicLatency; links entering a leaf, spine or super-spine carry switchLatency; leaf→NIC carries 0 (the NIC is counted on nic→gpu)',
  ];
  const derived = fabricKeys(fabric).filter((key) => {
    if (key === fabric.efficiency) return values.netEfficiency === undefined;
    if (key === fabric.switchLatency) return values.switchLatency === undefined;
    if (key === fabric.switchCapacity) return values.switchCapacity === undefined;
    if (key === fabric.adaptiveRouting) return true;
    return values.switchReduction === undefined;
  });
  return { notes, derived, routing: defaults.routing };
}
