import { channelTrees, flatHopPaths, isFlat, isOneServer, searchChannelCount } from '../channels/search.js';
import type { HopPaths } from '../channels/ring-search.js';
import { StepBuilder, assertPlannable, groupIndex, hopAlpha, railHopAlpha, rankLinks, sameGroup, sharedNsPerByte, invalidParams, nsPerByte, slice, type HopAlpha } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, doubleBinaryTree, parts, type Range, type Tree } from '../logical.js';
import { channelsForBytes, protocolOf, stepDataBytes, withProtocols } from '../protocols.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { treeFluidNs } from './tree-fluid.js';
import { rankOrderTreeFluidNs } from './tree-rankorder-fluid.js';
import { treePipelineNs, type TreePipeline } from './tree-pipeline.js';

/**
 * One rank's steps for reduce-up-then-broadcast-down of `chunks` over `tree`, all in one
 * channel, in `output` (already holding the rank's input).
 *
 * Up for chunk k: recvReduce from every child, then send to the parent (the last two fused
 * into recvReduceCopySend). Down for chunk k: recv from the parent and forward to every
 * child at once (one recvCopySend whose fan-out names them all, as NCCL's prims write a
 * chunk to every send peer in one loop). The root does both at once.
 *
 * A channel is sequential, so the up and down work of different chunks is interleaved by
 * an estimate of when each becomes possible (unit time per hop): up(k) at height + k, down(k)
 * at treeHeight + depth + k; ties put up first. Every message goes from a block with a
 * smaller estimate to one with a larger estimate and every rank runs its blocks in
 * estimate order, so no wait-for cycle — hence no deadlock — can form. With d = treeHeight +
 * depth − height (≥ 2 off the root), that order is up(0..d−1), then the pairs (up(k),
 * down(k−d)) for k = d..m−1, then down(m−d..m−1): each part written as a run of repetitions
 * (eachRep), not chunk by chunk.
 */
export function treeRankSteps(b: StepBuilder, c: number, tree: Tree, rank: number, chunks: readonly Range[]): void {
  const parent = tree.parent[rank]!;
  const children = tree.children[rank]!;
  const m = chunks.length;
  const ragged = isRagged(chunks);
  const last = children.length - 1;
  const up = (k: number): void => {
    const dst = slice('output', chunks[k]!);
    for (let i = 0; i < last; i++) b.recvReduce(rank, c, children[i]!, dst);
    if (parent >= 0) {
      if (last >= 0) b.recvReduceCopySend(rank, c, children[last]!, parent, dst);
      else b.send(rank, c, parent, dst);
    } else if (last >= 0) {
      // Root: the last contribution makes the chunk final; pass it straight down to all.
      b.recvReduceCopySend(rank, c, children[last]!, children, dst);
    }
  };
  const down = (k: number): void => {
    const dst = slice('output', chunks[k]!);
    if (last >= 0) b.recvCopySend(rank, c, parent, children, dst);
    else b.recv(rank, c, parent, dst);
  };
  if (parent < 0) {
    eachRep(b, m, ragged, up);
    return;
  }
  const d = tree.height[tree.root]! + tree.depth[rank]! - tree.height[rank]!;
  const ups = Math.min(d, m);
  eachRep(b, ups, ragged && ups === m, up);
  eachRep(b, m - ups, ragged, (rep) => {
    up(d + rep);
    down(rep);
  });
  eachRep(b, ups, ragged, (rep) => down(m - ups + rep));
}

/** Whether the last of `chunks` is shorter than the first (chunksOf's ragged tail). */
function isRagged(chunks: readonly Range[]): boolean {
  return chunks.length > 1 && chunks[chunks.length - 1]!.count !== chunks[0]!.count;
}

/**
 * write(0..reps−1) in order, the repetitions that touch only full-sized chunks handed to the
 * builder as one run (StepBuilder.repeatAll: offsets move by a fixed stride, peers stay);
 * `lastRagged`: the last repetition touches the ragged last chunk, so it is written alone.
 * The steps read back are the same as writing every repetition one by one.
 */
function eachRep(b: StepBuilder, reps: number, lastRagged: boolean, write: (rep: number) => void): void {
  const whole = lastRagged ? reps - 1 : reps;
  b.repeatAll(whole, write);
  for (let rep = Math.max(0, whole); rep < reps; rep++) write(rep);
}

/**
 * Scratch slots per channel that an inner rank's partial sums cycle through. NCCL keeps none
 * (recvReduceSend adds its input to the children's data straight into the parent's FIFO); a
 * step here posts a slice of a buffer, so the partial needs a place until it leaves. Chunk k
 * uses slot k mod SCRATCH_SLOTS. One is enough: data mode lends a sent slice in place and
 * copies it out only when it is written before the receiver read it (core/data/lease.ts), so
 * summing chunk k+1 over a still-lent chunk k stays correct. Two slots ran the main job in the
 * same CPU and RSS (benchmarks/results/speed.md §17) but doubled an inner rank's run template
 * (at 16,384 GPUs ≈ +240 MiB of live tapes).
 */
export const SCRATCH_SLOTS = 1;

/** Where channel `c`'s partial sums go: SCRATCH_SLOTS slots of `slotElements` from `offset`. */
export interface ScratchSlots {
  readonly offset: number;
  readonly slotElements: number;
}

/**
 * One rank's steps of NCCL's split tree (src/device/all_reduce.h runTreeSplit): the reduce up
 * and the broadcast down run in separate thread groups — here schedule channels `up` and
 * `down` — so a rank forwards chunk k's partial sum while chunk j's total comes down. The
 * root does both in one group: it adds its children's sums and sends each total down the
 * broadcast channel's connections (sendChannel). A non-root rank with children copies a
 * chunk of its input into a scratch slot (`slots`, chunk k in slot k mod SCRATCH_SLOTS),
 * adds its children's partial sums there, sends it up, and receives the total into
 * `output`, so its two channels never touch the same elements; a leaf sends its input up and
 * receives the total. A total goes to all of a rank's children at once (the steps' fan-out:
 * NCCL's sendPeers, one loop over them). The chunk loop is written as runs (eachChunk): at
 * 16,384 GPUs, thousands of chunks per channel cost each tape a few pushed steps, not one
 * per step.
 */
export function treeSplitSteps(b: StepBuilder, up: number, down: number, tree: Tree, rank: number, range: Range, chunks: readonly Range[], slots: ScratchSlots): void {
  const parent = tree.parent[rank]!;
  const children = tree.children[rank]!;
  const last = children.length - 1;
  if (parent < 0) {
    b.copy(rank, up, slice('input', range), slice('output', range));
    if (last < 0) return;
    eachChunk(b, chunks, 1, (k) => {
      const total = slice('output', chunks[k]!);
      for (let i = 0; i < last; i++) b.recvReduce(rank, up, children[i]!, total);
      b.recvReduceCopySend(rank, up, children[last]!, children, total, down);
    });
    return;
  }
  if (last < 0) {
    eachChunk(b, chunks, 1, (k) => {
      b.send(rank, up, parent, slice('input', chunks[k]!));
      b.recv(rank, down, parent, slice('output', chunks[k]!));
    });
    return;
  }
  eachChunk(b, chunks, SCRATCH_SLOTS, (k) => {
    const chunk = chunks[k]!;
    const partial = slice('scratch', slots.offset + (k % SCRATCH_SLOTS) * slots.slotElements, chunk.count);
    b.copy(rank, up, slice('input', chunk), partial);
    for (let i = 0; i < last; i++) b.recvReduce(rank, up, children[i]!, partial);
    b.recvReduceCopySend(rank, up, children[last]!, parent, partial);
    b.recvCopySend(rank, down, parent, children, slice('output', chunk));
  });
}

/**
 * write(k) for every chunk in order, groups of `period` full-sized chunks handed to the
 * builder as one run (eachRep): a group is affine in its index when chunk k's steps repeat
 * every `period` chunks but for offsets (a partial's scratch slot cycles with that period).
 */
function eachChunk(b: StepBuilder, chunks: readonly Range[], period: number, write: (k: number) => void): void {
  const groups = Math.floor((isRagged(chunks) ? chunks.length - 1 : chunks.length) / period);
  eachRep(b, groups, false, (group) => {
    for (let j = 0; j < period; j++) write(group * period + j);
  });
  for (let k = groups * period; k < chunks.length; k++) write(k);
}

/**
 * The scratch slots of each channel of `channels` cut in chunks of `chunkElements`, and the
 * scratch they take: no more slots than a channel has chunks, so never more than the message
 * (rounded up to whole chunks).
 */
function scratchSlots(channels: readonly Range[], chunkElements: number): { slots: ScratchSlots[]; scratch: number } {
  const slotElements = Math.max(0, ...channels.map((range) => (chunkElements > 0 ? Math.min(chunkElements, range.count) : range.count)));
  const chunks = Math.max(0, ...channels.map((range) => chunkCount(range.count, chunkElements)));
  const perChannel = Math.min(SCRATCH_SLOTS, chunks) * slotElements;
  return { slots: channels.map((_, c) => ({ offset: c * perChannel, slotElements })), scratch: channels.length * perChannel };
}

/** The worst summed α of a root-to-leaf path of `t`, and the worst α of one edge. */
export function treeLatency(t: Tree, alpha: HopAlpha): { pathNs: number; edgeNs: number } {
  const toRoot = new Array<number>(t.parent.length).fill(0);
  let pathNs = 0;
  let edgeNs = 0;
  for (const r of [...t.parent.keys()].sort((x, y) => t.depth[x]! - t.depth[y]!)) {
    const up = t.parent[r]!;
    if (up < 0) continue;
    const hop = alpha(r, up);
    toRoot[r] = toRoot[up]! + hop;
    pathNs = Math.max(pathNs, toRoot[r]!);
    edgeNs = Math.max(edgeNs, hop);
  }
  return { pathNs, edgeNs };
}

/**
 * The textbook double binary tree over all ranks in rank order (src/graph/trees.cc
 * ncclGetDtree on ranks instead of servers, src/device/all_reduce.h runTreeUpDown): two
 * complementary binary trees; each channel's part is halved, the first half reduced up and
 * broadcast down tree 0, the second half tree 1, pipelined in chunks of chunkElements. As
 * NCCL doubles channels for the two trees, the schedule has two channels per requested
 * channel: 2c for tree 0, 2c+1 for tree 1. `tree-rankorder` runs it everywhere; `tree` on
 * flat layouts.
 */
export function rankOrderTreePlan(params: PlanParams, name: string): Schedule {
  const { nranks: n, count, chunkElements } = params;
  const channels = channelRanges(count, params.channels);
  const b = new StepBuilder(n, 2 * channels.length);
  const trees = doubleBinaryTree(n);
  channels.forEach((range, c) => {
    parts(range.count, 2, range.offset).forEach((half, t) => {
      const ch = 2 * c + t;
      for (let r = 0; r < n; r++) b.copy(r, ch, slice('input', half), slice('output', half));
      if (n === 1) return;
      const chunks = chunksOf(half, chunkElements);
      for (let r = 0; r < n; r++) treeRankSteps(b, ch, trees[t], r, chunks);
    });
    b.partsPlanned(c + 1, channels.length);
  });
  return b.build('allReduce', name, params, { input: count, output: count, scratch: 0 });
}

/**
 * `rankOrderTreePlan`'s time. Where every rank has a link of its own per hop class (flat
 * fabrics: switch:N, servers of one GPU; one server; several servers of several GPUs), its
 * steps replayed as a fluid (./tree-rankorder-fluid.ts): the simulated time up to float
 * rounding within the replay's horizon. Above the replay's ranks, the textbook bound: a
 * pipeline of m chunks through a tree of height D (the taller of the two), 2D stages to fill
 * (D up, D down):
 *   T = 2A + 2D·2·b·β + (m-1)·(α_e + 4·b·β)
 * A = the worst summed α of a root-to-leaf path (D·α when every hop costs the same),
 * α_e = the worst α of one tree edge (cost.ts hopAlpha),
 * b = bytes of one chunk summed over channels (c · min(chunkElements, ceil(count/2c)) ·
 * elementBytes), m = chunks per half-part. While filling, a rank moves about two chunks
 * per stage (one per tree); in the steady state four (up and down in the tree where it is
 * inner, up in the other). Unpipelined (m = 1): 2D(α + S·β); fine chunks: ≈ 2S·β.
 * 0 for n = 1 or count = 0.
 */
export function rankOrderTreePredictNs(params: PlanParams, cost: CostParams): number {
  const { nranks: n, count, chunkElements, elementBytes } = params;
  if (n === 1 || count === 0) return 0;
  const c = clampChannels(params.channels, count);
  const halfElements = Math.ceil(Math.ceil(count / c) / 2);
  const m = chunkCount(halfElements, chunkElements);
  const chunkElems = chunkElements > 0 ? Math.min(chunkElements, halfElements) : halfElements;
  const chunkBytes = c * chunkElems * elementBytes;
  const trees = doubleBinaryTree(n);
  const [t0, t1] = trees;
  const beta = nsPerByte(cost.bandwidthBytesPerSec);
  const alpha = hopAlpha(params, cost);
  // Every rank with a link of its own per hop class (NVLink to its server's switch, its NIC; on a
  // flat fabric or one server its one link, for both classes where one link carries both —
  // sharedNsPerByte): the schedule's own steps as a fluid.
  const links = rankLinks(params, cost);
  if (links.nsPerByte.every((ns) => ns > 0 && Number.isFinite(ns))) {
    const chunks = chunksOf({ offset: 0, count: halfElements }, chunkElements).map((chunk) => chunk.count * elementBytes);
    const paths = narrowPaths(params, trees);
    // The cost's rate over the fabric's is what the protocol leaves of a link for payload (its flags, LL's cap).
    const onPaths = paths === null ? {} : { paths, payloadShare: cost.bandwidthBytesPerSec / (paths.injectionGbs(0) * 1e9) };
    const replayed = rankOrderTreeFluidNs({ trees, chunkBytes: chunks, copies: c, nsPerByte: links.nsPerByte, classOf: links.classOf, alphaNs: railHopAlpha(params, cost), ...onPaths });
    if (replayed !== null) return replayed;
  }
  const depth = Math.max(t0.height[t0.root]!, t1.height[t1.root]!);
  const [l0, l1] = [treeLatency(t0, alpha), treeLatency(t1, alpha)];
  const pathNs = Math.max(l0.pathNs, l1.pathNs);
  const edgeNs = Math.max(l0.edgeNs, l1.edgeNs);
  return 2 * pathNs + 2 * depth * 2 * chunkBytes * beta + (m - 1) * (edgeNs + 4 * chunkBytes * beta);
}

/**
 * The fabric's paths, where some tree edge's path is narrower than its sender's injection: then
 * a rank's own link is not what binds (ring:N, whose GPUs reach their router at twice a ring
 * link's rate, and whose tree edges between ranks that are not neighbours cross other routers'
 * links, shared with those ranks' edges) and the replay shares the paths' links. Before, the
 * replay took a rank's link as its only bound: ring:8's tree at 64 MiB predicted 1,700 µs against
 * 3,459 simulated. Null on stars and rail grids (a rank's links bind; their replay is exact).
 */
function narrowPaths(params: PlanParams, trees: readonly [Tree, Tree]): HopPaths | null {
  const paths = flatHopPaths(params.layout, params.nranks);
  if (paths === null) return null;
  const narrow = trees.some((t) => t.parent.some((p, r) => p >= 0 && (paths.narrow(r, p) || paths.narrow(p, r))));
  return narrow ? paths : null;
}

/**
 * How many channels' first chunks share a link of each class [intra, inter] while the
 * pipeline fills: every channel's wavefront walks its tree at the same pace — up, a rank
 * sends to its parent at stage height(rank); down, a parent sends to its children at stage
 * depth(parent) — so the channels whose wavefronts leave the same rank at the same stage
 * share its link. The worst count per class, at least 1. dgx-h100:nodes=2, 16 channels:
 * chains rotated by rail, 2 channels per NVLink port at a time, 1 per NIC; one server,
 * where every channel's chain is 0→1→…→7, all of them.
 */
function fillSharing(trees: readonly Tree[], params: PlanParams, same: (a: number, b: number) => boolean): readonly [number, number] {
  const cached = fillSharingByTrees.get(trees);
  if (cached !== undefined) return cached;
  const worst = countFillSharing(trees, params, same);
  fillSharingByTrees.set(trees, worst);
  return worst;
}

/**
 * fillSharing by channelTrees' array (one per layout and channel count, and the layout is the
 * one `same` reads): auto predicts the tree per protocol and per size on the same trees, and
 * at 16,384 GPUs one count is a map of ≈ 10^6 (stage, rank) keys.
 */
const fillSharingByTrees = new WeakMap<readonly Tree[], readonly [number, number]>();

function countFillSharing(trees: readonly Tree[], params: PlanParams, same: (a: number, b: number) => boolean): [number, number] {
  const n = params.nranks;
  const at = new Map<number, number>();
  const worst: [number, number] = [1, 1];
  const bump = (down: number, stage: number, sender: number, inter: number): void => {
    const key = ((stage * 2 + down) * 2 + inter) * n + sender;
    const count = (at.get(key) ?? 0) + 1;
    at.set(key, count);
    worst[inter] = Math.max(worst[inter]!, count);
  };
  for (const t of trees) {
    t.parent.forEach((p, r) => {
      if (p < 0) return;
      const inter = same(r, p) ? 0 : 1;
      bump(0, t.height[r]!, r, inter);
      bump(1, t.depth[p]!, p, inter);
    });
  }
  return worst;
}

/**
 * Where `tree` falls back to the textbook double binary tree over ranks: layouts that give
 * the search nothing (every rank its own server, or groups that do not partition the
 * ranks). One server keeps NCCL's tree: a chain per channel.
 */
function rankOrder(params: PlanParams): boolean {
  return isFlat(params.layout, params.nranks) && !isOneServer(params.layout, params.nranks);
}

/**
 * NCCL's Tree (src/graph/trees.cc, connect.cc; src/device/all_reduce.h runTreeUpDown /
 * runTreeSplit): every channel reduces its part up and broadcasts it down its own tree from
 * the channel search (src/channels/search.ts channelTrees) — a chain on NVLink inside each
 * server and a binary tree between servers whose edges stay on one rail, the first half of
 * the channels on the double binary tree's first tree, the second half on its complement, so
 * a NIC that is inner in one tree is a leaf in the other. Two schedule channels per channel,
 * its reduce (c) and its broadcast (c + C), as NCCL's runTreeSplit runs them in separate
 * thread groups (treeSplitSteps), pipelined in chunks of chunkElements. On one server, a chain
 * per channel (NCCL: nothing to join between servers); where every rank is its own server,
 * the textbook double binary tree over the ranks (`tree-rankorder`'s schedule). Runs under LL, LL128 or
 * Simple (params.protocol) with NCCL's Tree latencies (../protocols.ts).
 */
export const tree: Algorithm = withProtocols({
  name: 'tree',
  collective: 'allReduce',
  description: 'NCCL tree: each channel reduces up and broadcasts down its own tree (a chain inside each server, a rail-aligned double binary tree between servers), pipelined in chunks.',
  constraints: 'any rank count; channels clamped to count; flat layouts: two schedule channels per channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(tree.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    if (rankOrder(params)) return rankOrderTreePlan(params, 'tree');
    const channels = channelRanges(count, params.channels);
    const trees = channelTrees(params.layout, n, channels.length);
    // Channel c's reduce runs on schedule channel c, its broadcast on c + C (NCCL's runTreeSplit).
    const b = new StepBuilder(n, 2 * channels.length);
    const { slots, scratch } = scratchSlots(channels, chunkElements);
    channels.forEach((range, c) => {
      const chunks = chunksOf(range, chunkElements);
      for (let r = 0; r < n; r++) treeSplitSteps(b, c, c + channels.length, trees[c]!, r, range, chunks, slots[c]!);
      b.partsPlanned(c + 1, channels.length);
    });
    return b.build('allReduce', 'tree', params, { input: count, output: count, scratch });
  },
  /**
   * While the run has at most MAX_POSITIONS positions, the fluid of every channel's chunks
   * (./tree-fluid.ts) — positions (half, server, chain index) where the channels' chains are
   * rotations of one another (the channel search's trees with a multiple of the server's GPUs
   * as channels: 16 servers of 8 use 256), else one per (channel, rank) — : each
   * transfer takes its class's bandwidth in equal shares with the other channels' transfers
   * in flight at the rank, so the fill sees the 2, 4, …, 14 streams a rank's NVLink carries
   * while the first chunk climbs its chain, and the later chunks the link time those streams
   * already used. The pipeline bound below charged the fill one sharing factor (2 per NVLink
   * on dgx-h100) and was 1.12–1.15 optimistic at 64 MiB on 4 and 16 servers and on hgx-a100
   * (benchmarks/results/predictor-error.md, "Tree's fill as a fluid").
   *
   * Above that (64+ servers of 8; nvl72's one server of 72) a pipeline of m chunks per
   * channel through its tree, every channel at once (./tree-pipeline.ts): the larger of
   * - the first chunk's round trip plus (m-1) stages of one wave, T = F + (m-1)·τ_wave: F the
   *   worst leaf-to-root-to-leaf path of α (cost.ts hopAlpha: intra on the chain, inter on
   *   the rail hops) plus one chunk's transfer per hop at the fill's sharing (fillSharing: the
   *   channels' wavefronts walk their chains side by side, about 2 per NVLink port on
   *   dgx-h100:nodes=2), τ_wave = b·β·(the most edges of one wave on a link);
   * - every link's work (b·m bytes per edge, the link's edges from their waves' start) plus
   *   the least path left after it.
   * b = bytes of one chunk of one channel (min(chunkElements, ceil(count/c))·elementBytes),
   * m = chunks per channel part. Flat layouts: the rank-order tree's replay (rankOrderTreePredictNs).
   * 0 for count = 0.
   *
   * Both count a rank's links per class (NVLink, NIC) — and, where the fabric gives a rank one
   * link for both (sharedNsPerByte: the README's my-cluster.yaml, a GPU's one NIC to a switch
   * that reaches its server's GPUs and a spine), that link with every edge of both classes. The
   * per-class links alone had the README file's tree at half its simulated time (1,421.55 µs
   * predicted, 2,771.27 simulated at 64 MiB; now 2,774.77) and auto ran it, 32 % slower than ring.
   *
   * Before, T = F + (m-1)·τ with τ counting both waves' edges on every link, as if the reduce
   * and the broadcast held every link for the whole run: on dgx-h100:nodes=2 they pass a
   * rank near its chain's tail a round trip apart, so that was 10–22 % pessimistic at 2–64
   * MiB (tree/LL128 8 MiB: 98.1 µs predicted, 76.5 simulated; now 77.8) and auto ran the
   * ring where the tree is faster, as NCCL runs Tree there.
   *
   * dgx-h100:nodes=2 (16 channels; NVLink 370.8 GB/s per GPU, PCIe 48 GB/s per NIC): per
   * rank the NVLink carries 28 edges (2 per channel where the rank sits inside its chain,
   * 1 where it is head or tail) and the NIC 2 (up in one tree, down in the other);
   * 28/370.8 > 2/48, so NVLink binds: busbw → 2·15/16 · 16/28 · 370.8 = 397.3 GB/s (1 GiB in
   * 2 MiB chunks: the NVLink's work 5080 µs; the fluid 5089.8, simulated 5089.8). With more servers an inner
   * NIC carries 4 edges (3 + 1): 16/4·48 = 192 GB/s per channel part, busbw ≈ 360 GB/s, and
   * the simulation came to 1.17–1.25× the prediction on dgx-h100:nodes=4 at 64–512 MiB while a
   * rank sent a chunk to its children one after another; now that it posts to all of them at
   * once (the steps' fan-out, as NCCL's prims write every send peer in one loop), 1.00–1.06×
   * at 256 MiB (benchmarks/results/predictor-error.md, "Tree's fan-out").
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (rankOrder(params)) return rankOrderTreePredictNs(params, cost);
    if (params.count === 0) return 0;
    const run = treeRun(params, cost);
    return treeFluidNs(run) ?? treePipelineNs(run);
  },
  /** NCCL's channel count from the topology search (src/channels/search.ts), fewer for small messages as NCCL runs them. */
  defaultChannels: (params: PlanParams, cost: CostParams) =>
    channelsForBytes(searchChannelCount(params.layout, params.nranks, cost), params.count * params.elementBytes, 'Tree', protocolOf(params), params.nranks),
  defaultChunkBytes: treeChunkBytes,
}, 'Tree');

/**
 * What tree's predictors read of a run on the channel search's trees (count > 0, not a flat
 * layout): the channels' trees, links per class, α, the chunk and chunks per channel part
 * (b = min(chunkElements, ceil(count/c))·elementBytes, m = chunks per part), and the fill's
 * sharing that the pipeline bound charges (the fluid finds its own).
 */
export function treeRun(params: PlanParams, cost: CostParams): TreePipeline {
  const { nranks: n, count, chunkElements, elementBytes } = params;
  const c = clampChannels(params.channels, count);
  const part = Math.ceil(count / c);
  const trees = channelTrees(params.layout, n, c);
  return {
    trees,
    groupOf: groupIndex(params),
    nsPerByte: [nsPerByte(cost.intra.bandwidthBytesPerSec), nsPerByte(cost.inter.bandwidthBytesPerSec)],
    // One server (nvl72): no inter edge, nothing to share (its cost copies intra into inter).
    sharedNsPerByte: params.layout.groups.length > 1 ? sharedNsPerByte(cost) : 0,
    alpha: hopAlpha(params, cost),
    chunkBytes: (chunkElements > 0 ? Math.min(chunkElements, part) : part) * elementBytes,
    chunks: chunkCount(part, chunkElements),
    partBytes: part * elementBytes,
    fillSharing: fillSharing(trees, params, sameGroup(params)),
  };
}

/**
 * NCCL's Tree chunk (src/enqueue.cc, the chunk-size part of computeColl/getChunkSize): Tree
 * moves one buffer step per chunk (chunkSteps = 1) under every protocol —
 * - Simple: one step of the Simple buffer, 512 KiB;
 * - LL: one step of the LL buffer, halved (8-byte flag per 8 data bytes): 32 KiB of data;
 * - LL128: one step less the flags (614,400 B of lines → 576,000 B of data), then halved
 *   while a channel would get too few chunks to fill the tree: with
 *   nstepsLL128 = 1 + ⌊log2 nNodes⌋ + 0.1·ppn (ppn = ranks per server), halved while
 *   ⌊bytes / (channels·chunk)⌋ < nstepsLL128·64/ppn and chunk > 131,072, then while
 *   < nstepsLL128·16/ppn and chunk > 32,768 (576,000 → 288,000 → … → 18,000).
 * NCCL's older releases also halved Tree/Simple chunks for small messages; the current one
 * does not, and neither does weft. Before this, LL and LL128 trees ran 2 MiB chunks: a
 * channel's part of a mid-size message went down and up its tree whole, hop after hop.
 */
export function treeChunkBytes(params: PlanParams): number {
  const protocol = protocolOf(params);
  if (protocol !== 'LL128') return stepDataBytes(protocol);
  const nodes = Math.max(1, params.layout.groups.length);
  const ppn = params.nranks / nodes;
  const nsteps = 1 + Math.floor(Math.log2(nodes)) + 0.1 * ppn;
  const bytes = params.count * params.elementBytes;
  const channels = Math.max(1, params.channels);
  let chunk = stepDataBytes('LL128');
  const chunksPerChannel = (): number => Math.floor(bytes / (channels * chunk));
  while (chunksPerChannel() < (nsteps * 64) / ppn && chunk > 131072) chunk = Math.floor(chunk / 2);
  while (chunksPerChannel() < (nsteps * 16) / ppn && chunk > 32768) chunk = Math.floor(chunk / 2);
  return chunk;
}
