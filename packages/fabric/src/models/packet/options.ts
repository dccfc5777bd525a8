import { WeftInputError } from '@weft/sim';
import { CLASSES } from './classes.js';
import parameters from './parameters.json' with { type: 'json' };

/** Congestion control at the senders (reaction points). */
export type CongestionControl = 'none' | 'dcqcn' | 'telemetry';
/** At the receiver: out-of-order direct placement (SuperNIC) or in-order with go-back-N. */
export type Delivery = 'ooo' | 'inorder';
/** How a port picks among its traffic classes: strict priority (class 1 first) or weighted round robin. */
export type ClassScheduler = 'strict' | 'wrr';

/** The packet model's knobs; every one has a cited default (parameters.json). */
export interface PacketOptions {
  /** Payload bytes per packet (default 4096, the RoCE MTU). */
  readonly mtuBytes?: number;
  /**
   * Simulate in cells of this many bytes instead of MTU packets (fewer events, coarser
   * queues); must be a multiple of mtuBytes. Reported with the results.
   */
  readonly cellBytes?: number;
  readonly ecnKminBytes?: number;
  readonly ecnKmaxBytes?: number;
  readonly ecnPmax?: number;
  /**
   * PFC on (lossless, default), off (lossy: a full ingress buffer drops, the sender
   * retransmits), or 'local': on every link whose buffer holds its PFC headroom, off on a
   * link that cannot be lossless (a long haul with a shallow buffer), which drops instead
   * of pausing across the distance.
   */
  readonly pfc?: boolean | 'local';
  /** Ingress buffer per port; PFC XOFF = buffer - headroom. */
  readonly portBufferBytes?: number;
  readonly cc?: CongestionControl;
  readonly delivery?: Delivery;
  /** Age of the queue depths adaptive routing decides on (0: the switch sees its own queues now). */
  readonly stalenessNs?: number;
  /** Egress scheduling of the traffic classes (default strict: class 1 always first). */
  readonly classScheduler?: ClassScheduler;
  /** wrr: each class's share of a congested port, by weight (one per class, default equal). */
  readonly classWeights?: readonly number[];
}

export type ResolvedPacketOptions = Required<PacketOptions>;

const V = parameters.values;
export const DCQCN = V.dcqcn.value;
export const TELEMETRY = V.telemetry.value;
export const CONGESTION_CONTROLS: readonly CongestionControl[] = ['none', 'dcqcn', 'telemetry'];
export const DELIVERIES: readonly Delivery[] = ['ooo', 'inorder'];
export const CLASS_SCHEDULERS: readonly ClassScheduler[] = ['strict', 'wrr'];

export function resolvePacketOptions(options: PacketOptions = {}): ResolvedPacketOptions {
  const mtuBytes = options.mtuBytes ?? V.mtuBytes.value;
  const resolved: ResolvedPacketOptions = {
    mtuBytes,
    cellBytes: options.cellBytes ?? mtuBytes,
    ecnKminBytes: options.ecnKminBytes ?? V.ecnKminBytes.value,
    ecnKmaxBytes: options.ecnKmaxBytes ?? V.ecnKmaxBytes.value,
    ecnPmax: options.ecnPmax ?? V.ecnPmax.value,
    pfc: options.pfc ?? true,
    portBufferBytes: options.portBufferBytes ?? V.portBufferBytes.value,
    cc: options.cc ?? 'none',
    delivery: options.delivery ?? 'ooo',
    stalenessNs: options.stalenessNs ?? 0,
    classScheduler: options.classScheduler ?? 'strict',
    classWeights: options.classWeights ?? Array.from({ length: CLASSES }, () => 1),
  };
  checkPacketOptions(resolved);
  return resolved;
}

function checkPacketOptions(o: ResolvedPacketOptions): void {
  positiveInteger('packet mtu', o.mtuBytes, 'bytes');
  positiveInteger('packet cell size', o.cellBytes, 'bytes');
  if (o.cellBytes % o.mtuBytes !== 0) {
    throw new WeftInputError(`packet cell size ${o.cellBytes} B is invalid; expected a multiple of the MTU ${o.mtuBytes} B`);
  }
  nonNegative('ECN Kmin', o.ecnKminBytes, 'bytes');
  if (!(o.ecnKmaxBytes > o.ecnKminBytes) || !Number.isFinite(o.ecnKmaxBytes)) {
    throw new WeftInputError(`ECN Kmax ${o.ecnKmaxBytes} bytes is invalid; expected a finite number > Kmin ${o.ecnKminBytes}`);
  }
  if (!(o.ecnPmax >= 0 && o.ecnPmax <= 1)) throw new WeftInputError(`ECN Pmax ${o.ecnPmax} is invalid; expected 0 <= Pmax <= 1`);
  positiveInteger('port buffer', o.portBufferBytes, 'bytes');
  if (!CONGESTION_CONTROLS.includes(o.cc)) {
    throw new WeftInputError(`unknown congestion control "${String(o.cc)}"; accepted: ${CONGESTION_CONTROLS.join(', ')}`);
  }
  if (!DELIVERIES.includes(o.delivery)) {
    throw new WeftInputError(`unknown delivery "${String(o.delivery)}"; accepted: ${DELIVERIES.join(', ')}`);
  }
  nonNegative('adaptive routing staleness', o.stalenessNs, 'ns');
  if (!CLASS_SCHEDULERS.includes(o.classScheduler)) {
    throw new WeftInputError(`unknown class scheduler "${String(o.classScheduler)}"; accepted: ${CLASS_SCHEDULERS.join(', ')}`);
  }
  const weights = o.classWeights;
  if (!Array.isArray(weights) || weights.length !== CLASSES || !weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0)) {
    throw new WeftInputError(`class weights ${String(weights)} are invalid; expected ${CLASSES} finite numbers > 0 (class 0, class 1)`);
  }
  if (typeof o.pfc !== 'boolean' && o.pfc !== 'local') throw new WeftInputError(`pfc ${String(o.pfc)} is invalid; expected true, false or 'local'`);
}

function positiveInteger(what: string, value: number, unit: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new WeftInputError(`${what} ${String(value)} ${unit} is invalid; expected a whole number >= 1`);
}

function nonNegative(what: string, value: number, unit: string): void {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new WeftInputError(`${what} ${String(value)} ${unit} is invalid; expected a finite number >= 0`);
  }
}
