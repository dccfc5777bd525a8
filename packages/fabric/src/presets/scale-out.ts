/**
 * The scale-out fabrics a server preset can sit on (`fabric=spectrumx|ib-hdr|ib-ndr|ib-xdr`):
 * per fabric, the cited switch facts the rail fat tree is built from — payload efficiency of
 * the link protocol, port-to-port latency, switch capacity (radix = capacity / port rate),
 * whether the switches reduce in the network (InfiniBand SHARP) and whether they route
 * adaptively out of the box (the topology's defaultRouting). The NIC's port rate is
 * the server's (a ConnectX-7 stays 400 Gb/s on any fabric), so it is not here.
 */
import { hardwareBandwidth, hardwareFactor, hardwareFlag, hardwareLatency, type HardwareKey } from './hardware.js';
import type { RoutingName } from '../types.js';

export interface ScaleOutFabric {
  readonly name: string;
  readonly description: string;
  readonly efficiency: HardwareKey;
  readonly switchLatency: HardwareKey;
  readonly switchCapacity: HardwareKey;
  /** Switches marked reduction-capable (SHARP), or undefined for none. */
  readonly reduction?: HardwareKey;
  /** Whether the switches route adaptively by default (a flag in hardware.json). */
  readonly adaptiveRouting: HardwareKey;
}

export const SCALE_OUT_FABRICS: readonly ScaleOutFabric[] = [
  { name: 'spectrumx', description: 'Spectrum-X Ethernet (SN5600, RoCEv2)', efficiency: 'ethernet.roceEfficiency', switchLatency: 'ethernet.switchLatency', switchCapacity: 'spectrum4.switchCapacity', adaptiveRouting: 'fabric.spectrumxAdaptiveRouting' },
  { name: 'ib-hdr', description: 'InfiniBand HDR (Quantum QM8700, SHARPv2)', efficiency: 'infiniband.efficiency', switchLatency: 'infiniband.switchLatency', switchCapacity: 'quantum.switchCapacity', reduction: 'fabric.infinibandReduction', adaptiveRouting: 'fabric.infinibandAdaptiveRouting' },
  { name: 'ib-ndr', description: 'InfiniBand NDR (Quantum-2 QM9700, SHARPv3)', efficiency: 'infiniband.efficiency', switchLatency: 'infiniband.switchLatency', switchCapacity: 'quantum2.switchCapacity', reduction: 'fabric.infinibandReduction', adaptiveRouting: 'fabric.infinibandAdaptiveRouting' },
  { name: 'ib-xdr', description: 'InfiniBand XDR (Quantum-X800 Q3400, SHARPv4)', efficiency: 'infiniband.efficiency', switchLatency: 'infiniband.switchLatency', switchCapacity: 'quantumX800.switchCapacity', reduction: 'fabric.infinibandReduction', adaptiveRouting: 'fabric.infinibandAdaptiveRouting' },
];

export const FABRIC_NAMES: readonly string[] = SCALE_OUT_FABRICS.map((f) => f.name);

export function scaleOutFabric(index: number): ScaleOutFabric {
  return SCALE_OUT_FABRICS[index]!;
}

/** The fabric's cited defaults, as numbers. */
export function fabricDefaults(fabric: ScaleOutFabric): { efficiency: number; switchLatencyNs: number; switchCapacityBytesPerSec: number; reduction: boolean; routing: RoutingName } {
  return {
    routing: hardwareFlag(fabric.adaptiveRouting) ? 'adaptive' : 'ecmp',
    efficiency: hardwareFactor(fabric.efficiency),
    switchLatencyNs: hardwareLatency(fabric.switchLatency),
    switchCapacityBytesPerSec: hardwareBandwidth(fabric.switchCapacity),
    reduction: fabric.reduction !== undefined && hardwareFlag(fabric.reduction),
  };
}

/** hardware.json keys behind a fabric's defaults, for citations. */
export function fabricKeys(fabric: ScaleOutFabric): HardwareKey[] {
  return [fabric.efficiency, fabric.switchLatency, fabric.switchCapacity, ...(fabric.reduction ? [fabric.reduction] : []), fabric.adaptiveRouting];
}
