import { StepBuilder, assertPlannable, invalidParams, slice, type EmptyTransfers } from '../kit.js';
import { eachSlice, ncclRingChannels, ncclRingEmptyTransfers, ncclRingChunkBytes, ncclRingFillSlices, ncclRingOrders, ncclRingSlices, ringPipelineNs, sliceShares, wholeBlock, type SliceRule } from '../nccl-ring.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, mod, parts, ringNeighbours, type Range } from '../logical.js';
import { withProtocols } from '../protocols.js';
import type { Algorithm, CostParams, PlanParams, Schedule, Slice } from '../types.js';

/** One position of a ring walk: its rank, neighbours and block(j) = `output` block j mod k. */
interface RingPosition {
  readonly i: number;
  readonly rank: number;
  readonly prev: number;
  readonly next: number;
  block(j: number): Slice;
  /**
   * Blocks i-from, i-from-1, … (mod k), `count` of them, as runs of equal, adjacent blocks:
   * `run(first, reps, stride)` per run, stride the offset step from one block to the next.
   */
  descending(from: number, count: number, run: (first: Slice, reps: number, strideElements: number) => void): void;
}

/** Visits every position of the ring `order` over `blocks` of `output`; none when it has fewer than two ranks. */
function eachPosition(order: readonly number[], blocks: readonly Range[], visit: (at: RingPosition) => void): void {
  const k = order.length;
  if (k < 2) return;
  // below[q]: how many blocks from q down (q, q-1, …) are equal in size and adjacent.
  const below = new Int32Array(k);
  for (let q = 0; q < k; q++) {
    const same = q > 0 && blocks[q - 1]!.count === blocks[q]!.count && blocks[q - 1]!.offset + blocks[q - 1]!.count === blocks[q]!.offset;
    below[q] = same ? below[q - 1]! + 1 : 1;
  }
  const block = (j: number): Slice => slice('output', blocks[mod(j, k)]!);
  for (let i = 0; i < k; i++) {
    const { prev, next } = ringNeighbours(order, i);
    const descending = (from: number, count: number, run: (first: Slice, reps: number, strideElements: number) => void): void => {
      for (let done = 0; done < count; ) {
        const q = mod(i - from - done, k);
        const reps = Math.min(count - done, below[q]!);
        run(block(q), reps, -blocks[q]!.count);
        done += reps;
      }
    };
    visit({ i, rank: order[i]!, prev, next, block, descending });
  }
}

/**
 * Ring reduce-scatter of `range` (already in `output`) among the ranks of `order`: the
 * range is cut into order.length blocks; position i ends with block i reduced over the
 * ring. NCCL's runRing first half: send, recvReduceCopySend × (k-2), recvReduce.
 */
export function ringReduceScatter(b: StepBuilder, c: number, order: readonly number[], blocks: readonly Range[]): void {
  const k = order.length;
  eachPosition(order, blocks, ({ i, rank, prev, next, block, descending }) => {
    b.send(rank, c, next, block(i - 1));
    descending(2, k - 2, (first, reps, stride) => b.repeat(rank, c, reps, stride, () => b.recvReduceCopySend(rank, c, prev, next, first)));
    b.recvReduce(rank, c, prev, block(i));
  });
}

/** Ring all-gather: position i starts with block i of `output`; send, recvCopySend × (k-2), recv. */
export function ringAllGather(b: StepBuilder, c: number, order: readonly number[], blocks: readonly Range[]): void {
  const k = order.length;
  eachPosition(order, blocks, ({ i, rank, prev, next, block, descending }) => {
    b.send(rank, c, next, block(i));
    descending(1, k - 2, (first, reps, stride) => b.repeat(rank, c, reps, stride, () => b.recvCopySend(rank, c, prev, next, first)));
    b.recv(rank, c, prev, block(i + 1));
  });
}

/**
 * Ring all-reduce of `range` (in `output`) among `order`, NCCL's runRing shape for one
 * loop iteration: send; recvReduceCopySend × (k-2); recvReduceCopySend (the block is now
 * final: keep it and pass it on); recvCopySend × (k-2); recv. Each step moves its block as
 * the messages `slices` cuts it into, one after another (NCCL's prims move a chunk slice by
 * slice, each with its own flag): a rank forwards a block's first slice while its second is
 * still arriving, so a step's latency hides behind the transfer of its other slices. The
 * k-2 steps of each half go to the tape as runs of like blocks (StepBuilder.repeat).
 */
export function ringAllReduce(b: StepBuilder, c: number, order: readonly number[], range: Range, slices: SliceRule = wholeBlock): void {
  const k = order.length;
  const sliced = (whole: Slice, op: (part: Slice) => void): void => eachSlice(whole, slices, op);
  eachPosition(order, parts(range.count, k, range.offset), ({ i, rank, prev, next, block, descending }) => {
    sliced(block(i - 1), (s) => b.send(rank, c, next, s));
    descending(2, k - 2, (first, reps, stride) => b.repeat(rank, c, reps, stride, () => sliced(first, (s) => b.recvReduceCopySend(rank, c, prev, next, s))));
    sliced(block(i), (s) => b.recvReduceCopySend(rank, c, prev, next, s));
    descending(1, k - 2, (first, reps, stride) => b.repeat(rank, c, reps, stride, () => sliced(first, (s) => b.recvCopySend(rank, c, prev, next, s))));
    sliced(block(i + 1), (s) => b.recv(rank, c, prev, s));
  });
}

/** The ring order of each of `channels` channels (already clamped to the count). */
export type RingOrders = (params: PlanParams, channels: number) => readonly (readonly number[])[];

/** How a ring step cuts its block into messages under `params` (wholeBlock: the block as one message). */
export type RingSlices = (params: PlanParams) => SliceRule;

/** What a step of an empty block is under `params`: dropped (the builder's default for textbook plans) or kept. */
export type RingEmptySteps = (params: PlanParams) => EmptyTransfers;

/**
 * A ring all-reduce over per-channel ring orders, NCCL's runRing (src/device/all_reduce.h)
 * on every channel. The buffer is split over the channels; channel c copies its part of
 * `input` to `output` and walks it around its own ring, in loop iterations of
 * nranks·chunkElements elements (the whole part when chunkElements is 0), each iteration a
 * ring reduce-scatter followed by a ring all-gather of its n blocks, each step's block moved
 * in slicesOf(params) slices — in fillSlicesOf(params) in the first iteration. A rank whose
 * block is empty (count < n, or a short last loop iteration) runs its steps or skips them as
 * emptyOf(params) says: NCCL's kernel runs them (nccl-ring.ts ncclRingEmptyTransfers).
 */
export function ringAlgorithm(name: string, description: string, ordersOf: RingOrders, slicesOf: RingSlices = () => wholeBlock, fillSlicesOf: RingSlices = slicesOf, emptyOf: RingEmptySteps = () => 'drop'): Algorithm {
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
      const b = new StepBuilder(n, channels.length, 0, { emptyTransfers: emptyOf(params) });
      channels.forEach((range, c) => {
        for (let r = 0; r < n; r++) b.copy(r, c, slice('input', range), slice('output', range));
        const loop = chunkElements > 0 ? chunksOf(range, chunkElements * n) : [range];
        const [fill, slices] = [fillSlicesOf(params), slicesOf(params)];
        loop.forEach((iteration, i) => ringAllReduce(b, c, orders[c]!, iteration, i === 0 ? fill : slices));
        b.partsPlanned(c + 1, channels.length);
      });
      return b.build('allReduce', name, params, { input: count, output: count, scratch: 0 });
    },
    /**
     * ring-pipeline.ts's closed form: m loop iterations of 2(n-1) dependent hops, each
     * moving b = S/(m·n) bytes (all channels together), m the largest channel's iterations,
     * ceil(ceil(count/c) / (n·chunkElements)) (1 without chunking), the first one's blocks
     * moved as fillSlicesOf says. 0 for n = 1 or count = 0.
     */
    predictNs(params: PlanParams, cost: CostParams): number {
      const { nranks: n, count, chunkElements, elementBytes } = params;
      if (n === 1 || count === 0) return 0;
      const c = clampChannels(params.channels, count);
      const m = chunkCount(Math.ceil(count / c), chunkElements > 0 ? chunkElements * n : 0);
      const stepBytes = (count * elementBytes) / (m * n);
      const slices = sliceShares(slicesOf(params), count / (m * n * c));
      const fill = fillSlicesOf === slicesOf ? {} : { fillSlices: sliceShares(fillSlicesOf(params), count / (m * n * c)) };
      return ringPipelineNs({ orders: ordersOf(params, c), hops: 2 * (n - 1), stepBytes, iterations: m, slices, ...fill }, params, cost);
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
    ncclRingOrders,
    ncclRingSlices,
    ncclRingFillSlices,
    ncclRingEmptyTransfers,
  ),
  /** NCCL's channel count from the topology search (src/channels/search.ts), fewer for small messages as NCCL runs them. */
  defaultChannels: (params: PlanParams, cost: CostParams) =>
    ncclRingChannels(params, cost, params.count * params.elementBytes),
  defaultChunkBytes: ncclRingChunkBytes,
}, 'Ring');
