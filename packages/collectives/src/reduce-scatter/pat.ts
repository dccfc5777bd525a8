import { StepBuilder, slice } from '../kit.js';
import { channelRanges, chunksOf, mod } from '../logical.js';
import { patAlgorithm, patChild, patChildren, patOrder, patParent } from '../pat.js';
import type { PlanParams, Schedule } from '../types.js';

/**
 * NCCL's PAT reduce-scatter (pat.ts [pat], "PatUp"): all-gather's trees run backwards. Per
 * channel part and chunk, in the reverse of the tree's breadth-first order, the rank at offset s
 * of block rank + s sends its partial sum up to rank + lowBit(s): a leaf its input piece, an
 * inner node its input plus every child's partial (received from rank − lowBit(child), nearest
 * child first), accumulated in scratch; the root (offset 0) sums its children into its own
 * block of `output`. The same ⌈log2 n⌉ hops and n − 1 pieces each way as the all-gather.
 */
export const pat = patAlgorithm(
  'reduceScatter',
  "NCCL's PAT: partial sums of each block go up a binomial tree shifted to that block's rank (log2 n hops over rank ± 2^d), all trees at once, chunk by chunk.",
  (params: PlanParams): Schedule => {
    const { nranks: n, count, chunkElements } = params;
    const parts = channelRanges(count, params.channels);
    const b = new StepBuilder(n, parts.length, chunkElements);
    const upward = patOrder(n).reverse();
    // Inner nodes (even offsets ≥ 2) accumulate in scratch: slot s/2 − 1 holds block rank + s.
    const slots = Math.max(0, Math.floor((n - 1) / 2));
    // Nearest child first: its subtree is the smallest, so its partial is ready soonest.
    const kidsOf = (s: number) => patChildren(s, n).reverse();
    parts.forEach((part, channel) => {
      for (const piece of chunksOf(part, chunkElements)) {
        for (let rank = 0; rank < n; rank++) {
          const input = (s: number) => slice('input', mod(rank + s, n) * count + piece.offset, piece.count);
          const acc = (s: number) => slice('scratch', (s / 2 - 1) * count + piece.offset, piece.count);
          for (const s of upward) {
            const parent = patParent(rank, s, n);
            const kids = kidsOf(s);
            if (kids.length === 0) {
              b.send(rank, channel, parent, input(s));
              continue;
            }
            b.copy(rank, channel, input(s), acc(s));
            kids.forEach((c, i) => {
              if (i < kids.length - 1) b.recvReduce(rank, channel, patChild(rank, c, n), acc(s));
              else b.recvReduceCopySend(rank, channel, patChild(rank, c, n), parent, acc(s));
            });
          }
          const out = slice('output', piece.offset, piece.count);
          b.copy(rank, channel, input(0), out);
          for (const c of kidsOf(0)) b.recvReduce(rank, channel, patChild(rank, c, n), out);
        }
      }
    });
    return b.build('reduceScatter', 'pat', params, { input: count * n, output: count, scratch: slots * count });
  },
);
