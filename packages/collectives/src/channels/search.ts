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
 * layouts (one group, no rails, or servers that do not share the same rails) get the rank
 * order on every channel.
 *
 * Pure and browser-safe.
 */
import { doubleBinaryTree, mod, treeFromParents, type Tree } from '../logical.js';
import type { CostParams, RankLayout } from '../types.js';

/** Servers whose ranks line up by rail: servers[s][k] is the rank of server s on the k-th rail. */
type RailGrid = readonly (readonly number[])[];

/** The layout's groups when they partition 0..nranks-1, else one group of every rank. */
function groupsOf(layout: RankLayout, nranks: number): readonly (readonly number[])[] {
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
export function channelRings(layout: RankLayout, nranks: number, channels: number): number[][] {
  const grid = railGrid(layout, nranks);
  const rankOrder = Array.from({ length: nranks }, (_, r) => r);
  return Array.from({ length: channels }, (_, c) => {
    if (grid === null) return rankOrder;
    const size = grid[0]!.length;
    const exits = exitRails(grid.length, size, c);
    if (exits === null) return rankOrder;
    return grid.flatMap((server, s) => serverPath(size, exits[mod(s - 1, grid.length)]!, exits[s]!).map((k) => server[k]!));
  });
}

/**
 * NCCL's trees (src/graph/trees.cc, connect.cc): per channel, a chain inside each server
 * from its head down, and a binary tree over the servers' heads. The first half of the
 * channels uses the first tree of the double binary tree, the second half its complement.
 * On a rail grid channel c's heads are the GPUs on rail position c (every inter-server tree
 * edge stays on one rail) and the chain walks down from there; otherwise the heads are each
 * group's first rank and chains follow rank order.
 */
export function channelTrees(layout: RankLayout, nranks: number, channels: number): Tree[] {
  const grid = railGrid(layout, nranks);
  const groups = grid ?? groupsOf(layout, nranks);
  const [first, second] = doubleBinaryTree(groups.length);
  return Array.from({ length: channels }, (_, c) => {
    const between = channels > 1 && c >= channels / 2 ? second : first;
    const chains = groups.map((g) => (grid === null ? [...g] : downFrom(g.length, mod(c, g.length)).map((k) => g[k]!)));
    const parent = new Array<number>(nranks).fill(-1);
    chains.forEach((chain, s) => {
      const up = between.parent[s]!;
      parent[chain[0]!] = up < 0 ? -1 : chains[up]![0]!;
      for (let i = 1; i < chain.length; i++) parent[chain[i]!] = chain[i - 1]!;
    });
    return treeFromParents(parent);
  });
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

/** NCCL duplicates a search's channels when one channel's bandwidth is at least this (search.cc: speedIntra >= 25 GB/s). */
const DUPLICATE_AT_BYTES_PER_SEC = 25e9;

/**
 * The channel count NCCL's search would settle on, in weft's inputs.
 *
 * search.cc ncclTopoCompute looks for as many channels as fit, each reserving one per-channel
 * bandwidth on every link it crosses, starting from the largest per-channel bandwidth the
 * GPU-to-NIC path allows, and keeps the solution with the most channels × bandwidth. With a
 * NIC per GPU (a rail grid of G rails) a channel at the NIC path's full bandwidth s
 * (cost.inter) fills its NIC, so the search finds one channel per NIC — G — provided each
 * GPU's NVLink can carry the G-1 channels it forwards inside the server, (G-1)·s <= intra
 * bandwidth (fewer channels otherwise). On a flat layout a channel takes the rank's whole
 * bandwidth: one channel. Then, as search.cc does when a channel's bandwidth is at least
 * 25 GB/s, the channels are duplicated (2×, each at half the bandwidth).
 *
 * Not modelled: NCCL's discrete per-channel speed tables (a channel is one SM, whose rate is
 * capped; that is why NCCL finds several channels on a single NVSwitch server) and the
 * further doubling of connect.cc on sm90 multi-node runs. Neither changes the bandwidth
 * weft's fluid model gives: extra channels split the same links further.
 */
export function searchChannelCount(layout: RankLayout, nranks: number, cost: CostParams): number {
  const grid = railGrid(layout, nranks);
  let found = 1;
  let perChannel = cost.bandwidthBytesPerSec;
  if (grid !== null) {
    const size = grid[0]!.length;
    perChannel = cost.inter.bandwidthBytesPerSec;
    const fit = Math.floor(cost.intra.bandwidthBytesPerSec / perChannel / ((size - 1) / size));
    found = Math.max(1, Math.min(size, fit));
  }
  return perChannel >= DUPLICATE_AT_BYTES_PER_SEC ? 2 * found : found;
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
