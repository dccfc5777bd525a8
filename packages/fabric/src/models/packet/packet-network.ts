/**
 * The packet network model (`model: 'packet'`): a discrete-event simulation of packets
 * through per-port output queues, beside the fluid models behind the same `Network`.
 *
 * What moves: a transfer becomes flows (ECMP: `qps` flows of bytes / qps, each pinned to
 * the router's hashed path; adaptive / spray: one flow routed packet by packet). A flow
 * is cut into packets of `cellBytes` (the MTU unless a coarser cell is asked for). Each
 * link serializes one packet at a time at its bandwidth and delivers it one latency later
 * (store and forward: a hop costs packet / bandwidth + latency).
 *
 * Where it goes: packet-routing.ts (ECMP pinning, adaptive least-queue, spraying).
 *
 * Where it waits: at a sender, flows share their NIC link round robin (host-nics.ts), each
 * paced at its congestion-control rate (congestion.ts). At a switch, a packet joins the FIFO of the
 * egress link it is routed to; the bytes it holds count against the ingress port it came
 * in on until it leaves.
 *
 * Congestion signals (port-queues.ts, pfc.ts): ECN marks at enqueue with probability 0
 * below Kmin, rising linearly to Pmax at Kmax, 1 beyond (RED as RoCE switches configure it;
 * seeded RNG). PFC: when an ingress port's bytes cross XOFF = buffer - headroom, a pause travels back
 * over the link's latency and stops the upstream port after its current packet; below
 * XON = XOFF - MTU a resume follows. A paused switch port keeps its queue, which fills
 * that switch's own ingress ports in turn: pauses spread upstream, and every flow behind
 * a paused port waits (head-of-line blocking), whichever destination it is going to.
 * With PFC off a packet that finds its ingress buffer full is dropped and resent by its
 * sender one base RTT later.
 *
 * Traffic classes: a transfer's `trafficClass` (0 default, 1 priority) picks its queue at
 * every port and its own PFC priority, so pauses of one class do not stop the other.
 * Ports serve class 1 first (strict priority, the default) or share by weight (wrr,
 * deficit round robin; wrr.ts), at switch egress ports and at NICs alike.
 *
 * Receivers (receiver.ts): `ooo` places packets wherever they land (a flow is delivered when all its
 * packets are in); `inorder` accepts only the next expected packet, discards the rest and
 * sends one NACK per gap, and the sender goes back to it (go-back-N); a NACK for a packet
 * resent less than an RTT ago waits out that RTT, and a timer of 4 base RTTs after the
 * last packet resends a lost tail.
 *
 * Transfer events: `sent` when the last packet of every flow has left the source NIC
 * (under `inorder` a rewind can still resend, so `sent` is reported with `delivered`, as
 * an RC send completes on its acknowledgement); `delivered` when the last packet of every
 * flow is at the destination. Control packets (CNP, ACK, NACK, pause frames) take the
 * path's base latency and no bandwidth.
 *
 * Against maxMin: in steady state long flows through a bottleneck get the same shares
 * (test/packet-*.test.ts checks 2 %); the differences are transients (queues must build
 * before ECN or PFC act, rates ramp after congestion clears) and per-packet effects
 * (store-and-forward per hop, reordering, HOL blocking under PFC).
 */
import { EventQueue, WeftInputError } from '@weft/sim';
import { indexGraph, type GraphIndex } from '../../topology/graph.js';
import type {
  FlowRecord,
  LinkStats,
  NetworkOptions,
  Router,
  StrandCause,
  Topology,
  TransferEvent,
  TransferEventSink,
  TransferRequest,
} from '../../types.js';
import type { SimulatedNetwork } from '../../network.js';
import { EventLog } from '../event-log.js';
import { linkStatsOf } from '../link-account.js';
import { checkRequest, checkTime, unknownLink } from '../validate.js';
import { linkDegrade, linkFailure, type LinkFault } from '../link-fault.js';
import { endPath, endPathsThrough } from '../path-ends.js';
import { SenderRate } from './congestion.js';
import { EventHeap } from './event-heap.js';
import { HostNics } from './host-nics.js';
import { LatencyHistogram } from './latency-histogram.js';
import { NextHops } from './next-hops.js';
import { DCQCN, resolvePacketOptions, type ResolvedPacketOptions } from './options.js';
import { PacketPool } from './packet-pool.js';
import { PacketRouting } from './packet-routing.js';
import { PfcPorts } from './pfc.js';
import { PortQueues } from './port-queues.js';
import { receivePacket, PLACED } from './receiver.js';
import { SeededRandom } from './rng.js';
import { CLASSES, linkOfPortClass, portClass } from './classes.js';
import { FINISHED_FLOW, notePlaced, type FlowState, type TransferState } from './flow-state.js';
import { total, type PacketStats, type PortStats } from './stats.js';

export { CLASSES } from './classes.js';
export type { PacketStats, PortStats } from './stats.js';

/** Event kinds in the heap. */
const TX_DONE = 0; // a: link
const ARRIVE = 1; // a: packet, b: link
const PAUSE = 2; // a: port class (link x CLASSES + class), b: 1 pause / 0 resume (reaches the link's sender)
const ACK = 3; // a: packet (telemetry echo)
const CNP = 4; // a: flow, b: its connection (connectionRates)
const REWIND = 5; // a: flow, b: packet index to resend from (NACK or loss)
const WAKE = 6; // a: link (a paced sender may send again)
const TIMEOUT = 7; // a: flow (inorder: the sender has sent everything; resend from the cumulative ACK if stuck)
/** inorder retransmission timeout, in base RTTs: catches a tail packet discarded with no later packet to trigger a NACK. */
const TIMEOUT_RTTS = 4;

type Fault = LinkFault;

export class PacketNetwork implements SimulatedNetwork {
  readonly packet: ResolvedPacketOptions;
  private clockNs = 0;
  private readonly graph: GraphIndex;
  private readonly heap = new EventHeap();
  private readonly faults = new EventQueue<Fault>();
  private readonly log = new EventLog();
  private readonly pool = new PacketPool();
  private readonly rng: SeededRandom;
  private readonly hops: NextHops;
  private readonly latency = new LatencyHistogram();
  private readonly recordFull: boolean;
  private readonly nodeIds: ReadonlySet<string>;
  private readonly transfers: TransferState[] = [];
  private readonly flowsById: FlowState[] = [];
  /**
   * Congestion-control state per connection (source, destination, flow key — the runtime's
   * channel —, queue pair, traffic class), kept across its messages as a NIC keeps it per queue
   * pair: DCQCN's rate, target and alpha, and the telemetry reference, go on from one message to
   * the next, their timers running in virtual time between them. A state made per message started
   * every chunk at line rate, and the CNPs of a chunk came back after it finished: --cc dcqcn
   * changed nothing on a chunked collective (5,171 ECN marks either way).
   */
  private readonly connectionRates: SenderRate[] = [];
  /** When the receiver last sent each connection a CNP: DCQCN's notification point paces them per queue pair, not per message. */
  private readonly connectionLastCnpNs: number[] = [];
  private readonly connectionIndex = new Map<string, number>();
  private nextTransferId = 0;
  /** The sending NICs: which flow sends next on a host link. */
  private readonly nics: HostNics;
  private readonly routing: PacketRouting;

  // Per link (index = topology link order).
  private readonly bandwidth: Float64Array;
  private readonly linkLatencyNs: Float64Array;
  private readonly down: Uint8Array;
  /** Ids of the failed links, for the router. */
  private readonly downLinkIds = new Set<string>();
  private readonly fromHost: Uint8Array;
  /** Per switch port: 1 when the switch's own packets (an in-network agent's) go next, 0 when forwarded ones do. */
  private readonly ownTurn: Uint8Array;
  private readonly busy: Uint8Array;
  private readonly inFlight: Int32Array;
  /** Egress queues, ECN and the class scheduler. */
  private readonly queues: PortQueues;
  private readonly pfc: PfcPorts;
  private readonly wakeAtNs: Float64Array;
  // Per-link statistics.
  private readonly bytesCarried: Float64Array;
  private readonly busyNs: Float64Array;
  private readonly dropCount: Float64Array;
  private readonly flowCount: Int32Array;
  private readonly peakFlows: Int32Array;
  // Totals.
  private events = 0;
  private packetsSent = 0;
  private outOfOrder = 0;
  private resent = 0;
  private rateChanges = 0;
  private activeFlows = 0;

  constructor(
    readonly topology: Topology,
    readonly options: NetworkOptions,
    private readonly router: Router,
  ) {
    this.packet = resolvePacketOptions(options.packet);
    this.recordFull = (options.record ?? 'full') === 'full';
    this.rng = new SeededRandom(options.seed);
    this.graph = indexGraph(topology);
    this.nodeIds = new Set(this.graph.nodeIndex.keys());
    const L = topology.links.length;
    const N = topology.nodes.length;
    this.bandwidth = Float64Array.from(topology.links, (link) => link.bandwidthBytesPerSec);
    this.linkLatencyNs = Float64Array.from(topology.links, (link) => link.latencyNs);
    this.down = new Uint8Array(L);
    this.hops = new NextHops(this.graph, (link) => this.down[link] === 1);
    this.fromHost = Uint8Array.from({ length: L }, (_, l) => this.graph.isEndpoint[this.graph.linkFrom[l]!]!);
    this.ownTurn = new Uint8Array(L);
    this.busy = new Uint8Array(L);
    this.inFlight = new Int32Array(L).fill(-1);
    this.queues = new PortQueues(L, this.packet, this.pool, this.rng, this.bandwidth, this.recordFull);
    this.pfc = new PfcPorts(this.packet, this.bandwidth, this.linkLatencyNs, topology.links.map((link) => link.bufferBytes));
    this.nics = new HostNics(this.graph, this.hops, this.pfc, this.packet);
    this.wakeAtNs = new Float64Array(L).fill(Infinity);
    this.bytesCarried = new Float64Array(L);
    this.busyNs = new Float64Array(L);
    this.dropCount = new Float64Array(L);
    this.flowCount = new Int32Array(L);
    this.peakFlows = new Int32Array(L);
    this.routing = new PacketRouting(
      { graph: this.graph, hops: this.hops, pool: this.pool, rng: this.rng, queues: this.queues, busy: this.busy, inFlight: this.inFlight, link: (id) => this.link(id) },
      router,
      options,
      this.packet,
    );
  }

  get nowNs(): number {
    return this.clockNs;
  }

  // ---- Network -----------------------------------------------------------------------

  startTransfer(request: TransferRequest, nowNs: number): number {
    checkTime('transfer start time', nowNs, this.clockNs);
    checkRequest(request, this.nodeIds);
    const cls = request.trafficClass;
    if (cls !== undefined && !(Number.isInteger(cls) && cls >= 0 && cls < CLASSES)) {
      throw new WeftInputError(`traffic class ${String(cls)} is invalid; expected 0 (default) or 1 (served first)`);
    }
    if (nowNs > this.clockNs) this.advanceTo(nowNs);
    const transfer: TransferState = {
      id: this.nextTransferId++,
      request: { ...request },
      startNs: nowNs,
      paths: [],
      pathEndNs: null,
      flows: [],
      unsentFlows: 0,
      undeliveredFlows: 0,
      sentNs: undefined,
      deliveredNs: nowNs,
      stranded: false,
      placedBytes: 0,
      deliveredTimeline: this.recordFull ? [[nowNs, 0]] : null,
    };
    if (this.recordFull) this.transfers.push(transfer);
    if (request.srcNode === request.dstNode) {
      this.finish(transfer, nowNs, nowNs);
      return transfer.id;
    }
    const src = this.graph.nodeIndex.get(request.srcNode)!;
    const dst = this.graph.nodeIndex.get(request.dstNode)!;
    const routes = this.routing.routesFor(request, src, dst, this.downLinkIds);
    if ('stranded' in routes) {
      this.strand(transfer, routes.stranded, 'noPath', nowNs);
      return transfer.id;
    }
    transfer.paths = routes.map((route) => Array.from(route.pathLinks, (l) => this.topology.links[l]!.id));
    if (request.bytes === 0) {
      let latencyNs = 0;
      for (const route of routes) latencyNs = Math.max(latencyNs, this.pathLatencyNs(route.pathLinks));
      this.finish(transfer, nowNs, nowNs + latencyNs);
      return transfer.id;
    }
    const bytesPerFlow = request.bytes / routes.length;
    const cell = this.packet.cellBytes;
    for (const [qp, route] of routes.entries()) {
      const packets = Math.ceil(bytesPerFlow / cell);
      const oneWayNs = this.pathLatencyNs(route.pathLinks);
      const lineBytesPerSec = this.bandwidth[route.pathLinks[0]!]!;
      const rttNs = 2 * oneWayNs + (2 * cell * 1e9) / lineBytesPerSec;
      const connection = this.connectionOf(`${src} ${dst} ${request.flowKey} ${qp} ${request.trafficClass ?? 0}`, lineBytesPerSec, rttNs, nowNs);
      const flow: FlowState = {
        id: this.flowsById.length,
        transfer,
        src,
        dst,
        route: route.pinned ? route.pathLinks : null,
        pathLinks: route.pathLinks,
        spanLinks: route.pinned ? route.pathLinks : this.hops.spanLinks(src, dst),
        packets,
        lastPacketBytes: bytesPerFlow - (packets - 1) * cell,
        returnLatencyNs: oneWayNs,
        trafficClass: request.trafficClass ?? 0,
        connection,
        rate: this.connectionRates[connection]!,
        nextSeq: 0,
        resend: [],
        received: 0,
        nackedSeq: -1,
        lastSentNs: this.packet.delivery === 'inorder' ? new Float64Array(packets).fill(-Infinity) : null,
        rttNs,
        nextSendNs: nowNs,
        queuedAtHost: false,
        sentMarked: false,
        done: false,
      };
      this.flowsById.push(flow);
      transfer.flows.push(flow);
      this.activeFlows++;
      for (const l of flow.spanLinks) {
        if (++this.flowCount[l]! > this.peakFlows[l]!) this.peakFlows[l] = this.flowCount[l]!;
      }
    }
    transfer.unsentFlows = transfer.flows.length;
    transfer.undeliveredFlows = transfer.flows.length;
    for (const flow of transfer.flows) this.queueAtHost(flow);
    return transfer.id;
  }

  /** The index of connection `key`'s congestion-control state (connectionRates), made at line rate on its first message. */
  private connectionOf(key: string, lineBytesPerSec: number, baseRttNs: number, nowNs: number): number {
    let index = this.connectionIndex.get(key);
    if (index === undefined) {
      index = this.connectionRates.push(new SenderRate(this.packet.cc, lineBytesPerSec, baseRttNs, nowNs)) - 1;
      this.connectionLastCnpNs.push(-Infinity);
      this.connectionIndex.set(key, index);
    }
    return index;
  }

  nextEventTimeNs(): number {
    return Math.min(this.heap.peekTimeNs(), this.faults.peekTimeNs(), this.log.nextTimeNs());
  }

  advanceTo(timeNs: number): void {
    checkTime('advance time', timeNs, this.clockNs);
    for (;;) {
      const heapNs = this.heap.peekTimeNs();
      const faultNs = this.faults.peekTimeNs();
      const nextNs = Math.min(heapNs, faultNs);
      if (nextNs > timeNs) break;
      this.clockNs = nextNs;
      if (heapNs <= faultNs) {
        this.heap.pop();
        this.events++;
        this.dispatch();
      } else {
        for (const fault of this.faults.popUntil(nextNs)) this.applyFault(fault.payload, nextNs);
      }
    }
    this.clockNs = timeNs;
    this.log.release(timeNs);
  }

  takeEvents(): TransferEvent[] {
    return this.log.take();
  }

  drainEvents(sink: TransferEventSink): void {
    this.log.drain(sink);
  }

  failLink(linkId: string, atNs: number): void {
    this.schedule(linkFailure(this.link(linkId), atNs, this.clockNs), atNs);
  }

  degradeLink(linkId: string, factor: number, atNs: number): void {
    this.schedule(linkDegrade(this.link(linkId), factor, atNs, this.clockNs), atNs);
  }

  linkStats(elapsedNs = this.clockNs): LinkStats[] {
    const ports = this.portStats();
    return this.topology.links.map((link, l) => {
      const { linkId: _, ...queue } = ports[l]!;
      const totals = { bytesCarried: this.bytesCarried[l]!, busyNs: this.busyNs[l]!, peakFlows: this.peakFlows[l]! };
      return { ...linkStatsOf(link, totals, elapsedNs, []), queue };
    });
  }

  flows(): FlowRecord[] {
    if (!this.recordFull) return [];
    return this.transfers.map((transfer) => {
      const { srcNode, dstNode, bytes } = transfer.request;
      const record: { -readonly [K in keyof FlowRecord]: FlowRecord[K] } = {
        transferId: transfer.id,
        srcNode,
        dstNode,
        bytes,
        startNs: transfer.startNs,
        paths: transfer.paths,
      };
      if (transfer.pathEndNs !== null) record.pathEndNs = [...transfer.pathEndNs];
      if (transfer.sentNs !== undefined && transfer.sentNs <= this.clockNs) record.sentNs = transfer.sentNs;
      if (transfer.undeliveredFlows === 0 && !transfer.stranded && transfer.deliveredNs <= this.clockNs) record.deliveredNs = transfer.deliveredNs;
      if (transfer.stranded) record.stranded = true;
      if (transfer.deliveredTimeline !== null && transfer.request.bytes > 0) record.deliveredTimeline = transfer.deliveredTimeline.map(([t, b]) => [t, b] as const);
      return record;
    });
  }

  workStats() {
    return {
      model: 'packet' as const,
      nowNs: this.clockNs,
      transfersStarted: this.nextTransferId,
      flowsStarted: this.flowsById.length,
      activeFlows: this.activeFlows,
      flowRateChanges: this.rateChanges,
      solver: null,
    };
  }

  /** Fabric-wide packet counters and latency percentiles. */
  packetStats(): PacketStats {
    return {
      cellBytes: this.packet.cellBytes,
      events: this.events,
      packetsSent: this.packetsSent,
      ecnMarks: total(this.queues.marks),
      pauses: total(this.pfc.pauseCount),
      drops: total(this.dropCount),
      outOfOrderDiscards: this.outOfOrder,
      retransmittedPackets: this.resent,
      latencyP50Ns: this.latency.quantile(0.5),
      latencyP99Ns: this.latency.quantile(0.99),
      latencyMaxNs: this.latency.max,
    };
  }

  /** Queue depth, ECN, PFC and drops per link, in topology link order. */
  portStats(): PortStats[] {
    return this.topology.links.map((link, l) => {
      return {
        linkId: link.id,
        peakQueueBytes: this.queues.peakBytes[l]!,
        ecnMarks: this.queues.marks[l]!,
        pauses: this.pfc.pauseCount[l]!,
        pausedNs: this.pfc.pausedNsOf(l, this.clockNs),
        drops: this.dropCount[l]!,
        depthTimeline: this.queues.depthTimeline(l),
      };
    });
  }

  // ---- events ------------------------------------------------------------------------

  private dispatch(): void {
    const { kind, a, b } = this.heap;
    switch (kind) {
      case TX_DONE:
        return this.txDone(a);
      case ARRIVE:
        return this.arrive(a, b);
      case PAUSE:
        return this.pauseChanged(a, b === 1);
      case ACK: {
        const flow = this.flowsById[this.pool.flow[a]!]!;
        if (!flow.done) {
          flow.rate.onTelemetry(this.pool.queueDelayNs[a]!, this.clockNs);
          this.rateChanges++;
        }
        this.pool.free(a);
        return;
      }
      case CNP: {
        // A CNP cuts its connection's rate (b), whether or not the message that was marked is done.
        this.connectionRates[b]!.onCnp(this.clockNs);
        this.rateChanges++;
        return;
      }
      case REWIND:
        return this.rewind(this.flowsById[a]!, b);
      case TIMEOUT: {
        const flow = this.flowsById[a]!;
        if (flow.done) return;
        if (flow.nextSeq === flow.packets && this.clockNs >= flow.lastSentNs![flow.received]! + flow.rttNs) this.rewind(flow, flow.received);
        this.heap.push(this.clockNs + TIMEOUT_RTTS * flow.rttNs, TIMEOUT, flow.id, 0);
        return;
      }
      case WAKE:
        if (this.wakeAtNs[a] === this.clockNs) {
          this.wakeAtNs[a] = Infinity;
          this.transmit(a);
        }
        return;
    }
  }

  /** Starts the next packet on `link` if it is idle and up, from a class that is not paused. */
  private transmit(link: number): void {
    if (this.busy[link] || this.down[link]) return;
    const p = this.fromHost[link] ? this.pullFromHost(link) : this.pullAtSwitch(link);
    if (p < 0) return;
    const bytes = this.pool.bytes[p]!;
    const serializationNs = (bytes * 1e9) / this.bandwidth[link]!;
    const endNs = this.clockNs + serializationNs;
    this.busy[link] = 1;
    this.inFlight[link] = p;
    this.busyNs[link]! += serializationNs;
    this.bytesCarried[link]! += bytes;
    this.heap.push(endNs, TX_DONE, link, 0);
    this.heap.push(endNs + this.linkLatencyNs[link]!, ARRIVE, p, link);
  }

  private txDone(link: number): void {
    this.busy[link] = 0;
    const p = this.inFlight[link]!;
    this.inFlight[link] = -1;
    if (this.pool.ingress[p]! < 0) {
      // Sent from this link's node (a host, or a switch's in-network agent), not forwarded.
      const flow = this.flowsById[this.pool.flow[p]!]!;
      if (!flow.sentMarked && flow.nextSeq === flow.packets && flow.resend.length === 0 && this.packet.delivery === 'ooo') {
        flow.sentMarked = true;
        if (--flow.transfer.unsentFlows === 0 && !flow.transfer.stranded && flow.transfer.sentNs === undefined) this.markSent(flow.transfer, this.clockNs);
      }
    } else {
      this.releaseIngress(portClass(this.pool.ingress[p]!, this.pool.cls[p]!), this.pool.bytes[p]!);
    }
    this.transmit(link);
  }

  /** Packet `p` has fully arrived over `link` at the link's far node. */
  private arrive(p: number, link: number): void {
    const pool = this.pool;
    const flow = this.flowsById[pool.flow[p]!]!;
    const node = this.graph.linkTo[link]!;
    if (this.down[link]) {
      // It was crossing the link when the link went down (transmit sends on no down link): lost,
      // as the packets queued on it are (applyFault). It was dropped without a word, so under
      // out-of-order delivery its message never completed: a deadlock instead of this strand.
      if (!flow.done) this.strand(flow.transfer, this.topology.links[link]!.id, 'lostPackets', this.clockNs);
      pool.free(p);
      return;
    }
    if (node === flow.dst) return this.receive(p, flow);
    const bytes = pool.bytes[p]!;
    if (flow.done) {
      pool.free(p);
      return;
    }
    const pc = portClass(link, pool.cls[p]!);
    if (this.pfc.overflows(pc, bytes)) {
      // Only without PFC (or with a buffer smaller than its headroom): the packet is lost.
      this.dropCount[link]!++;
      this.heap.push(this.clockNs + 2 * flow.returnLatencyNs, REWIND, flow.id, pool.seq[p]!);
      pool.free(p);
      return;
    }
    pool.ingress[p] = link;
    if (this.pfc.hold(pc, bytes)) this.heap.push(this.clockNs + this.linkLatencyNs[link]!, PAUSE, pc, 1);
    const out = this.routing.egress(p, flow.route, flow.dst, node, this.clockNs);
    pool.hop[p]!++;
    this.queues.enqueue(out, p, bytes, this.clockNs);
    this.transmit(out);
  }

  /** Bytes of port class `pc` left the switch; below XON its pause is lifted. */
  private releaseIngress(pc: number, bytes: number): void {
    if (this.pfc.release(pc, bytes)) this.heap.push(this.clockNs + this.linkLatencyNs[linkOfPortClass(pc)]!, PAUSE, pc, 0);
  }

  /** A pause or resume for one class reached the link's sender. */
  private pauseChanged(pc: number, pause: boolean): void {
    if (this.pfc.setPaused(pc, pause, this.clockNs) && !pause) this.transmit(linkOfPortClass(pc));
  }

  // ---- senders -----------------------------------------------------------------------

  private queueAtHost(flow: FlowState): void {
    if (!this.nics.add(flow)) return;
    for (const link of this.nics.sourceLinks(flow)) this.transmit(link);
  }

  /**
   * The next packet of a switch port: one it forwards, or one the switch sends itself when it is a
   * flow's source (an in-network reduction agent: NVLS's multicast results, SHARP's). When both
   * wait they take turns, a packet each, so neither starves the other; the switch's own packets
   * are made where they leave and take no ingress buffer.
   */
  private pullAtSwitch(link: number): number {
    if (!this.nics.hasFlows(this.graph.linkFrom[link]!)) return this.queues.dequeue(link, this.pfc, this.clockNs);
    const forwarded = () => this.queues.dequeue(link, this.pfc, this.clockNs);
    const own = () => this.pullFromHost(link);
    const ownFirst = this.ownTurn[link] === 1;
    let p = ownFirst ? own() : forwarded();
    let servedOwn = ownFirst;
    if (p < 0) {
      p = ownFirst ? forwarded() : own();
      servedOwn = !ownFirst;
    }
    if (p >= 0) this.ownTurn[link] = servedOwn ? 0 : 1;
    return p;
  }

  /** The next packet a host sends on `link`, or -1 (and a wake-up when a paced flow may send). */
  private pullFromHost(link: number): number {
    const flow = this.nics.pick(link, this.clockNs);
    if (flow === null) {
      const wakeNs = this.nics.wakeNs;
      if (wakeNs < this.wakeAtNs[link]!) {
        this.wakeAtNs[link] = wakeNs;
        this.heap.push(wakeNs, WAKE, link, 0);
      }
      return -1;
    }
    const seq = this.nics.pickedSeq;
    if (flow.lastSentNs !== null) {
      flow.lastSentNs[seq] = this.clockNs;
      // The first time the whole flow is out, arm its retransmission timer.
      if (seq === flow.packets - 1 && flow.nextSeq === flow.packets && !flow.sentMarked) {
        flow.sentMarked = true;
        this.heap.push(this.clockNs + TIMEOUT_RTTS * flow.rttNs, TIMEOUT, flow.id, 0);
      }
    }
    return this.newPacket(flow, seq, this.nics.pickedBytes);
  }

  private newPacket(flow: FlowState, seq: number, bytes: number): number {
    const pool = this.pool;
    const p = pool.alloc();
    pool.flow[p] = flow.id;
    pool.cls[p] = flow.trafficClass;
    pool.seq[p] = seq;
    pool.bytes[p] = bytes;
    pool.hop[p] = 0;
    pool.ingress[p] = -1;
    pool.ecn[p] = 0;
    pool.queueDelayNs[p] = 0;
    pool.sentNs[p] = this.clockNs;
    this.packetsSent++;
    return p;
  }

  /** Go back to packet `seq` (a NACK under inorder, a loss under either delivery). */
  private rewind(flow: FlowState, seq: number): void {
    if (flow.done) return;
    if (this.packet.delivery === 'ooo') {
      flow.resend.push(seq);
      this.resent++;
    } else {
      // The receiver has everything before `received` (its cumulative ACK). A packet
      // resent less than an RTT ago is still on its way: look again when that RTT is over,
      // rather than resending the whole window behind it once more.
      if (seq < flow.received || seq >= flow.nextSeq) return;
      const settledNs = flow.lastSentNs![seq]! + flow.rttNs;
      if (this.clockNs < settledNs) {
        this.heap.push(settledNs, REWIND, flow.id, seq);
        return;
      }
      this.resent += flow.nextSeq - seq;
      flow.nextSeq = seq;
    }
    this.queueAtHost(flow);
    for (const link of this.nics.sourceLinks(flow)) this.transmit(link);
  }

  // ---- receivers ---------------------------------------------------------------------

  private receive(p: number, flow: FlowState): void {
    const pool = this.pool;
    const nowNs = this.clockNs;
    if (flow.done) {
      pool.free(p);
      return;
    }
    this.latency.add(nowNs - pool.sentNs[p]!);
    if (pool.ecn[p] === 1 && this.packet.cc === 'dcqcn' && nowNs - this.connectionLastCnpNs[flow.connection]! >= DCQCN.cnpIntervalNs) {
      this.connectionLastCnpNs[flow.connection] = nowNs;
      this.heap.push(nowNs + flow.returnLatencyNs, CNP, flow.id, flow.connection);
    }
    const placed = receivePacket(flow, pool.seq[p]!, this.packet.delivery);
    const accepted = placed === PLACED;
    if (!accepted) this.outOfOrder++;
    else notePlaced(flow.transfer, pool.seq[p]! === flow.packets - 1 ? flow.lastPacketBytes : this.packet.cellBytes, nowNs);
    if (placed >= 0) this.heap.push(nowNs + flow.returnLatencyNs, REWIND, flow.id, placed);
    if (accepted && this.packet.cc === 'telemetry') this.heap.push(nowNs + flow.returnLatencyNs, ACK, p, 0);
    else pool.free(p);
    if (flow.received === flow.packets) this.flowDelivered(flow, nowNs);
  }

  private flowDelivered(flow: FlowState, nowNs: number): void {
    this.retire(flow);
    const transfer = flow.transfer;
    if (--transfer.undeliveredFlows > 0 || transfer.stranded) return;
    if (transfer.sentNs === undefined) this.markSent(transfer, nowNs);
    transfer.deliveredNs = nowNs;
    this.log.schedule({ kind: 'delivered', transferId: transfer.id, timeNs: nowNs });
  }

  /**
   * A flow is over (delivered or stranded). Under `summary` its slot is given to a shared
   * finished placeholder, so memory follows the flows in flight: packets of it still in
   * the fabric find a done flow and are discarded.
   */
  private retire(flow: FlowState): void {
    flow.done = true;
    this.activeFlows--;
    for (const l of flow.spanLinks) this.flowCount[l]!--;
    if (!this.recordFull) this.flowsById[flow.id] = FINISHED_FLOW;
  }

  private markSent(transfer: TransferState, sentNs: number): void {
    transfer.sentNs = sentNs;
    this.log.schedule({ kind: 'sent', transferId: transfer.id, timeNs: sentNs });
  }

  /** A transfer that needs no packets: sent at `sentNs`, delivered at `deliveredNs`. */
  private finish(transfer: TransferState, sentNs: number, deliveredNs: number): void {
    this.markSent(transfer, sentNs);
    transfer.deliveredNs = deliveredNs;
    this.log.schedule({ kind: 'delivered', transferId: transfer.id, timeNs: deliveredNs });
  }

  private strand(transfer: TransferState, linkId: string, cause: StrandCause, nowNs: number): void {
    if (transfer.stranded) return;
    transfer.stranded = true;
    // A path whose flow was delivered before keeps no end (the model keeps no per-flow finish time).
    transfer.flows.forEach((flow, index) => {
      if (!flow.done) endPath(transfer, transfer.flows.length === transfer.paths.length ? index : 0, nowNs);
    });
    for (const flow of transfer.flows) if (!flow.done) this.retire(flow);
    this.log.schedule({ kind: 'stranded', transferId: transfer.id, timeNs: nowNs, linkId, cause });
  }

  // ---- faults ------------------------------------------------------------------------

  private schedule(fault: Fault, atNs: number): void {
    if (atNs > this.clockNs) {
      this.faults.push(atNs, fault);
      return;
    }
    this.advanceTo(atNs);
    this.applyFault(fault, atNs);
  }

  /**
   * A failed link loses what it holds: transfers pinned to it, or with a packet queued on
   * or crossing it, strand; per-packet routing avoids it from now on. Degrades scale the
   * bandwidth of packets serialized from now on.
   */
  private applyFault(fault: Fault, nowNs: number): void {
    const link = fault.link;
    if (this.down[link]) return;
    if (fault.kind === 'degrade') {
      this.bandwidth[link]! *= fault.factor;
      return;
    }
    this.down[link] = 1;
    this.downLinkIds.add(this.topology.links[link]!.id);
    this.hops.invalidate();
    this.routing.forgetPinned();
    const linkId = this.topology.links[link]!.id;
    // Pinned flows first: a pinned flow with packets on the link strands for being pinned to it.
    for (const flow of this.flowsById) {
      if (!flow.done && flow.route !== null && flow.route.includes(link)) this.strand(flow.transfer, linkId, 'pinned', nowNs);
    }
    const strandOwner = (p: number): void => {
      const flow = this.flowsById[this.pool.flow[p]!]!;
      if (!flow.done) this.strand(flow.transfer, linkId, 'lostPackets', nowNs);
    };
    this.queues.forEachQueued(link, strandOwner);
    if (this.busy[link]) strandOwner(this.inFlight[link]!);
    // A flow routed per packet goes on around the link: its recorded path over it ends here.
    for (const flow of this.flowsById) {
      if (!flow.done && flow.route === null && flow.pathLinks.includes(link)) endPathsThrough(flow.transfer, linkId, nowNs);
    }
  }

  // ---- lookups -----------------------------------------------------------------------

  private pathLatencyNs(links: Int32Array): number {
    let total = 0;
    for (const l of links) total += this.linkLatencyNs[l]!;
    return total;
  }


  private link(linkId: string): number {
    const index = this.graph.linkIndex.get(linkId);
    if (index === undefined) throw unknownLink(linkId, this.topology);
    return index;
  }
}
