/**
 * The alpha-beta terms every `predictNs` closed form is built from.
 *
 * A message costs α plus bytes / bandwidth. α is per hop: a message between two ranks of
 * one group of the layout (a server, an NVLink domain) pays `cost.intra.alphaNs`, between
 * groups `cost.inter.alphaNs` (NCCL's tuning model likewise counts intra- and inter-node
 * steps separately). A chain of dependent messages (a ring step after step, a chain, a
 * path down a tree) pays the sum of its hops' α; concurrent messages of one round pay the
 * largest. `cost.alphaNs` (the worst pair) remains for messages to every peer at once.
 * The messages of one channel are issued one after another; channels run concurrently, so
 * their α overlap but they share the rank's injection bandwidth B
 * (cost.bandwidthBytesPerSec); send and receive overlap (full duplex). β is 1e9 / B, in ns
 * per byte.
 */
import { flatHopPaths, flatRingLinks } from './channels/search.js';
import type { HopPaths } from './channels/ring-search.js';
import { ceilLog2, clampChannels, mod, type Fold } from './logical.js';
import type { CostParams, PlanParams } from './types.js';

/** α of one message from rank `a` to rank `b`: intra when the layout puts them in one group, else inter. */
export type HopAlpha = (a: number, b: number) => number;

/** Each rank's group of the layout (its server / NVLink domain), -1 for none. */
export function groupIndex(params: PlanParams): Int32Array {
  const groupOf = new Int32Array(params.nranks).fill(-1);
  params.layout.groups.forEach((group, g) => group.forEach((r) => (groupOf[r] = g)));
  return groupOf;
}

/** A predicate: do ranks a and b sit in one group of the layout? */
export function sameGroup(params: PlanParams): (a: number, b: number) => boolean {
  const groupOf = groupIndex(params);
  return (a, b) => groupOf[a] === groupOf[b] && groupOf[a]! >= 0;
}

export function hopAlpha(params: PlanParams, cost: CostParams): HopAlpha {
  const same = sameGroup(params);
  return onPathLatency(params, (a, b) => (same(a, b) ? cost.intra.alphaNs : cost.inter.alphaNs));
}

/**
 * `classAlpha`, but a hop whose path is narrower than its sender's injection (ring:N, fullmesh:N:
 * channels/ring-search.ts HopPaths) pays its own path's latency where the class's α is the
 * fabric's worst path (the simulation delivers a message after its path's latency): ring:8's
 * neighbours are 3.0 µs apart, its opposite ranks 3.9 (a dissemination barrier's rounds at
 * distance 1, 2, 4 were predicted at 3 × 3.9 = 11.7 µs against 10.2 simulated). Where the α is
 * above the worst path (a protocol's step latency) or zeroed, and on stars, it stays.
 */
function onPathLatency(params: PlanParams, classAlpha: HopAlpha): HopAlpha {
  const paths = narrowHopPaths(params);
  if (paths === null) return classAlpha;
  return (a, b) => {
    const alpha = classAlpha(a, b);
    if (a === b || !paths.narrow(a, b)) return alpha;
    const worst = paths.worstLatencyNs();
    return worst === undefined || Math.abs(alpha - worst) > worst * 1e-9 ? alpha : paths.latencyNs(a, b)!;
  };
}

/**
 * ns per byte of the one link a rank's intra and inter transfers share, or 0 where they leave
 * by links of their own: the classes share when a rank's injection toward all its peers at
 * once is below the sum of its injections toward each class (CostParams.allPeersBandwidthBytesPerSec;
 * a relative 1e-9 absorbs the max-flow's rounding). On the README's my-cluster.yaml (each GPU's
 * one 400 Gbps link to its server's switch, the switches joined by a spine) intra, inter and
 * all peers are each 50 GB/s: a rank inner in one channel's tree and the root of the other sends
 * 4 channel parts over that link, not 2 per class (predictor-error.md, "One link for both classes").
 */
export function sharedNsPerByte(cost: CostParams): number {
  const all = cost.allPeersBandwidthBytesPerSec;
  const separate = cost.intra.bandwidthBytesPerSec + cost.inter.bandwidthBytesPerSec;
  return all !== undefined && all > 0 && Number.isFinite(all) && all < separate * (1 - 1e-9) ? nsPerByte(all) : 0;
}

/**
 * A rank's links per hop class as the schedule-following predictors see them: [intra, inter]
 * ns per byte (its NVLink to its server's switch, its NIC), and each hop's class — or, where
 * one link carries both classes (sharedNsPerByte), that link for every hop.
 */
export interface RankLinks {
  readonly nsPerByte: readonly [number, number];
  readonly classOf: (a: number, b: number) => 0 | 1;
}

/** How many of `rank`'s n-1 peers it reaches by each link class, [intra, inter] (rankLinks.classOf). */
export function peersByClass(nranks: number, rank: number, links: RankLinks): [number, number] {
  const peers: [number, number] = [0, 0];
  for (let q = 0; q < nranks; q++) if (q !== rank) peers[links.classOf(rank, q)] += 1;
  return peers;
}

/** One block's hop between the root and a peer: its time on the hop's link (all channels' parts), the hop's α, the link's class. */
export interface RootHop {
  readonly peer: number;
  readonly ns: number;
  readonly alphaNs: number;
  readonly linkClass: 0 | 1;
}

/**
 * The root's hops to its peers in rotated order (root+1, root+2, …), one block each (S_c·c at
 * the hop's link: rankLinks; α: railHopAlpha) — what direct gather and scatter pay. Empty for
 * n = 1 or count = 0.
 */
export function rootHops(params: PlanParams, cost: CostParams): RootHop[] {
  const { nranks: n, count, root } = params;
  if (n === 1 || count === 0) return [];
  const links = rankLinks(params, cost);
  const alpha = railHopAlpha(params, cost);
  const blockBytes = largestPart(params) * params.elementBytes * clampChannels(params.channels, count);
  return Array.from({ length: n - 1 }, (_, i) => {
    const peer = mod(root + i + 1, n);
    const linkClass = links.classOf(root, peer);
    return { peer, ns: blockBytes * links.nsPerByte[linkClass], alphaNs: alpha(peer, root), linkClass };
  });
}

export function rankLinks(params: PlanParams, cost: CostParams): RankLinks {
  const shared = sharedNsPerByte(cost);
  if (shared > 0) return { nsPerByte: [shared, shared], classOf: () => 1 };
  const same = sameGroup(params);
  return { nsPerByte: [nsPerByte(cost.intra.bandwidthBytesPerSec), nsPerByte(cost.inter.bandwidthBytesPerSec)], classOf: (a, b) => (same(a, b) ? 0 : 1) };
}

/**
 * hopAlpha, but a hop between two groups on one rail (layout.rails) and one rail leaf
 * (layout.railLeaves: one scalable unit) crosses that leaf only (cost.inter.railAlphaNs), as
 * the simulation delivers it: for predictors that follow each hop of a schedule rather than
 * the worst one. A rail hop between scalable units crosses a spine: the worst inter α.
 */
export function railHopAlpha(params: PlanParams, cost: CostParams): HopAlpha {
  const alpha = hopAlpha(params, cost);
  const railAlphaNs = Math.min(cost.inter.railAlphaNs ?? Infinity, cost.inter.alphaNs);
  if (params.layout.rails === undefined || railAlphaNs === cost.inter.alphaNs) return alpha;
  const onRail = onOneRailLeaf(params);
  return (a, b) => (onRail(a, b) ? railAlphaNs : alpha(a, b));
}

/** Whether ranks a and b sit in different groups on one rail and one rail leaf (layout.rails, layout.railLeaves). */
export function onOneRailLeaf(params: PlanParams): (a: number, b: number) => boolean {
  const { rails, railLeaves } = params.layout;
  const same = sameGroup(params);
  if (rails === undefined) return () => false;
  return (a, b) => !same(a, b) && rails[a] === rails[b] && (railLeaves === undefined || railLeaves[a] === railLeaves[b]);
}

/**
 * β of channel rings running side by side (one ring order per channel, each channel moving
 * 1/c of the bytes), as ns per byte of all the bytes. A rank's hop to its own group uses the
 * intra bandwidth, to another group the inter bandwidth (on a rail-aligned ring: its own
 * NIC); each is shared by the channels whose hop at that rank is of that class, sends and
 * receives apart (full duplex). A channel runs at its most shared hop and the slowest
 * channel sets the time: the result is the worst β_class·load/c over every hop. With every
 * channel on the same ring (load = c everywhere) it is the plain β of the class.
 */
export function channelRingsNsPerByte(orders: readonly (readonly number[])[], params: PlanParams, cost: CostParams): number {
  const edgeNsPerByte = channelRingsEdgeNsPerByte(orders, params, cost);
  let worst = 0;
  for (const order of orders) {
    if (order.length < 2) continue;
    order.forEach((a, i) => (worst = Math.max(worst, edgeNsPerByte(a, order[(i + 1) % order.length]!))));
  }
  return worst;
}

/**
 * Per ring edge a→b, the ns per byte of all the bytes (as channelRingsNsPerByte) at which
 * that edge moves its channel's share: the more shared of a's send and b's receive of the
 * edge's class. What one ring step over that edge costs, where channelRingsNsPerByte is the
 * worst edge. On a flat layout with the fabric's links (channels/search.ts flatRingLinks) an
 * edge is as slow as the most loaded link on its path too, where that is slower: fullmesh:4's
 * two rings leave each rank by two of its three links, at 2/3 of its injection.
 */
export function channelRingsEdgeNsPerByte(orders: readonly (readonly number[])[], params: PlanParams, cost: CostParams): (a: number, b: number) => number {
  const same = sameGroup(params);
  const c = orders.length;
  // Per rank: [sends intra, sends inter, receives intra, receives inter].
  const load = new Int32Array(4 * params.nranks);
  for (const order of orders) {
    if (order.length < 2) continue;
    order.forEach((a, i) => {
      const b = order[(i + 1) % order.length]!;
      const inter = same(a, b) ? 0 : 1;
      load[4 * a + inter]!++;
      load[4 * b + 2 + inter]!++;
    });
  }
  const beta = [nsPerByte(cost.intra.bandwidthBytesPerSec), nsPerByte(cost.inter.bandwidthBytesPerSec)];
  const links = flatRingLinks(params.layout, params.nranks, orders);
  return (a, b) => {
    const inter = same(a, b) ? 0 : 1;
    const shares = Math.max(load[4 * a + inter]!, load[4 * b + 2 + inter]!);
    // The links' count only where it is slower (beyond rounding): on one switch the two agree.
    const onLinks = links === null ? 0 : links.hopLoad(a, b);
    return (beta[inter]! * (onLinks > shares * (1 + 1e-9) ? onLinks : shares)) / c;
  };
}

/**
 * The latency of `hops` dependent messages around the ring `order` (position i sends to
 * i+1), the worst over starting positions: a ring step waits for the previous step's
 * message from its predecessor, so a ring's latency path walks `hops` consecutive edges.
 */
export function ringPathNs(order: readonly number[], hops: number, alpha: HopAlpha): number {
  const k = order.length;
  if (k < 2 || hops <= 0) return 0;
  const edge = Array.from({ length: k }, (_, i) => alpha(order[i]!, order[(i + 1) % k]!));
  const lap = edge.reduce((a, b) => a + b, 0);
  const laps = Math.floor(hops / k);
  const rest = hops - laps * k;
  let window = 0;
  for (let j = 0; j < rest; j++) window += edge[j]!;
  let worst = window;
  for (let start = 1; start < k && rest > 0; start++) {
    window += edge[mod(start + rest - 1, k)]! - edge[start - 1]!;
    worst = Math.max(worst, window);
  }
  return laps * lap + worst;
}

/** The latency of the chain from..(along `order`, starting at position `from`)..: `hops` edges, no wrap search. */
export function chainPathNs(order: readonly number[], from: number, hops: number, alpha: HopAlpha): number {
  const k = order.length;
  let sum = 0;
  for (let j = 0; j < hops; j++) sum += alpha(order[mod(from + j, k)]!, order[mod(from + j + 1, k)]!);
  return sum;
}

/** The largest α of one round in which every rank r with partner(r) >= 0 messages its partner. */
export function roundAlphaNs(nranks: number, partner: (rank: number) => number, alpha: HopAlpha): number {
  let worst = 0;
  for (let r = 0; r < nranks; r++) {
    const p = partner(r);
    if (p >= 0 && p !== r) worst = Math.max(worst, alpha(r, p));
  }
  return worst;
}

/** One message of a round: from rank `src` to rank `dst`, `bytes` long (only the ratios between a round's messages count). */
export type RoundMessage = readonly [src: number, dst: number, bytes: number];

/**
 * How much slower a round of concurrent messages moves on the fabric's links than the rank-link
 * model of the predictors has it (each rank's own link its only bound): the most loaded link's
 * bytes over its bandwidth, against the busiest rank's bytes out or in over its injection
 * (channels/ring-search.ts HopPaths: each pair's path, as the tree's replay shares them). On
 * ring:8 a round of recursive doubling at distance 4 sends all four clockwise messages over the
 * link 3→4 (49 GB/s, where each GPU injects 98): 4 × 98 / 49 = 8 times the one message per rank
 * the model counts. 1 where no message's path is narrower than its sender's injection (stars:
 * switch:N, an NVSwitch server, leaf-spine; their links are the ranks' own and a switch), on rail
 * grids and without the fabric's links (no paths): those predictions stay as they were. A
 * predictor multiplies its round's β term by it. Where ECMP has equal paths (ring:8's opposite
 * ranks) the simulation pins each flow to one by hash, the factor to the search's path.
 */
export function roundLinkFactor(params: PlanParams, messages: Iterable<RoundMessage>): number {
  const paths = narrowHopPaths(params);
  if (paths === null) return 1;
  const list = [...messages].filter(([src, dst, bytes]) => src !== dst && src >= 0 && dst >= 0 && bytes > 0);
  if (!onNarrowPaths(params, list)) return 1;
  const n = params.nranks;
  const edgeBytes = new Float64Array(paths.capacityGbs.length);
  // Per rank: bytes out, bytes in.
  const rankBytes = new Float64Array(2 * n);
  for (const [src, dst, bytes] of list) {
    for (const e of paths.edges(src, dst)) edgeBytes[e]! += bytes;
    rankBytes[src]! += bytes;
    rankBytes[n + dst]! += bytes;
  }
  let onLinks = 0;
  edgeBytes.forEach((bytes, e) => (onLinks = Math.max(onLinks, bytes / paths.capacityGbs[e]!)));
  let onRanks = 0;
  for (let r = 0; r < n; r++) onRanks = Math.max(onRanks, Math.max(rankBytes[r]!, rankBytes[n + r]!) / paths.injectionGbs(r));
  const factor = onLinks / onRanks;
  // Only where the links are slower (beyond rounding): where they agree the prediction stays bit for bit.
  return factor > 1 + 1e-9 ? factor : 1;
}

/**
 * The fabric's paths (channels/search.ts flatHopPaths) where some pair's is narrower than its
 * sender's injection; null on stars, rail grids and without the fabric's links. Checked once per
 * layout, so that a star's predictions build no round at all.
 */
function narrowHopPaths(params: PlanParams): HopPaths | null {
  const paths = flatHopPaths(params.layout, params.nranks);
  return paths !== null && paths.anyNarrow() ? paths : null;
}

/** Whether some message of a round has a path narrower than its sender's injection (HopPaths.narrow): where roundLinkFactor counts links. */
export function onNarrowPaths(params: PlanParams, messages: Iterable<RoundMessage>): boolean {
  const paths = narrowHopPaths(params);
  if (paths === null) return false;
  for (const [src, dst] of messages) if (src !== dst && src >= 0 && dst >= 0 && paths.narrow(src, dst)) return true;
  return false;
}

/** roundLinkFactor of a round in which every rank r with partner(r) >= 0 sends `bytes(r)` (default 1) to partner(r). */
export function partnerLinkFactor(params: PlanParams, partner: (rank: number) => number, bytes: (rank: number) => number = () => 1): number {
  return roundLinkFactor(params, partnerRound(params.nranks, partner, bytes));
}

/** The messages of a round in which every rank r sends `bytes(r)` to partner(r) (made as they are read: a star reads none). */
function* partnerRound(nranks: number, partner: (rank: number) => number, bytes: (rank: number) => number = () => 1): Generator<RoundMessage> {
  for (let r = 0; r < nranks; r++) yield [r, partner(r), bytes(r)];
}

/** β: ns per byte at `bandwidthBytesPerSec`. */
export const nsPerByte = (bandwidthBytesPerSec: number): number => 1e9 / bandwidthBytesPerSec;

/**
 * Elements in the largest channel part of a channel-split algorithm (channels clamped to
 * count): what the slowest channel moves.
 */
export function largestPart(params: PlanParams): number {
  return Math.ceil(params.count / clampChannels(params.channels, params.count));
}

/**
 * Elements in the largest chunk of a channel-split algorithm: `largestPart`, cut to
 * `chunkElements` when pipelining. Also the size of a one-chunk-per-channel scratch slot.
 */
export function largestChunk(params: PlanParams): number {
  const part = largestPart(params);
  return params.chunkElements > 0 ? Math.min(params.chunkElements, part) : part;
}

/**
 * Alpha-beta view of a channel-split algorithm: with c = clampChannels(channels, count), the
 * slowest channel moves S_c = largestPart·elementBytes bytes per block at B/c
 * (channels share the rank's injection bandwidth B). Returns that block's time S_c·c/B in ns.
 */
export function channelBlockNs(params: PlanParams, cost: CostParams): number {
  const bytes = largestPart(params) * params.elementBytes;
  return (bytes * clampChannels(params.channels, params.count) * 1e9) / cost.bandwidthBytesPerSec;
}

/** The worst hop of a round in which every rank r messages rank r + `distance` (mod n). */
export function rotationAlphaNs(nranks: number, distance: number, alpha: HopAlpha): number {
  return roundAlphaNs(nranks, (r) => mod(r + distance, nranks), alpha);
}

/** Each rank's hypercube partner at distance `mask` among the virtual ranks of a fold (-1: folded out). */
const hypercubePartner = (f: Fold, mask: number) => (r: number): number => (f.virtualOf(r) < 0 ? -1 : f.realOf(f.virtualOf(r) ^ mask));

/** The worst hop between hypercube partners at distance `mask` among the virtual ranks of a fold. */
export function hypercubeAlphaNs(nranks: number, f: Fold, mask: number, alpha: HopAlpha): number {
  return roundAlphaNs(nranks, hypercubePartner(f, mask), alpha);
}

/**
 * The slowest link (ns per byte, rankLinks) of a round in which every rank r messages
 * partner(r) (-1: none): the round ends when its slowest message has.
 */
export function roundNsPerByte(nranks: number, partner: (rank: number) => number, links: RankLinks): number {
  let slowest = 0;
  for (let r = 0; r < nranks; r++) {
    const p = partner(r);
    if (p >= 0 && p !== r) slowest = Math.max(slowest, links.nsPerByte[links.classOf(r, p)]!);
  }
  return slowest;
}

/** roundNsPerByte of the hypercube round at distance `mask` among a fold's virtual ranks. */
export function hypercubeNsPerByte(nranks: number, f: Fold, mask: number, links: RankLinks): number {
  return roundNsPerByte(nranks, hypercubePartner(f, mask), links);
}

/** roundNsPerByte of the non-power-of-two fold (a folded rank and its partner). */
export function foldNsPerByte(nranks: number, f: Fold, links: RankLinks): number {
  return roundNsPerByte(nranks, f.foldPartner, links);
}

/** roundLinkFactor of the hypercube round at distance `mask` among a fold's virtual ranks, each rank sending `bytes(rank)` (default 1). */
export function hypercubeLinkFactor(params: PlanParams, f: Fold, mask: number, bytes?: (rank: number) => number): number {
  return partnerLinkFactor(params, hypercubePartner(f, mask), bytes);
}

/** roundLinkFactor of the non-power-of-two fold (a folded rank and its partner). */
export function foldLinkFactor(params: PlanParams, f: Fold): number {
  return partnerLinkFactor(params, f.foldPartner);
}

/** roundLinkFactor of a round in which every rank r sends to r + `distance` (mod n). */
export function rotationLinkFactor(params: PlanParams, distance: number): number {
  return partnerLinkFactor(params, (r) => mod(r + distance, params.nranks));
}

/** roundLinkFactor of every rank sending to every other at once, alike (a fan-out to every peer, an all-to-all). */
export function allPairsLinkFactor(params: PlanParams): number {
  const n = params.nranks;
  return roundLinkFactor(params, (function* () {
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) yield [a, b, 1] as RoundMessage;
  })());
}

/** roundLinkFactor of the rings `orders` (one per channel, each position sending to the next) moving a step at once. */
export function ringsLinkFactor(params: PlanParams, orders: readonly (readonly number[])[]): number {
  return roundLinkFactor(params, (function* () {
    for (const order of orders) if (order.length > 1) for (let i = 0; i < order.length; i++) yield [order[i]!, order[(i + 1) % order.length]!, 1] as RoundMessage;
  })());
}

/**
 * A phase in which every rank posts to its peers one after another in rotated order (r+1, r+2,
 * …), each send done when its last byte has left, so every rank reaches distance d at once: it
 * ends when its latest message lands, max over d of ns(F_d, α_d) — F_d the rounds up to d in β's
 * units, Σ rotationLinkFactor (d where the ranks' links bind), α_d the worst hop at distance d
 * (hopAlpha) where paths are narrower than a rank's injection, else the worst pair's
 * (cost.alphaNs): then the last post (d = n - 1) lands last, ns(n - 1, α).
 */
export function rotationsNs(params: PlanParams, cost: CostParams, ns: (rounds: number, alphaNs: number) => number): number {
  const n = params.nranks;
  const alpha = hopAlpha(params, cost);
  let rounds = 0;
  let endNs = 0;
  for (let d = 1; d < n; d++) {
    rounds += rotationLinkFactor(params, d);
    const narrow = onNarrowPaths(params, partnerRound(n, (r) => mod(r + d, n)));
    endNs = Math.max(endNs, ns(rounds, narrow ? rotationAlphaNs(n, d, alpha) : cost.alphaNs));
  }
  return endNs;
}

/**
 * Rounds at distances 1, 2, 4, … < n replayed rank by rank without contention (Bruck's
 * all-gather, the dissemination barrier): from t = 0, each round's t(x) = step(d, x, the
 * previous round's t); the latest rank's time.
 */
export function replayDoublingRoundsNs(nranks: number, step: (distance: number, rank: number, t: Float64Array) => number): number {
  let t = new Float64Array(nranks);
  for (let d = 1; d < nranks; d *= 2) {
    const next = new Float64Array(nranks);
    for (let x = 0; x < nranks; x++) next[x] = step(d, x, t);
    t = next;
  }
  let endNs = 0;
  for (const ns of t) endNs = Math.max(endNs, ns);
  return endNs;
}

/** Ranks × chunks above which the binomial trees' predictors take their closed form (binomialBoundNs) instead of replaying every chunk. */
export const MAX_RECURRENCE_STEPS = 4_000_000;

/** A binomial tree's closed form, ⌈log2 n⌉·(α + S_c·c/B) over each level's worst hop: the root's ⌈log2 n⌉ blocks and the deepest path. */
export function binomialBoundNs(params: PlanParams, cost: CostParams, alpha: HopAlpha): number {
  return binomialLatencyNs(params.nranks, params.root, alpha) + ceilLog2(params.nranks) * channelBlockNs(params, cost);
}

/**
 * Per hop of a binomial tree rooted at params.root (virtual rank v = rank - root, children at
 * v + m for m below v's lowest bit), the roundLinkFactor of the round that hop is in: every
 * parent at a multiple of 2m sending to its child at distance m at once (`up`: every such
 * child to its parent, a reduce). 1 on every hop where no path is narrower than a rank's injection.
 */
export function binomialLinkFactors(params: PlanParams, up = false): (a: number, b: number) => number {
  const { nranks: n, root } = params;
  if (narrowHopPaths(params) === null) return () => 1;
  const byDistance = new Map<number, number>();
  for (let m = 1; m < n; m *= 2) {
    const messages: RoundMessage[] = [];
    for (let v = 0; v + m < n; v += 2 * m) {
      const [parent, child] = [mod(v + root, n), mod(v + m + root, n)];
      messages.push(up ? [child, parent, 1] : [parent, child, 1]);
    }
    byDistance.set(m, roundLinkFactor(params, messages));
  }
  return (a, b) => byDistance.get(Math.abs(mod(a - root, n) - mod(b - root, n))) ?? 1;
}

/** Summed worst hops of a binomial tree's rounds: in round k, virtual ranks v < 2^k exchange with v + 2^k (v = rank - root). */
export function binomialLatencyNs(nranks: number, root: number, alpha: HopAlpha): number {
  let latencyNs = 0;
  for (let d = 1; d < nranks; d *= 2) {
    latencyNs += roundAlphaNs(nranks, (r) => {
      const v = mod(r - root, nranks);
      return v < d && v + d < nranks ? mod(v + d + root, nranks) : -1;
    }, alpha);
  }
  return latencyNs;
}

/** The worst hop of the non-power-of-two fold (a folded rank and its partner). */
export function foldAlphaNs(nranks: number, f: Fold, alpha: HopAlpha): number {
  return roundAlphaNs(nranks, f.foldPartner, alpha);
}

/**
 * `rounds` dependent rounds of a ring in rank order, each moving one block per channel in
 * `messages` messages: messages·A + rounds·S_c·c/B, with A the latency of `rounds`
 * consecutive ring hops (`ringPathNs`; rounds·α when every hop costs the same).
 */
export function ringRoundsNs(rounds: number, params: PlanParams, cost: CostParams, messages = 1): number {
  const order = Array.from({ length: params.nranks }, (_, r) => r);
  return messages * ringPathNs(order, rounds, hopAlpha(params, cost)) + rounds * channelBlockNs(params, cost);
}

