/** What a packet run reports beyond the Network interface: fabric totals and per-port congestion. */
import type { LinkQueueStats } from '../../types.js';

/** Work counters and fabric-wide congestion totals of a packet run. */
export interface PacketStats {
  readonly cellBytes: number;
  readonly events: number;
  readonly packetsSent: number;
  readonly ecnMarks: number;
  readonly pauses: number;
  readonly drops: number;
  /** Packets the receiver discarded for arriving out of order (inorder delivery). */
  readonly outOfOrderDiscards: number;
  readonly retransmittedPackets: number;
  /** One-way packet latency (first transmission to arrival), from a 1 %-wide log histogram. */
  readonly latencyP50Ns: number;
  readonly latencyP99Ns: number;
  readonly latencyMaxNs: number;
}

/** Per-port congestion of one link (its egress queue at `from`, its ingress buffer at `to`). */
export interface PortStats extends LinkQueueStats {
  readonly linkId: string;
}

/** Sum of a per-link counter over all links. */
export function total(perLink: Float64Array): number {
  let sum = 0;
  for (let l = 0; l < perLink.length; l++) sum += perLink[l]!;
  return sum;
}
