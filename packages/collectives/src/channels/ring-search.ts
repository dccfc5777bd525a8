/**
 * The ring search on the fabric's links, for layouts without a rail grid (search.ts channelRings
 * and searchGraph use it there).
 *
 * NCCL's idea (src/graph/paths.cc, search.cc), in weft's terms:
 * - Paths. Between two GPUs NCCL keeps one path: the fewest hops, and among those the widest,
 *   never forwarding through a GPU; a path's bandwidth is the least of its links' (parallel
 *   links between two nodes count as one link of their summed bandwidth).
 * - A channel at speed s is a ring through every GPU whose every hop follows that hop's path;
 *   it reserves s on every directed link of every hop (a link crossed twice, twice), and the
 *   next channel is searched on what is left — so a channel never runs on a link a previous
 *   channel filled. The first channel tries the rank order, each later one replays the channel
 *   before; when that no longer fits, a depth-first search from rank 0 tries next ranks widest
 *   path first, then fewest hops, then the next rank up, backtracking on a hop that does not
 *   fit, within a step budget (NCCL's search timeout).
 * - The speeds tried: the widest path any GPU has to another (system->maxBw) first.
 *
 * On ring:5 (every router↔router link 49 GB/s per direction, each GPU 98 GB/s to its router)
 * the widest path is 49 GB/s: the first channel runs 0 1 2 3 4 and fills the clockwise links,
 * the replay no longer fits, and the search finds 0 4 3 2 1 on the counter-clockwise ones;
 * then every GPU's link to its router is full (2 × 49). Two channels of 49 GB/s, one per
 * direction. On one NVSwitch (a star) every ring crosses every GPU's link once each way: the
 * rank order, floor(link / s) times.
 *
 * Pure and browser-safe.
 */
import type { LinkGraph } from '../types.js';

/** Most ring steps (next-rank tries) one channel search takes before it gives up (NCCL_SEARCH_TIMEOUT: 1 << 18). */
const STEP_BUDGET = 1 << 18;

/**
 * The largest fabric the search takes on: ranks × (nodes + links), the work of finding every
 * rank's paths. Larger (flat layouts of thousands of ranks on a large fabric) it is not run and
 * the callers keep the rank order at the rank's injection bandwidth.
 */
const PATH_WORK_LIMIT = 1 << 24;

/** Each hop's path through a fabric's links (RingSearch.hopPaths). */
export interface HopPaths {
  /** Tells one fabric's paths from another's in the predictors' memo keys. */
  readonly id: number;
  /** Per edge its bandwidth, GB/s (bytes per ns). */
  readonly capacityGbs: Float64Array;
  /** The edges of the path from rank a to rank b, in order from a (empty: none). */
  edges(a: number, b: number): readonly number[];
  /** Whether that path is narrower than a's injection (its links into the fabric together). */
  narrow(a: number, b: number): boolean;
  /** Rank a's injection: its links into the fabric together, GB/s. */
  injectionGbs(a: number): number;
  /** Whether any rank pair's path is narrow (computed on first use): none on a star, whose paths are a rank's own links and a switch. */
  anyNarrow(): boolean;
  /** The latency of the path from rank a to rank b, ns: its links' summed; undefined where the fabric gives no latencies. */
  latencyNs(a: number, b: number): number | undefined;
  /** The largest latencyNs over rank pairs (computed on first use); undefined as latencyNs. */
  worstLatencyNs(): number | undefined;
}

let nextHopPathsId = 0;

/** One rank's paths: to every node, the edge it is entered by (-1: none); to every rank, the path's width, hops and first edge. */
interface SourcePaths {
  readonly pred: Int32Array;
  readonly widthGbs: Float64Array;
  readonly hops: Int32Array;
  readonly firstEdge: Int32Array;
}

/** The search's view of a fabric: one edge per ordered node pair (parallel links summed), capacities in GB/s. */
export class RingSearch {
  private readonly nranks: number;
  private readonly rankNode: Int32Array;
  private readonly isEndpoint: Uint8Array;
  private readonly edgeFrom: Int32Array;
  private readonly edgeTo: Int32Array;
  private readonly capGbs: Float64Array;
  /** Per edge its latency, ns (the slowest of its parallel links), or null where the graph gives none. */
  private readonly edgeLatencyNs: Float64Array | null;
  private readonly outStart: Int32Array;
  private readonly outEdges: Int32Array;
  private readonly paths: SourcePaths[] = [];
  private readonly injection: number[] = [];
  private readonly found = new Map<string, readonly (readonly number[])[]>();
  private residual: Float64Array;
  private maxGbs: number | undefined;
  private hops: HopPaths | undefined;

  /** The search on `graph` for ranks 0..nranks-1, or null when it does not apply (see PATH_WORK_LIMIT; fewer than two ranks). */
  static of(graph: LinkGraph, nranks: number): RingSearch | null {
    if (nranks < 2 || graph.rankNode.length < nranks) return null;
    if (nranks * (graph.nodeCount + graph.linkFrom.length) > PATH_WORK_LIMIT) return null;
    for (let r = 0; r < nranks; r++) if (!(graph.rankNode[r]! >= 0)) return null;
    return new RingSearch(graph, nranks);
  }

  private constructor(graph: LinkGraph, nranks: number) {
    this.nranks = nranks;
    this.rankNode = graph.rankNode;
    this.isEndpoint = graph.isEndpoint;
    const n = graph.nodeCount;
    const edgeOf = new Map<number, number>();
    const from: number[] = [];
    const to: number[] = [];
    const cap: number[] = [];
    const latency: number[] = [];
    for (let l = 0; l < graph.linkFrom.length; l++) {
      const a = graph.linkFrom[l]!;
      const b = graph.linkTo[l]!;
      const key = a * n + b;
      let e = edgeOf.get(key);
      if (e === undefined) {
        edgeOf.set(key, (e = from.length));
        from.push(a);
        to.push(b);
        cap.push(0);
        latency.push(0);
      }
      cap[e]! += graph.linkBytesPerSec[l]! / 1e9;
      latency[e] = Math.max(latency[e]!, graph.linkLatencyNs?.[l] ?? 0);
    }
    this.edgeFrom = Int32Array.from(from);
    this.edgeTo = Int32Array.from(to);
    this.capGbs = Float64Array.from(cap);
    this.edgeLatencyNs = graph.linkLatencyNs === undefined ? null : Float64Array.from(latency);
    this.residual = this.capGbs.slice();
    const degree = new Int32Array(n + 1);
    for (const a of from) degree[a + 1]!++;
    for (let i = 1; i <= n; i++) degree[i]! += degree[i - 1]!;
    this.outStart = degree;
    const fill = degree.slice(0, n);
    this.outEdges = new Int32Array(from.length);
    from.forEach((a, e) => (this.outEdges[fill[a]!++] = e));
  }

  /** Rank a's paths (paths.cc): breadth-first by hops, the widest of the shortest, no forwarding through an endpoint. */
  private pathsFrom(a: number): SourcePaths {
    const cached = this.paths[a];
    if (cached !== undefined) return cached;
    const nodes = this.outStart.length - 1;
    const pred = new Int32Array(nodes).fill(-1);
    const nodeHops = new Int32Array(nodes).fill(-1);
    const nodeWidth = new Float64Array(nodes);
    // The edge each node's path leaves the source by: final for a node once its level is expanded.
    const nodeFirst = new Int32Array(nodes).fill(-1);
    const src = this.rankNode[a]!;
    nodeHops[src] = 0;
    nodeWidth[src] = Infinity;
    let frontier = [src];
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const u of frontier) {
        if (u !== src && this.isEndpoint[u]) continue;
        for (let i = this.outStart[u]!; i < this.outStart[u + 1]!; i++) {
          const e = this.outEdges[i]!;
          const v = this.edgeTo[e]!;
          const width = Math.min(nodeWidth[u]!, this.capGbs[e]!);
          if (nodeHops[v]! < 0) {
            nodeHops[v] = nodeHops[u]! + 1;
            nodeWidth[v] = width;
            pred[v] = e;
            nodeFirst[v] = u === src ? e : nodeFirst[u]!;
            next.push(v);
          } else if (nodeHops[v] === nodeHops[u]! + 1 && width > nodeWidth[v]!) {
            nodeWidth[v] = width;
            pred[v] = e;
            nodeFirst[v] = u === src ? e : nodeFirst[u]!;
          }
        }
      }
      frontier = next;
    }
    const widthGbs = new Float64Array(this.nranks);
    const hops = new Int32Array(this.nranks);
    const firstEdge = new Int32Array(this.nranks).fill(-1);
    for (let r = 0; r < this.nranks; r++) {
      const node = this.rankNode[r]!;
      hops[r] = r === a ? 0 : nodeHops[node]!;
      widthGbs[r] = r === a || nodeHops[node]! < 0 ? 0 : nodeWidth[node]!;
      if (hops[r]! > 0) firstEdge[r] = nodeFirst[node]!;
    }
    return (this.paths[a] = { pred, widthGbs, hops, firstEdge });
  }

  /** The edges of the path from rank a to rank b, last first (empty: unreachable). */
  private pathEdges(a: number, b: number): number[] {
    const { pred, hops } = this.pathsFrom(a);
    if (hops[b]! <= 0) return [];
    const edges: number[] = [];
    const src = this.rankNode[a]!;
    for (let node = this.rankNode[b]!; node !== src; ) {
      const e = pred[node]!;
      edges.push(e);
      node = this.edgeFrom[e]!;
    }
    return edges;
  }

  /**
   * Every hop's path as the fabric's links, for predictors that share them max-min (the rank-order
   * tree's replay, all-reduce/tree-rankorder-fluid.ts): `edges(a, b)` the search's path from rank a
   * to rank b as edge indices (parallel links one edge of their summed bandwidth), `capacityGbs` per
   * edge, and `narrow(a, b)` whether that path is narrower than a's injection — one channel alone
   * cannot fill a's links (ring:N: one direction of two).
   */
  hopPaths(): HopPaths {
    if (this.hops === undefined) {
      const byHop = new Map<number, readonly number[]>();
      let worst: number | undefined;
      let anyNarrow: boolean | undefined;
      this.hops = {
        id: nextHopPathsId++,
        capacityGbs: this.capGbs,
        edges: (a, b) => {
          const key = a * this.nranks + b;
          let edges = byHop.get(key);
          if (edges === undefined) byHop.set(key, (edges = this.pathEdges(a, b).reverse()));
          return edges;
        },
        narrow: (a, b) => this.pathGbs(a, b) * (1 + 1e-9) < this.injectionGbs(a),
        injectionGbs: (a) => this.injectionGbs(a),
        anyNarrow: () => {
          if (anyNarrow === undefined) {
            anyNarrow = false;
            for (let a = 0; a < this.nranks && !anyNarrow; a++) {
              const injection = this.injectionGbs(a);
              const { widthGbs, hops } = this.pathsFrom(a);
              for (let b = 0; b < this.nranks && !anyNarrow; b++) anyNarrow = hops[b]! > 0 && widthGbs[b]! * (1 + 1e-9) < injection;
            }
          }
          return anyNarrow;
        },
        latencyNs: (a, b) => this.pathLatencyNs(a, b),
        worstLatencyNs: () => {
          if (this.edgeLatencyNs === null) return undefined;
          if (worst === undefined) {
            worst = 0;
            for (let a = 0; a < this.nranks; a++) for (let b = 0; b < this.nranks; b++) if (a !== b) worst = Math.max(worst, this.pathLatencyNs(a, b)!);
          }
          return worst;
        },
      };
    }
    return this.hops;
  }

  /** The latency of the path from rank a to rank b, ns (its edges' summed, in order from a); undefined without latencies. */
  private pathLatencyNs(a: number, b: number): number | undefined {
    const latency = this.edgeLatencyNs;
    if (latency === null) return undefined;
    let ns = 0;
    for (const e of this.hops!.edges(a, b)) ns += latency[e]!;
    return ns;
  }

  /** The widest path any rank has to another, GB/s (search.cc getMaxBw over GPU paths). */
  maxPathGbs(): number {
    if (this.maxGbs === undefined) {
      let most = 0;
      for (let a = 0; a < this.nranks; a++) for (const w of this.pathsFrom(a).widthGbs) most = Math.max(most, w);
      this.maxGbs = most;
    }
    return this.maxGbs;
  }

  /** Rank a's links into the fabric that its paths to the other ranks leave by: their summed bandwidth, GB/s. */
  injectionGbs(a: number): number {
    let gbs = this.injection[a];
    if (gbs === undefined) {
      const first = new Set<number>();
      for (const e of this.pathsFrom(a).firstEdge) if (e >= 0) first.add(e);
      gbs = 0;
      for (const e of first) gbs += this.capGbs[e]!;
      this.injection[a] = gbs;
    }
    return gbs;
  }

  /** The width of the path from rank a to rank b, GB/s (0: none). */
  pathGbs(a: number, b: number): number {
    return this.pathsFrom(a).widthGbs[b]!;
  }

  /**
   * How the rings `orders` (all channels, each moving an equal share) load the links: per hop
   * a→b, the most loaded link of its path as channels per rank injection — the channels
   * crossing that link × a's injection / the link's bandwidth. A hop whose links are each as
   * wide as the rank's injection (one switch) counts the channels at its sender or receiver,
   * as the per-rank count does; on fullmesh:4, where two rings leave each rank by two of its
   * three links, 1.5 × as many.
   */
  hopLoads(orders: readonly (readonly number[])[]): (a: number, b: number) => number {
    const load = new Float64Array(this.capGbs.length);
    for (const order of orders) {
      if (order.length < 2) continue;
      order.forEach((a, i) => {
        for (const e of this.pathEdges(a, order[(i + 1) % order.length]!)) load[e]! += 1;
      });
    }
    const byHop = new Map<number, number>();
    return (a, b) => {
      const key = a * this.nranks + b;
      let hop = byHop.get(key);
      if (hop === undefined) {
        let most = 0;
        for (const e of this.pathEdges(a, b)) most = Math.max(most, load[e]! / this.capGbs[e]!);
        byHop.set(key, (hop = most * this.injectionGbs(a)));
      }
      return hop;
    };
  }

  /** Reserve `gbs` on every edge of the hop a→b (followPath); on a full edge, undo and return false. */
  private reserve(a: number, b: number, gbs: number): boolean {
    const edges = this.pathEdges(a, b);
    if (edges.length === 0) return false;
    const slack = gbs * 1e-9;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i]!;
      if (this.residual[e]! + slack < gbs) {
        for (let j = 0; j < i; j++) this.residual[edges[j]!]! += gbs;
        return false;
      }
      this.residual[e]! -= gbs;
    }
    return true;
  }

  private release(a: number, b: number, gbs: number): void {
    for (const e of this.pathEdges(a, b)) this.residual[e]! += gbs;
  }

  /** Reserve the whole ring `order` at `gbs`, or nothing and false. */
  private reserveRing(order: readonly number[], gbs: number): boolean {
    for (let i = 0; i < order.length; i++) {
      if (this.reserve(order[i]!, order[(i + 1) % order.length]!, gbs)) continue;
      for (let j = 0; j < i; j++) this.release(order[j]!, order[j + 1]!, gbs);
      return false;
    }
    return true;
  }

  /** The ranks to try after `a`, best first: widest path, then fewest hops, then the next rank up (ncclTopoSearchNextGpuSort). */
  private nextRanks(a: number, used: Uint8Array): number[] {
    const { widthGbs, hops } = this.pathsFrom(a);
    const n = this.nranks;
    const next: number[] = [];
    for (let i = 1; i < n; i++) {
      const r = (a + i) % n;
      if (!used[r] && hops[r]! > 0) next.push(r);
    }
    return next.sort((x, y) => widthGbs[y]! - widthGbs[x]! || hops[x]! - hops[y]! || ((x - a + n) % n) - ((y - a + n) % n));
  }

  /** A ring from rank 0 on what is left at `gbs`, reserved, depth-first within STEP_BUDGET; null when none is found. */
  private searchRing(gbs: number): number[] | null {
    const n = this.nranks;
    const used = new Uint8Array(n);
    const order = [0];
    used[0] = 1;
    const frames = [{ next: this.nextRanks(0, used), i: 0 }];
    let steps = STEP_BUDGET;
    while (frames.length > 0 && steps-- > 0) {
      const frame = frames[frames.length - 1]!;
      const a = order[order.length - 1]!;
      if (frame.i >= frame.next.length) {
        frames.pop();
        if (order.length > 1) {
          order.pop();
          used[a] = 0;
          this.release(order[order.length - 1]!, a, gbs);
        }
        continue;
      }
      const b = frame.next[frame.i++]!;
      if (!this.reserve(a, b, gbs)) continue;
      order.push(b);
      used[b] = 1;
      if (order.length === n) {
        if (this.reserve(b, order[0]!, gbs)) return order;
        order.pop();
        used[b] = 0;
        this.release(a, b, gbs);
        continue;
      }
      frames.push({ next: this.nextRanks(b, used), i: 0 });
    }
    // Out of steps or of orders: undo what is reserved.
    for (let i = 0; i + 1 < order.length; i++) this.release(order[i]!, order[i + 1]!, gbs);
    return null;
  }

  /**
   * Up to `maxChannels` channels at `gbs` each, every one reserving its speed on the links it
   * crosses before the next is searched: the rank order first, then a replay of the channel
   * before while it fits, else searchRing. Memoized per speed and count.
   */
  rings(gbs: number, maxChannels: number): readonly (readonly number[])[] {
    const key = `${gbs}:${maxChannels}`;
    const cached = this.found.get(key);
    if (cached !== undefined) return cached;
    this.residual = this.capGbs.slice();
    const rings: (readonly number[])[] = [];
    let previous: readonly number[] = Array.from({ length: this.nranks }, (_, r) => r);
    while (rings.length < maxChannels && gbs > 0) {
      const ring = this.reserveRing(previous, gbs) ? previous : this.searchRing(gbs);
      if (ring === null) break;
      rings.push(ring);
      previous = ring;
    }
    this.found.set(key, rings);
    return rings;
  }
}
