/**
 * What NCCL's ring collectives share — all-reduce, all-gather and reduce-scatter walk their
 * channels' rings; broadcast and reduce walk them as chains cut open at the root: each
 * channel's ring (the channel search's), the channels NCCL runs for a message size, the
 * slices a step moves in, and their time as one closed form.
 *
 * A ring collective is a number of loop iterations; in each, every channel's ring takes
 * `hops` dependent steps (all-reduce 2(n-1), all-gather and reduce-scatter n-1), each step
 * one message of `stepBytes` (all channels together) per rank, moved in `slices` messages.
 * A chain takes n-1 hops once per chunk and overlaps successive chunks along the chain.
 * Pure and browser-safe.
 */
import { channelRingsEdgeNsPerByte, channelRingsNsPerByte, chainPathNs, hopAlpha, nsPerByte, onOneRailLeaf, ringPathNs, ringsLinkFactor, sameGroup, type HopAlpha } from './cost.js';
import { channelRings, flatRingLinks, searchChannelCount } from './channels/search.js';
import { lockstepRingIterationNs } from './ring-lockstep.js';
import { StepBuilder, slice, type EmptyTransfers } from './builder.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, mod, type Range } from './logical.js';
import { channelsForBytes, protocolOf, ringChunkBytes, ringSliceCounts } from './protocols.js';
import type { CostParams, PlanParams, Slice } from './types.js';

/** How a ring step's block of `elements` is cut into the messages it moves in, one after another: their element counts. */
export type SliceRule = (elements: number) => readonly number[];

/** The block as one message. */
export const wholeBlock: SliceRule = (elements) => [elements];

/** `whole` moved as the messages `rule` cuts it into, one after another (NCCL's prims move a chunk slice by slice). */
export function eachSlice(whole: Slice, rule: SliceRule, op: (part: Slice) => void): void {
  let offset = whole.offset;
  for (const count of rule(whole.count)) {
    op(slice(whole.buffer, { offset, count }));
    offset += count;
  }
}

/** The shares of a step's block its messages carry, in order, for a block of `blockElements` (one channel's). */
export function sliceShares(rule: SliceRule, blockElements: number): number[] {
  const counts = rule(Math.max(1, Math.round(blockElements)));
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((k) => k / total);
}

/** One position of one channel's ring for one chunk: what a ring plan visits. */
export interface RingPosition {
  readonly b: StepBuilder;
  readonly channel: number;
  readonly order: readonly number[];
  /** The chunk of the channel's part (of a block, or of the buffer). */
  readonly chunk: Range;
  /** The chunk's index in the channel's part: the loop iteration, 0 the ring's fill (ncclBlockRingSlices). */
  readonly iteration: number;
  /** Position in `order`, its rank and ring neighbours. */
  readonly i: number;
  /** `startOf(order)`, once per channel: where a chain along the ring starts (0 for rings). */
  readonly start: number;
  readonly rank: number;
  readonly prev: number;
  readonly next: number;
}

/**
 * The skeleton of a ring plan: `count` split over the channels (clamped to count), each
 * channel on its own ring (ncclRingOrders), its part in chunks of chunkElements, and
 * `visit` called for every ring position of every chunk; `startOf(order)` (once per channel)
 * is handed on as `start`. Returns the builder to build.
 */
export function planRingPositions(params: PlanParams, visit: (at: RingPosition) => void, startOf: (order: readonly number[]) => number = () => 0): StepBuilder {
  const { nranks: n, count, chunkElements } = params;
  const channels = channelRanges(count, params.channels);
  const orders = ncclRingOrders(params, channels.length);
  const b = new StepBuilder(n, channels.length, 0, { emptyTransfers: ncclRingEmptyTransfers(params) });
  channels.forEach((part, channel) => {
    const order = orders[channel]!;
    const start = startOf(order);
    chunksOf(part, chunkElements).forEach((chunk, iteration) => {
      for (let i = 0; i < n; i++) visit({ b, channel, order, chunk, iteration, i, start, rank: order[i]!, prev: order[mod(i - 1, n)]!, next: order[mod(i + 1, n)]! });
    });
    b.partsPlanned(channel + 1, channels.length);
  });
  return b;
}

/**
 * What a ring step of zero elements is under the plan's protocol. NCCL's ring kernels run
 * every step of every rank whatever its size: runRing (src/device/all_reduce.h) calls
 * prims.send / recvReduceSend / … for each chunk with nelem = min(chunkCount, remCount −
 * chunkOffset), zero (or below, clamped to 0) for a rank whose block is past the data's end.
 * What such a step waits for depends on the protocol (NVIDIA/nccl, stored copy at 06de78e):
 * - Simple (prims_simple.h genericOp): an empty chunk goes round the "Non-workers and empty
 *   slices" loop, SlicePerChunk times waitPeer + postPeer: the receiver spins on its peer's
 *   step counter (connStepPtr) until the sender posts the slice, the sender waits for buffer
 *   credit and posts its counter. So the step is a handshake with its peer that carries no
 *   bytes: kept, a zero-payload message paying the protocol's step latency.
 * - LL and LL128 (prims_ll.h LLGenericOp, prims_ll128.h GenericOp): nelem is clamped to 0,
 *   the data loop `while (nelem > 0)` never runs, so the receiver reads no line and waits for
 *   no flag — it only advances its step counters (incRecv/postRecv); the sender waits for
 *   buffer credit alone (waitSend: NCCL_STEPS = 8 steps of slack) and advances its own. The
 *   flags travel with the data, so an empty step synchronizes nothing: dropped, as before.
 */
export function ncclRingEmptyTransfers(params: PlanParams): EmptyTransfers {
  return protocolOf(params) === 'Simple' ? 'keep' : 'drop';
}

/** Each of `channels` channels' ring order: the channel search's (rail-aligned across servers, rank order on flat layouts). */
export function ncclRingOrders(params: PlanParams, channels: number): readonly (readonly number[])[] {
  return channelRings(params.layout, params.nranks, channels);
}

/**
 * NCCL's Ring channel count for a collective moving `bytes` (NCCL's nBytes: the whole
 * buffer; all-gather and reduce-scatter count every rank's block): the topology search's
 * count, fewer for small messages as enqueue.cc runs them.
 */
export function ncclRingChannels(params: PlanParams, cost: CostParams, bytes: number): number {
  return channelsForBytes(searchChannelCount(params.layout, params.nranks, cost), bytes, 'Ring', protocolOf(params), params.nranks);
}

/** How a ring step cuts its block into slices under the plan's protocol and element type (protocols.ts ringSliceCounts). */
export function ncclRingSlices(params: PlanParams): SliceRule {
  const protocol = protocolOf(params);
  return (elements) => ringSliceCounts(protocol, elements, params.elementBytes);
}

/**
 * How the first loop iteration of NCCL's ring all-reduce moves its steps: each block as one
 * message, so each of its 2(n-1) dependent hops pays the step latency in full before the
 * block moves on, instead of hiding it behind the block's second slice. This is NCCL's own
 * account of a ring's fill (src/graph/tuning.cc at b6475625, ncclTopoTuneModel: Ring latency
 * = baseLat + nsteps·hwLat; ncclTopoGetAlgoTime: time = latency + nBytes / bandwidth): the
 * steps' latencies are added to the transfer, and once per collective, not per loop
 * iteration — so the later iterations keep ncclRingSlices and its overlap, and a run of many
 * iterations pays the latencies once, as NCCL's model has it. With it weft's ring/Simple on
 * one server takes NCCL's modelled time (hgx-a100:nodes=1 32 MiB: 56.0 + 244.7 µs) and
 * weft's `auto` picks NCCL's protocol (LL128 to 16 MiB there). The kernel alone would hide
 * the latency (prims_simple.h's extra warp fences a slice while the workers copy the next),
 * yet the published one-server sweeps are slower still than this model (A100 16 MiB: 269 µs
 * measured, 178 modelled): benchmarks/results/nccl-vs-weft.md, "Ring/Simple's fill". LL and
 * LL128 move a block in one message already; only Simple changes.
 */
export function ncclRingFillSlices(): SliceRule {
  return wholeBlock;
}

/**
 * How NCCL's ring all-gather and reduce-scatter move the steps of loop iteration `iteration`:
 * the first (the ring's fill) as ncclRingFillSlices, the later ones as ncclRingSlices. Their
 * kernels (src/device/all_gather.h, reduce_scatter.h runRing) run the prims all-reduce's does,
 * with the same slices per step (ALLGATHER_/REDUCESCATTER_CHUNKSTEPS / _SLICESTEPS = 4 / 2), and
 * NCCL's tuner charges their n-1 steps' latencies the same way (tuning.cc: nsteps = n-1,
 * latency baseLat + nsteps·hwLat added to nBytes / bandwidth, once per collective).
 */
export function ncclBlockRingSlices(params: PlanParams): (iteration: number) => SliceRule {
  const [fill, slices] = [ncclRingFillSlices(), ncclRingSlices(params)];
  return (iteration) => (iteration === 0 ? fill : slices);
}

export interface RingPipeline {
  /** Each channel's ring order (one per channel that carries data). */
  readonly orders: readonly (readonly number[])[];
  /** Dependent ring hops per loop iteration. */
  readonly hops: number;
  /** Bytes one step moves per rank, all channels together. */
  readonly stepBytes: number;
  /** Loop iterations of the largest channel. */
  readonly iterations: number;
  /** The shares of a step's block carried by the messages it moves in, in order (they sum to 1). */
  readonly slices: readonly number[];
  /** The same for the first iteration, where it moves its blocks otherwise (ncclRingFillSlices); `slices` when absent. */
  readonly fillSlices?: readonly number[];
}

/**
 * Per hop a→b, the time of one step under `p`, the share `first` of its block in its first
 * message, once the channels have drifted apart (every iteration after the first, and chains; the
 * first iteration of rings that are rotations of one another is ring-lockstep.ts's).
 * Channels on one and the same ring move in lockstep: they all wait out a hop's latency
 * at once, then share the link, so a step is α + the link's work. Channels on different
 * rings reach a link at different positions of their rings: while one waits out its
 * latency the others use the link (max-min sharing), so a step lasts the larger of the
 * link's work for the step (every channel's block through it) and one channel's own
 * block (its latency, then its bytes at the link's full rate). With the block's first slice
 * a share f of it a hop waits for that slice only: α + f·b·β, or the link's work b·β when
 * that is longer (the later slices keep the link busy meanwhile).
 */
function stepHopNs(p: RingPipeline, params: PlanParams, cost: CostParams): (first: number) => HopAlpha {
  const { orders, stepBytes } = p;
  const c = orders.length;
  const alpha = hopAlpha(params, cost);
  const edgeNsPerByte = channelRingsEdgeNsPerByte(orders, params, cost);
  const same = sameGroup(params);
  // One channel alone moves at its path's width where that is below the rank's injection (ring:N: one direction of two).
  const links = flatRingLinks(params.layout, params.nranks, orders);
  const aloneShare = (a: number, b: number): number => {
    const share = links === null ? 1 : links.aloneShare(a, b);
    return share > 1 + 1e-9 ? share : 1;
  };
  const aloneNsPerByte = (a: number, b: number): number => nsPerByte(same(a, b) ? cost.intra.bandwidthBytesPerSec : cost.inter.bandwidthBytesPerSec) * aloneShare(a, b);
  const lockstep = orders.every((order) => order.every((r, i) => r === orders[0]![i]));
  // Copies of a ring share its path where the path, not the rank's injection, bounds a channel (flat layouts' links).
  const twins = lockstep || links === null ? () => 1 : ringTwins(orders, params.nranks);
  return (first) =>
    lockstep
      ? (a, b) => Math.max(alpha(a, b) + stepBytes * first * edgeNsPerByte(a, b), stepBytes * edgeNsPerByte(a, b))
      : (a, b) => Math.max(stepBytes * edgeNsPerByte(a, b), alpha(a, b) + (stepBytes / c) * twins(a, b) * first * aloneNsPerByte(a, b));
}

/**
 * Per hop a→b, how many channels move over it in lockstep: the most channels that run one and
 * the same ring through that hop. NCCL repeats its search's rings (ring:8's two directions run
 * twice each on four channels): a ring's copies wait out each latency together and then share
 * the path, so one channel's block does not have the path to itself. Before this, ring:8's
 * Ring/LL at 64 MiB was predicted at 6,920 µs against 9,278 simulated (four channels taken as
 * four paths' worth); 1 on hops whose rings all differ. Read only where a channel alone is
 * bound by its path (flatRingLinks): on rail grids a channel's NIC hop already counts the
 * channels on that NIC (dgx-h100:nodes=2's twin rings share a rail), and there the chains'
 * predictions were closer without it (broadcast 64 MiB: 0.90 → 0.71 of the simulation).
 */
function ringTwins(orders: readonly (readonly number[])[], nranks: number): (a: number, b: number) => number {
  let twins = twinsByOrders.get(orders);
  if (twins === undefined) twinsByOrders.set(orders, (twins = countTwins(orders, nranks)));
  return twins;
}

/** ringTwins by the channel search's orders (one array per layout and channel count): auto predicts every protocol at every size on them. */
const twinsByOrders = new WeakMap<readonly (readonly number[])[], (a: number, b: number) => number>();

function countTwins(orders: readonly (readonly number[])[], nranks: number): (a: number, b: number) => number {
  const copies = new Map<string, number>();
  for (const order of orders) copies.set(order.join(' '), (copies.get(order.join(' ')) ?? 0) + 1);
  const byHop = new Map<number, number>();
  for (const order of orders) {
    const k = copies.get(order.join(' '))!;
    order.forEach((a, i) => {
      const key = a * nranks + order[(i + 1) % order.length]!;
      byHop.set(key, Math.max(byHop.get(key) ?? 1, k));
    });
  }
  return (a, b) => byHop.get(a * nranks + b) ?? 1;
}

/**
 * A ring collective's time: the larger of a latency-bound and a bandwidth-bound form,
 *   T = max(F + (m-1)·P, m·h·b·β_ring + α_max)
 * m iterations of h dependent hops, each moving b = stepBytes. F is the first iteration, whose
 * channels all start at once (ring-lockstep.ts: they share each link until the NIC hops pull
 * them apart; P where the rings are not rotations of one another). P is one iteration's chain
 * on the slowest channel's ring: the worst h consecutive hops (cost.ts ringPathNs), each
 * `stepHopNs`, plus the drain of its last hop (whose block lands whole: nothing follows it
 * to overlap). But a ring is only as slow as its slowest hop's sender, which sends h blocks
 * per iteration back to back while the faster hops upstream keep it fed: then T is that
 * sender's m·h transfers at β_ring (the worst edge, cost.ts channelRingsNsPerByte) and one
 * last hop's latency (the ring's worst α), the other hops' latencies hidden behind it.
 * (dgx-h100:nodes=2: NVLink hops are 8× faster than the NIC ones; charging every step the
 * NIC's transfer plus every hop's α, as NCCL's additive model does, overstated 16–128 MiB
 * all-reduce by up to 30 %.) With every hop alike P = h(α + bβ) dominates: for all-reduce
 * the textbook 2(n-1)α + 2(n-1)/n·Sβ.
 */
export function ringPipelineNs(p: RingPipeline, params: PlanParams, pairCost: CostParams): number {
  const { orders, hops, stepBytes, iterations: m, slices } = p;
  const cost = ringCost(orders, params, pairCost);
  const senderNs = hops * stepBytes * channelRingsNsPerByte(orders, params, cost);
  const alpha = hopAlpha(params, cost);
  const lastHopNs = Math.max(...orders.map((order) => ringPathNs(order, 1, alpha)));
  // The channels start in lockstep once per collective: the first iteration is
  // ring-lockstep.ts's (null where the rings are not rotations of one another); the later ones
  // start where the earlier left off, drifted apart, and chain as stepHopNs has it.
  // The first iteration moves its blocks as fillSlices has it (ncclRingFillSlices).
  const apartNs = chainNsOf(p, params, cost);
  const fill = p.fillSlices ?? slices;
  const firstNs = lockstepRingIterationNs(orders, hops, stepBytes, fill, params, onRingLinks(orders, params, cost)) ?? (fill === slices ? apartNs : chainNsOf({ ...p, slices: fill }, params, cost));
  return Math.max(firstNs + (m - 1) * apartNs, m * senderNs + lastHopNs);
}

/**
 * `cost` as the rings `orders` see it: where every inter-server hop of every ring joins two
 * ranks of one rail (the channel search's rings on a rail-optimized fabric), an inter hop's α
 * is the rail's (cost.inter.railAlphaNs: NIC, rail leaf, NIC), not the worst inter pair's
 * (through a spine). The simulation delivers each message after its own path's latency (or
 * the protocol's step latency, when larger): dgx-h100 ring/LL's NIC hops take 2.7 µs, where
 * the worst pair's 3.3 µs charged 0.6 µs too much per NIC hop (8 of 62 hops at 4 servers).
 */
export function ringCost(orders: readonly (readonly number[])[], params: PlanParams, cost: CostParams): CostParams {
  // A rail pair is one of the inter pairs, so never slower than the worst; the min also keeps
  // a cost whose α were zeroed (protocols.ts bandwidthOnly, for NCCL's LL cap) at zero.
  const railAlphaNs = Math.min(cost.inter.railAlphaNs ?? Infinity, cost.inter.alphaNs);
  if (params.layout.rails === undefined || railAlphaNs === cost.inter.alphaNs) return onRingPaths(orders, params, cost);
  const same = sameGroup(params);
  const onRail = onOneRailLeaf(params);
  const railAligned = orders.every((order) => order.every((a, i) => {
    const b = order[(i + 1) % order.length]!;
    return same(a, b) || onRail(a, b);
  }));
  return railAligned ? { ...cost, inter: { ...cost.inter, alphaNs: railAlphaNs } } : cost;
}

/**
 * `cost` with its bandwidths as the rings' most crowded link leaves them, for the lockstep
 * fluid, which shares a rank's port among the channels it sends: where the rings' paths are
 * narrower than the port (cost.ts ringsLinkFactor) a step is that much slower. The rank-order
 * ring on ring:8 crosses one 49 GB/s direction per hop where a GPU injects 98 (its 4 MiB
 * all-reduce: 154 → 204 µs predicted, 192 simulated; 192 with onRingPaths' α). `cost` itself
 * where the ports bind.
 */
function onRingLinks(orders: readonly (readonly number[])[], params: PlanParams, cost: CostParams): CostParams {
  const slower = ringsLinkFactor(params, orders);
  if (slower === 1) return cost;
  return {
    ...cost,
    bandwidthBytesPerSec: cost.bandwidthBytesPerSec / slower,
    intra: { ...cost.intra, bandwidthBytesPerSec: cost.intra.bandwidthBytesPerSec / slower },
    inter: { ...cost.inter, bandwidthBytesPerSec: cost.inter.bandwidthBytesPerSec / slower },
  };
}

/**
 * `cost` with each class's α the worst of the rings' own hops (cost.ts hopAlpha: on a flat
 * fabric whose paths are narrower than a rank's injection, a hop's own path's latency), for the
 * lockstep fluid, which reads one α per class: the rank-order ring on ring:8 steps between
 * neighbours, 3.0 µs apart, where the class's α is the opposite ranks' 3.9 (its 1 KiB all-reduce:
 * 54.6 → 42.0 µs predicted, 42.0 simulated). `cost` itself where the hops pay the class's α.
 */
function onRingPaths(orders: readonly (readonly number[])[], params: PlanParams, cost: CostParams): CostParams {
  const alpha = hopAlpha(params, cost);
  const same = sameGroup(params);
  const worst = [-Infinity, -Infinity];
  for (const order of orders) order.forEach((a, i) => {
    const b = order[(i + 1) % order.length]!;
    if (order.length > 1) worst[same(a, b) ? 0 : 1] = Math.max(worst[same(a, b) ? 0 : 1]!, alpha(a, b));
  });
  const [intra, inter] = [worst[0]! > -Infinity ? worst[0]! : cost.intra.alphaNs, worst[1]! > -Infinity ? worst[1]! : cost.inter.alphaNs];
  if (intra === cost.intra.alphaNs && inter === cost.inter.alphaNs) return cost;
  return { ...cost, intra: { ...cost.intra, alphaNs: intra }, inter: { ...cost.inter, alphaNs: inter } };
}

/** One iteration's chain with every channel apart (stepHopNs), where the rings are not rotations of one another. */
function chainNsOf(p: RingPipeline, params: PlanParams, cost: CostParams): number {
  const { orders, hops, slices } = p;
  const sliceHopNs = stepHopNs(p, params, cost);
  const hopNs = sliceHopNs(slices[0] ?? 1);
  const wholeHopNs = sliceHopNs(1);
  const drainNs = Math.max(...orders.map((order) => ringPathNs(order, 1, (a, b) => wholeHopNs(a, b) - hopNs(a, b))));
  return Math.max(...orders.map((order) => ringPathNs(order, hops, hopNs))) + drainNs;
}

/**
 * A pipelined chain along each channel's ring, from position `first(order)` for n-1 hops
 * (broadcast: from the root; reduce: from the rank after it), `iterations` chunks of
 * `stepBytes` (all channels together) one after another, each hop store-and-forward:
 *   T = P + (m-1)·max(b·β_edge)
 * P the first chunk's path (each hop `stepHopNs` with the chunk whole), then every later
 * chunk one transfer of the busiest link behind the one before: a rank sends its next chunk
 * as soon as its link is free, so the hops' latencies overlap the later chunks' transfers.
 */
export function chainPipelineNs(p: RingPipeline & { readonly firstStepBytes?: number }, first: (order: readonly number[]) => number, params: PlanParams, pairCost: CostParams): number {
  const cost = ringCost(p.orders, params, pairCost);
  const firstBytes = p.firstStepBytes ?? p.stepBytes;
  const hopNs = stepHopNs({ ...p, stepBytes: firstBytes }, params, cost)(p.slices[0] ?? 1);
  const edgeNsPerByte = channelRingsEdgeNsPerByte(p.orders, params, cost);
  const laterBytes = p.stepBytes * p.iterations - firstBytes;
  let worst = 0;
  for (const order of p.orders) {
    const k = order.length;
    if (k < 2) continue;
    const from = first(order);
    const pathNs = chainPathNs(order, from, k - 1, hopNs);
    let slowestNsPerByte = 0;
    for (let j = 0; j < k - 1; j++) slowestNsPerByte = Math.max(slowestNsPerByte, edgeNsPerByte(order[(from + j) % k]!, order[(from + j + 1) % k]!));
    worst = Math.max(worst, pathNs + laterBytes * slowestNsPerByte);
  }
  return worst;
}

/**
 * The time of a ring all-gather or reduce-scatter of `count` elements per rank block:
 * m iterations (the largest channel's chunks, ceil(ceil(count/c) / chunkElements)) of n-1
 * dependent hops, each moving one chunk of every channel: b = count·elementBytes/m, the
 * first iteration's blocks whole (ncclBlockRingSlices, as the plans move them).
 * 0 for n = 1 or count = 0.
 */
export function blockRingNs(params: PlanParams, cost: CostParams): number {
  const pipeline = chunkPipeline(params, ncclRingSlices(params), ncclRingFillSlices());
  return pipeline === null ? 0 : ringPipelineNs(pipeline, params, cost);
}

/**
 * The pipeline of `count` elements per channel-split part in chunks: c channels (clamped),
 * m = the largest part's chunks, n-1 hops per chunk, b = one chunk of every channel
 * (count·elementBytes/m), each step in `rule`'s slices — the first iteration's in `fillRule`'s
 * when given. Null when there is nothing to move (n = 1 or count = 0).
 */
function chunkPipeline(params: PlanParams, rule: SliceRule, fillRule?: SliceRule): RingPipeline | null {
  const { nranks: n, count, chunkElements, elementBytes } = params;
  if (n === 1 || count === 0) return null;
  const c = clampChannels(params.channels, count);
  const m = chunkCount(Math.ceil(count / c), chunkElements);
  const blockElements = count / (m * c);
  const fill = fillRule === undefined ? {} : { fillSlices: sliceShares(fillRule, blockElements) };
  return { orders: ncclRingOrders(params, c), hops: n - 1, stepBytes: (count * elementBytes) / m, iterations: m, slices: sliceShares(rule, blockElements), ...fill };
}

/** NCCL's Ring channels for an all-gather or reduce-scatter: nBytes is every rank's block (enqueue.cc counts the whole buffer). */
export function blockRingChannels(params: PlanParams, cost: CostParams): number {
  return ncclRingChannels(params, cost, params.count * params.elementBytes * params.nranks);
}

/**
 * The time of a pipelined chain along each channel's ring (broadcast, reduce) of `count`
 * elements, starting at position `first(order)`: m = the largest channel's chunks of n-1
 * hops each, b = one chunk of every channel (count·elementBytes/m); see chainPipelineNs.
 * 0 for n = 1 or count = 0.
 */
export function ringChainNs(params: PlanParams, cost: CostParams, first: (order: readonly number[]) => number): number {
  const pipeline = chunkPipeline(params, wholeBlock);
  if (pipeline === null) return 0;
  // The first chunk is a whole chunk of every channel's part (the remainder comes last), not the
  // average step: 512 KiB + 170 KiB per channel at 16 MiB on 24 channels.
  const c = pipeline.orders.length;
  const firstStepBytes = Math.min(params.chunkElements > 0 ? params.chunkElements : Infinity, Math.ceil(params.count / c)) * params.elementBytes * c;
  return chainPipelineNs({ ...pipeline, firstStepBytes: Math.min(firstStepBytes, pipeline.stepBytes * pipeline.iterations) }, first, params, cost);
}

/** NCCL's Ring channels for a broadcast or reduce: nBytes is the buffer. */
export function chainChannels(params: PlanParams, cost: CostParams): number {
  return ncclRingChannels(params, cost, params.count * params.elementBytes);
}

/**
 * A broadcast's or reduce's chunk: BROADCAST_CHUNKSTEPS = REDUCE_CHUNKSTEPS = 1 step of the
 * protocol's buffer (Simple 512 KiB; src/include/collectives.h), one slice per chunk
 * (*_SLICESTEPS 1).
 */
export function chainChunkBytes(params: PlanParams): number {
  return ringChunkBytes(protocolOf(params), 1);
}

/** An all-reduce's, all-gather's or reduce-scatter's ring chunk: *_CHUNKSTEPS = NCCL_STEPS/2 = 4 steps under Simple (2 MiB), one under LL/LL128. */
export function ncclRingChunkBytes(params: PlanParams): number {
  return ringChunkBytes(protocolOf(params), 4);
}
