import { StepBuilder, assertPlannable, foldAlphaNs, foldLinkFactor, foldNsPerByte, railHopAlpha, hypercubeAlphaNs, hypercubeLinkFactor, hypercubeNsPerByte, invalidParams, rankLinks, slice } from '../kit.js';
import { firstBlock, fold } from '../logical.js';
import { replayMessagesNs, type MessageWriter } from '../message-replay.js';
import type { Algorithm, CostParams, PlanParams, Schedule, Slice } from '../types.js';

/**
 * Recursive doubling. With p the largest power of two <= n and rem = n - p, ranks 2i < 2·rem
 * first send their block to 2i+1 and sit out; the p "virtual" ranks then own contiguous
 * block ranges (two blocks for a folded pair, one otherwise). In round d = 1, 2, …, p/2 a
 * virtual rank swaps everything its group of d holds with the partner group at distance d,
 * so the held range doubles. Finally each rank 2i+1 sends all of `output` except block 2i
 * back to rank 2i. Everything is exchanged in place in `output`.
 *
 * One channel: every round forwards what the previous round received over a contiguous
 * block range, which an element-wise channel split would cut into one message per block.
 */
export const rd: Algorithm = {
  name: 'rd',
  collective: 'allGather',
  description: 'Recursive doubling: log2 rounds of pairwise swaps, the gathered range doubling each round.',
  constraints: 'any rank count (non-powers of two fold the extra ranks in); one channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(rd.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, 1, chunkElements);
    rdSteps(b, params);
    return b.build('allGather', 'rd', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = [rem>0]·(alpha + S) + Σ_{d=1,2,…,p/2} (alpha + b_d·S) + [rem>0]·(alpha + (n-1)·S),
   * where S = count·elementBytes·β_d is one block's time on the round's slowest link (NVLink
   * inside a server, the NIC between: cost.ts rankLinks; injection bandwidth B on a switch),
   * alpha per hop as the simulation delivers it (railHopAlpha), p the
   * largest power of two <= n, rem = n-p, and b_d the most blocks any group of d virtual
   * ranks holds (= d for powers of two, so the sum is log2(p)·alpha + (p-1)·S). A round's
   * chunks are all sent before any is received, so chunking adds no alpha. Exact for powers
   * of two. A fold (rem > 0) is replayed from the schedule's own messages instead
   * (message-replay.ts): ranks that did not fold start round one while the fold is in flight,
   * and their messages share the fold partner's in-link with it. Where paths are narrower than a rank's injection a round's
   * S counts the links its messages share (cost.ts roundLinkFactor; ring:8 4 MiB: 49 → 235
   * µs predicted, 235 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const blockBytes = count * elementBytes;
    const links = rankLinks(params, cost);
    const f = fold(n);
    if (f.rem > 0) {
      const replayed = replayMessagesNs(params, cost, 1, (w) => rdSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const alpha = railHopAlpha(params, cost);
    let timeNs = f.rem > 0 ? 2 * foldAlphaNs(n, f, alpha) + n * blockBytes * foldNsPerByte(n, f, links) * foldLinkFactor(params, f) : 0;
    for (let d = 1; d < f.pof2; d *= 2) {
      // The blocks virtual rank v's group of d holds: what it sends this round.
      const held = (v: number): number => firstBlock(f, n, (v & ~(d - 1)) + d) - firstBlock(f, n, v & ~(d - 1));
      let mostBlocks = 0;
      for (let g = 0; g < f.pof2; g += d) mostBlocks = Math.max(mostBlocks, held(g));
      const onLinks = hypercubeLinkFactor(params, f, d, (r) => (f.virtualOf(r) < 0 ? 0 : held(f.virtualOf(r))));
      timeNs += hypercubeAlphaNs(n, f, d, alpha) + mostBlocks * blockBytes * hypercubeNsPerByte(n, f, d, links) * onLinks;
    }
    return timeNs;
  },
};

/** rd's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function rdSteps(b: MessageWriter, params: PlanParams): void {
  const { nranks: n, count } = params;
  /** Blocks first..end-1 of `output`. */
  const blocks = (first: number, end: number): Slice => slice('output', first * count, (end - first) * count);
  if (count > 0) {
    const f = fold(n);
    for (let rank = 0; rank < n; rank++) {
      b.copy(rank, 0, slice('input', 0, count), blocks(rank, rank + 1));
      const v = f.virtualOf(rank);
      if (v < 0) {
        // Folded away: hand the block to rank+1, get everything else back at the end.
        b.sendChunked(rank, 0, rank + 1, slice('input', 0, count));
        b.recvChunked(rank, 0, rank + 1, blocks(0, rank));
        b.recvChunked(rank, 0, rank + 1, blocks(rank + 1, n));
        continue;
      }
      const absorbs = rank < 2 * f.rem;
      if (absorbs) b.recvChunked(rank, 0, rank - 1, blocks(rank - 1, rank));
      for (let d = 1; d < f.pof2; d *= 2) {
        const partnerV = v ^ d;
        const mine = v & ~(d - 1);
        const theirs = partnerV & ~(d - 1);
        const partner = f.realOf(partnerV);
        b.sendChunked(rank, 0, partner, blocks(firstBlock(f, n, mine), firstBlock(f, n, mine + d)));
        b.recvChunked(rank, 0, partner, blocks(firstBlock(f, n, theirs), firstBlock(f, n, theirs + d)));
      }
      if (absorbs) {
        b.sendChunked(rank, 0, rank - 1, blocks(0, rank - 1));
        b.sendChunked(rank, 0, rank - 1, blocks(rank, n));
      }
    }
  }
}
