/**
 * The fabric's public contracts. Everything in weft that needs the network talks to these
 * types; implementations live beside them (topology/, routing/, models/).
 * Units: bandwidth in bytes per second, latency and time in nanoseconds (float64).
 */

export type NodeKind = 'gpu' | 'host' | 'nic' | 'nvswitch' | 'switch' | 'leaf' | 'spine' | 'core';

/** Node kinds that are endpoints (ranks live on them) and never forward traffic. */
export const ENDPOINT_KINDS: readonly NodeKind[] = ['gpu', 'host'];

export interface TopoNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** Which server / NVLink domain the node belongs to (GPUs in one group share a box). */
  readonly group?: string;
  /** True for switches that can reduce in the network (NVLink SHARP / NVLS, SHARP). */
  readonly reduction?: boolean;
  /**
   * Of a reduction switch: the fraction of its ports' bandwidth that in-network reduction
   * traffic (NVLS multimem load-reduce and multicast store) achieves. Absent: 1.
   */
  readonly reductionEfficiency?: number;
}

/** A directed link; a full-duplex cable is two links, one each way. */
export interface TopoLink {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly bandwidthBytesPerSec: number;
  readonly latencyNs: number;
  /**
   * Ingress buffer for this link at `to` (a deep-buffer port, e.g. a long-haul link's),
   * bytes; read by the packet model only. Absent: the packet model's portBufferBytes.
   */
  readonly bufferBytes?: number;
}

export interface Topology {
  /** The spec or file the topology came from, for headers and reports. */
  readonly name: string;
  readonly nodes: readonly TopoNode[];
  readonly links: readonly TopoLink[];
  /** Endpoint node ids in rank order: rank r runs on `ranks[r]`. */
  readonly ranks: readonly string[];
  /** Citations and notes for the parameters (preset files carry them). */
  readonly sources?: readonly string[];
  /**
   * Device memory (HBM) bandwidth of one GPU, bytes/s, for device-local copies and
   * reductions; absent: the stated default (deviceMemoryBandwidth in presets/device-memory.ts).
   */
  readonly deviceMemoryBandwidthBytesPerSec?: number;
  /**
   * The GPUs' CUDA compute capability (8.0 A100, 9.0 H100/H200, 10.0 B200/GB200): NCCL's
   * channel search picks its per-channel bandwidth ladder by it. Absent: a topology that
   * names no GPU, whose channels follow from its links alone (collectives channels/search.ts).
   */
  readonly computeCapability?: number;
  /**
   * The routing the topology's switches do when the user names none (`--routing auto`): adaptive
   * on Spectrum-X and NVIDIA InfiniBand scale-out fabrics (hardware.json
   * fabric.spectrumxAdaptiveRouting, fabric.infinibandAdaptiveRouting). Absent: `ecmp`, what an
   * ordinary Ethernet fabric does (routing/default.ts resolveRouting).
   */
  readonly defaultRouting?: RoutingName;
}

/** Compute capabilities a topology may declare (Volta 7.0 to the newest Blackwell). */
export const COMPUTE_CAPABILITY_RANGE = { min: 7, max: 12.9, text: '7.0 to 12.9' } as const;

/**
 * `spray` (oblivious per-packet spraying) exists under the packet model only; under the
 * fluid models `adaptive` already spreads a flow over every equal-cost path.
 */
export type RoutingName = 'ecmp' | 'adaptive' | 'spray';
export type ModelName = 'alphaBeta' | 'maxMin' | 'packet';
/**
 * How much the network keeps for statistics:
 * - `full` (default): per-link totals, a per-link utilization timeline and one `FlowRecord`
 *   per transfer, kept for the network's lifetime (memory grows with every transfer).
 * - `summary`: per-link totals only (bytesCarried, busyNs, utilization,
 *   peakConcurrentFlows, identical to `full`); `utilizationTimeline` is `[]` and `flows()`
 *   returns `[]`. A transfer's state is freed once it is sent or stranded, so memory stays
 *   proportional to the transfers in flight. Event times and ids are the same in both modes.
 */
export type RecordMode = 'full' | 'summary';

export interface NetworkOptions {
  readonly model: ModelName;
  readonly routing: RoutingName;
  /** Queue pairs a transfer is split over; each is hashed separately under ECMP. */
  readonly qps: number;
  /** Seed for the ECMP hash. */
  readonly seed: number;
  /** Statistics kept: `full` (default) or `summary` (link totals only; see RecordMode). */
  readonly record?: RecordMode;
  /** Packet model settings (MTU, ECN, PFC, congestion control, delivery); ignored by the fluid models. */
  readonly packet?: PacketOptions;
}

export interface TransferRequest {
  readonly srcNode: string;
  readonly dstNode: string;
  readonly bytes: number;
  /**
   * Identifies the connection the transfer travels on (NCCL: one per channel and peer).
   * ECMP hashes (src, dst, flowKey, qp), so the same connection always takes the same path.
   */
  readonly flowKey: number;
  /**
   * Packet model only: the traffic class, 0 (default, bulk) or 1 (served first by every
   * port, with its own queue and PFC priority). The fluid models ignore it.
   */
  readonly trafficClass?: number;
  /**
   * Optional: an object the caller keeps per (srcNode, dstNode, flowKey) — a connection — and
   * passes with each of its transfers, starting as `{}`. The fluid network keeps the routes it
   * found for the connection there and reads them back on the next transfer instead of
   * looking them up by node ids and key (checked against the request, so a slot passed with
   * another connection only costs a lookup). Opaque to callers; never changes a result.
   */
  readonly routeCache?: object;
  /**
   * Fluid models: the paths (link ids, from srcNode to dstNode's side) the transfer takes instead
   * of routing's — under ECMP (one queue pair) the one path it is pinned to, under adaptive routing
   * the paths it spreads over evenly (as router.equalCostPaths gives them). The runtime's rank
   * classes pass a representative's routes with each link replaced by its class's link (runtime
   * schedule/rank-classes.ts).
   */
  readonly paths?: readonly (readonly string[])[];
}

/**
 * Why a transfer stranded, at the failure of `linkId`: `pinned`, its flow was pinned to a path
 * over the link (ECMP); `noPath`, no path is left from its source to its destination; `lostPackets`,
 * packets of it were queued on or crossing the link (packet model, per-packet routing: they are
 * lost and not resent around it); `pathsDown`, every path its flow was spread over crossed failed
 * links, though a longer path is left (adaptive flows keep to their equal-cost paths).
 */
export type StrandCause = 'pinned' | 'noPath' | 'lostPackets' | 'pathsDown';

/**
 * What happened to a transfer. `sent`: the last byte left the source (the sender's buffer
 * is free). `delivered`: the last byte reached the destination (sent + path latency).
 * `stranded`: a link it needed went down (`cause` says how); it will never complete.
 */
export type TransferEvent =
  | { readonly kind: 'sent'; readonly transferId: number; readonly timeNs: number }
  | { readonly kind: 'delivered'; readonly transferId: number; readonly timeNs: number }
  | { readonly kind: 'stranded'; readonly transferId: number; readonly timeNs: number; readonly linkId: string; readonly cause: StrandCause };

/** What Network.drainEvents hands each event to: a TransferEvent's fields, by kind. */
export interface TransferEventSink {
  sent(transferId: number, timeNs: number): void;
  delivered(transferId: number, timeNs: number): void;
  stranded(transferId: number, timeNs: number, linkId: string, cause: StrandCause): void;
}

export interface LinkStats {
  readonly linkId: string;
  readonly from: string;
  readonly to: string;
  readonly bandwidthBytesPerSec: number;
  readonly bytesCarried: number;
  /** Time during which at least one flow used the link. */
  readonly busyNs: number;
  /** bytesCarried / (bandwidth * elapsed): the mean utilization over the run. */
  readonly utilization: number;
  readonly peakConcurrentFlows: number;
  /**
   * Piecewise-constant utilization: [timeNs, fraction of capacity in use] at each change.
   * Empty when the network records `summary`.
   */
  readonly utilizationTimeline: readonly (readonly [number, number])[];
  /** Congestion at the link's egress queue and its sender (packet model only). */
  readonly queue?: LinkQueueStats;
}

/** What the packet model saw at a port: the fluid models have no queues. */
export interface LinkQueueStats {
  readonly peakQueueBytes: number;
  readonly ecnMarks: number;
  /** PFC pauses the link's sender received, and the time it spent paused. */
  readonly pauses: number;
  readonly pausedNs: number;
  readonly drops: number;
  /**
   * Egress queue depth over time, [timeNs, bytes], a point whenever it moved by 64 KiB or
   * emptied; empty when the network records `summary`.
   */
  readonly depthTimeline: readonly (readonly [number, number])[];
}

export interface FlowRecord {
  readonly transferId: number;
  readonly srcNode: string;
  readonly dstNode: string;
  readonly bytes: number;
  readonly startNs: number;
  readonly sentNs?: number;
  readonly deliveredNs?: number;
  /**
   * Packet model, full records: [timeNs, bytes delivered so far] whenever the receiver has
   * placed another DELIVERY_SAMPLE_BYTES, and at the end — the flow's delivery rate over time.
   */
  readonly deliveredTimeline?: readonly (readonly [number, number])[];
  /** Paths the transfer used, as link ids (several under adaptive routing or qps > 1). */
  readonly paths: readonly (readonly string[])[];
  /**
   * Per path (as `paths`), when it stopped carrying the transfer before the transfer was sent:
   * a link on it failed (adaptive routing moved the flow to its other paths) or the transfer
   * stranded. null: the path carried it until it was sent (or still does). Absent when no path
   * stopped early (every run without faults).
   */
  readonly pathEndNs?: readonly (number | null)[];
  readonly stranded?: boolean;
}

/**
 * Shortest-path routing over a topology. Endpoints (ENDPOINT_KINDS) never forward traffic.
 * Paths are lists of link ids. `down` holds links that have failed; routes avoid them.
 */
export interface Router {
  /**
   * ECMP: the one path a flow is pinned to. At every hop with several equal-cost next hops,
   * a seeded hash of (seed, src, dst, flowKey, qp, hop node) picks one, as switches hash a
   * packet's 5-tuple. Null when no path avoids `down`.
   */
  pinnedPath(src: string, dst: string, flowKey: number, qp: number, seed: number, down: ReadonlySet<string>): readonly string[] | null;
  /** Every equal-cost shortest path from src to dst avoiding `down`, in a fixed order (capped at maxPaths). */
  equalCostPaths(src: string, dst: string, down: ReadonlySet<string>, maxPaths?: number): readonly (readonly string[])[];
}

/**
 * The network a runtime drives: routing + a network model + statistics, on one topology.
 * It is a `SimModel` (see @weft/sim): the engine asks nextEventTimeNs and advances it.
 */
export interface Network {
  readonly topology: Topology;
  readonly options: NetworkOptions;
  /**
   * Starts a transfer at `nowNs` (>= the last time advanced to); returns its id (0, 1, 2 …).
   * The network keeps no reference to `request` (a record copies it): a caller may reuse one.
   */
  startTransfer(request: TransferRequest, nowNs: number): number;
  /** Time of the next transfer event, or Infinity. */
  nextEventTimeNs(): number;
  /** Advances to `timeNs`; events up to it are queued for `takeEvents`. */
  advanceTo(timeNs: number): void;
  /** Events produced so far and not yet taken, in (timeNs, transferId, kind) order. */
  takeEvents(): TransferEvent[];
  /**
   * The same events in the same order, handed to `sink` one call each instead of as objects
   * (two per transfer, at a million transfers a run); none are left to take. Optional.
   */
  drainEvents?(sink: TransferEventSink): void;
  /** Takes a link down at virtual time `atNs` (adaptive flows move off; pinned flows strand). */
  failLink(linkId: string, atNs: number): void;
  /** Multiplies a link's bandwidth by `factor` (0 < factor <= 1) from virtual time `atNs`. */
  degradeLink(linkId: string, factor: number, atNs: number): void;
  /**
   * Every link's totals, utilization over the first `elapsedNs` (default: the clock). A run
   * passes its own end: the clock may stand later, at a fault scheduled after the last
   * transfer, and a link's share of the run is not diluted by time after it.
   */
  linkStats(elapsedNs?: number): LinkStats[];
  /** One record per transfer started, in id order; `[]` when the network records `summary`. */
  flows(): FlowRecord[];
  /**
   * The state the network's future depends on, relative to now (the runtime's steady-state
   * recurrence check, runtime schedule/recurrence.ts); false when it cannot say (a fault
   * pending, a model without this). Absent: never.
   */
  steadyState?(into: SteadyStateSink): boolean;
}

/**
 * Where a model writes its steady state: `exact` numbers compare bit for bit (counts, link
 * indices, transfers named by `transfer`), `near` ones within `tolerance` (times relative to
 * now, bytes, rates: float rounding of a translated time, see recurrence.ts).
 */
export interface SteadyStateSink {
  readonly nowNs: number;
  /** A transfer's name that does not depend on when it started (its connection and message), or NaN if unknown. */
  transfer(transferId: number): number;
  exact(value: number): void;
  near(value: number, tolerance: number): void;
}

export { WeftInputError } from '@weft/sim';
import type { PacketOptions } from './models/packet/options.js';
export type { PacketOptions, CongestionControl, Delivery } from './models/packet/options.js';
