/**
 * The alpha-beta cost model of a topology: per class of rank pair (same server, different
 * servers), the latency α of one message and the bandwidth β⁻¹ a rank can inject, read off
 * the topology's links and shortest paths. It is what the collectives' predictor prices a
 * schedule with (time = α + bytes / bandwidth per step), as NCCL's tuning tables do; the
 * simulated fabric never uses it.
 */
import { createRouter } from '../routing/router.js';
import { forwardHops, indexGraph, reverseHops, UNREACHABLE, type GraphIndex } from '../topology/graph.js';
import { maxFlowBytesPerSec } from '../topology/maxflow.js';
import { rankGroups } from '../topology/rank-groups.js';
import { rankNicShares, rankRailLeaves, rankRails } from '../topology/rails.js';
import type { Topology } from '../types.js';

export interface AlphaBeta {
  /** Latency of a message between two ranks of the class (worst pair, worst equal-cost path). */
  readonly alphaNs: number;
  /** Per-rank injection bandwidth toward the class's peers (see alphaBetaCost). */
  readonly bandwidthBytesPerSec: number;
  /** Bottleneck bandwidth of one shortest path (what one flow gets alone), worst pair. */
  readonly pathBandwidthBytesPerSec: number;
  /**
   * Inter class only, on a rail-optimized fabric: the latency between two ranks of one rail in
   * different groups (GPU→NIC→rail leaf→NIC→GPU, no spine: dgx-h100 2,700 ns against 3,300 for
   * the worst pair), the worst such pair. The channel search's rings cross servers on one rail
   * (NCCL binds a channel to a NIC), so their inter-server hops pay this, not alphaNs. Absent
   * when the topology has no rails.
   */
  readonly railAlphaNs?: number;
}

export interface AlphaBetaCost extends AlphaBeta {
  /** Between ranks of the same group (server / NVLink domain). */
  readonly intra: AlphaBeta;
  /** Between ranks of different groups. */
  readonly inter: AlphaBeta;
  /**
   * A rank's injection bandwidth toward all its peers at once, both classes (max-flow over
   * links on shortest paths to any of them), the worst over ranks. intra + inter where the
   * classes leave by separate links (a DGX: NVLink and NIC); less where they share one (a
   * GPU whose one NIC reaches both its server's GPUs, through the server's switch, and other
   * servers): there a rank's intra and inter transfers split that link. The tree predictor
   * (collectives tree-pipeline.ts, tree-fluid.ts) reads it.
   */
  readonly allPeersBandwidthBytesPerSec: number;
  /**
   * The smallest `reductionEfficiency` of the topology's reduction switches (1 when they
   * declare none); absent when no node can reduce. In-network algorithms divide their
   * switch traffic by it, as the runtime does on the wire.
   */
  readonly reductionEfficiency?: number;
  /** The topology's GPU compute capability, when it names one (NCCL's channel search ladder). */
  readonly computeCapability?: number;
}

/** Up to this many ranks, every pair and every rank is examined; above, representatives. */
const EXACT_RANK_LIMIT = 64;
/** Inter-group injection is measured toward at most this many other groups (evenly spaced). */
const SAMPLE_GROUPS = 64;

/**
 * Alpha-beta inputs, per class of rank pair (intra: same group; inter: different groups):
 * - alphaNs: the sum of link latencies along a shortest (fewest-hop) path, the worst over
 *   equal-cost paths and over pairs of the class.
 * - bandwidthBytesPerSec: per-rank injection bandwidth toward the class, i.e. the max-flow
 *   from one rank to all its peers of the class over links that lie on shortest paths to
 *   them (the routes ECMP can use), the worst over ranks. On a switch or a DGX this is the
 *   rank's first link; on a full mesh it is the sum of its direct links.
 * - pathBandwidthBytesPerSec: the slowest link on one shortest path, worst over pairs.
 * Up to 64 ranks every pair/rank is examined. Above, representatives: intra uses the first
 * multi-rank group's first and last rank; inter uses rank 0 and the last rank outside its
 * group (in node-major presets the farthest: another SU and rail), and injection from
 * rank 0 toward the first rank of up to 64 other groups. Presets are symmetric, so these
 * equal the exact values there.
 * If one class is empty (every rank alone, or one group), it copies the other; top-level
 * alphaNs is the max and bandwidthBytesPerSec the min over the classes present. A
 * single-rank topology gives alpha 0 and infinite bandwidth (nothing to send).
 */
export function alphaBetaCost(topology: Topology): AlphaBetaCost {
  const graph = indexGraph(topology);
  const router = createRouter(topology);
  const ranks = topology.ranks;
  const groups = rankGroups(topology);
  const groupIndex = new Int32Array(ranks.length);
  groups.forEach((g, gi) => g.forEach((r) => (groupIndex[r] = gi)));
  const exact = ranks.length <= EXACT_RANK_LIMIT;

  const pairCost = (a: number, b: number): { latencyNs: number; bottleneck: number } => {
    const paths = router.equalCostPaths(ranks[a]!, ranks[b]!, new Set());
    let latencyNs = 0;
    let bottleneck = Infinity;
    for (const path of paths) {
      let sum = 0;
      for (const id of path) {
        const link = topology.links[graph.linkIndex.get(id)!]!;
        sum += link.latencyNs;
        bottleneck = Math.min(bottleneck, link.bandwidthBytesPerSec);
      }
      latencyNs = Math.max(latencyNs, sum);
    }
    return { latencyNs, bottleneck };
  };

  const classCost = (pairs: readonly (readonly [number, number])[], injections: readonly (readonly [number, readonly number[]])[]): AlphaBeta | null => {
    if (pairs.length === 0) return null;
    let alphaNs = 0;
    let pathBandwidth = Infinity;
    for (const [a, b] of pairs) {
      const cost = pairCost(a, b);
      alphaNs = Math.max(alphaNs, cost.latencyNs);
      pathBandwidth = Math.min(pathBandwidth, cost.bottleneck);
    }
    let injection = Infinity;
    for (const [rank, peers] of injections) injection = Math.min(injection, injectionBandwidth(topology, graph, rank, peers));
    return { alphaNs, bandwidthBytesPerSec: injection, pathBandwidthBytesPerSec: pathBandwidth };
  };
  // Between servers a rank also has only its share of a NIC it shares with other GPUs (rails.ts
  // rankNicShares): its own max-flow sees the whole port. Where no NIC is shared the share is the
  // port, at least the max-flow through it: nothing changes.
  const sharedNicCost = (cost: AlphaBeta | null, injections: readonly (readonly [number, readonly number[]])[]): AlphaBeta | null => {
    if (cost === null) return null;
    const shares = rankNicShares(topology);
    let share = Infinity;
    for (const [rank] of injections) share = Math.min(share, shares[rank] ?? Infinity);
    return share < cost.bandwidthBytesPerSec ? { ...cost, bandwidthBytesPerSec: share } : cost;
  };

  const intraPairs: [number, number][] = [];
  const interPairs: [number, number][] = [];
  const intraInjections: [number, number[]][] = [];
  const interInjections: [number, number[]][] = [];
  const allInjections: [number, number[]][] = [];
  if (exact) {
    for (let a = 0; a < ranks.length; a++) {
      for (let b = 0; b < ranks.length; b++) {
        if (a !== b) (groupIndex[a] === groupIndex[b] ? intraPairs : interPairs).push([a, b]);
      }
      const mine = groups[groupIndex[a]!]!.filter((r) => r !== a);
      const others = ranks.map((_, r) => r).filter((r) => groupIndex[r] !== groupIndex[a]);
      if (mine.length > 0) intraInjections.push([a, mine]);
      if (others.length > 0) interInjections.push([a, others]);
      if (ranks.length > 1) allInjections.push([a, ranks.map((_, r) => r).filter((r) => r !== a)]);
    }
  } else {
    const multi = groups.find((g) => g.length >= 2);
    if (multi) {
      intraPairs.push([multi[0]!, multi[multi.length - 1]!]);
      intraInjections.push([multi[0]!, multi.slice(1)]);
    }
    if (groups.length >= 2) {
      let far = ranks.length - 1;
      while (groupIndex[far] === groupIndex[0]) far--;
      interPairs.push([0, far]);
      const step = Math.max(1, Math.floor((groups.length - 1) / SAMPLE_GROUPS));
      const peers: number[] = [];
      for (let gi = 0; gi < groups.length && peers.length < SAMPLE_GROUPS; gi += gi === 0 ? 1 : step) {
        if (gi !== groupIndex[0]) peers.push(groups[gi]![0]!);
      }
      interInjections.push([0, peers]);
    }
    // Rank 0 toward its own group and the other groups' sample above.
    const peers = [...groups[groupIndex[0]!]!.filter((r) => r !== 0), ...(interInjections[0]?.[1] ?? [])];
    if (peers.length > 0) allInjections.push([0, peers]);
  }
  const intra = classCost(intraPairs, intraInjections);
  const inter = withRailAlpha(sharedNicCost(classCost(interPairs, interInjections), interInjections), railPairs(groupIndex, groups.length, rankRails(topology), rankRailLeaves(topology), exact), pairCost);
  const none: AlphaBeta = { alphaNs: 0, bandwidthBytesPerSec: Infinity, pathBandwidthBytesPerSec: Infinity };
  const intraCost = intra ?? inter ?? none;
  const interCost = inter ?? intra ?? none;
  // With one class present its peers are all the peers: its injection is the answer.
  let allPeersBandwidthBytesPerSec = intra === null || inter === null ? Math.min(intraCost.bandwidthBytesPerSec, interCost.bandwidthBytesPerSec) : Infinity;
  if (intra !== null && inter !== null) {
    for (const [rank, peers] of allInjections) allPeersBandwidthBytesPerSec = Math.min(allPeersBandwidthBytesPerSec, injectionBandwidth(topology, graph, rank, peers));
  }
  return {
    alphaNs: Math.max(intraCost.alphaNs, interCost.alphaNs),
    bandwidthBytesPerSec: Math.min(intraCost.bandwidthBytesPerSec, interCost.bandwidthBytesPerSec),
    pathBandwidthBytesPerSec: Math.min(intraCost.pathBandwidthBytesPerSec, interCost.pathBandwidthBytesPerSec),
    intra: intraCost,
    inter: interCost,
    allPeersBandwidthBytesPerSec,
    ...reductionEfficiencyOf(topology),
    ...(topology.computeCapability !== undefined ? { computeCapability: topology.computeCapability } : {}),
  };
}

/**
 * Inter pairs on one rail and one rail leaf (where leaves are known), for railAlphaNs: every
 * such pair up to EXACT_RANK_LIMIT ranks, else rank 0 and the last such rank outside its group
 * (node-major presets: the farthest on its leaf). None without rails or with one group. A rail
 * pair on two leaves (scalable units) crosses a spine: the worst inter α covers it.
 */
function railPairs(groupOf: Int32Array, groupCount: number, rails: readonly number[] | undefined, leaves: readonly number[] | undefined, exact: boolean): [number, number][] {
  if (rails === undefined || groupCount < 2) return [];
  const pairs: [number, number][] = [];
  const n = rails.length;
  const onRail = (a: number, b: number): boolean => groupOf[a] !== groupOf[b] && rails[a] === rails[b] && (leaves === undefined || leaves[a] === leaves[b]);
  if (exact) {
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (onRail(a, b)) pairs.push([a, b]);
    return pairs;
  }
  for (let b = n - 1; b > 0; b--) if (onRail(0, b)) return [[0, b]];
  return pairs;
}

/** `inter` with railAlphaNs, the worst latency over `pairs`; unchanged when there are none. */
function withRailAlpha(inter: AlphaBeta | null, pairs: readonly (readonly [number, number])[], pairCost: (a: number, b: number) => { latencyNs: number }): AlphaBeta | null {
  if (inter === null || pairs.length === 0) return inter;
  let railAlphaNs = 0;
  for (const [a, b] of pairs) railAlphaNs = Math.max(railAlphaNs, pairCost(a, b).latencyNs);
  return { ...inter, railAlphaNs };
}

function reductionEfficiencyOf(topology: Topology): { reductionEfficiency?: number } {
  const reducers = topology.nodes.filter((n) => n.reduction === true);
  if (reducers.length === 0) return {};
  return { reductionEfficiency: Math.min(...reducers.map((n) => n.reductionEfficiency ?? 1)) };
}

/** Max-flow from `rank` to `peers` (rank numbers) over links on shortest paths to them. */
function injectionBandwidth(topology: Topology, graph: GraphIndex, rank: number, peers: readonly number[]): number {
  const src = graph.nodeIndex.get(topology.ranks[rank]!)!;
  const fromSrc = forwardHops(graph, src);
  const onShortest = new Uint8Array(graph.linkCount);
  for (const peer of peers) {
    const dst = graph.nodeIndex.get(topology.ranks[peer]!)!;
    const total = fromSrc[dst]!;
    if (total === UNREACHABLE) continue;
    const toDst = reverseHops(graph, dst);
    for (let l = 0; l < graph.linkCount; l++) {
      const u = graph.linkFrom[l]!;
      const v = graph.linkTo[l]!;
      const du = fromSrc[u]!;
      if (du === UNREACHABLE || du >= total) continue;
      if (u !== src && graph.isEndpoint[u]) continue;
      if (v !== dst && graph.isEndpoint[v]) continue;
      // u→v lies on a shortest src→dst path iff hops(src,u) + 1 + hops(v,dst) = hops(src,dst).
      if (toDst[v] !== UNREACHABLE && du + 1 + toDst[v]! === total) onShortest[l] = 1;
    }
  }
  const sinks = peers.map((p) => graph.nodeIndex.get(topology.ranks[p]!)!);
  return maxFlowBytesPerSec(topology, graph, [src], sinks, (l) => onShortest[l] === 1);
}
