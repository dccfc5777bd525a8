/**
 * Channel search: which ring (and which tree) each channel runs, from where ranks sit.
 *
 * NCCL's idea (src/graph/search.cc, rings.cc, trees.cc, paths.cc), in weft's terms: a
 * channel is a ring that stays on NVLink inside a server and crosses servers through a NIC;
 * the search binds every channel to a NIC so that the inter-server hop leaves GPU i of one
 * server and lands on GPU i of the next, on rail i — through NIC i and the rail-i leaf,
 * never a spine — and gives different channels different NICs, so every NIC of a server
 * carries traffic. Trees use the same channels: a chain inside each server, a double binary
 * tree between servers.
 *
 * weft's rings: in channel c with rails r_0 < … < r_{G-1} common to every server, the ring
 * leaves server s on rail x_s and enters server s+1 on that same rail. Consecutive exit rails
 * must differ (a server is entered and left by two different GPUs), so the exits alternate
 * between rail positions c+1 and c (mod G), and an odd number of servers ends on a third
 * rail, c+2. Inside a server the ring starts at its entry GPU, walks the other GPUs downward
 * in rail position (NVSwitch connects every pair), and ends at the exit GPU. Channel c and
 * c+G use the same rails, so k·G channels give every NIC k channels in and k out. Flat
 * layouts (one group, no rails, or servers that do not share the same rails) get the rings
 * the search on the fabric's links finds (ring-search.ts: each channel reserves its speed on
 * every directed link it crosses, the next is searched on what is left), channel c the
 * (c mod k)-th of the k found, as NCCL duplicates its channels; the rank order on every
 * channel where the layout carries no links or the fabric is too large to search.
 *
 * Pure and browser-safe.
 */
import { doubleBinaryTree, mod, treeFromParents, type Tree } from '../logical.js';
import type { CostParams, RankLayout } from '../types.js';
import { RingSearch, type HopPaths } from './ring-search.js';

/** Servers whose ranks line up by rail: servers[s][k] is the rank of server s on the k-th rail. */
export type RailGrid = readonly (readonly number[])[];

/** The layout's groups when they partition 0..nranks-1, else one group of every rank. */
export function groupsOf(layout: RankLayout, nranks: number): readonly (readonly number[])[] {
  const seen = new Uint8Array(nranks);
  let covered = 0;
  for (const group of layout.groups) {
    for (const r of group) {
      if (!(r >= 0 && r < nranks) || seen[r]) return [Array.from({ length: nranks }, (_, i) => i)];
      seen[r] = 1;
      covered++;
    }
  }
  return covered === nranks ? layout.groups : [Array.from({ length: nranks }, (_, i) => i)];
}

/**
 * The rail grid when rings can be rail-aligned: rails known, at least two servers, every
 * server with the same G >= 2 distinct rails. Null otherwise (flat).
 */
function railGrid(layout: RankLayout, nranks: number): RailGrid | null {
  const rails = layout.rails;
  const groups = groupsOf(layout, nranks);
  if (rails === undefined || rails.length !== nranks || groups.length < 2) return null;
  const byRail = groups.map((g) => [...g].sort((a, b) => rails[a]! - rails[b]! || a - b));
  const railsOf = (g: readonly number[]): string => g.map((r) => rails[r]).join(',');
  const first = byRail[0]!;
  if (first.length < 2 || new Set(first.map((r) => rails[r])).size !== first.length) return null;
  if (!byRail.every((g) => railsOf(g) === railsOf(first))) return null;
  return byRail;
}

/** Positions 0..size-1 from `start` downward (start, start-1, …, start+1, mod size). */
function downFrom(size: number, start: number): number[] {
  return Array.from({ length: size }, (_, j) => mod(start - j, size));
}

/** A path through positions 0..size-1 from `entry` to `exit`: entry, the others downward, exit. */
function serverPath(size: number, entry: number, exit: number): number[] {
  return [...downFrom(size, entry).filter((k) => k !== exit), exit];
}

/** Rail positions at which channel c leaves each of `servers` servers (needs G >= 3 when odd). */
function exitRails(servers: number, size: number, c: number): number[] | null {
  const even = servers % 2 === 0;
  if (!even && size < 3) return null;
  return Array.from({ length: servers }, (_, s) => {
    if (!even && s === servers - 1) return mod(c + 2, size);
    return s % 2 === 0 ? mod(c + 1, size) : mod(c, size);
  });
}

/**
 * The ring order of each of `channels` channels. Rail-aligned on a rail grid (see the
 * module comment); the rank order on flat layouts.
 */
export function channelRings(layout: RankLayout, nranks: number, channels: number): readonly (readonly number[])[] {
  const cache = layoutCache(layout);
  const key = `${nranks}:${channels}`;
  const cached = cache.rings.get(key);
  if (cached !== undefined) return cached;
  const grid = railGridOf(cache, layout, nranks);
  const searched = grid === null ? flatSearch(cache, layout, nranks) : null;
  const rings = Array.from({ length: channels }, (_, c) => {
    if (searched !== null) return searched.rings[c % searched.rings.length]!;
    // A channel's ring depends only on its rail position (c mod G): channels that agree share one.
    const position = grid === null ? 0 : mod(c, grid[0]!.length);
    const ringKey = `${nranks}:${position}`;
    let ring = cache.ring.get(ringKey);
    if (ring === undefined) cache.ring.set(ringKey, (ring = channelRing(nranks, grid, position)));
    return ring;
  });
  cache.rings.set(key, rings);
  return rings;
}

/** The ring of channels at rail position `position` (channelRings). */
function channelRing(nranks: number, grid: RailGrid | null, position: number): readonly number[] {
  const rankOrder = Array.from({ length: nranks }, (_, r) => r);
  if (grid === null) return rankOrder;
  const size = grid[0]!.length;
  const exits = exitRails(grid.length, size, position);
  if (exits === null) return rankOrder;
  return grid.flatMap((server, s) => serverPath(size, exits[mod(s - 1, grid.length)]!, exits[s]!).map((k) => server[k]!));
}

/**
 * What channelRings and channelTrees derive from a layout, by layout object (a layout is not
 * changed once made: fabric's rankLayout gives one per topology). auto predicts every
 * candidate per protocol and per size on the same rings and trees; at 16,384 GPUs building
 * them took about a tenth of a run's set-up. Channels at the same rail position (and, for
 * trees, the same half) share one ring or tree: 16 distinct trees on dgx-h100 at any count.
 * Trees are held weakly (kept while a prediction or plan holds them; a collected entry is
 * built again, equal): a run does not keep them once planned.
 */
interface LayoutCache {
  readonly grid: Map<number, RailGrid | null>;
  /** The link search of a flat layout, by rank count (null: none applies). */
  readonly search: Map<number, FlatSearch | null>;
  readonly ring: Map<string, readonly number[]>;
  readonly rings: Map<string, readonly (readonly number[])[]>;
  /** Held weakly: at 65,536 GPUs 16 trees are ≈ 190 MB, which a run need not keep once planned. */
  readonly tree: Map<string, WeakRef<Tree>>;
  readonly trees: Map<string, WeakRef<readonly Tree[]>>;
}

const cacheByLayout = new WeakMap<RankLayout, LayoutCache>();

function layoutCache(layout: RankLayout): LayoutCache {
  let cache = cacheByLayout.get(layout);
  if (cache === undefined) cacheByLayout.set(layout, (cache = { grid: new Map(), search: new Map(), ring: new Map(), rings: new Map(), tree: new Map(), trees: new Map() }));
  return cache;
}

function railGridOf(cache: LayoutCache, layout: RankLayout, nranks: number): RailGrid | null {
  let grid = cache.grid.get(nranks);
  if (grid === undefined) cache.grid.set(nranks, (grid = railGrid(layout, nranks)));
  return grid;
}

/** A flat layout's link search: the search, the widest path's speed and the rings found at it (at least one). */
interface FlatSearch {
  readonly search: RingSearch;
  readonly maxGbs: number;
  readonly rings: readonly (readonly number[])[];
}

/**
 * The link search of a flat layout, once per layout and rank count: null without the fabric's
 * links (layout.linkGraph), on a fabric too large to search, or when no ring fits at the
 * widest path's speed.
 */
function flatSearch(cache: LayoutCache, layout: RankLayout, nranks: number): FlatSearch | null {
  let found = cache.search.get(nranks);
  if (found !== undefined) return found;
  found = null;
  const search = layout.linkGraph === undefined ? null : RingSearch.of(layout.linkGraph, nranks);
  if (search !== null) {
    const maxGbs = search.maxPathGbs();
    const rings = search.rings(maxGbs, MAX_CHANNELS / 2);
    if (rings.length > 0) found = { search, maxGbs, rings };
  }
  cache.search.set(nranks, found);
  return found;
}

/**
 * On a flat layout the link search covers (see flatSearch), what the rings `orders` cost per hop
 * beyond the per-rank count the predictors take (cost.ts channelRingsEdgeNsPerByte): `hopLoad`,
 * the hop's most loaded link in channels per rank injection (RingSearch.hopLoads), and
 * `aloneShare`, the rank's injection over the hop's path width — how much slower one channel
 * alone moves than the rank's injection. Null elsewhere (rail grids, no links): the per-rank
 * count stands.
 */
export function flatRingLinks(layout: RankLayout, nranks: number, orders: readonly (readonly number[])[]): { readonly hopLoad: (a: number, b: number) => number; readonly aloneShare: (a: number, b: number) => number } | null {
  const cache = layoutCache(layout);
  if (railGridOf(cache, layout, nranks) !== null) return null;
  const flat = flatSearch(cache, layout, nranks);
  if (flat === null) return null;
  const { search } = flat;
  // Counted on first use: the ring predictor asks for aloneShare alone (nccl-ring.ts stepHopNs).
  let hopLoad: ((a: number, b: number) => number) | undefined;
  return {
    hopLoad: (a, b) => (hopLoad ??= search.hopLoads(orders))(a, b),
    aloneShare: (a, b) => {
      const width = search.pathGbs(a, b);
      return width > 0 ? search.injectionGbs(a) / width : 1;
    },
  };
}

/**
 * On a flat layout the link search covers (see flatSearch), every hop's path through the
 * fabric's links (RingSearch.hopPaths); null elsewhere (rail grids, no links).
 */
export function flatHopPaths(layout: RankLayout, nranks: number): HopPaths | null {
  const cache = layoutCache(layout);
  if (railGridOf(cache, layout, nranks) !== null) return null;
  return flatSearch(cache, layout, nranks)?.search.hopPaths() ?? null;
}

/** The layout's rail grid (null: flat), built once per layout and rank count: the searches ask for it per collective. */
export function layoutRailGrid(layout: RankLayout, nranks: number): RailGrid | null {
  return railGridOf(layoutCache(layout), layout, nranks);
}

/**
 * NCCL's trees (src/graph/trees.cc, connect.cc): per channel, a chain inside each server
 * from its head down, and a binary tree over the servers' heads. The first half of the
 * channels uses the first tree of the double binary tree, the second half its complement.
 * On a rail grid channel c's heads are the GPUs on rail position c (every inter-server tree
 * edge stays on one rail) and the chain walks down from there; otherwise the heads are each
 * group's first rank and chains follow rank order.
 */
export function channelTrees(layout: RankLayout, nranks: number, channels: number): readonly Tree[] {
  const cache = layoutCache(layout);
  const key = `${nranks}:${channels}`;
  const cached = cache.trees.get(key)?.deref();
  if (cached !== undefined) return cached;
  const grid = railGridOf(cache, layout, nranks);
  const trees = Array.from({ length: channels }, (_, c) => {
    // A channel's tree depends only on which half it is in and, on a rail grid, its rail position.
    const half = channels > 1 && c >= channels / 2 ? 1 : 0;
    const position = grid === null ? 0 : mod(c, grid[0]!.length);
    const treeKey = `${nranks}:${half}:${position}`;
    let tree = cache.tree.get(treeKey)?.deref();
    if (tree === undefined) cache.tree.set(treeKey, new WeakRef((tree = channelTree(layout, nranks, grid, half, position))));
    return tree;
  });
  cache.trees.set(key, new WeakRef(trees));
  return trees;
}

/** The tree of a channel in `half` (0: the double binary tree's first tree, 1: its complement) at rail `position` (channelTrees). */
function channelTree(layout: RankLayout, nranks: number, grid: RailGrid | null, half: number, position: number): Tree {
  const groups = grid ?? groupsOf(layout, nranks);
  const between = doubleBinaryTree(groups.length)[half]!;
  const chains = groups.map((g) => (grid === null ? [...g] : downFrom(g.length, position).map((k) => g[k]!)));
  const parent = new Array<number>(nranks).fill(-1);
  chains.forEach((chain, s) => {
    const up = between.parent[s]!;
    parent[chain[0]!] = up < 0 ? -1 : chains[up]![0]!;
    for (let i = 1; i < chain.length; i++) parent[chain[i]!] = chain[i - 1]!;
  });
  return treeFromParents(parent);
}

/**
 * True when the layout gives the search nothing to work with: fewer than two groups (one
 * server, or groups that do not partition the ranks), or no group with two ranks (every
 * rank alone on a switch: no chain inside a server). channelRings and channelTrees then
 * fall back to the rank order.
 */
export function isFlat(layout: RankLayout, nranks: number): boolean {
  const groups = groupsOf(layout, nranks);
  return groups.length < 2 || groups.every((group) => group.length < 2);
}

/**
 * True when the ranks are one server of two or more GPUs: NCCL's tree there is a chain per
 * channel (trees.cc: nothing to join between servers), as channelTrees builds it.
 */
export function isOneServer(layout: RankLayout, nranks: number): boolean {
  const groups = groupsOf(layout, nranks);
  return groups.length === 1 && groups[0]!.length >= 2 && layout.groups.length === 1;
}

/** NCCL duplicates a search's channels when one channel's bandwidth is at least this (search.cc: bwIntra >= 25 GB/s). */
const DUPLICATE_AT_GBS = 25;

/**
 * NCCL's per-channel bandwidth ladders, GB/s, by the GPUs' compute capability: the speeds its
 * search tries, highest first — one speed array per SM generation and per system kind, which
 * every pattern's search (ring, tree, NVLS) reads: ncclTopoCompute picks the array once, by ccMin
 * and by whether the topology system keeps NICs (`system->inter`: some rank is outside the
 * node). All three rows are one release's, NCCL 2.23–2.28 (the first with sm100 arrays; the
 * published GB200 NVL72 runs used 2.26.2): sm100SpeedArrayIntra/Inter, sm90SpeedArrayIntra/Inter
 * and speedArrayIntra/Inter as in the stored copy of 2.28.3's src/graph/search.cc
 * (zhanglin496/nccl-2.28.3-1 at 67491d6d60b55d9962eb4b780ba224613a3ab36d, annotated, arrays
 * verbatim; a second stored copy of the 2.2x file reads the same). The older NVIDIA/nccl copy
 * (src/graph/search.cc at b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2, pre-Blackwell) has no sm100
 * arrays and no 11 in sm90's intra array. Later copies (not a release weft follows) add 45 to
 * sm100's intra array and 80, 86 to its inter array.
 */
const SPEED_LADDERS_GBS: readonly { readonly minComputeCapability: number; readonly intra: readonly number[]; readonly inter: readonly number[] }[] = [
  { minComputeCapability: 10, intra: [90, 80, 70, 60, 50, 40, 30, 24, 20, 19, 18], inter: [96, 48, 45.1, 42, 40, 30, 24, 22, 20, 17.5, 15, 12, 6, 3, 2.4, 1.2, 0.24, 0.12] },
  { minComputeCapability: 9, intra: [60, 50, 40, 30, 24, 20, 15, 12, 11, 6, 3], inter: [48, 45, 42, 40, 30, 24, 22, 20, 17.5, 15, 12, 6, 3, 2.4, 1.2, 0.24, 0.12] },
  { minComputeCapability: 0, intra: [40, 30, 20, 18, 15, 12, 10, 9, 7, 6, 5, 4, 3], inter: [48, 30, 28, 24, 20, 18, 15, 12, 10, 9, 7, 6, 5, 4, 3, 2.4, 1.2, 0.24, 0.12] },
];

/**
 * The one ladder every pattern's search reads (see SPEED_LADDERS_GBS): the GPUs' generation's
 * inter array when the communicator spans several nodes (NCCL keeps the NICs), its intra array
 * on one node (paths.cc ncclTopoTrimSystem: `system->inter` is 0 when the node holds every rank).
 */
export function speedLadderGbs(computeCapability: number, withNics: boolean): readonly number[] {
  const ladders = SPEED_LADDERS_GBS.find((l) => computeCapability >= l.minComputeCapability)!;
  return withNics ? ladders.inter : ladders.intra;
}

/** MAXCHANNELS at [search]'s commit (src/include/device.h); the ring search may find half of it (init.cc ringGraph->maxChannels). */
const MAX_CHANNELS = 32;

/** One searched solution: channels, each reserving `gbs` GB/s on every link it crosses. */
interface SearchedChannels {
  readonly channels: number;
  readonly gbs: number;
}

/**
 * ncclTopoCompute's first pass over a ladder, in closed form: start at the highest speed the
 * GPU's path allows (maxGbs), count the channels that fit at each speed, keep the solution
 * with the most bandwidth (channels × speed; a tie keeps the faster, fewer-hop one), and step
 * down while the next speed is more than 0.49 of the best one's, stopping early when a
 * solution fills the GPU (totalGbs). None fitting: NCCL's fallback, one channel. Its second
 * pass (a higher speed with as many channels) cannot improve on this closed form: every
 * higher speed was tried first.
 */
function ladderSearch(ladder: readonly number[], maxGbs: number, totalGbs: number, fits: (gbs: number) => number): SearchedChannels {
  let i = ladder.findIndex((gbs) => gbs <= maxGbs);
  if (i < 0) i = ladder.length - 1;
  let best: SearchedChannels = { channels: 0, gbs: 0 };
  for (; i < ladder.length; i++) {
    const gbs = ladder[i]!;
    if (best.channels > 0 && gbs / best.gbs <= 0.49) break;
    const channels = Math.min(MAX_CHANNELS / 2, Math.max(0, fits(gbs)));
    if (channels * gbs > best.channels * best.gbs) best = { channels, gbs };
    if (best.channels * best.gbs >= totalGbs) break;
  }
  return best.channels > 0 ? best : { channels: 1, gbs: 0.1 };
}

/**
 * The channel count NCCL's search would settle on, in weft's inputs.
 *
 * With the GPUs' compute capability known (GPU presets, topology files that declare it), as
 * NCCL does it ([search] ncclTopoCompute, ncclTopoDupChannels; connect.cc ncclTopoPostset):
 * 1. Search: per-channel speeds from the architecture's ladder (ladderSearch). On a rail grid
 *    (a NIC per GPU) a channel reserves its speed on the NIC it leaves by and, inside the
 *    server, on the NVLink of G-1 of the G GPUs it visits: G·floor(nic/s) channels, at most
 *    floor(nvlink / (s·(G-1)/G)). On one server (or any flat layout) the link search
 *    (ring-search.ts) counts the rings that fit at s, each reserving s on every directed link
 *    it crosses, starting from the widest GPU-to-GPU path; on one NVSwitch every ring crosses
 *    every rank's link once each way: floor(bandwidth / s).
 * 2. Duplicate: at a speed of at least 25 GB/s, twice the channels at half the speed — except
 *    on Hopper and later below 50 GB/s with more than 4 channels.
 * 3. connect.cc doubles the channels again (up to MAXCHANNELS), and on Hopper and later a
 *    multi-server run whose ring speed is above 45 GB/s with fewer than 16 doubles once more.
 * 8×H100 in one server: 370.8 GB/s of NVLink, sm90 ladder 60 → 6 channels (360), no better
 * down to 30 (12 × 30 = 360, a tie) → duplicated to 12 at 30 → 24 (NCCL issue #1367 reports
 * 24 on 8×H100). Two DGX H100: 8 NICs at about 47 GB/s → 8 at 45 → 16.
 *
 * Without a compute capability (a topology that names no GPU): a channel takes its widest
 * path's bandwidth on a flat layout — as many channels as the link search fits at that speed
 * (ring:N, fullmesh:N: one per direction, at one link's rate; a switch: one, at the rank's
 * link; without the fabric's links the rank's injection, one channel) — or a NIC's on a rail
 * grid (one per NIC, as far as NVLink carries them), duplicated at 25 GB/s and more.
 *
 * Channels split the same links further; what the count changes in weft is how many chunks
 * are in flight at once, hence how much of each step's latency the pipeline hides.
 */
export function searchChannelCount(layout: RankLayout, nranks: number, cost: CostParams): number {
  return searchGraph(layout, nranks, cost).commChannels;
}

/**
 * What NCCL's search leaves in its ring graph (the numbers ncclTopoTuneModel reads), in weft's
 * inputs: `graphChannels` at `gbs` GB/s each — graph->nChannels and graph->bwIntra (= bwInter:
 * the search reserves one speed on NVLink and NIC alike) after ncclTopoDupChannels — and
 * `commChannels`, the count connect.cc runs (searchChannelCount; comm->nChannels). Without a
 * compute capability the speed is the bandwidth a channel takes (see searchChannelCount).
 */
export function searchGraph(layout: RankLayout, nranks: number, cost: CostParams): { readonly graphChannels: number; readonly gbs: number; readonly commChannels: number } {
  const grid = layoutRailGrid(layout, nranks);
  const gbsOf = (bytesPerSec: number): number => bytesPerSec / 1e9;
  const size = grid === null ? 1 : grid[0]!.length;
  const nvlinkGbs = gbsOf(cost.intra.bandwidthBytesPerSec);
  const perGpuGbs = grid === null ? gbsOf(cost.bandwidthBytesPerSec) : gbsOf(cost.inter.bandwidthBytesPerSec);
  const flat = grid === null ? flatSearch(layoutCache(layout), layout, nranks) : null;
  // A flat layout's channel is as fast as its widest path (the link search's), else the rank's injection.
  const maxGbs = flat === null ? perGpuGbs : flat.maxGbs;
  const fits = (gbs: number): number =>
    flat !== null
      ? flat.search.rings(gbs, MAX_CHANNELS / 2).length
      : grid === null
        ? Math.floor(perGpuGbs / gbs)
        : Math.min(size * Math.floor(perGpuGbs / gbs), Math.floor(nvlinkGbs / gbs / ((size - 1) / size)));
  if (cost.computeCapability === undefined) {
    const found = flat !== null ? flat.rings.length : grid === null ? 1 : Math.max(1, Math.min(size, fits(perGpuGbs)));
    const duplicated = maxGbs >= DUPLICATE_AT_GBS;
    return { graphChannels: found, gbs: maxGbs, commChannels: duplicated ? 2 * found : found };
  }
  const cc = cost.computeCapability;
  const servers = groupsOf(layout, nranks).length;
  const ladder = speedLadderGbs(cc, servers > 1);
  const totalGbs = grid === null ? perGpuGbs : nvlinkGbs;
  let { channels, gbs } = ladderSearch(ladder, maxGbs, totalGbs, fits);
  if (gbs >= DUPLICATE_AT_GBS && !(cc > 8 && gbs < 50 && channels > 4)) {
    const duplicated = Math.min(2 * channels, MAX_CHANNELS / 2);
    gbs /= Math.ceil(duplicated / channels);
    channels = duplicated;
  }
  let commChannels = Math.min(MAX_CHANNELS, 2 * channels);
  if (cc >= 9 && servers > 1 && gbs > 45 && commChannels < 16) commChannels *= 2;
  return { graphChannels: channels, gbs, commChannels };
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * NCCL_DEBUG=INFO's view of the channels: one line per ring (rings.cc: `Channel %02d/%02d : `
 * then ` %3d` per rank), then per rank its `Trees [c] down0/down1/down2->rank->up` for every channel (-1 = none).
 */
export function formatChannels(layout: RankLayout, nranks: number, channels: number): string[] {
  const total = pad(channels, 2);
  const rings = channelRings(layout, nranks, channels).map(
    (order, c) => `Channel ${pad(c, 2)}/${total} : ${order.map((r) => ` ${String(r).padStart(3)}`).join('')}`,
  );
  const trees = channelTrees(layout, nranks, channels);
  const perRank = Array.from({ length: nranks }, (_, r) => {
    const entries = trees.map((t, c) => {
      const down = [...t.children[r]!, -1, -1, -1].slice(0, 3).join('/');
      return `[${c}] ${down}->${r}->${t.parent[r]}`;
    });
    return `rank ${r} Trees ${entries.join(' ')}`;
  });
  return [...rings, ...perRank];
}
