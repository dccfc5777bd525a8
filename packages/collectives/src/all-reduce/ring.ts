import { channelRings, searchChannelCount } from '../channels/search.js';
import { StepBuilder, assertPlannable, channelRingsEdgeNsPerByte, channelRingsNsPerByte, hopAlpha, invalidParams, nsPerByte, ringPathNs, slice, type HopAlpha } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, mod, parts, ringNeighbours, type Range } from '../logical.js';
import { channelsForBytes, protocolOf, ringSlicesPerChunk, withProtocols } from '../protocols.js';
import type { Algorithm, CostParams, PlanParams, Schedule, Slice } from '../types.js';

/** One position of a ring walk: its rank, neighbours and block(j) = `output` block j mod k. */
interface RingPosition {
  readonly i: number;
  readonly rank: number;
  readonly prev: number;
  readonly next: number;
  block(j: number): Slice;
}

/** Visits every position of the ring `order` over `blocks` of `output`; none when it has fewer than two ranks. */
function eachPosition(order: readonly number[], blocks: readonly Range[], visit: (at: RingPosition) => void): void {
  const k = order.length;
  if (k < 2) return;
  for (let i = 0; i < k; i++) {
    const { prev, next } = ringNeighbours(order, i);
    visit({ i, rank: order[i]!, prev, next, block: (j) => slice('output', blocks[mod(j, k)]!) });
  }
}

/**
 * Ring reduce-scatter of `range` (already in `output`) among the ranks of `order`: the
 * range is cut into order.length blocks; position i ends with block i reduced over the
 * ring. NCCL's runRing first half: send, recvReduceCopySend × (k-2), recvReduce.
 */
export function ringReduceScatter(b: StepBuilder, c: number, order: readonly number[], blocks: readonly Range[]): void {
  const k = order.length;
  eachPosition(order, blocks, ({ i, rank, prev, next, block }) => {
    b.send(rank, c, next, block(i - 1));
    for (let j = 2; j < k; j++) b.recvReduceCopySend(rank, c, prev, next, block(i - j));
    b.recvReduce(rank, c, prev, block(i));
  });
}

/** Ring all-gather: position i starts with block i of `output`; send, recvCopySend × (k-2), recv. */
export function ringAllGather(b: StepBuilder, c: number, order: readonly number[], blocks: readonly Range[]): void {
  const k = order.length;
  eachPosition(order, blocks, ({ i, rank, prev, next, block }) => {
    b.send(rank, c, next, block(i));
    for (let j = 1; j < k - 1; j++) b.recvCopySend(rank, c, prev, next, block(i - j));
    b.recv(rank, c, prev, block(i + 1));
  });
}

/**
 * Ring all-reduce of `range` (in `output`) among `order`, NCCL's runRing shape for one
 * loop iteration: send; recvReduceCopySend × (k-2); recvReduceCopySend (the block is now
 * final: keep it and pass it on); recvCopySend × (k-2); recv. Each step moves its block as
 * `slices` messages, one after another (NCCL's prims move a chunk slice by slice, each with
 * its own flag): a rank forwards a block's first slice while its second is still arriving,
 * so a step's latency hides behind the transfer of its other slices.
 */
export function ringAllReduce(b: StepBuilder, c: number, order: readonly number[], range: Range, slices = 1): void {
  const k = order.length;
  const sliced = (whole: Slice, op: (part: Slice) => void): void => {
    for (const part of parts(whole.count, Math.max(1, Math.min(slices, whole.count)), whole.offset)) op(slice(whole.buffer, part));
  };
  eachPosition(order, parts(range.count, k, range.offset), ({ i, rank, prev, next, block }) => {
    sliced(block(i - 1), (s) => b.send(rank, c, next, s));
    for (let j = 2; j < k; j++) sliced(block(i - j), (s) => b.recvReduceCopySend(rank, c, prev, next, s));
    sliced(block(i), (s) => b.recvReduceCopySend(rank, c, prev, next, s));
    for (let j = 1; j < k - 1; j++) sliced(block(i - j), (s) => b.recvCopySend(rank, c, prev, next, s));
    sliced(block(i + 1), (s) => b.recv(rank, c, prev, s));
  });
}

/** The ring order of each of `channels` channels (already clamped to the count). */
export type RingOrders = (params: PlanParams, channels: number) => readonly (readonly number[])[];

/** How many slices a ring step moves its block in (1: the whole block as one message). */
export type RingSlices = (params: PlanParams) => number;

/**
 * A ring all-reduce over per-channel ring orders, NCCL's runRing (src/device/all_reduce.h)
 * on every channel. The buffer is split over the channels; channel c copies its part of
 * `input` to `output` and walks it around its own ring, in loop iterations of
 * nranks·chunkElements elements (the whole part when chunkElements is 0), each iteration a
 * ring reduce-scatter followed by a ring all-gather of its n blocks, each step's block moved
 * in slicesOf(params) slices.
 */
export function ringAlgorithm(name: string, description: string, ordersOf: RingOrders, slicesOf: RingSlices = () => 1): Algorithm {
  const algorithm: Algorithm = {
    name,
    collective: 'allReduce',
    description,
    constraints: 'any rank count; channels clamped to count',
    unsupported: (params) => invalidParams(params),
    plan(params: PlanParams): Schedule {
      assertPlannable(algorithm.unsupported(params));
      const { nranks: n, count, chunkElements } = params;
      const channels = channelRanges(count, params.channels);
      const orders = ordersOf(params, channels.length);
      const b = new StepBuilder(n, channels.length);
      channels.forEach((range, c) => {
        for (let r = 0; r < n; r++) b.copy(r, c, slice('input', range), slice('output', range));
        const loop = chunkElements > 0 ? chunksOf(range, chunkElements * n) : [range];
        for (const iteration of loop) ringAllReduce(b, c, orders[c]!, iteration, slicesOf(params));
      });
      return b.build('allReduce', name, params, { input: count, output: count, scratch: 0 });
    },
    /**
     * The larger of a latency-bound and a bandwidth-bound form:
     *   T = max(m·P, m·2(n-1)·b·β_ring + α_max)
     * Every loop iteration is 2(n-1) ring steps, one message (b = S/(m·n) bytes of all
     * channels together, S = count·elementBytes) per channel per step, each step waiting for
     * its predecessor's message. P is that chain's time on the slowest channel's ring: the
     * worst 2(n-1) consecutive hops (cost.ts ringPathNs), each the larger of the link's work
     * for the step, b·β_edge (cost.ts channelRingsEdgeNsPerByte: the hop's intra or inter
     * bandwidth shared by the channels crossing it at that rank), and one channel's own
     * block, α + (b/c)·β_class (its latency, then its bytes alone on the link: while it waits
     * the others use the link) — or their sum when every channel runs the same ring (lockstep:
     * they all wait at once). But a ring is only as slow as its slowest
     * hop's sender, which sends 2(n-1) blocks per iteration back to back while the faster
     * hops upstream keep it fed: then T is that sender's m·2(n-1) transfers at β_ring (the
     * worst edge, cost.ts channelRingsNsPerByte) and one last hop's latency (the ring's worst α), and the other
     * hops' latencies hide behind it. (dgx-h100:nodes=2: NVLink hops are 8× faster than the
     * NIC ones; charging every step the NIC's transfer plus every hop's α, as NCCL's additive
     * model does, overstated 16–128 MiB by up to 30 %.) With the block moved in s slices a
     * hop waits for its first slice only: α + (b/s)·β, or the link's work b·β when that is
     * longer (the later slices keep the link busy meanwhile). m = loop iterations of the largest
     * channel, ceil(ceil(count/c) / (n·chunkElements)) (1 without chunking). With every hop
     * alike P = 2(n-1)(α + bβ) dominates: the textbook 2(n-1)α + 2(n-1)/n·Sβ. 0 for n = 1
     * or count = 0.
     */
    predictNs(params: PlanParams, cost: CostParams): number {
      const { nranks: n, count, chunkElements, elementBytes } = params;
      if (n === 1 || count === 0) return 0;
      const c = clampChannels(params.channels, count);
      const m = chunkCount(Math.ceil(count / c), chunkElements > 0 ? chunkElements * n : 0);
      const stepBytes = (count * elementBytes) / (m * n);
      const slices = slicesOf(params);
      const orders = ordersOf(params, c);
      const alpha = hopAlpha(params, cost);
      const edgeNsPerByte = channelRingsEdgeNsPerByte(orders, params, cost);
      const same = (a: number, b: number): boolean => params.layout.groups.some((g) => g.includes(a) && g.includes(b));
      const aloneNsPerByte = (a: number, b: number): number => nsPerByte(same(a, b) ? cost.intra.bandwidthBytesPerSec : cost.inter.bandwidthBytesPerSec);
      // Channels on one and the same ring move in lockstep: they all wait out a hop's latency
      // at once, then share the link, so a step is α + the link's work. Channels on different
      // rings reach a link at different positions of their rings: while one waits out its
      // latency the others use the link (max-min sharing), so a step lasts the larger of the
      // link's work for the step (every channel's block through it) and one channel's own
      // block (its latency, then its bytes at the link's full rate).
      const lockstep = orders.every((order) => order.every((r, i) => r === orders[0]![i]));
      const sliceHopNs = (parts: number): HopAlpha =>
        lockstep
          ? (a, b) => Math.max(alpha(a, b) + (stepBytes / parts) * edgeNsPerByte(a, b), stepBytes * edgeNsPerByte(a, b))
          : (a, b) => Math.max(stepBytes * edgeNsPerByte(a, b), alpha(a, b) + (stepBytes / c / parts) * aloneNsPerByte(a, b));
      const hopNs = sliceHopNs(slices);
      // The iteration's last hop has no next step to overlap: its block lands whole (the unsliced hop).
      const wholeHopNs = sliceHopNs(1);
      const drainNs = Math.max(...orders.map((order) => ringPathNs(order, 1, (a, b) => wholeHopNs(a, b) - hopNs(a, b))));
      const chainNs = Math.max(...orders.map((order) => ringPathNs(order, 2 * (n - 1), hopNs))) + drainNs;
      const senderNs = 2 * (n - 1) * stepBytes * channelRingsNsPerByte(orders, params, cost);
      const lastHopNs = Math.max(...orders.map((order) => ringPathNs(order, 1, alpha)));
      return Math.max(m * chainNs, m * senderNs + lastHopNs);
    },
  };
  return algorithm;
}

/**
 * NCCL's Ring: every channel on the ring channel search gives it (src/channels/search.ts):
 * on NVLink inside a server, rail to rail between servers, channels spread over the NICs.
 * On flat layouts every channel takes the rank order. Runs under LL, LL128 or Simple
 * (params.protocol) with NCCL's Ring latencies (../protocols.ts).
 */
export const ring: Algorithm = withProtocols({
  ...ringAlgorithm(
    'ring',
    "NCCL ring: each channel reduce-scatters then all-gathers its part around its own ring (NVLink inside a server, rail to rail between servers, channels over every NIC), chunk by chunk.",
    (params, channels) => channelRings(params.layout, params.nranks, channels),
    (params) => ringSlicesPerChunk(protocolOf(params)),
  ),
  /** NCCL's channel count from the topology search (src/channels/search.ts), fewer for small messages as NCCL runs them. */
  defaultChannels: (params: PlanParams, cost: CostParams) =>
    channelsForBytes(searchChannelCount(params.layout, params.nranks, cost), params.count * params.elementBytes, 'Ring', protocolOf(params), params.nranks),
}, 'Ring');
