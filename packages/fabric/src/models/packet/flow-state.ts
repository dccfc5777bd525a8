/** The state of transfers and of the flows they are cut into, as the packet network keeps it. */
import type { TransferRequest } from '../../types.js';
import type { SenderRate } from './congestion.js';
import type { ReceiverState } from './receiver.js';

export interface TransferState {
  readonly id: number;
  readonly request: TransferRequest;
  readonly startNs: number;
  paths: readonly (readonly string[])[];
  /** When each path stopped carrying the transfer early (FlowRecord.pathEndNs); null while none has. */
  pathEndNs: (number | null)[] | null;
  flows: FlowState[];
  unsentFlows: number;
  undeliveredFlows: number;
  sentNs: number | undefined;
  deliveredNs: number;
  stranded: boolean;
  /** Bytes the receiver has placed, over every flow of the transfer. */
  placedBytes: number;
  /** [timeNs, placedBytes] samples (full records only; see FlowRecord.deliveredTimeline). */
  readonly deliveredTimeline: [number, number][] | null;
}

/** A transfer's delivery timeline gets a point each time this many more bytes are placed (as queue depth timelines do per 64 KiB). */
export const DELIVERY_SAMPLE_BYTES = 64 * 1024;

/** Counts `bytes` placed at `nowNs`, and samples the timeline when a DELIVERY_SAMPLE_BYTES boundary is crossed or the transfer is whole. */
export function notePlaced(transfer: TransferState, bytes: number, nowNs: number): void {
  const before = transfer.placedBytes;
  transfer.placedBytes += bytes;
  const timeline = transfer.deliveredTimeline;
  if (timeline === null) return;
  const crossed = Math.floor(transfer.placedBytes / DELIVERY_SAMPLE_BYTES) > Math.floor(before / DELIVERY_SAMPLE_BYTES);
  if (crossed || transfer.placedBytes >= transfer.request.bytes) timeline.push([nowNs, transfer.placedBytes]);
}

export interface FlowState extends ReceiverState {
  readonly id: number;
  readonly transfer: TransferState;
  readonly src: number;
  readonly dst: number;
  /** Pinned route (link indices) under ECMP; null when routed per packet. */
  readonly route: Int32Array | null;
  /** Links of the route, or of one representative shortest path when routed per packet. */
  readonly pathLinks: Int32Array;
  /**
   * The links its peak concurrent flows count it on, from its start until it is over: its
   * pinned route, or (routed per packet) every link of every shortest path it may send over,
   * as the fluid model counts an adaptive flow on every link of its equal-cost paths.
   */
  readonly spanLinks: Int32Array;
  readonly packets: number;
  readonly lastPacketBytes: number;
  readonly returnLatencyNs: number;
  readonly trafficClass: number;
  /** Its connection's congestion-control state (shared by the connection's messages) and that state's index. */
  readonly rate: SenderRate;
  readonly connection: number;
  nextSeq: number;
  /** Packets lost and waiting to be resent (ooo delivery). */
  readonly resend: number[];
  /** inorder: when each packet was last sent (a NACK for a packet resent within an RTT waits). */
  readonly lastSentNs: Float64Array | null;
  readonly rttNs: number;
  nextSendNs: number;
  queuedAtHost: boolean;
  /** ooo: its last packet left the source (counted toward `sent`); inorder: its retransmission timer is armed. */
  sentMarked: boolean;
  done: boolean;
}

/** Stands in for every finished flow under `record: 'summary'` (see PacketNetwork.retire). */
export const FINISHED_FLOW = Object.freeze({ id: -1, src: -1, dst: -1, done: true, sentMarked: true }) as unknown as FlowState;
