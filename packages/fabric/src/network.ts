/**
 * `createNetwork`: routing + a rate model + statistics + faults on one topology, as the
 * `Network` a runtime drives. The network is a fluid simulation: a transfer is in its
 * bandwidth phase from its start until its last byte leaves the source (`sent`), at rates
 * the model picks (models/alpha-beta.ts: no contention; models/max-min.ts: max-min fair
 * sharing), then `delivered` = sent + path latency. The formulas, in the exact order the
 * code evaluates them, are in models/timing.ts:
 *
 *   sentNs      = nowNs + remainingBytes * 1e9 / rateBytesPerSec    (re-evaluated at every rate change,
 *                 after remainingBytes -= oldRate * (nowNs - lastNs) / 1e9)
 *   deliveredNs = sentNs + pathLatencyNs    (sum of link latencies; max over the paths a flow
 *                 still uses; max over a transfer's flows)
 *
 * so a lone transfer started at 0 is sent at bytes * 1e9 / B and delivered at exactly
 * latencyNs + bytes * 1e9 / B, under both models.
 *
 * Routing: under `ecmp` a transfer is `qps` flows of bytes / qps, each pinned to the path
 * the router hashes for (src, dst, flowKey, qp); it is sent when its last flow is. Under
 * `adaptive` it is one flow over every equal-cost path (qps does not apply).
 *
 * Special cases: a transfer to its own node never touches the network (sent and delivered
 * at its start); a transfer of 0 bytes is sent at its start and delivered after its path
 * latency; a transfer with no route around failed links strands at its start.
 *
 * Faults (failLink, degradeLink) are events of the network at their virtual time. A failed
 * link strands every pinned transfer crossing it (all its queue pairs stop) and removes
 * itself from adaptive flows, which go on over their other paths or strand if none is
 * left; transfers started later are routed around it. A failure does not touch transfers
 * already sent (their tail is in flight: delivery stands). Degrades multiply capacity.
 *
 * Identical transfers share a flow: under ECMP with one queue pair, a transfer started at the
 * same time as another on the same route with the same bytes, before any rate was solved
 * for it, joins that transfer's flow as a copy (FlowState.copies; the solver counts it as
 * one more identical variable). Identical flows get identical rates and finish together,
 * so each transfer is sent, delivered and evented exactly as alone; the network does the
 * work once (NCCL's duplicated channels often run the same ring over the same links).
 *
 * Simultaneity: at one virtual time, flows finishing then are sent before faults due then
 * apply, and all changes at one time are solved once, lazily, when the next event time is
 * asked for or the network advances.
 *
 * Statistics: `record: 'full'` (default) keeps a FlowRecord per transfer and a utilization
 * timeline per link; `record: 'summary'` keeps link totals only and frees a transfer once it
 * is sent or stranded. The simulation (events, times, totals) is the same in both.
 */
import { EventQueue } from '@weft/sim';
import type {
  FlowRecord,
  LinkStats,
  ModelName,
  Network,
  NetworkOptions,
  Router,
  SteadyStateSink,
  StrandCause,
  Topology,
  TransferEvent,
  TransferEventSink,
  TransferRequest,
} from './types.js';
import { AlphaBetaModel } from './models/alpha-beta.js';
import { CompletionHeap } from './models/completion-heap.js';
import { DELIVERED, EventLog, SENT } from './models/event-log.js';
import { distinctLinks, linkUse, NO_PATH_LINKS, type FlowState, type SubFlowState, type TransferHandle } from './models/flow-state.js';
import { LinkAccounts } from './models/link-account.js';
import { MaxMinModel } from './models/max-min.js';
import { PacketNetwork } from './models/packet/packet-network.js';
import type { SolverStats } from './models/max-min-solver.js';
import type { RateModel } from './models/rate-model.js';
import { LiveFlows } from './models/live-flows.js';
import { planRoutes } from './models/route-plan.js';
import { ScratchList } from './models/scratch-list.js';
import { bytesMoved, finishTimeNs, pathLatencyNs } from './models/timing.js';
import { checkLinks, checkOptions, checkRequest, checkTime, checkTransferSizes, unknownLink } from './models/validate.js';
import { linkDegrade, linkFailure, type LinkFault } from './models/link-fault.js';
import { endPath, endPathsThrough } from './models/path-ends.js';

/** Counters that show how much work the model did (for benchmarks and reports). */
export interface NetworkWorkStats {
  readonly model: ModelName;
  readonly nowNs: number;
  readonly transfersStarted: number;
  /** Flows created; a transfer that joins an identical flow as a copy creates none. */
  readonly flowsStarted: number;
  readonly activeFlows: number;
  /** Times a flow's rate changed (each brings its remaining bytes up to date). */
  readonly flowRateChanges: number;
  /** Max-min solver counters (re-solves, variables touched …); null under alphaBeta. */
  readonly solver: SolverStats | null;
}

/** A Network that also reports its current time and its work counters. */
export interface SimulatedNetwork extends Network {
  readonly nowNs: number;
  workStats(): NetworkWorkStats;
}

/** Internal switches of the fluid network (tests compare a run with and without them). */
export interface NetworkTuning {
  /** Identical transfers share one flow (see the header); default true. The results are the same either way. */
  readonly shareFlows?: boolean;
  /** Under maxMin, a flow alone on its links is timed without a solver variable (models/max-min.ts); default true. The results are the same either way. */
  readonly loneFlows?: boolean;
}

export function createNetwork(topology: Topology, options: NetworkOptions, router: Router, tuning: NetworkTuning = {}): SimulatedNetwork {
  checkOptions(options);
  checkLinks(topology);
  if (options.model === 'packet') return new PacketNetwork(topology, { ...options }, router);
  return new FluidNetwork(topology, { ...options }, router, tuning.shareFlows ?? true, tuning.loneFlows ?? true);
}

interface TransferState extends TransferHandle {
  /** Set anew when a spare state is reused (summary only; see markSent). */
  id: number;
  /** Its flows; NO_FLOWS until it has some (a local or zero-byte transfer never does). */
  flows: FlowState[];
  unsentFlows: number;
  /** Latest sent + latency over the flows sent so far. */
  deliveredNs: number;
  stranded: boolean;
  /** What only flows() reports (record `full`); null under `summary`: no request kept, no times boxed per transfer. */
  readonly record: TransferRecord | null;
}

/** A transfer's own record under `full`: a copy of the caller's request, when it started, its paths, when it was sent. */
interface TransferRecord {
  readonly request: TransferRequest;
  readonly startNs: number;
  paths: readonly (readonly string[])[];
  /** When each path stopped carrying the transfer before it was sent (a link on it failed, or the transfer stranded); null while none has. */
  pathEndNs: (number | null)[] | null;
  sentNs: number | undefined;
}

/** A path resolved to link indices, with its latency; shared by every flow that takes it. */
interface Route {
  readonly links: readonly number[];
  readonly linkIds: readonly string[];
  readonly latencyNs: number;
  /**
   * The latest flow started on this route at the network's `twinsNs` (sharing only; see
   * twinOf): kept on the interned route itself, so finding a twin costs no hash lookup.
   */
  twin: FlowState | undefined;
}

/**
 * What a route is made of, per path array the router returned: its intern key, link indices
 * and latency. A router keeps its healthy pinned paths (router.ts pinnedPath), so the
 * networks sharing it — fast-forward's three short runs — get the same arrays back and
 * build each connection's Route from this instead of joining, hashing and looking up every
 * link id again. Weak: the entry goes with the path. `topology`: the one the indices are of.
 */
interface KnownPath {
  readonly topology: Topology;
  readonly key: string;
  readonly links: readonly number[];
  readonly latencyNs: number;
}
const knownPaths = new WeakMap<readonly string[], KnownPath>();

interface RoutedFlow {
  readonly bytes: number;
  readonly pinned: boolean;
  readonly routes: readonly Route[];
}

/** The flows of a transfer that has none (yet): one shared empty list, never pushed onto. */
const NO_FLOWS: FlowState[] = [];

/** A transfer's paths until recorded (record `full` only): one shared empty list. */
const NO_PATHS: readonly (readonly string[])[] = [];

/**
 * One (src, dst) pair's cached routes: under ECMP [qp] by flow key (keys 0 … INDEXED_FLOW_KEYS - 1,
 * the runtime's channel numbers, index an array: a hash lookup per transfer was the costliest
 * step of the route cache); under adaptive routing the pair's spread, whatever the key.
 */
interface PairRoutes {
  readonly byIndex: (Route | undefined)[][];
  readonly byKey: Map<number, (Route | undefined)[]>;
  spread: readonly Route[] | undefined;
}

const INDEXED_FLOW_KEYS = 1024;

/** What the network keeps in a caller's TransferRequest.routeCache object (filled in this order: one shape). */
interface RouteSlot {
  network: FluidNetwork;
  epoch: number;
  srcNode: string;
  dstNode: string;
  flowKey: number;
  routes: (Route | undefined)[];
}

/** Pinned routes cached beyond this many are all dropped (all-to-all patterns at scale). */
const ROUTE_CACHE_LIMIT = 1 << 18;

type Fault = LinkFault;

class FluidNetwork implements SimulatedNetwork {
  private clockNs = 0;
  private readonly accounts: LinkAccounts;
  private readonly linkIndex = new Map<string, number>();
  /** Flows in their bandwidth phase, in the order they started (a fault reads those on its link). */
  private readonly liveFlows = new LiveFlows();
  private readonly nodeIds: ReadonlySet<string>;
  private readonly down = new Set<string>();
  private readonly model: RateModel;
  private readonly completions = new CompletionHeap();
  private readonly faults = new EventQueue<Fault>();
  private readonly events = new EventLog();
  /** Every transfer, by id (record `full`); empty under `summary`, where only its flows hold a transfer. */
  private readonly transfers: TransferState[] = [];
  /** Sent transfers' states for new transfers to reuse (record `summary` only; see markSent). */
  private readonly spareTransfers: TransferState[] = [];
  private readonly recordFull: boolean;
  private nextTransferId = 0;
  /**
   * Routes by src → dst: ECMP's by flowKey → [qp], adaptive routing's spread; valid while the
   * set of down links is the one they were computed for (cleared when a link fails). The seed
   * is fixed per network.
   */
  private readonly pinnedRoutes = new Map<string, Map<string, PairRoutes>>();
  private pinnedRouteCount = 0;
  /** Bumped whenever the route cache is cleared (a PairRoutes found before is stale after). */
  private routeCacheEpoch = 0;
  /** The cached routes by path (links joined): one Route object per path, whatever the flow key. */
  private readonly routesByPath = new Map<string, Route>();
  /** Whether transfers may share a flow (see the header): ECMP, one queue pair, a model that counts copies. */
  private readonly sharing: boolean;
  /** Routes given a twin at `twinsNs`: their twins are forgotten when time moves on (or the cache is cleared). */
  private readonly twinRoutes = new ScratchList<Route>();
  private twinsNs = -1;
  /** route()'s ECMP result, one entry per queue pair, rewritten on every call. */
  private readonly ecmpFlows: { bytes: number; readonly pinned: true; readonly routes: Route[] }[] = [];
  /** route()'s adaptive result, its one flow rewritten on every call (startTransfer keeps neither). */
  private readonly spreadFlows: [{ bytes: number; readonly pinned: false; routes: readonly Route[] }] = [{ bytes: 0, pinned: false, routes: [] }];
  private nextFlowId = 0;
  private activeFlows = 0;
  private flowRateChanges = 0;
  private readonly applyRates = this.applyFlowRates.bind(this);

  constructor(
    readonly topology: Topology,
    readonly options: NetworkOptions,
    private readonly router: Router,
    shareFlows: boolean,
    loneFlows: boolean,
  ) {
    this.recordFull = (options.record ?? 'full') === 'full';
    this.accounts = new LinkAccounts(topology.links, this.recordFull);
    topology.links.forEach((link, index) => this.linkIndex.set(link.id, index));
    this.nodeIds = new Set(topology.nodes.map((node) => node.id));
    this.model =
      options.model === 'maxMin'
        ? new MaxMinModel(
            topology.links.map((link) => link.bandwidthBytesPerSec),
            loneFlows,
          )
        : new AlphaBetaModel((link) => this.accounts.capacityOf(link));
    this.sharing = shareFlows && this.model.addCopy !== undefined && options.routing === 'ecmp' && options.qps === 1;
  }

  get nowNs(): number {
    return this.clockNs;
  }

  startTransfer(request: TransferRequest, nowNs: number): number {
    checkTime('transfer start time', nowNs, this.clockNs);
    // A pair with cached routes had both its nodes checked when they were cached: two hash
    // lookups on node ids instead of four (the lookup the route cache makes anyway).
    // The caller's slot for the connection (TransferRequest.routeCache) answers without either.
    const cacheEpoch = this.routeCacheEpoch;
    let known = this.slotRoutes(request);
    let pair = known === undefined ? this.pinnedRoutes.get(request.srcNode)?.get(request.dstNode) : undefined;
    if (known === undefined && pair === undefined) checkRequest(request, this.nodeIds);
    else checkTransferSizes(request);
    if (nowNs > this.clockNs) this.advanceTo(nowNs);
    // A fault applied while advancing cleared the cache: the routes found may cross it.
    if (this.routeCacheEpoch !== cacheEpoch) known = pair = undefined;
    const transfer = this.newTransfer(request, nowNs);
    if (request.srcNode === request.dstNode) {
      // Same node: a local copy, no network; sent and delivered at once.
      this.markSent(transfer, nowNs);
      return transfer.id;
    }
    const routed = request.paths !== undefined ? this.callerRoute(request, request.paths) : this.route(request, pair, known);
    if ('linkId' in routed) {
      this.strand(transfer, routed.linkId, 'noPath', nowNs);
      return transfer.id;
    }
    const planned = routed;
    if (transfer.record !== null) transfer.record.paths = planned.flatMap((flow) => flow.routes.map((route) => route.linkIds));
    if (request.bytes === 0) {
      for (const flow of planned) {
        for (const route of flow.routes) transfer.deliveredNs = Math.max(transfer.deliveredNs, nowNs + route.latencyNs);
      }
      this.markSent(transfer, nowNs);
      return transfer.id;
    }
    const twin = this.twinOf(planned, nowNs);
    if (twin !== undefined) {
      this.addCopy(twin, transfer, nowNs);
      return transfer.id;
    }
    // A one-flow transfer's list is made with its flow, at its size (pushing onto [] reserves 17).
    if (planned.length > 1) transfer.flows = [];
    for (const plannedFlow of planned) {
      const routes = plannedFlow.routes;
      // Over one path the flow is its own sub-flow (flow-state.ts): the path's fields are its own.
      const path = routes.length === 1 ? routes[0]! : undefined;
      const flow: FlowState = {
        id: this.nextFlowId++,
        transfer,
        copies: 1,
        copyTransfers: null,
        pinned: plannedFlow.pinned,
        subflows: NO_FLOWS,
        links: path !== undefined ? path.links : NO_PATH_LINKS,
        latencyNs: path !== undefined ? path.latencyNs : 0,
        pathBytesPerSec: 0,
        solverVariable: -1,
        remainingBytes: plannedFlow.bytes,
        rateBytesPerSec: 0,
        lastUpdateNs: nowNs,
        finishNs: Infinity,
        version: 0,
        heapSlot: -1,
        done: false,
        queued: false,
      };
      if (planned.length === 1) transfer.flows = [flow];
      else transfer.flows.push(flow);
      // A transfer's only flow over one path: its flow list is [flow] already (never pushed onto after).
      if (path === undefined) flow.subflows = routes.map(subflowOn);
      else flow.subflows = planned.length === 1 ? transfer.flows : [flow];
      this.activeFlows++;
      for (const link of distinctLinks(flow)) this.accounts.flowAdded(link, nowNs);
      this.liveFlows.add(flow);
      this.model.addFlow(flow);
      if (this.sharing) {
        const route = plannedFlow.routes[0]!;
        if (route.twin === undefined) this.twinRoutes.push(route);
        route.twin = flow;
      }
    }
    transfer.unsentFlows = transfer.flows.length;
    return transfer.id;
  }

  /**
   * A flow this transfer can join as a copy: started now on the same (interned) route with
   * the same bytes, no rate solved for it yet (version 0: its remaining bytes are its bytes,
   * its links carry nothing of it), not sent. Only single-flow transfers share.
   */
  private twinOf(planned: readonly RoutedFlow[], nowNs: number): FlowState | undefined {
    if (!this.sharing || planned.length !== 1) return undefined;
    if (nowNs !== this.twinsNs) {
      this.forgetTwins();
      this.twinsNs = nowNs;
      return undefined;
    }
    const flow = planned[0]!.routes[0]!.twin;
    if (flow === undefined || flow.done || flow.version !== 0 || flow.remainingBytes !== planned[0]!.bytes) return undefined;
    return flow;
  }

  private forgetTwins(): void {
    const routes = this.twinRoutes;
    for (let index = 0; index < routes.size; index++) routes.items[index]!.twin = undefined;
    routes.clear();
  }

  private addCopy(flow: FlowState, transfer: TransferState, nowNs: number): void {
    flow.copies++;
    (flow.copyTransfers ??= []).push(transfer);
    // The first copy's list, [flow]: only single-flow transfers share, and that list never changes.
    transfer.flows = transferOf(flow).flows;
    transfer.unsentFlows = 1;
    for (const link of distinctLinks(flow)) this.accounts.flowAdded(link, nowNs);
    this.model.addCopy!(flow);
  }

  nextEventTimeNs(): number {
    this.solvePending();
    return Math.min(this.nextCompletionNs(), this.faults.peekTimeNs(), this.events.nextTimeNs());
  }

  advanceTo(timeNs: number): void {
    checkTime('advance time', timeNs, this.clockNs);
    for (;;) {
      this.solvePending();
      const nextNs = Math.min(this.nextCompletionNs(), this.faults.peekTimeNs());
      if (nextNs > timeNs) break;
      this.clockNs = nextNs;
      this.completeFlowsAt(nextNs);
      for (const fault of this.faults.popUntil(nextNs)) this.applyFault(fault.payload, nextNs);
    }
    this.clockNs = timeNs;
    this.events.release(timeNs);
  }

  takeEvents(): TransferEvent[] {
    return this.events.take();
  }

  drainEvents(sink: TransferEventSink): void {
    this.events.drain(sink);
  }

  failLink(linkId: string, atNs: number): void {
    this.schedule(linkFailure(this.link(linkId), atNs, this.clockNs), atNs);
  }

  degradeLink(linkId: string, factor: number, atNs: number): void {
    this.schedule(linkDegrade(this.link(linkId), factor, atNs, this.clockNs), atNs);
  }

  linkStats(elapsedNs = this.clockNs): LinkStats[] {
    return this.topology.links.map((_, link) => this.accounts.stats(link, this.clockNs, elapsedNs));
  }

  flows(): FlowRecord[] {
    if (!this.recordFull) return [];
    return this.transfers.map((transfer) => {
      const { request, startNs, paths, pathEndNs, sentNs } = transfer.record!;
      const { srcNode, dstNode, bytes } = request;
      const record: {
        -readonly [K in keyof FlowRecord]: FlowRecord[K];
      } = { transferId: transfer.id, srcNode, dstNode, bytes, startNs, paths };
      if (pathEndNs !== null) record.pathEndNs = [...pathEndNs];
      if (sentNs !== undefined) record.sentNs = sentNs;
      // Delivery is known from the send on, but reported only once it has happened.
      if (sentNs !== undefined && transfer.deliveredNs <= this.clockNs) record.deliveredNs = transfer.deliveredNs;
      if (transfer.stranded) record.stranded = true;
      return record;
    });
  }

  workStats(): NetworkWorkStats {
    return {
      model: this.model.name,
      nowNs: this.clockNs,
      transfersStarted: this.nextTransferId,
      flowsStarted: this.nextFlowId,
      activeFlows: this.activeFlows,
      flowRateChanges: this.flowRateChanges,
      solver: this.model.solverStats(),
    };
  }

  /**
   * Live flows in start order (the transfers they carry, copies, per sub-flow its first link
   * and rate; remaining bytes now, finish relative to now) and pending transfer events (by
   * transfer and kind, time relative to now). Rates are solved first: max-min's answer is a
   * function of the flows, so they need not be compared beyond this. Declines with a fault
   * still pending or events not taken.
   */
  steadyState(into: SteadyStateSink): boolean {
    this.solvePending();
    if (this.faults.size > 0 || this.down.size > 0) return false;
    const nowNs = into.nowNs;
    if (nowNs !== this.clockNs) return false;
    // Times here are within a run's length of now: their rounding is that of now's magnitude.
    const timeTolerance = STEADY_TIME_ROUNDING * Math.max(1, nowNs);
    // By the name of the transfer each carries, not in start order (see the coordinator's steadyState).
    const live = this.liveFlows.live();
    const names = live.map((flow) => into.transfer(flow.transfer.id));
    if (names.some(Number.isNaN)) return false;
    const flows = Array.from(live.keys())
      .sort((a, b) => names[a]! - names[b]!)
      .map((i) => live[i]!);
    into.exact(flows.length);
    for (const flow of flows) {
      const transfer = transferOf(flow);
      into.exact(into.transfer(transfer.id));
      // A transfer of several flows (queue pairs, paths) some of which have been sent: how many are left, and when the sent ones land.
      into.exact(transfer.unsentFlows);
      into.near(transfer.deliveredNs - nowNs, timeTolerance);
      into.exact(flow.copies);
      if (flow.copyTransfers !== null) for (const copy of flow.copyTransfers) into.exact(into.transfer(copy.id));
      into.exact(flow.subflows.length);
      for (const subflow of flow.subflows) {
        into.exact(subflow.links[0] ?? -1);
        into.near(subflow.pathBytesPerSec, STEADY_RATE_ROUNDING * subflow.pathBytesPerSec);
      }
      const rate = flow.rateBytesPerSec;
      const remaining = rate > 0 ? flow.remainingBytes - bytesMoved(rate, nowNs - flow.lastUpdateNs) : flow.remainingBytes;
      into.near(remaining, STEADY_RATE_ROUNDING * flow.remainingBytes + (rate * timeTolerance) / 1e9);
      into.near(flow.finishNs === Infinity ? -1 : flow.finishNs - nowNs, timeTolerance);
    }
    const pending: number[] = [];
    this.events.forEachPending((transferId, kindRank, timeNs) => pending.push(into.transfer(transferId), kindRank, timeNs - nowNs));
    return this.events.readyCount() === 0 && emitSorted(into, pending, timeTolerance);
  }

  // ---- bandwidth phase -------------------------------------------------------------

  /**
   * The flows a transfer becomes (see planRoutes), or the failed link that strands it.
   * ECMP routes come from the pinned-route cache; they are the router's, unchanged.
   */
  private route(
    request: TransferRequest,
    pair: PairRoutes | undefined,
    known: (Route | undefined)[] | undefined,
  ): readonly RoutedFlow[] | { readonly linkId: string } {
    const { options } = this;
    // -0 and 0 hash differently but are one Map key: leave -0 to the router.
    if (options.routing === 'ecmp' && !Object.is(request.flowKey, -0)) {
      const cached = known ?? this.cachedRoutes(request, pair);
      // One scratch flow per queue pair, reused: startTransfer reads them before routing again.
      const flows = this.ecmpFlows;
      for (let qp = 0; qp < options.qps; qp++) {
        let route = cached[qp];
        if (route === undefined) {
          const path = this.router.pinnedPath(request.srcNode, request.dstNode, request.flowKey, qp, options.seed, this.down);
          if (path === null) return this.plannedRoute(request);
          route = this.internedRoute(path);
          cached[qp] = route;
          this.pinnedRouteCount++;
        }
        const flow = (flows[qp] ??= { bytes: 0, pinned: true, routes: [route] });
        flow.bytes = request.bytes / options.qps;
        flow.routes[0] = route;
      }
      flows.length = options.qps;
      if (known === undefined && request.routeCache !== undefined) this.fillSlot(request.routeCache as RouteSlot, request, cached);
      return flows;
    }
    if (options.routing === 'adaptive') return this.spreadRoute(request, pair);
    return this.plannedRoute(request);
  }

  /**
   * An adaptive transfer's one flow over the pair's equal-cost paths, cached per pair until a
   * link fails: the paths depend on the endpoints and the down links only, and working them
   * out (a layer-by-layer deal over every next hop) cost more than the rest of the transfer.
   */
  private spreadRoute(request: TransferRequest, pair: PairRoutes | undefined): readonly RoutedFlow[] | { readonly linkId: string } {
    if (this.pinnedRouteCount >= ROUTE_CACHE_LIMIT) {
      this.clearRouteCache();
      pair = undefined;
    }
    pair ??= this.pairRoutes(request);
    let spread = pair.spread;
    if (spread === undefined) {
      const plan = planRoutes(this.router, this.options, request, this.down);
      if (!plan.routed) return { linkId: plan.linkId };
      spread = pair.spread = plan.flows[0]!.paths.map((path) => this.internedRoute(path));
      this.pinnedRouteCount += spread.length;
    }
    const flow = this.spreadFlows[0];
    flow.bytes = request.bytes;
    flow.routes = spread;
    return this.spreadFlows;
  }

  /**
   * The one flow of a transfer over the caller's paths (TransferRequest.paths): pinned to its one
   * path under ECMP, spread over them under adaptive routing — the flow routing would have made.
   */
  private callerRoute(request: TransferRequest, paths: readonly (readonly string[])[]): readonly RoutedFlow[] {
    if (this.options.routing === 'adaptive') {
      if (paths.length === 0) throw new RangeError('a transfer with its own paths needs at least one');
      return [{ bytes: request.bytes, pinned: false, routes: paths.map((path) => this.internedRoute(path)) }];
    }
    if (this.options.qps !== 1 || paths.length !== 1) throw new RangeError('a transfer with its own path needs one queue pair and one path under ECMP');
    const flow = (this.ecmpFlows[0] ??= { bytes: 0, pinned: true, routes: [] as Route[] });
    flow.bytes = request.bytes;
    flow.routes[0] = this.internedRoute(paths[0]!);
    flow.routes.length = 1;
    this.ecmpFlows.length = 1;
    return this.ecmpFlows;
  }

  private plannedRoute(request: TransferRequest): readonly RoutedFlow[] | { readonly linkId: string } {
    const plan = planRoutes(this.router, this.options, request, this.down);
    if (!plan.routed) return { linkId: plan.linkId };
    return plan.flows.map((flow) => ({ bytes: flow.bytes, pinned: flow.pinned, routes: flow.paths.map((path) => this.routeOf(path)) }));
  }

  /**
   * The routes by queue pair kept in the request's slot, if it was filled by this network for
   * this very connection since the cache was last cleared (-0 keys never use the cache).
   */
  private slotRoutes(request: TransferRequest): (Route | undefined)[] | undefined {
    const slot = request.routeCache as RouteSlot | undefined;
    if (slot === undefined || slot.network !== this || slot.epoch !== this.routeCacheEpoch) return undefined;
    const key = request.flowKey;
    if (slot.flowKey !== key || slot.srcNode !== request.srcNode || slot.dstNode !== request.dstNode || Object.is(key, -0)) return undefined;
    return slot.routes;
  }

  private fillSlot(slot: RouteSlot, request: TransferRequest, routes: (Route | undefined)[]): void {
    slot.network = this;
    slot.epoch = this.routeCacheEpoch;
    slot.srcNode = request.srcNode;
    slot.dstNode = request.dstNode;
    slot.flowKey = request.flowKey;
    slot.routes = routes;
  }

  /** The pair's routes by flow key (`pair`: the src → dst entry if startTransfer found it, still valid). */
  private cachedRoutes(request: TransferRequest, pair: PairRoutes | undefined): (Route | undefined)[] {
    if (this.pinnedRouteCount >= ROUTE_CACHE_LIMIT) {
      this.clearRouteCache();
      pair = undefined;
    }
    pair ??= this.pairRoutes(request);
    const key = request.flowKey;
    if (key >>> 0 === key && key < INDEXED_FLOW_KEYS) return (pair.byIndex[key] ??= []);
    let byKey = pair.byKey.get(key);
    if (byKey === undefined) pair.byKey.set(key, (byKey = []));
    return byKey;
  }

  /** The src → dst entry of the route cache, made when missing. */
  private pairRoutes(request: TransferRequest): PairRoutes {
    let bySrc = this.pinnedRoutes.get(request.srcNode);
    if (bySrc === undefined) this.pinnedRoutes.set(request.srcNode, (bySrc = new Map()));
    let pair = bySrc.get(request.dstNode);
    if (pair === undefined) bySrc.set(request.dstNode, (pair = { byIndex: [], byKey: new Map(), spread: undefined }));
    return pair;
  }

  private clearRouteCache(): void {
    this.pinnedRoutes.clear();
    this.routeCacheEpoch++;
    this.routesByPath.clear();
    this.forgetTwins();
    this.pinnedRouteCount = 0;
  }

  /** One Route per path, so that flows on one path can be told by the Route they hold. */
  private internedRoute(path: readonly string[]): Route {
    let known = knownPaths.get(path);
    if (known === undefined || known.topology !== this.topology) {
      const { links, latencyNs } = this.routeOf(path);
      // Keyed by link indices (one per link id): a tenth of the ids' length, the same paths equal.
      known = { topology: this.topology, key: links.join(','), links, latencyNs };
      knownPaths.set(path, known);
    }
    let route = this.routesByPath.get(known.key);
    if (route === undefined) this.routesByPath.set(known.key, (route = { links: known.links, linkIds: path, latencyNs: known.latencyNs, twin: undefined }));
    return route;
  }

  private routeOf(path: readonly string[]): Route {
    const links = path.map((id) => this.linkIndexOf(id));
    const latencyNs = pathLatencyNs(links.map((link) => this.topology.links[link]!.latencyNs));
    return { links, linkIds: path, latencyNs, twin: undefined };
  }

  private solvePending(): void {
    if (this.model.dirty) this.model.solve(this.applyRates);
  }

  /**
   * Applies a flow's new rates at the current time. Remaining bytes are brought up to date
   * only when the flow's total rate changes; link accounts see every sub-flow change.
   */
  private applyFlowRates(flow: FlowState, totalBytesPerSec: number, subflowBytesPerSec: readonly number[]): void {
    const nowNs = this.clockNs;
    const subflows = flow.subflows;
    for (let index = 0; index < subflows.length; index++) {
      const subflow = subflows[index]!;
      const rate = subflowBytesPerSec[index]!;
      const deltaBytesPerSec = rate - subflow.pathBytesPerSec;
      if (deltaBytesPerSec === 0) continue;
      // Each copy's change in turn, as separate flows would add them (a path crosses a link once).
      const links = subflow.links;
      for (let hop = 0; hop < links.length; hop++) this.accounts.changeRate(links[hop]!, nowNs, deltaBytesPerSec, flow.copies);
      subflow.pathBytesPerSec = rate;
    }
    if (totalBytesPerSec === flow.rateBytesPerSec) return;
    if (flow.rateBytesPerSec > 0) {
      flow.remainingBytes = Math.max(0, flow.remainingBytes - bytesMoved(flow.rateBytesPerSec, nowNs - flow.lastUpdateNs));
    }
    flow.lastUpdateNs = nowNs;
    flow.rateBytesPerSec = totalBytesPerSec;
    flow.version++;
    this.flowRateChanges++;
    flow.finishNs = totalBytesPerSec > 0 ? finishTimeNs(nowNs, flow.remainingBytes, totalBytesPerSec) : Infinity;
    if (flow.finishNs !== Infinity) this.completions.schedule(flow.finishNs, flow);
    else this.completions.remove(flow);
  }

  /** Earliest completion of a flow in its bandwidth phase, or Infinity. */
  private nextCompletionNs(): number {
    return this.completions.nextNs();
  }

  private completeFlowsAt(timeNs: number): void {
    while (this.nextCompletionNs() === timeNs) {
      const flow = this.completions.pop();
      let latencyNs = 0;
      for (const subflow of flow.subflows) latencyNs = Math.max(latencyNs, subflow.latencyNs);
      this.detach(flow, timeNs);
      this.flowSent(transferOf(flow), timeNs + latencyNs, timeNs);
      if (flow.copyTransfers !== null) for (const copy of flow.copyTransfers) this.flowSent(copy as TransferState, timeNs + latencyNs, timeNs);
    }
  }

  /** One of a transfer's flows was sent at `nowNs`; its last byte lands at `landsNs`. */
  private flowSent(transfer: TransferState, landsNs: number, nowNs: number): void {
    transfer.deliveredNs = Math.max(transfer.deliveredNs, landsNs);
    if (--transfer.unsentFlows === 0) this.markSent(transfer, nowNs);
  }

  /** Ends a flow's bandwidth phase (all its copies): its links and the model forget it. */
  private detach(flow: FlowState, nowNs: number): void {
    flow.done = true;
    this.completions.remove(flow);
    this.activeFlows--;
    for (const subflow of flow.subflows) {
      for (const link of subflow.links) this.accounts.changeRate(link, nowNs, -subflow.pathBytesPerSec, flow.copies);
      subflow.pathBytesPerSec = 0;
    }
    for (const link of distinctLinks(flow)) {
      for (let copy = 0; copy < flow.copies; copy++) this.accounts.flowRemoved(link, nowNs);
    }
    this.liveFlows.finished();
    this.model.removeFlow(flow);
  }

  /** A transfer's state: a spare one refilled under `summary` (see markSent), else a new one (kept in `transfers` under `full`). */
  private newTransfer(request: TransferRequest, nowNs: number): TransferState {
    const spare = this.spareTransfers.pop();
    if (spare !== undefined) {
      spare.id = this.nextTransferId++;
      spare.flows = NO_FLOWS;
      spare.unsentFlows = 0;
      spare.deliveredNs = nowNs;
      spare.stranded = false;
      return spare;
    }
    const transfer: TransferState = {
      id: this.nextTransferId++,
      flows: NO_FLOWS,
      unsentFlows: 0,
      deliveredNs: nowNs,
      stranded: false,
      record: this.recordFull ? { request: { ...request }, startNs: nowNs, paths: NO_PATHS, pathEndNs: null, sentNs: undefined } : null,
    };
    if (this.recordFull) this.transfers.push(transfer);
    return transfer;
  }

  /**
   * The transfer is sent (every flow of it done): its events are scheduled by id, and under
   * `summary` its state is spare — nothing reads it again: its flows are done (what still
   * holds them, the live-flow list, a model's re-solve list, a route's twin, checks `done`
   * before anything else) and copies are TransferStates of their own. A transfer's state
   * lives as long as its flow, long enough at 4,096 GPUs to be promoted and die in V8's old
   * space (speed.md §32): the next transfer takes it instead.
   */
  private markSent(transfer: TransferState, sentNs: number): void {
    this.events.scheduleKind(SENT, transfer.id, sentNs);
    this.events.scheduleKind(DELIVERED, transfer.id, transfer.deliveredNs);
    if (transfer.record !== null) transfer.record.sentNs = sentNs;
    else this.spareTransfers.push(transfer);
  }

  /** The transfer will never complete: its flows stop and a `stranded` event says why. */
  private strand(transfer: TransferState, linkId: string, cause: StrandCause, nowNs: number): void {
    if (transfer.stranded) return;
    transfer.stranded = true;
    if (transfer.record !== null) endStrandedPaths(transfer.record, transfer.flows, nowNs);
    for (const flow of transfer.flows) if (!flow.done) this.detach(flow, nowNs);
    this.events.schedule({ kind: 'stranded', transferId: transfer.id, timeNs: nowNs, linkId, cause });
  }

  /** Whether a path around the failed links is left between an adaptive flow's endpoints, once all its own paths failed. */
  private pathLeft(flow: FlowState): boolean {
    const links = flow.subflows[0]!.links;
    const src = this.topology.links[links[0]!]!.from;
    const dst = this.topology.links[links[links.length - 1]!]!.to;
    return this.router.equalCostPaths(src, dst, this.down, 1).length > 0;
  }

  // ---- faults ----------------------------------------------------------------------

  /**
   * A fault at the current time applies at once, after bringing the network up to now, so
   * transfers started after the call are routed around it; a later one waits in the queue.
   */
  private schedule(fault: Fault, atNs: number): void {
    if (atNs > this.clockNs) {
      this.faults.push(atNs, fault);
      return;
    }
    this.advanceTo(atNs);
    this.applyFault(fault, atNs);
  }

  private applyFault(fault: Fault, nowNs: number): void {
    if (fault.kind === 'fail') this.failNow(fault.link, nowNs);
    else this.degradeNow(fault.link, fault.factor);
  }

  /**
   * Pinned flows crossing the link strand their transfer (the whole transfer: its other
   * queue pairs stop too). Adaptive flows drop their sub-paths over the link and go on over
   * the rest; with none left they strand. Failing a failed link does nothing.
   */
  private failNow(link: number, nowNs: number): void {
    const accounts = this.accounts;
    if (accounts.isDown(link)) return;
    accounts.markDown(link);
    const linkId = this.topology.links[link]!.id;
    this.down.add(linkId);
    this.clearRouteCache();
    for (const flow of this.liveFlows.on(link)) {
      if (flow.done) continue;
      const transfer = transferOf(flow);
      const kept = flow.subflows.filter((subflow) => !subflow.links.includes(link));
      if (flow.pinned || kept.length === 0) {
        const cause = flow.pinned ? 'pinned' : this.pathLeft(flow) ? 'pathsDown' : 'noPath';
        this.strand(transfer, linkId, cause, nowNs);
        if (flow.copyTransfers !== null) for (const copy of flow.copyTransfers) this.strand(copy as TransferState, linkId, cause, nowNs);
        continue;
      }
      const dropped = flow.subflows.filter((subflow) => subflow.links.includes(link));
      const record = transfer.record;
      if (record !== null) endPathsThrough(record, linkId, nowNs);
      const linksBefore = linkUse(flow);
      for (const subflow of dropped) {
        for (const used of subflow.links) this.accounts.changeRate(used, nowNs, -subflow.pathBytesPerSec);
        subflow.pathBytesPerSec = 0;
      }
      flow.subflows = kept;
      const linksAfter = linkUse(flow);
      for (const used of linksBefore.keys()) {
        if (linksAfter.has(used)) continue;
        this.accounts.flowRemoved(used, nowNs);
      }
      this.model.subflowsDropped(flow, dropped);
    }
    accounts.setCapacity(link, 0);
    this.model.capacityChanged(link, 0, this.liveFlows.on(link));
  }

  /** Factors compound: two degrades by 0.5 leave a quarter. A failed link stays at 0. */
  private degradeNow(link: number, factor: number): void {
    const accounts = this.accounts;
    if (accounts.isDown(link)) return;
    accounts.setCapacity(link, accounts.capacityOf(link) * factor);
    this.model.capacityChanged(link, accounts.capacityOf(link), this.liveFlows.on(link));
  }

  // ---- lookups ---------------------------------------------------------------------

  private link(linkId: string): number {
    const index = this.linkIndex.get(linkId);
    if (index === undefined) throw unknownLink(linkId, this.topology);
    return index;
  }

  private linkIndexOf(linkId: string): number {
    const index = this.linkIndex.get(linkId);
    // The router returned a link the topology lacks: an internal error, not user input.
    if (index === undefined) throw new Error(`router returned unknown link "${linkId}"`);
    return index;
  }

}

/** Relative rounding allowed in times (of now's magnitude) and in rates and bytes by steadyState: a few thousand ulps. */
const STEADY_TIME_ROUNDING = 1e-12;
const STEADY_RATE_ROUNDING = 1e-12;

/** Pending events as (transfer, kind, relative time) triples, in transfer order (the heap's own order depends on history). */
function emitSorted(into: SteadyStateSink, triples: number[], timeTolerance: number): boolean {
  const order = Array.from({ length: triples.length / 3 }, (_, i) => i);
  order.sort((a, b) => triples[3 * a]! - triples[3 * b]! || triples[3 * a + 1]! - triples[3 * b + 1]!);
  into.exact(order.length);
  for (const i of order) {
    if (Number.isNaN(triples[3 * i]!)) return false;
    into.exact(triples[3 * i]!);
    into.exact(triples[3 * i + 1]!);
    into.near(triples[3 * i + 2]!, timeTolerance);
  }
  return true;
}

/**
 * A stranded transfer's paths stop at `nowNs`, but for those whose flow had finished before: a
 * transfer of one flow per path (ECMP's queue pairs) ends each with its flow; one flow over
 * several paths (adaptive) is unsent, so every path it still had stops now.
 */
function endStrandedPaths(record: TransferRecord, flows: readonly FlowState[], nowNs: number): void {
  const perPath = flows.length === record.paths.length;
  record.paths.forEach((_, index) => {
    const flow = perPath ? flows[index]! : undefined;
    endPath(record, index, flow !== undefined && flow.done ? flow.finishNs : nowNs);
  });
}

/** A flow's sub-flow over `route`, before any rate. */
function subflowOn(route: Route): SubFlowState {
  return { links: route.links, latencyNs: route.latencyNs, pathBytesPerSec: 0, solverVariable: -1 };
}

/** The transfer of a flow's first copy: the network's own TransferState, held by the flow. */
function transferOf(flow: FlowState): TransferState {
  return flow.transfer as TransferState;
}
