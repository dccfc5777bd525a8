/**
 * Where the packet model sends packets: ECMP pins each flow of a connection to the path the
 * router hashes it to (cached per connection until a link fails); adaptive routing picks,
 * hop by hop, the next-hop link with the shortest queue as it was last seen (`stalenessNs`
 * old at most); spraying picks one at random (seeded).
 */
import { WeftInputError } from '@weft/sim';
import type { GraphIndex } from '../../topology/graph.js';
import type { NetworkOptions, Router, TransferRequest } from '../../types.js';
import { planRoutes } from '../route-plan.js';
import type { NextHops } from './next-hops.js';
import type { ResolvedPacketOptions } from './options.js';
import type { PacketPool } from './packet-pool.js';
import type { PortQueues } from './port-queues.js';
import type { SeededRandom } from './rng.js';

/** A flow's route: pinned (ECMP) or routed per packet, with the links of one shortest path. */
export interface Route {
  readonly pinned: boolean;
  readonly pathLinks: Int32Array;
}

/** Cached ECMP connections beyond this many are all dropped (all-to-all patterns at scale). */
const ROUTE_CACHE_LIMIT = 1 << 18;

/** What a packet's routing reads of the network: its graph, queues and links in serialization. */
export interface RoutingView {
  readonly graph: GraphIndex;
  readonly hops: NextHops;
  readonly pool: PacketPool;
  readonly rng: SeededRandom;
  readonly queues: PortQueues;
  /** Per link: 1 while a packet is in serialization, and which. */
  readonly busy: Uint8Array;
  readonly inFlight: Int32Array;
  /** Link index of a link id (unknown ids are an input error). */
  link(linkId: string): number;
}

export class PacketRouting {
  /** ECMP routes by connection, valid until a link fails. */
  private readonly pinnedRoutes = new Map<string, readonly Route[]>();
  /** Per node: where adaptive routing starts among equal queues (equal depths rotate). */
  private readonly egressTurn: Int32Array;
  private readonly seenQueueBytes: Float64Array;
  private readonly seenAtNs: Float64Array;

  constructor(
    private readonly view: RoutingView,
    private readonly router: Router,
    private readonly options: NetworkOptions,
    private readonly packet: ResolvedPacketOptions,
  ) {
    const L = view.graph.linkFrom.length;
    this.egressTurn = new Int32Array(view.graph.nodeIndex.size);
    this.seenQueueBytes = new Float64Array(L);
    this.seenAtNs = new Float64Array(L).fill(-Infinity);
  }

  /** One route per flow: ECMP pins qps paths; adaptive/spray route per packet (one flow). */
  routesFor(request: TransferRequest, src: number, dst: number, down: ReadonlySet<string>): readonly Route[] | { readonly stranded: string } {
    if (this.options.routing === 'ecmp') {
      // A connection (src, dst, flowKey) hashes to the same paths every time: route it once.
      const key = `${request.srcNode}\u0000${request.dstNode}\u0000${request.flowKey}`;
      const cached = this.pinnedRoutes.get(key);
      if (cached !== undefined) return cached;
      const plan = planRoutes(this.router, this.options, request, down);
      if (!plan.routed) return { stranded: plan.linkId };
      const routes = plan.flows.map((flow) => ({ pinned: true, pathLinks: Int32Array.from(flow.paths[0]!, (id) => this.view.link(id)) }));
      if (this.pinnedRoutes.size >= ROUTE_CACHE_LIMIT) this.pinnedRoutes.clear();
      this.pinnedRoutes.set(key, routes);
      return routes;
    }
    const path = this.representativePath(src, dst);
    if (path === null) {
      if (down.size === 0) {
        throw new WeftInputError(`no route from "${request.srcNode}" to "${request.dstNode}"; expected nodes connected by the topology's links`);
      }
      return { stranded: down.values().next().value! };
    }
    return [{ pinned: false, pathLinks: path }];
  }

  /** A link failed: ECMP connections hash again. */
  forgetPinned(): void {
    this.pinnedRoutes.clear();
  }

  /** The egress link at `node` for packet `p` of a flow to `dst` (`route`: its pinned route, or null). */
  egress(p: number, route: Int32Array | null, dst: number, node: number, nowNs: number): number {
    if (route !== null) return route[this.view.pool.hop[p]! + 1]!;
    const { start, links } = this.view.hops.table(dst);
    const first = start[node]!;
    const count = start[node + 1]! - first;
    if (count === 1) return links[first]!;
    if (this.options.routing === 'spray') return links[first + this.view.rng.below(count)]!;
    // Adaptive: the least-loaded candidate by (possibly stale) queue depth; equal depths
    // rotate so an idle fabric spreads rather than piling on the first port.
    const turn = this.egressTurn[node]!++;
    let best = -1;
    let bestDepth = Infinity;
    for (let k = 0; k < count; k++) {
      const link = links[first + ((turn + k) % count)]!;
      const depth = this.observedDepth(link, nowNs);
      if (depth < bestDepth) {
        best = link;
        bestDepth = depth;
      }
    }
    return best;
  }

  /** The first shortest path in table order (for latency, statistics and records). */
  private representativePath(src: number, dst: number): Int32Array | null {
    const { start, links } = this.view.hops.table(dst);
    const path: number[] = [];
    for (let node = src; node !== dst; ) {
      if (start[node] === start[node + 1]) return null;
      const link = links[start[node]!]!;
      path.push(link);
      node = this.view.graph.linkTo[link]!;
    }
    return Int32Array.from(path);
  }

  /** Queue depth as adaptive routing sees it: refreshed once its snapshot is stalenessNs old. */
  private observedDepth(link: number, nowNs: number): number {
    const { queues, busy, pool, inFlight } = this.view;
    const depth = queues.linkBytes[link]! + (busy[link] ? pool.bytes[inFlight[link]!]! : 0);
    const staleness = this.packet.stalenessNs;
    if (staleness === 0) return depth;
    if (nowNs - this.seenAtNs[link]! >= staleness) {
      this.seenQueueBytes[link] = depth;
      this.seenAtNs[link] = nowNs;
    }
    return this.seenQueueBytes[link]!;
  }
}
