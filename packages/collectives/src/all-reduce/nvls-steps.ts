/**
 * The schedule NCCL's NVLS and NVLSTree all-reduce share (src/device/all_reduce.h, the
 * NVLS and NVLS_TREE work elements, with user buffers registered so there is no scatter /
 * gather copy), one reduction-switch agent per group (server / NVLink domain). NVLS (one
 * group) runs every part on one channel in the order described under "Ordering" (planNvls);
 * NVLSTree splits each part over two channels (planNvlsTreeSplit):
 *
 * The buffer is cut into `channels · n` parts (n ranks per group); part j has head h = j mod n
 * (NCCL: nHeads = n heads per channel, head h owns chunk h of every loop). For each chunk of
 * part j:
 *   1. load-reduce (multimem.ld_reduce): every rank of the group sends its input chunk to
 *      its switch; the switch sums them and returns the sum to the head only;
 *   2. across groups (NVLSTree only): the heads of the n-th local index of every group — one
 *      rail — reduce up a binary tree and broadcast the total back down it (NCCL's double
 *      binary tree over the NICs: a head's two parts use the two complementary trees, so
 *      both NIC directions carry data and no head is inner in both);
 *   3. multicast store (multimem.st): the head sends the total to its switch, which writes it
 *      to every rank of the group.
 * Per rank and direction that is S + S/n bytes on its switch link (S = count · elementBytes):
 * its whole input up plus its share's store, its share's sum down plus the whole multicast.
 *
 * Ordering. Messages between two participants match first in, first out per channel, and a
 * channel's steps run in order, so the head and its switch interleave one part's chunks as
 * a pipeline: in round k the head sends input k+1, takes the switch's sum of chunk k, does
 * the tree's reduce of chunk k and the tree's broadcast of chunk k-1, stores chunk k-1 and
 * takes the multicast of chunk k-2; the switch in round k reduces chunk k, returns it, takes
 * the store of chunk k-2 and multicasts it. The other ranks send input k+1 and take the
 * multicast of chunk k-2. So the uplinks stream inputs while sums, stores and multicasts of
 * earlier chunks flow.
 *
 * A switch channel's sends are sequential, so part j's multicast visits the group's ranks
 * one after another, starting at rank (j + k) mod n: with n parts per channel the n
 * multicasts in flight spread over the n downlinks, as one hardware multicast would load them.
 */
import { StepBuilder, invalidParams, nsPerByte, slice } from '../kit.js';
import { channelRanges, chunksOf, clampChannels, doubleBinaryTree, mod, parts } from '../logical.js';
import type { CostParams, PlanParams, Schedule, Slice } from '../types.js';

const PIECES_PER_HOP = 2;

/** Chunks a rank's inputs run ahead of the multicasts it has received (split NVLSTree; the head's too): as the one-channel schedule's LAG + 1. */
export const INPUTS_AHEAD = 3;

/** Delay, in rounds, between a chunk's load-reduce and its multicast (see the header). */
export const NVLS_LAG = 2;
const LAG = NVLS_LAG;

/**
 * NVLS on one switch (participant nranks) serving every rank, each part on one channel in the
 * header's pipeline order. (NVLSTree, several switches joined by a tree, is planNvlsTreeSplit.)
 */
export function planNvls(params: PlanParams, name: string): Schedule {
  const { nranks: n, count, chunkElements } = params;
  const group = Array.from({ length: n }, (_, r) => r);
  const agent = n;
  const parts = channelRanges(count, params.channels * n);
  const b = new StepBuilder(n + 1, parts.length);
  const windowCount = chunkWindow(parts, chunkElements);
  const windowOf = groupWindows([group]);
  parts.forEach((part, j) => {
    const chunks = chunksOf(part, chunkElements);
    const head = j % n;
    const window = (k: number) => slice('scratch', { offset: j * windowCount, count: chunks[k]!.count });
    const out = (k: number) => slice('output', chunks[k]!);
    for (const r of group) if (chunks.length > 0) b.send(r, j, agent, slice('input', chunks[0]!));
    // Rounds LAG .. m-3 are alike but for their chunk (and where the multicast starts).
    eachRound(b, chunks.length + LAG, LAG, chunks.length - 2, (k) => {
      // The switch: reduce chunk k and return it to the head; multicast chunk k - LAG.
      if (k < chunks.length) reduceAtSwitch(b, agent, j, group, head, window(k));
      if (k >= LAG) {
        b.recv(agent, j, head, window(k - LAG));
        group.forEach((_, i) => b.send(agent, j, group[mod(j + k - LAG + i, n)]!, window(k - LAG)));
      }
      for (const r of group) {
        if (k + 1 < chunks.length) b.send(r, j, agent, slice('input', chunks[k + 1]!));
        if (r === head) {
          // Store chunk k-1's sum for the multicast, then take chunk k's sum.
          if (k >= 1 && k - 1 < chunks.length) b.send(r, j, agent, out(k - 1));
          if (k < chunks.length) b.recv(r, j, agent, out(k));
        }
        if (k >= LAG) b.recv(r, j, agent, out(k - LAG));
      }
    }, windowOf);
  });
  return b.build('allReduce', name, params, { input: count, output: count, scratch: parts.length * windowCount });
}

/**
 * NVLSTree with NCCL's split warps: part j's load-reduce and the tree's reduce run on schedule
 * channel j, the tree's broadcast, the multicast store and the multicast on channel j + P (P
 * parts), so a head passes chunk k's sum up while chunk k-1's total comes down, and the
 * switch's reduce never waits for a store. Per part j and chunk k:
 * - channel j: every rank sends input k to its switch; the switch sums them (window A) and
 *   returns the sum to the head; the head adds its children's sums (its window H, scratch) and
 *   passes the result up; the root instead sends the total down and stores it to its switch,
 *   both on channel j + P's connections (sendChannel);
 * - channel j + P: a non-root head receives the total and forwards it to its children, stores
 *   it to its switch; the switch writes it to window B and multicasts it; every rank receives
 *   the multicast into its output.
 * A rank's two channels touch disjoint buffers (input and scratch H; output), so they never race.
 */
export function planNvlsTreeSplit(params: PlanParams, name: string, groups: readonly (readonly number[])[]): Schedule {
  const { nranks, count, chunkElements } = params;
  const n = groups[0]!.length;
  const parts = channelRanges(count, params.channels * n);
  const P = parts.length;
  const b = new StepBuilder(nranks + groups.length, 2 * P);
  const W = chunkWindow(parts, chunkElements);
  const trees = doubleBinaryTree(groups.length);
  const pieces = Math.max(...trees.map((t) => t.height[t.root]!)) + 1;
  const windowOf = groupWindows(groups);
  parts.forEach((part, j) => {
    const chunks = chunksOf(part, chunkElements);
    const down = j + P;
    const h = j % n;
    const between = trees[Math.floor(j / n) % 2]!;
    const headOf = (g: number): number => groups[g]![h]!;
    const window = (region: number, k: number): Slice => slice('scratch', { offset: (region * P + j) * W, count: chunks[k]!.count });
    groups.forEach((group, g) => {
      const agent = nranks + g;
      const head = group[h]!;
      const parent = between.parent[g]! < 0 ? -1 : headOf(between.parent[g]!);
      const children = between.children[g]!.map(headOf);
      const m = chunks.length;
      const out = (k: number): Slice => slice('output', chunks[k]!);
      const input = (k: number): Slice => slice('input', chunks[k]!);
      // Each participant's steps per chunk, written role by role (a tape holds one role's, in
      // chunk order); the chunks before the ragged last one are alike but for their offsets and
      // where the multicast starts, so each role's are one run (eachRound).
      // The switch: load-reduce of chunk k (window A) returned to the head; store and multicast (window B).
      eachRound(b, m, 0, m - 1, (k) => {
        reduceAtSwitch(b, agent, j, group, head, window(0, k));
        b.recv(agent, down, head, window(1, k));
        b.repeatAll(n, (i) => b.send(agent, down, group[mod(j + k + i, n)]!, window(1, k)), windowOf);
      }, windowOf);
      // The other ranks: inputs run INPUTS_AHEAD chunks ahead of the multicasts the rank has
      // received (NCCL's step slots bound what is in flight); unpaced, every chunk's input would
      // share the link at once and finish together, and no sum could come back until the end.
      const others = group.filter((r) => r !== head);
      for (const r of others) for (let a = 0; a < Math.min(INPUTS_AHEAD, m); a++) b.send(r, down, agent, input(a), j);
      eachRound(b, m, 0, m - INPUTS_AHEAD - 1, (k) => {
        for (const r of others) {
          b.recv(r, down, agent, out(k));
          if (k + INPUTS_AHEAD < m) b.send(r, down, agent, input(k + INPUTS_AHEAD), j);
        }
      }, windowOf);
      // The head: its inputs paced as the others' are (on its broadcast channel, after each
      // multicast it receives), so its channel j only takes sums and climbs the tree: the
      // switch sums up to INPUTS_AHEAD chunks ahead of the tree, as NCCL's load-reduce reads
      // inputs that are already in memory into NCCL_STEPS slots.
      for (let a = 0; a < Math.min(INPUTS_AHEAD, m); a++) b.send(head, down, agent, input(a), j);
      eachRound(b, m, 0, m - INPUTS_AHEAD - 1, (k) => {
        const r = head;
        const sum = window(2, k);
        b.recv(r, j, agent, sum);
        const ups = piecesOf(sum, pieces);
        const outs = piecesOf(out(k), pieces);
        ups.forEach((piece, i) => {
          treeUp(b, r, j, parent, children, piece);
          // The root's totals go down the broadcast channel's connections.
          if (parent < 0) for (const child of children) b.send(r, j, child, piece, down);
          else treeDown(b, r, down, parent, children, outs[i]!);
        });
        if (parent >= 0) b.send(r, down, agent, out(k));
        else b.send(r, j, agent, sum, down);
        b.recv(r, down, agent, out(k));
        if (k + INPUTS_AHEAD < m) b.send(r, down, agent, input(k + INPUTS_AHEAD), j);
      }, windowOf);
    });
  });
  return b.build('allReduce', name, params, { input: count, output: count, scratch: 3 * P * W });
}

/**
 * Rounds 0..rounds-1 of `round`, those in [from, to) — alike but for offsets that move by a
 * fixed stride and multicasts that start one rank later each round — handed to the builder
 * as one repetition (StepBuilder.repeatAll), so a tape holds them as one run, not per chunk.
 */
function eachRound(b: StepBuilder, rounds: number, from: number, to: number, round: (k: number) => void, peerWindow: (peer: number) => readonly [number, number] | undefined): void {
  if (to - from < 3) {
    for (let k = 0; k < rounds; k++) round(k);
    return;
  }
  for (let k = 0; k < from; k++) round(k);
  b.repeatAll(to - from, (rep) => round(from + rep), peerWindow);
  for (let k = to; k < rounds; k++) round(k);
}

/** The rank window [first, size] of the group holding a peer, for groups of consecutive ranks (a multicast's rotating peers). */
function groupWindows(groups: readonly (readonly number[])[]): (peer: number) => readonly [number, number] | undefined {
  const windows = new Map<number, readonly [number, number]>();
  for (const group of groups) {
    if (!group.every((r, i) => r === group[0]! + i)) continue;
    const window = [group[0]!, group.length] as const;
    for (const r of group) windows.set(r, window);
  }
  return (peer) => windows.get(peer);
}

/** multimem.ld_reduce: the switch sums the group's chunks (rank order) and returns the sum to the head. */
export function reduceAtSwitch(b: StepBuilder, agent: number, c: number, group: readonly number[], head: number, window: Slice): void {
  if (group.length === 1) {
    b.recvCopySend(agent, c, group[0]!, head, window);
    return;
  }
  b.recv(agent, c, group[0]!, window);
  // One run (peers one apart) where the group's ranks are consecutive.
  b.repeatAll(group.length - 2, (i) => b.recvReduce(agent, c, group[i + 1]!, window), groupWindows([group]));
  b.recvReduceCopySend(agent, c, group[group.length - 1]!, head, window);
}

/**
 * A chunk cut into the pieces it crosses the tree in: one when the tree is a single edge
 * (`levels` = height + 1 <= 2), else PIECES_PER_HOP per hop of its height: a head's reduce
 * and broadcast share one channel, so the broadcast of chunk k-1 waits behind the reduce of
 * chunk k; pieces let both waves cut through the tree instead of storing and forwarding
 * whole chunks.
 */
function piecesOf(dst: Slice, levels: number): Slice[] {
  const pieces = treePieces(levels);
  if (pieces === 1) return [dst];
  return parts(dst.count, pieces, dst.offset).map((range) => slice(dst.buffer, range));
}

/** How many pieces piecesOf cuts a chunk into for a tree of `levels` (height + 1) levels. */
export function treePieces(levels: number): number {
  return levels <= 2 ? 1 : PIECES_PER_HOP * (levels - 1);
}

/** The tree's reduce of one piece: a leaf sends up; an inner head adds each child's and passes the sum up; the root adds. */
function treeUp(b: StepBuilder, r: number, c: number, parent: number, children: readonly number[], dst: Slice): void {
  if (children.length === 0) {
    if (parent >= 0) b.send(r, c, parent, dst);
    return;
  }
  const last = children.length - 1;
  for (let i = 0; i < last; i++) b.recvReduce(r, c, children[i]!, dst);
  if (parent >= 0) b.recvReduceCopySend(r, c, children[last]!, parent, dst);
  else b.recvReduce(r, c, children[last]!, dst);
}

/** The tree's broadcast of one piece's total: the root sends to all its children at once, the others receive and forward to all theirs. */
function treeDown(b: StepBuilder, r: number, c: number, parent: number, children: readonly number[], dst: Slice): void {
  if (parent < 0) {
    if (children.length > 0) b.send(r, c, children, dst);
  } else if (children.length > 0) {
    b.recvCopySend(r, c, parent, children, dst);
  } else {
    b.recv(r, c, parent, dst);
  }
}

/** Why `groups` cannot carry NVLSTree's trees (one per local index, so one per rail), or null. */
export function unequalGroups(groups: readonly (readonly number[])[]): string | null {
  const sizes = new Set(groups.map((g) => g.length));
  return sizes.size === 1 ? null : `needs servers of equal size (one tree per local rank index), got sizes ${[...sizes].join(', ')}`;
}

/** Why NVLS on one switch cannot run with `params` (malformed, or no switch reaching every rank), or null. */
export function singleSwitchProblem(params: PlanParams): string | null {
  const invalid = invalidParams(params);
  if (invalid !== null) return invalid;
  if (!params.layout.hasReductionSwitch) return 'needs one reduction-capable switch reaching every rank (an NVSwitch with NVLink SHARP); this topology has none';
  return null;
}

/**
 * Bytes of one chunk of every part when `count` elements are cut into `parts` parts
 * (clamped to count) and those into `chunkElements` chunks: what one pipeline round moves.
 */
export function roundBytes(params: PlanParams, parts: number): number {
  const c = clampChannels(parts, params.count);
  const perPart = Math.ceil(params.count / c);
  return c * Math.min(params.chunkElements > 0 ? params.chunkElements : perPart, perPart) * params.elementBytes;
}

/** ns per byte on a rank's switch link for in-switch traffic: β / the switch's reductionEfficiency. */
export function switchNsPerByte(cost: CostParams): number {
  return nsPerByte(cost.intra.bandwidthBytesPerSec) / (cost.reductionEfficiency ?? 1);
}

/**
 * NVLS reduce-scatter and all-gather on one switch (their predictNs):
 *   T = α + (S + b)·β/e,  S = n·count·elementBytes, b = roundBytes(params, channels)
 * Every rank streams n blocks through its switch link one way (its whole input up for
 * reduce-scatter, every block down for all-gather), plus one round that cannot overlap: the
 * first chunks going up before anything comes down, or the last sum coming down after the
 * last input went up. e = the switch's reductionEfficiency; α: rank→switch→rank, an intra-server
 * hop (under NCCL's NVLS row the NET step latency never applies: one switch, no NIC).
 */
export function nvlsStreamNs(params: PlanParams, cost: CostParams): number {
  if (singleSwitchProblem(params) !== null) return Number.NaN;
  const { nranks: n, count, elementBytes } = params;
  if (count === 0) return 0;
  return cost.intra.alphaNs + (n * count * elementBytes + roundBytes(params, params.channels)) * switchNsPerByte(cost);
}

/** Elements of the switch's scratch window per channel: the largest chunk of any part. */
export function chunkWindow(parts: readonly { readonly count: number }[], chunkElements: number): number {
  return parts.reduce((w, p) => Math.max(w, chunkElements > 0 ? Math.min(chunkElements, p.count) : p.count), 0);
}
