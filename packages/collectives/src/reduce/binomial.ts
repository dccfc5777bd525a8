import { StepBuilder, assertPlannable, channelBlockNs, binomialLatencyNs, hopAlpha, invalidParams, largestChunk, slice } from '../kit.js';
import { binomialChildren, binomialParent, ceilLog2, channelRanges, chunksOf } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Binomial-tree reduce (MPICH reduce_binomial) with the tree rotated onto `root`: per
 * channel part and chunk, a leaf sends its input to its parent; an inner rank copies its
 * input into its accumulator, reduces each child's partial into it (smallest subtree
 * first, as it arrives first) and sends it up. The root accumulates in `output`, other
 * ranks in a one-chunk scratch slot per channel (non-root `output` is never touched).
 * Channels are clamped to `count`.
 */
export const binomial: Algorithm = {
  name: 'binomial',
  collective: 'reduce',
  description: 'Binomial tree to the root: ceil(log2 n) levels, each rank reducing its children into its own partial.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(binomial.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const slotCount = largestChunk(params);
    const b = new StepBuilder(n, channels.length);
    const parent = Array.from({ length: n }, (_, rank) => binomialParent(rank, n, root));
    const children = Array.from({ length: n }, (_, rank) => binomialChildren(rank, n, root).reverse());
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const mine = slice('input', chunk);
        for (let rank = 0; rank < n; rank++) {
          const up = parent[rank]!;
          if (up >= 0 && children[rank]!.length === 0) {
            b.send(rank, channel, up, mine);
            continue;
          }
          const acc = up < 0 ? slice('output', chunk) : slice('scratch', channel * slotCount, chunk.count);
          b.copy(rank, channel, mine, acc);
          for (const child of children[rank]!) b.recvReduce(rank, channel, child, acc);
          if (up >= 0) b.send(rank, channel, up, acc);
        }
      }
    });
    const innerNonRoot = parent.some((up, rank) => up >= 0 && children[rank]!.length > 0);
    const scratch = innerNonRoot && count > 0 ? channels.length * slotCount : 0;
    return b.build('reduce', 'binomial', params, { input: count, output: count, scratch });
  },
  /**
   * T = ⌈log2 n⌉·(alpha + S_c·c/B), S_c = ceil(count/c)·elementBytes per channel part, c
   * channels sharing injection bandwidth B: the root receives a whole partial from each of
   * its ⌈log2 n⌉ children in turn, the deepest leaf being ⌈log2 n⌉ hops away (the mirror
   * of the binomial broadcast, charging the root's ⌈log2 n⌉·S_c of incoming data to its
   * link). Exact for a power of two sent in one chunk. A model without receive-side
   * contention finishes pipelined or non-power-of-two runs earlier, since the children's
   * streams then overlap for free. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return binomialLatencyNs(n, params.root, hopAlpha(params, cost)) + ceilLog2(n) * channelBlockNs(params, cost);
  },
};
