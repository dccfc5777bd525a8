import { StepBuilder, slice } from '../kit.js';
import { channelRanges, chunksOf, mod } from '../logical.js';
import { patAlgorithm, patChild, patChildren, patOrder, patParent } from '../pat.js';
import type { PlanParams, Schedule } from '../types.js';

/**
 * NCCL's PAT all-gather (pat.ts [pat], "PatDown"): per channel part and chunk, each rank copies
 * its input into its block of `output` and posts it at once to its tree children (rank − 2^d,
 * farthest first); then, in the tree's breadth-first order, it receives the piece of block
 * rank + s from rank + lowBit(s) and forwards it to that offset's children in the same step.
 * ⌈log2 n⌉ hops instead of a ring's n − 1, the same n − 1 pieces in and out. Simple only;
 * NCCL's tuner weighs it with one GPU per server (nccl-tuner.ts), `--algo pat` runs it anywhere.
 */
export const pat = patAlgorithm(
  'allGather',
  "NCCL's PAT: every rank's block goes down a binomial tree shifted to that rank (log2 n hops over rank ± 2^d), all trees at once, chunk by chunk.",
  (params: PlanParams): Schedule => {
    const { nranks: n, count, chunkElements } = params;
    const parts = channelRanges(count, params.channels);
    const b = new StepBuilder(n, parts.length, chunkElements);
    const order = patOrder(n);
    const rootKids = patChildren(0, n);
    parts.forEach((part, channel) => {
      for (const piece of chunksOf(part, chunkElements)) {
        for (let rank = 0; rank < n; rank++) {
          const out = (s: number) => slice('output', mod(rank + s, n) * count + piece.offset, piece.count);
          b.copy(rank, channel, slice('input', piece), out(0));
          if (rootKids.length > 0) b.send(rank, channel, rootKids.map((c) => patChild(rank, c, n)), out(0));
          for (const s of order) {
            const kids = patChildren(s, n).map((c) => patChild(rank, c, n));
            if (kids.length > 0) b.recvCopySend(rank, channel, patParent(rank, s, n), kids, out(s));
            else b.recv(rank, channel, patParent(rank, s, n), out(s));
          }
        }
      }
    });
    return b.build('allGather', 'pat', params, { input: count, output: count * n, scratch: 0 });
  },
);
