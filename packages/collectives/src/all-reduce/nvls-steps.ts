/**
 * The schedule NCCL's NVLS and NVLSTree all-reduce share (src/device/all_reduce.h, the
 * NVLS and NVLS_TREE work elements, with user buffers registered so there is no scatter /
 * gather copy), one reduction-switch agent per group (server / NVLink domain). NVLS (one
 * group) runs every part on one channel in the order described under "Ordering" (planNvls);
 * NVLSTree splits each part over five, one per warp group and one for the slots' credits
 * (planNvlsTreeSplit):
 *
 * The buffer is cut into `channels · H` parts, H = nvlsHeads(n) heads per group of n ranks
 * (protocols.ts: min(NCCL_MAX_NVLS_ARITY 32, n), so every rank of an 8-GPU server, 32 of a
 * 72-GPU rack); part j has head h = j mod H, the group's rank ⌊h·n/H⌋ (headIndex; NCCL:
 * nHeads heads per channel, head h owns
 * chunk h of every loop; a rank that heads nothing only scatters its input to the heads'
 * buffers and gathers the multicasts). For each chunk of part j:
 *   1. load-reduce (multimem.ld_reduce): every rank of the group sends its input chunk to
 *      its switch; the switch sums them and returns the sum to the head only;
 *   2. across groups (NVLSTree only): the heads of the n-th local index of every group — one
 *      rail — reduce up a binary tree and broadcast the total back down it (NCCL's double
 *      binary tree over the NICs: a head's two parts use the two complementary trees, so
 *      both NIC directions carry data and no head is inner in both);
 *   3. multicast store (multimem.st): the head sends the total to its switch, which writes it
 *      to every rank of the group.
 * Per rank and direction that is S bytes on its switch link (S = count · elementBytes), and
 * S + S/H on a head's: its whole input up plus its share's store, its share's sum down plus
 * the whole multicast.
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
 * NVLS's multicast is one send to every rank of the group at once, as the switch replicates a
 * multimem.st to all its ports: the H multicasts in flight share each downlink, H flows on each.
 * (It visited the ranks block after block, rotating by part and chunk, one flow per downlink.
 * Symmetric runs take the same time to the digit, but the rotation held only while every rank
 * kept pace: one rank started 1 ns late cost 8 GPUs 166 µs at 128 MiB and 627 µs at 256 MiB, a
 * phase the pipeline never left; now a late start costs at most its delay.) NVLSTree keeps the
 * rotation (multicastBlocks): its slots pace every chunk from the head, so a late rank costs it
 * only its delay (1 ns on 2 DGX servers: +0.16 µs at 512 MiB), and its predictor (switchBoundNs)
 * is derived for it — one send to the whole group ran 1.05x that prediction at 128 MiB.
 */
import { StepBuilder, invalidParams, nsPerByte, slice, type SendPeers } from '../kit.js';
import { channelRanges, chunksOf, clampChannels, doubleBinaryTree, mod, parts } from '../logical.js';
import { NCCL_MAX_NVLS_ARITY, NVLS_CHUNK_BYTES, PROTOCOLS, nvlsChannelsOf, nvlsHeads } from '../protocols.js';
import { inSwitchReductionProblem } from '../in-switch-ops.js';
import type { CostParams, PlanParams, Schedule, Slice } from '../types.js';

const PIECES_PER_HOP = 2;

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
  const heads = nvlsHeads(n);
  const parts = channelRanges(count, params.channels * heads);
  const b = new StepBuilder(n + 1, parts.length);
  const windowCount = chunkWindow(parts, chunkElements);
  const windowOf = groupWindows([group]);
  parts.forEach((part, j) => {
    const chunks = chunksOf(part, chunkElements);
    const head = headIndex(j % heads, n, heads);
    const window = (k: number) => slice('scratch', { offset: j * windowCount, count: chunks[k]!.count });
    const out = (k: number) => slice('output', chunks[k]!);
    for (const r of group) if (chunks.length > 0) b.send(r, j, agent, slice('input', chunks[0]!));
    // Rounds LAG .. m-3 are alike but for their chunk (and where the multicast starts).
    eachRound(b, chunks.length + LAG, LAG, chunks.length - 2, (k) => {
      // The switch: reduce chunk k and return it to the head; multicast chunk k - LAG.
      if (k < chunks.length) reduceAtSwitch(b, agent, j, group, head, window(k));
      if (k >= LAG) {
        b.recv(agent, j, head, window(k - LAG));
        b.send(agent, j, group, window(k - LAG));
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
    b.partsPlanned(j + 1, parts.length);
  });
  return b.build('allReduce', name, params, { input: count, output: count, scratch: parts.length * windowCount });
}

/**
 * NVLSTree with NCCL's split warps (src/device/all_reduce.h, the NVLS_TREE work element: scatter,
 * reduce, broadcast and gather warps), each connection paced by its own slots. Part j (P parts)
 * uses five schedule channels: j (reduce), j + P (broadcast), j + 2P (the inputs), j + 3P (the
 * slots' credits) and j + 4P (the gather). Per part j and chunk k:
 * - the load-reduce is the head's: the head asks its switch for chunk k (a token on j + 3P), the
 *   switch passes the request to every rank of the group, and each sends its input k (channel
 *   j + 2P, posted on j's connection) — the multimem.ld_reduce that pulls the chunk over every
 *   rank's link; the switch sums them (window A) and returns the sum to the head;
 * - channel j: the head adds its children's sums (its window H, scratch) and passes the result
 *   up; the root instead sends each piece of the total to its children and stores it to its
 *   switch in one pass (a fan-out, on channel j + P's connections); a parent that has taken a
 *   child's chunk k frees its slot (a token to the child on j + 3P);
 * - channel j + P: a non-root head receives each piece of the total (its window T, scratch: as
 *   NCCL's broadcast warps, it forwards from the connection's buffer) and sends it to its
 *   children and its switch's store in one pass; the switch writes the pieces to window B and
 *   multicasts the chunk;
 * - channel j + 4P: every rank receives the multicast into its output (NCCL's gather warps).
 * Pacing (NCCL's prims: a sender waits for a free slot of the connection's NCCL_STEPS): a head
 * asks for chunk k + S (S = nvlsTreeSlots) once its up connection has a free slot — its parent
 * has taken chunk k — and the root, whose reduce warps store to the multicast, once its store's
 * slot is free — chunk k's multicast has reached it. No loop spans the tree: each wait is one
 * hop's. (The broadcast side's slots are not modelled: its sends follow the totals, which the
 * reduce side already paces.) A rank's channels touch disjoint buffers (input; scratch H and T;
 * output), so they never race.
 */
export function planNvlsTreeSplit(params: PlanParams, name: string, groups: readonly (readonly number[])[]): Schedule {
  const { nranks, count, chunkElements } = params;
  const n = groups[0]!.length;
  const heads = nvlsHeads(n);
  const blocks = groups.map((group) => multicastBlocks(group, heads));
  const parts = channelRanges(count, params.channels * heads);
  const P = parts.length;
  const b = new StepBuilder(nranks + groups.length, 5 * P);
  const W = chunkWindow(parts, chunkElements);
  const slots = nvlsTreeSlots(params);
  const trees = doubleBinaryTree(groups.length);
  const pieces = Math.max(...trees.map((t) => t.height[t.root]!)) + 1;
  const windowOf = groupWindows(groups);
  parts.forEach((part, j) => {
    const chunks = chunksOf(part, chunkElements);
    const m = chunks.length;
    const down = j + P;
    const feed = j + 2 * P;
    const pace = j + 3 * P;
    const gather = j + 4 * P;
    const h = headIndex(j % heads, n, heads);
    const between = trees[Math.floor(j / heads) % 2]!;
    const headOf = (g: number): number => groups[g]![h]!;
    const window = (region: number, k: number): Slice => slice('scratch', { offset: (region * P + j) * W, count: chunks[k]!.count });
    const out = (k: number): Slice => slice('output', chunks[k]!);
    const input = (k: number): Slice => slice('input', chunks[k]!);
    // Rounds past m - slots free no slot (nothing waits for one), so they differ from the rest.
    const paced = Math.min(m - 1, m - slots);
    groups.forEach((group, g) => {
      const agent = nranks + g;
      const head = group[h]!;
      const parent = between.parent[g]! < 0 ? -1 : headOf(between.parent[g]!);
      const children = between.children[g]!.map(headOf);
      // Each participant's steps per chunk, written role by role (a tape holds one role's, in
      // chunk order); the chunks before the ragged last one are alike but for their offsets and
      // where the multicast starts, so each role's are one run (eachRound).
      eachRound(b, m, 0, paced, (k) => {
        // The switch: load-reduce of chunk k (window A) returned to the head; store and multicast
        // (window B); the head's request for chunk k passed to every rank.
        reduceAtSwitch(b, agent, j, group, head, window(0, k));
        for (const piece of piecesOf(window(1, k), pieces)) b.recv(agent, down, head, piece);
        b.repeatAll(heads, (i) => b.send(agent, down, blocks[g]![mod(j + k + i, heads)]!, window(1, k), gather), windowOf);
        b.recvToken(agent, pace, head);
        b.sendToken(agent, pace, group, feed);
        // Every rank: its input of chunk k once pulled; the multicast into its output. The
        // root's gather frees its store's slot: it requests chunk k + slots.
        for (const r of group) {
          b.recvToken(r, feed, agent);
          b.send(r, feed, agent, input(k), j);
          b.recv(r, gather, agent, out(k));
          if (r === head && parent < 0 && k + slots < m) b.sendToken(r, gather, agent, pace);
        }
      }, windowOf);
      // The head's requests: one per slot at once, then one per slot freed (its parent's token;
      // the root's come from its broadcast channel, below).
      for (let a = 0; a < Math.min(slots, m); a++) b.sendToken(head, pace, agent);
      if (parent >= 0) {
        eachRound(b, Math.max(0, m - slots), 0, m - slots, () => {
          b.recvToken(head, pace, parent);
          b.sendToken(head, pace, agent);
        }, windowOf);
      }
      eachRound(b, m, 0, paced, (k) => {
        const r = head;
        const sum = window(2, k);
        b.recv(r, j, agent, sum);
        const ups = piecesOf(sum, pieces);
        // A non-root head takes the total into its window T (scratch), as NCCL's broadcast warps
        // forward from the connection's buffer; only the gather writes the output.
        const totals = piecesOf(window(3, k), pieces);
        // Each piece of the total goes to the children and is stored to the switch in one pass
        // (NCCL's prims write a chunk to all of a step's send peers at once: the tree's down
        // connections and the multicast), the root's on the broadcast channel's connections.
        const sendTo = [...children, agent];
        ups.forEach((piece, i) => {
          treeUp(b, r, j, parent, children, piece);
          if (parent < 0) b.send(r, j, sendTo, piece, down);
          else treeDown(b, r, down, parent, sendTo, totals[i]!);
        });
        // Chunk k taken from every child: their up connections' slots are free.
        if (k + slots < m) for (const child of children) b.sendToken(r, j, child, pace);
      }, windowOf);
    });
    b.partsPlanned(j + 1, P);
  });
  return b.build('allReduce', name, params, { input: count, output: count, scratch: 4 * P * W });
}

/**
 * Chunks a connection of nvlstree's holds in flight: NCCL_STEPS (PROTOCOLS.Simple.steps, [device])
 * slots over the slots one of its chunks fills. A part's chunk is nvlsChannels / channels of
 * NCCL's chunks side by side, one per NCCL channel (protocols.ts perPartChunkBytes), each with
 * its own connections; an NCCL chunk fills ⌈chunk / step⌉ slots, the step being the NVLS buffer's
 * (nvlsChunkSize, NVIDIA/nccl src/transport/nvls.cc: buffSize = nvlsChunkSize · NCCL_STEPS; the
 * NET connections' 512 KiB Simple step is larger). At NCCL's chunk (at most nvlsChunkSize) that is
 * one slot, so NCCL_STEPS = 8 of weft's chunks per connection.
 */
export function nvlsTreeSlots(params: PlanParams): number {
  const chunkBytes = params.chunkElements * params.elementBytes;
  const ncclChunkBytes = (chunkBytes * Math.max(1, params.channels)) / nvlsChannelsOf(params);
  const slotsPerChunk = Math.max(1, Math.ceil(ncclChunkBytes / NVLS_CHUNK_BYTES));
  return Math.max(1, Math.floor(PROTOCOLS.Simple.steps / slotsPerChunk));
}

/**
 * Rounds 0..rounds-1 of `round`, those in [from, to) — alike but for offsets that move by a
 * fixed stride and NVLSTree's multicasts that start one rank later each round — handed to the builder
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

/**
 * The group cut into `heads` blocks of consecutive ranks (sizes ⌊n/heads⌋ or ⌈n/heads⌉), the
 * destinations of one multicast step each: a part's multicast posts to one block per step, every
 * rank of it at once, starting one block later each chunk, so the `heads` parts of a switch
 * round load the n downlinks evenly, one flow each, as one hardware multicast of every head's
 * chunk would. With a head per rank (heads = n) a block is one rank: a send to one peer.
 */
function multicastBlocks(group: readonly number[], heads: number): SendPeers[] {
  const n = group.length;
  return Array.from({ length: heads }, (_, h) => {
    const block = group.slice(Math.floor((h * n) / heads), Math.floor(((h + 1) * n) / heads));
    return block.length === 1 ? block[0]! : block;
  });
}

/**
 * The group index of head h of `heads` in a group of n: the first rank of multicast block h
 * (multicastBlocks), so every block holds one head and every step of a multicast's rotation
 * meets one head's downlink (its sums beside the multicast), as with a head per rank. Which
 * GPUs NCCL makes heads is its graph search's order (each NVLS channel's first GPU); nothing
 * else in the schedule depends on it. With heads in the first blocks only, nvlstree on 2
 * servers of 40 ran 1.30x its prediction at 1 GiB (1.00 this way): the root's request of a
 * chunk waits for its multicast, which then reached heads at uneven points of the rotation.
 */
function headIndex(h: number, n: number, heads: number): number {
  return Math.floor((h * n) / heads);
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

/** The tree's broadcast of one piece's total: a non-root head receives it and forwards it to all of `sendTo` at once (its children and its switch's store). */
function treeDown(b: StepBuilder, r: number, c: number, parent: number, sendTo: readonly number[], dst: Slice): void {
  b.recvCopySend(r, c, parent, sendTo, dst);
}

/** Why `groups` cannot carry NVLSTree's trees (one per local index, so one per rail), or null. */
export function unequalGroups(groups: readonly (readonly number[])[]): string | null {
  const sizes = new Set(groups.map((g) => g.length));
  return sizes.size === 1 ? null : `needs servers of equal size (one tree per local rank index), got sizes ${[...sizes].join(', ')}`;
}

/**
 * Why NVLS on one switch cannot run with `params` (malformed, no switch reaching every rank, or
 * a reduction the switch does not compute), or null. `perServer`: what runs where every server
 * has its own NVSwitch (all-reduce's NVLSTree; nothing for reduce-scatter and all-gather, which
 * NCCL runs as NVLS on one NVLink domain only).
 */
export function singleSwitchProblem(params: PlanParams, perServer = 'use nvlstree'): string | null {
  const invalid = invalidParams(params);
  if (invalid !== null) return invalid;
  if (!params.layout.hasReductionSwitch) {
    const { groups, groupReductionSwitches } = params.layout;
    if (groups.length > 1 && groupReductionSwitches === true) return `needs one reduction-capable switch reaching every rank (an NVSwitch with NVLink SHARP); this topology has one per server, ${groups.length} servers: ${perServer}`;
    return 'needs one reduction-capable switch reaching every rank (an NVSwitch with NVLink SHARP); this topology has none';
  }
  return inSwitchReductionProblem(params, 'nvls');
}

/**
 * Why NVLS reduce-scatter or all-gather cannot run with `params`, or null: singleSwitchProblem,
 * and NCCL's limit on them — an NVLink domain of at most NCCL_MAX_NVLS_ARITY (32) GPUs (NVIDIA/nccl
 * src/enqueue.cc updateCollCostTable at 01e6dd9: NVLS is skipped when `func != AllReduce &&
 * localRanks > NCCL_MAX_NVLS_ARITY`; all-reduce takes 32 heads instead, protocols.ts nvlsHeads).
 */
export function nvlsBlockProblem(params: PlanParams): string | null {
  const problem = singleSwitchProblem(params, 'NCCL runs NVLS reduce-scatter and all-gather within one NVLink domain (ring or PAT across servers)');
  if (problem !== null) return problem;
  if (params.nranks > NCCL_MAX_NVLS_ARITY) {
    return `NCCL runs NVLS reduce-scatter and all-gather on at most ${NCCL_MAX_NVLS_ARITY} GPUs of one NVLink domain (NCCL_MAX_NVLS_ARITY); this one has ${params.nranks}`;
  }
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
  if (nvlsBlockProblem(params) !== null) return Number.NaN;
  const { nranks: n, count, elementBytes } = params;
  if (count === 0) return 0;
  return cost.intra.alphaNs + (n * count * elementBytes + roundBytes(params, params.channels)) * switchNsPerByte(cost);
}

/** Elements of the switch's scratch window per channel: the largest chunk of any part. */
export function chunkWindow(parts: readonly { readonly count: number }[], chunkElements: number): number {
  return parts.reduce((w, p) => Math.max(w, chunkElements > 0 ? Math.min(chunkElements, p.count) : p.count), 0);
}
