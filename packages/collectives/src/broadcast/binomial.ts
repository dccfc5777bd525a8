import { StepBuilder, assertPlannable, channelBlockNs, binomialLatencyNs, hopAlpha, invalidParams, slice } from '../kit.js';
import { binomialChildren, binomialParent, ceilLog2, channelRanges, chunksOf } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Binomial-tree broadcast (MPICH bcast_binomial) with the tree rotated onto `root`: per
 * channel part and chunk, a rank receives from its parent into `output` and sends to its
 * children, largest subtree first; the root sends from `input` and copies it to `output`.
 * Channels are clamped to `count` so that no channel is empty.
 */
export const binomial: Algorithm = {
  name: 'binomial',
  collective: 'broadcast',
  description: 'Binomial tree from the root: ceil(log2 n) levels, each rank forwarding to its children.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(binomial.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    const parent = Array.from({ length: n }, (_, rank) => binomialParent(rank, n, root));
    const children = Array.from({ length: n }, (_, rank) => binomialChildren(rank, n, root));
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const out = slice('output', chunk);
        for (let rank = 0; rank < n; rank++) {
          const from = parent[rank]!;
          const src = from < 0 ? slice('input', chunk) : out;
          if (from >= 0) b.recv(rank, channel, from, out);
          for (const child of children[rank]!) b.send(rank, channel, child, src);
          if (from < 0) b.copy(rank, channel, src, out);
        }
      }
    });
    return b.build('broadcast', 'binomial', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = ⌈log2 n⌉·(alpha + S_c·c/B), S_c = ceil(count/c)·elementBytes per channel part, c
   * channels sharing injection bandwidth B: the root sends the whole message to each of
   * its ⌈log2 n⌉ children, and the deepest leaf is ⌈log2 n⌉ hops away. Pipelining overlaps
   * hops but not the root's ⌈log2 n⌉ copies, so chunking is left out. Exact for a power of
   * two sent in one chunk; otherwise an upper bound (the root's first child has a truncated
   * subtree, and later chunks overlap hops). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return binomialLatencyNs(n, params.root, hopAlpha(params, cost)) + ceilLog2(n) * channelBlockNs(params, cost);
  },
};
