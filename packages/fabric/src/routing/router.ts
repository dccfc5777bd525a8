/**
 * Shortest-path routing with ECMP, as a fabric's switches do it: every node forwards a
 * packet to a neighbour one hop closer to the destination; where several neighbours are
 * equally close, a hash of the flow's identity picks one at that hop (per-hop ECMP, not a
 * source-chosen path). Endpoints (gpu/host) never forward.
 *
 * Cost is hop count, not latency or bandwidth: that is what ECMP on a Clos fabric uses.
 * Distances toward each destination come from one reverse BFS and are cached (one byte per
 * node when the diameter allows), so 4096-GPU fabrics route in microseconds after warm-up.
 */
import { WeftInputError } from '@weft/sim';
import type { Router, Topology } from '../types.js';
import { indexGraph, type GraphIndex } from '../topology/graph.js';
import { fnv1a32, murmurFinish, murmurMix, numberWords } from './hash.js';

/** Paths an adaptive flow is spread over at most (see equalCostPaths: the exact even split needs fewer on every preset). */
export const DEFAULT_MAX_PATHS = 256;
/**
 * Cached distance tables may use this many bytes before the least recently used
 * destinations go. One table is one byte per node: dgx-h100:nodes=512 (8864 nodes, 4096
 * destinations) needs 36 MB healthy, twice that while links are down.
 */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;
/** A GPU's distances (healthyDistances) are derived when each node unfolded has at most this many forwarding in-neighbours … */
const MAX_DERIVATION_HUBS = 4;
/** … unfolding single-parent nodes (a NIC, whose leaf is walked) at most this many hops deep. */
const MAX_DERIVATION_DEPTH = 3;
/** A walk that reached fewer than 1 in this many nodes is kept sparse (SparseDistances). */
const SPARSE_BELOW = 16;

/** True when `node` has exactly one forwarding in-neighbour (a NIC: its GPU does not forward, its leaf does). */
function singleParent(g: GraphIndex, node: number): boolean {
  let parent = -1;
  for (let k = g.inStart[node]!; k < g.inStart[node + 1]!; k++) {
    const from = g.linkFrom[g.inLinks[k]!]!;
    if (g.isEndpoint[from] || from === node || from === parent) continue;
    if (parent >= 0) return false;
    parent = from;
  }
  return parent >= 0;
}

export interface RouterOptions {
  /** Memory budget for cached per-destination distance tables (default 128 MiB). */
  readonly cacheBytes?: number;
}

/** A Router plus the hop-distance query summaries and algorithms use. */
export interface TopologyRouter extends Router {
  readonly topology: Topology;
  /** Hops of the shortest path from src to dst avoiding `down`, or Infinity. */
  hops(src: string, dst: string, down?: ReadonlySet<string>): number;
  /** Reverse BFS walks made so far (work done, for tests and profiles). */
  readonly walks: number;
}

type DistTable = Uint8Array | Uint16Array;

/** Hop distances from every node toward one destination; Infinity where it cannot be reached. */
interface Distances {
  at(node: number): number;
  /** Bytes held, for the cache budget. */
  readonly bytes: number;
}

/** A walked table: one byte (or two) per node. */
class TableDistances implements Distances {
  private readonly unreachable: number;
  constructor(readonly table: DistTable) {
    this.unreachable = table instanceof Uint8Array ? 0xff : 0xffff;
  }
  at(node: number): number {
    const d = this.table[node]!;
    return d === this.unreachable ? Infinity : d;
  }
  get bytes(): number {
    return this.table.byteLength;
  }
}

/**
 * A walked table of four bits per node, when every distance is below 15 (15: unreachable):
 * a Clos fabric's longest route is 8 hops, and at 65,536 GPUs the 2,048 leaves' tables, kept
 * for as long as the router (hubs), take 146 MB instead of 293.
 */
class NibbleDistances implements Distances {
  constructor(private readonly table: Uint8Array) {}
  at(node: number): number {
    const d = (this.table[node >> 1]! >> ((node & 1) << 2)) & 0xf;
    return d === 0xf ? Infinity : d;
  }
  get bytes(): number {
    return this.table.byteLength;
  }
}

/**
 * A GPU's distances, derived on demand (see healthyDistances): min over its walked
 * forwarding in-neighbours of their distance plus the hops between, or the hops through
 * in-links alone. A route reads a few dozen nodes of it, so nothing per node is stored.
 */
class DerivedDistances implements Distances {
  constructor(
    private readonly dst: number,
    private readonly terms: readonly (readonly [Distances, number])[],
    private readonly near: ReadonlyMap<number, number>,
  ) {}
  at(node: number): number {
    if (node === this.dst) return 0;
    let best = this.near.get(node) ?? Infinity;
    for (const [distances, hops] of this.terms) best = Math.min(best, distances.at(node) + hops);
    return best;
  }
  get bytes(): number {
    return 64 + 16 * (this.terms.length + this.near.size);
  }
}

interface CacheEntry {
  readonly healthy: Distances;
  variants?: Map<string, Distances>;
  /** Read since the eviction clock last passed it (second-chance LRU). */
  used: boolean;
}
const NO_LINKS: ReadonlySet<string> = new Set();

/** A healthy pinned path and the hash inputs it was walked for (compared with Object.is: exact, NaN included). */
interface PinnedEntry {
  readonly flowKey: number;
  readonly qp: number;
  readonly seed: number;
  readonly path: readonly string[];
}

/**
 * Pinned paths a router keeps at most (with the path and the network's note of it,
 * network.ts KnownPath, ≈ 300 B each: ≤ 40 MB). 4,096 GPUs hierarchical routes 8,192
 * connections; 16,384 GPUs × 16 channels of trees ≈ 800 K, past it: those walk again,
 * as before paths were kept.
 */
const MAX_PINNED_PATHS = 1 << 17;

export function createRouter(topology: Topology, options: RouterOptions = {}): TopologyRouter {
  return new ShortestPathRouter(topology, options.cacheBytes ?? DEFAULT_CACHE_BYTES);
}

class ShortestPathRouter implements TopologyRouter {
  private readonly graph: GraphIndex;
  private readonly nodeHash: Uint32Array;
  private readonly linkIds: readonly string[];
  /** Per destination node: the healthy table and tables for sets of down links. */
  private readonly cache = new Map<number, CacheEntry>();
  /**
   * Cached destinations in the eviction clock's order, from `clockHead`: a destination read
   * since the clock last passed gets a second chance at the back. O(1) per read and per
   * eviction; a Map kept in recency order by delete + set made every eviction skip the
   * holes deletions leave (quadratic at 16,384 GPUs, whose tables outgrow the budget).
   */
  private readonly clock: number[] = [];
  private clockHead = 0;
  /**
   * The walked distances GPUs' distances derive from (healthyDistances: an NVSwitch's, a
   * leaf's), kept outside the budget: every derived GPU entry holds its hubs' tables, so
   * evicting a hub freed nothing and the next GPU under it walked it again. At 65,536 GPUs
   * (2,048 leaves × 143 K nodes, 293 MB of tables over the 128 MiB budget) that re-walking
   * was three quarters of a small run's CPU (benchmarks/results/speed.md §21).
   */
  private readonly hubs = new Map<number, Distances>();
  walks = 0;
  /** Healthy pinned paths by src · nodeCount + dst (see pinnedPath), at most MAX_PINNED_PATHS in all. */
  private readonly pinned = new Map<number, PinnedEntry[]>();
  private pinnedCount = 0;
  private readonly skipMask: Uint8Array;
  private cachedBytes = 0;
  private readonly queue: Int32Array;
  private readonly scratchDist: Uint16Array;
  /** The nodes the current walk has reached (bfsTo). */
  private readonly reached: Int32Array;

  constructor(
    readonly topology: Topology,
    private readonly cacheBytes: number,
  ) {
    this.graph = indexGraph(topology);
    this.nodeHash = new Uint32Array(this.graph.nodeCount);
    topology.nodes.forEach((node, i) => (this.nodeHash[i] = fnv1a32(node.id)));
    this.linkIds = topology.links.map((link) => link.id);
    this.queue = new Int32Array(this.graph.nodeCount);
    this.scratchDist = new Uint16Array(this.graph.nodeCount).fill(0xffff);
    this.reached = new Int32Array(this.graph.nodeCount);
    this.skipMask = new Uint8Array(this.graph.linkCount);
  }

  hops(src: string, dst: string, down: ReadonlySet<string> = NO_LINKS): number {
    const s = this.node(src);
    const d = this.node(dst);
    if (s === d) return 0;
    return this.distancesTo(d, down).at(s);
  }

  pinnedPath(src: string, dst: string, flowKey: number, qp: number, seed: number, down: ReadonlySet<string>): readonly string[] | null {
    const s = this.node(src);
    const d = this.node(dst);
    if (s === d) return [];
    if (down.size > 0) return this.walkPinnedPath(s, d, flowKey, qp, seed, down);
    // Healthy paths are a function of (src, dst, flowKey, qp, seed) on an unchanging topology:
    // kept, so that the networks sharing this router (fast-forward's three short runs, a
    // sweep's sizes) get the same array back instead of walking again.
    const pair = s * this.graph.nodeCount + d;
    let known = this.pinned.get(pair);
    if (known !== undefined) {
      for (let i = 0; i < known.length; i++) {
        const entry = known[i]!;
        if (Object.is(entry.flowKey, flowKey) && Object.is(entry.qp, qp) && Object.is(entry.seed, seed)) return entry.path;
      }
    }
    const path = this.walkPinnedPath(s, d, flowKey, qp, seed, down);
    if (path !== null && this.pinnedCount < MAX_PINNED_PATHS) {
      if (known === undefined) this.pinned.set(pair, (known = []));
      known.push({ flowKey, qp, seed, path });
      this.pinnedCount++;
    }
    return path;
  }

  /** The pinned path from node s to node d (distinct) avoiding `down`: the per-hop hash walk. */
  private walkPinnedPath(s: number, d: number, flowKey: number, qp: number, seed: number, down: ReadonlySet<string>): readonly string[] | null {
    const dist = this.distancesTo(d, down);
    if (dist.at(s) === Infinity) return null;
    // The flow's part of the hash is the same at every hop: mix it once.
    const [seedLow, seedHigh] = numberWords(seed);
    const [keyLow, keyHigh] = numberWords(flowKey);
    const [qpLow, qpHigh] = numberWords(qp);
    let prefix = murmurMix(0, seedLow);
    prefix = murmurMix(prefix, seedHigh);
    prefix = murmurMix(prefix, this.nodeHash[s]!);
    prefix = murmurMix(prefix, this.nodeHash[d]!);
    prefix = murmurMix(prefix, keyLow);
    prefix = murmurMix(prefix, keyHigh);
    prefix = murmurMix(prefix, qpLow);
    prefix = murmurMix(prefix, qpHigh);

    const g = this.graph;
    const path: string[] = [];
    let node = s;
    while (node !== d) {
      const candidates = this.nextHops(node, d, dist, down);
      let link = candidates[0]!;
      if (candidates.length > 1) {
        const h = murmurFinish(murmurMix(prefix, this.nodeHash[node]!), 9 * 4);
        link = candidates[h % candidates.length]!;
      }
      path.push(this.linkIds[link]!);
      node = g.linkTo[link]!;
    }
    return path;
  }

  /**
   * The paths of an adaptive flow, as per-hop adaptive routing spreads it: at every node the
   * flow splits evenly over *all* equal-cost next hops (parallel links included), so every
   * next hop carries its share. Returned as P paths of weight 1/P each, P chosen so that the
   * split is exact at every node (see balancedPathCount); when that P exceeds maxPaths, P =
   * maxPaths and the split is as even as P allows (within one path per next hop).
   *
   * The paths are dealt, not enumerated: the paths arriving at a node are handed to its next
   * hops round-robin in topology link order. A depth-first enumeration capped at maxPaths
   * (the old rule) took every path through the first next hops and none through the rest:
   * 18 parallel GPU↔switch links (324 paths) reached 64 paths through about 4 links.
   * A path may repeat when a part of the fabric has fewer distinct paths than its share
   * (its weight is then a multiple of 1/P, the share per-hop splitting gives it).
   */
  equalCostPaths(src: string, dst: string, down: ReadonlySet<string>, maxPaths = DEFAULT_MAX_PATHS): readonly (readonly string[])[] {
    const s = this.node(src);
    const d = this.node(dst);
    if (s === d) return [[]];
    const dist = this.distancesTo(d, down);
    if (dist.at(s) === Infinity || maxPaths < 1) return [];
    const next = (node: number): number[] => this.nextHops(node, d, dist, down);
    const count = balancedPathCount(s, d, next, (link) => this.graph.linkTo[link]!, maxPaths);
    const g = this.graph;
    const paths: number[][] = Array.from({ length: count }, () => []);
    // Layer by layer toward d: every node's arriving paths dealt over its next hops.
    let layer = new Map<number, number[]>([[s, paths.map((_, i) => i)]]);
    while (!layer.has(d)) {
      const following = new Map<number, number[]>();
      for (const [node, arriving] of layer) {
        const hops = next(node);
        arriving.forEach((p, i) => {
          const link = hops[i % hops.length]!;
          paths[p]!.push(link);
          const to = g.linkTo[link]!;
          let list = following.get(to);
          if (!list) following.set(to, (list = []));
          list.push(p);
        });
      }
      layer = following;
    }
    return paths.map((path) => path.map((link) => this.linkIds[link]!));
  }

  /** Links from `node` one hop closer to `dst` (endpoints other than dst do not forward), in topology link order. */
  private nextHops(node: number, dst: number, dist: Distances, down: ReadonlySet<string>): number[] {
    const g = this.graph;
    const want = dist.at(node) - 1;
    const hops: number[] = [];
    for (let k = g.outStart[node]!; k < g.outStart[node + 1]!; k++) {
      const link = g.outLinks[k]!;
      const to = g.linkTo[link]!;
      if ((to !== dst && g.isEndpoint[to]) || dist.at(to) !== want) continue;
      if (down.size > 0 && down.has(this.linkIds[link]!)) continue;
      hops.push(link);
    }
    // dist came from a BFS over the same links, so a next hop always exists.
    if (hops.length === 0) throw new Error(`router: no next hop at ${this.topology.nodes[node]!.id} toward ${this.topology.nodes[dst]!.id}`);
    return hops;
  }

  private node(id: string): number {
    const index = this.graph.nodeIndex.get(id);
    if (index === undefined) throw new WeftInputError(`unknown node "${id}" in topology ${this.topology.name}`);
    return index;
  }

  /**
   * Hop distance from every node to `dst`. With links down, the healthy table is reused
   * unless a down link lies on a shortest path toward `dst` (removing other links changes
   * no distance); otherwise a table for that exact down set is computed and kept beside
   * the healthy one.
   */
  private distancesTo(dst: number, down: ReadonlySet<string>): Distances {
    const entry = this.entryFor(dst);
    if (down.size === 0) return entry.healthy;
    const base = entry.healthy;
    const g = this.graph;
    // Any down link on the healthy shortest-path DAG invalidates the table; then recompute
    // skipping *every* down link, since the new, longer paths may use other down links.
    let affected = false;
    const known: number[] = [];
    for (const id of down) {
      const link = g.linkIndex.get(id);
      if (link === undefined) continue;
      known.push(link);
      if (affected) continue;
      const from = g.linkFrom[link]!;
      const to = g.linkTo[link]!;
      if (base.at(to) === Infinity || base.at(from) !== base.at(to) + 1) continue;
      if (to !== dst && g.isEndpoint[to]) continue;
      affected = true;
    }
    if (!affected) return base;
    known.sort((a, b) => a - b);
    const key = known.join(',');
    entry.variants ??= new Map();
    let table = entry.variants.get(key);
    if (!table) {
      const mask = this.skipMask;
      for (const link of known) mask[link] = 1;
      table = this.bfsTo(dst, mask);
      for (const link of known) mask[link] = 0;
      entry.variants.set(key, table);
      this.account(table.bytes, dst);
    }
    return table;
  }

  private entryFor(dst: number): CacheEntry {
    const hit = this.cache.get(dst);
    if (hit) {
      hit.used = true;
      return hit;
    }
    const entry: CacheEntry = { healthy: this.hubs.get(dst) ?? this.healthyDistances(dst), used: false };
    this.cache.set(dst, entry);
    this.clock.push(dst);
    this.account(entry.healthy.bytes, dst);
    return entry;
  }

  /** Adds `bytes` to the cache total and evicts destinations the clock finds unread (not `keep`). */
  private account(bytes: number, keep: number): void {
    this.cachedBytes += bytes;
    // Two passes at most clear every second chance; `keep` alone is never evicted.
    for (let visits = 2 * (this.clock.length - this.clockHead); this.cachedBytes > this.cacheBytes && visits > 0; visits--) {
      const dst = this.clock[this.clockHead++]!;
      const entry = this.cache.get(dst)!;
      if (dst === keep || entry.used) {
        entry.used = false;
        this.clock.push(dst);
        continue;
      }
      this.cache.delete(dst);
      this.cachedBytes -= entry.healthy.bytes;
      if (entry.variants) for (const table of entry.variants.values()) this.cachedBytes -= table.bytes;
    }
    if (this.clockHead > 1024 && this.clockHead * 2 > this.clock.length) {
      this.clock.splice(0, this.clockHead);
      this.clockHead = 0;
    }
  }

  /**
   * The healthy distances toward `dst`. A GPU's follow from those of the few forwarding nodes
   * that link into it (its NVSwitch; its NIC, and through the NIC its leaf): a shortest path to
   * x ends with one in-link v→x and its prefix is a shortest path to v, so
   *   dist_x(u) = 0 at x, else min(1 if u links into x, 1 + dist_v(u) over forwarding v → x)
   * (an endpoint in-neighbour does not forward: it counts only for itself). Unfolded through
   * single-parent nodes (a NIC's only forwarding in-neighbour is its leaf) this is exactly the
   * reverse BFS's answer, read on demand from walked tables the GPUs share (DerivedDistances).
   * A table per GPU made routing quadratic in the GPUs (16,384 GPUs: 16,384 walks and tables
   * of 35,712 nodes, 585 MB); now 2,560 switches are walked and each GPU costs a few entries.
   * Switches with several forwarding in-neighbours are walked.
   */
  private healthyDistances(dst: number): Distances {
    const g = this.graph;
    if (!g.isEndpoint[dst]) return this.bfsTo(dst, null);
    const terms: [number, number][] = []; // [walked node, hops added]
    const near = new Map<number, number>(); // node → its distance through in-links alone
    const unfold = (x: number, hops: number): boolean => {
      const forwarding: number[] = [];
      for (let k = g.inStart[x]!; k < g.inStart[x + 1]!; k++) {
        const from = g.linkFrom[g.inLinks[k]!]!;
        if (from !== dst && !(near.get(from)! <= hops + 1)) near.set(from, hops + 1);
        if (!g.isEndpoint[from] && from !== x && from !== dst && !forwarding.includes(from)) forwarding.push(from);
      }
      if (forwarding.length > MAX_DERIVATION_HUBS) return false;
      for (const v of forwarding) {
        if (hops + 1 < MAX_DERIVATION_DEPTH && singleParent(g, v) && unfold(v, hops + 1)) continue;
        terms.push([v, hops + 1]);
      }
      return true;
    };
    if (!unfold(dst, 0)) return this.bfsTo(dst, null);
    return new DerivedDistances(dst, terms.map(([v, hops]) => [this.hubDistances(v), hops] as const), near);
  }

  /** A hub's healthy distances (see `hubs`), walked once. */
  private hubDistances(hub: number): Distances {
    let table = this.hubs.get(hub);
    if (table === undefined) this.hubs.set(hub, (table = this.healthyDistances(hub)));
    return table;
  }

  /**
   * Reverse BFS from dst: dist[u] = 1 + dist[v] over links u→v; endpoints are not expanded.
   * The scratch table is all 0xffff between walks: only the nodes a walk reached are reset,
   * so a walk costs what it reaches, and one that reached few nodes keeps them alone.
   */
  private bfsTo(dst: number, skip: Uint8Array | null): Distances {
    const g = this.graph;
    const dist = this.scratchDist;
    const queue = this.queue;
    const reached = this.reached;
    this.walks++;
    let count = 0;
    let head = 0;
    let tail = 0;
    dist[dst] = 0;
    reached[count++] = dst;
    queue[tail++] = dst;
    // The graph's arrays in locals: a leaf's walk at 65,536 GPUs scans ≈ 360 K links, and
    // 2,048 leaves are walked.
    const { inStart, inLinks, linkFrom, isEndpoint } = g;
    while (head < tail) {
      const node = queue[head++]!;
      const next = dist[node]! + 1;
      const end = inStart[node + 1]!;
      for (let k = inStart[node]!; k < end; k++) {
        const link = inLinks[k]!;
        if (skip !== null && skip[link]) continue;
        const from = linkFrom[link]!;
        if (dist[from] !== 0xffff) continue;
        dist[from] = next;
        reached[count++] = from;
        if (!isEndpoint[from]) queue[tail++] = from;
      }
    }
    let table: Distances;
    if (count * SPARSE_BELOW < dist.length) {
      const near = new Map<number, number>();
      for (let i = 0; i < count; i++) near.set(reached[i]!, dist[reached[i]!]!);
      table = new SparseDistances(near);
    } else table = this.packed(dist);
    for (let i = 0; i < count; i++) dist[reached[i]!] = 0xffff;
    return table;
  }

  /** A copy of the scratch table in as few bits per node as every distance fits: 4, 8 or 16. */
  private packed(dist: Uint16Array): Distances {
    let maxHops = 0;
    for (let i = 0; i < dist.length; i++) if (dist[i] !== 0xffff && dist[i]! > maxHops) maxHops = dist[i]!;
    if (maxHops < 0xf) {
      const nibbles = new Uint8Array((dist.length + 1) >> 1).fill(0xff);
      for (let i = 0; i < dist.length; i++) if (dist[i] !== 0xffff) nibbles[i >> 1] &= ~((0xf ^ dist[i]!) << ((i & 1) << 2));
      return new NibbleDistances(nibbles);
    }
    if (maxHops >= 0xff) return new TableDistances(dist.slice());
    const compact = new Uint8Array(dist.length);
    for (let i = 0; i < dist.length; i++) compact[i] = dist[i] === 0xffff ? 0xff : dist[i]!;
    return new TableDistances(compact);
  }

}

/**
 * A walk that reached few nodes (an NVSwitch's: its GPUs, which do not forward): the reached
 * ones alone. A dense table per NVSwitch cost a fill and a copy of every node of the fabric
 * per walk: at 32,768 GPUs 16,384 NVSwitches × 70 K nodes, over half of a small run's CPU.
 */
class SparseDistances implements Distances {
  constructor(private readonly reached: ReadonlyMap<number, number>) {}
  at(node: number): number {
    return this.reached.get(node) ?? Infinity;
  }
  get bytes(): number {
    return 64 + 32 * this.reached.size;
  }
}

/**
 * How many equal-weight paths make per-hop even splitting exact: the smallest P such that,
 * dealing P paths from `src` and splitting each node's arrivals evenly over its next hops,
 * every node's arrivals divide by its next-hop count (18 parallel links, then 18 more: P =
 * 18; a leaf-spine with S spines: P = S). Found by dealing P = 1 and raising P by the
 * missing factor at the first node that does not divide, until it does; capped at maxPaths.
 */
function balancedPathCount(src: number, dst: number, next: (node: number) => readonly number[], target: (link: number) => number, maxPaths: number): number {
  const hopsOf = new Map<number, readonly number[]>();
  const hops = (node: number) => {
    let list = hopsOf.get(node);
    if (!list) hopsOf.set(node, (list = next(node)));
    return list;
  };
  let count = 1;
  for (;;) {
    const factor = firstIndivisible(src, dst, count, hops, target);
    if (factor === 1) return count;
    if (count * factor > maxPaths) return maxPaths;
    count *= factor;
  }
}

/** Deals `count` paths as counts per node; returns the factor P must grow by (1 when every split is exact). */
function firstIndivisible(src: number, dst: number, count: number, hops: (node: number) => readonly number[], target: (link: number) => number): number {
  let layer = new Map<number, number>([[src, count]]);
  while (!layer.has(dst)) {
    const following = new Map<number, number>();
    for (const [node, arriving] of layer) {
      const links = hops(node);
      if (arriving % links.length !== 0) return links.length / gcd(arriving, links.length);
      for (const link of links) {
        const to = target(link);
        following.set(to, (following.get(to) ?? 0) + arriving / links.length);
      }
    }
    layer = following;
  }
  return 1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
