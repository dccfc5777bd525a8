import { StepBuilder, assertPlannable, foldAlphaNs, foldLinkFactor, foldNsPerByte, hypercubeAlphaNs, hypercubeLinkFactor, hypercubeNsPerByte, invalidParams, railHopAlpha, rankLinks, slice } from '../kit.js';
import { firstBlock, fold } from '../logical.js';
import { replayMessagesNs, type MessageWriter } from '../message-replay.js';
import type { Algorithm, BufferName, CostParams, PlanParams, Schedule, Slice } from '../types.js';

/**
 * Recursive halving (MPICH's reduce_scatter for commutative ops). With p the largest power
 * of two <= n and rem = n - p, ranks 2i < 2·rem first hand their whole input to 2i+1 and
 * sit out; the p remaining "virtual" ranks own contiguous block ranges (two blocks for a
 * folded pair, one otherwise). In each of log2 p rounds a virtual rank exchanges with the
 * partner at distance p/2, p/4, …, 1: it sends the half of its current block range that the
 * partner keeps and reduces the partner's copy of the half it keeps. Partial sums live in
 * `scratch` (block-indexed like `input`); the last round reduces straight into `output`.
 * Finally each folded odd rank sends block 2i back to rank 2i.
 *
 * One channel: every round reads what the previous round reduced over a contiguous block
 * range, which an element-wise channel split would cut into one message per block.
 */
export const halving: Algorithm = {
  name: 'halving',
  collective: 'reduceScatter',
  description: 'Recursive halving: log2 rounds, each exchanging and reducing half of the remaining blocks.',
  constraints: 'any rank count (non-powers of two fold the extra ranks in); one channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(halving.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, 1, chunkElements);
    halvingSteps(b, params);
    const scratch = n > 1 ? count * n : 0;
    return b.build('reduceScatter', 'halving', params, { input: count * n, output: count, scratch });
  },
  /**
   * T = [rem>0]·(alpha + n·S) + Σ_{d=p/2,…,1} (alpha + b_d·S) + [rem>0]·(alpha + S), where
   * S = count·elementBytes·β_d is one block's time on the round's slowest link (NVLink inside a
   * server, the NIC between: cost.ts rankLinks; injection bandwidth B on a switch), alpha per hop
   * as the simulation delivers it (railHopAlpha), p the largest
   * power of two <= n, rem = n-p, and b_d the most blocks any rank sends in the round at
   * distance d (= d for powers of two, so the sum is log2(p)·alpha + (p-1)·S). A round's
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
      const replayed = replayMessagesNs(params, cost, 1, (w) => halvingSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const alpha = railHopAlpha(params, cost);
    let timeNs = f.rem > 0 ? 2 * foldAlphaNs(n, f, alpha) + (n + 1) * blockBytes * foldNsPerByte(n, f, links) * foldLinkFactor(params, f) : 0;
    for (let d = f.pof2 / 2; d >= 1; d /= 2) {
      // The blocks virtual rank v sends this round: the half of its range its partner keeps.
      const sent = (v: number): number => {
        const lo = v & ~(2 * d - 1);
        const sendLo = v & d ? lo : lo + d;
        return firstBlock(f, n, sendLo + d) - firstBlock(f, n, sendLo);
      };
      let mostBlocks = 0;
      for (let v = 0; v < f.pof2; v++) mostBlocks = Math.max(mostBlocks, sent(v));
      const onLinks = hypercubeLinkFactor(params, f, d, (r) => (f.virtualOf(r) < 0 ? 0 : sent(f.virtualOf(r))));
      timeNs += hypercubeAlphaNs(n, f, d, alpha) + mostBlocks * blockBytes * hypercubeNsPerByte(n, f, d, links) * onLinks;
    }
    return timeNs;
  },
};

/** halving's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function halvingSteps(b: MessageWriter, params: PlanParams): void {
  const { nranks: n, count } = params;
  /** Blocks first..end-1 of `buffer` (block-indexed like `input`). */
  const blocks = (buffer: BufferName, first: number, end: number): Slice => slice(buffer, first * count, (end - first) * count);
  const mine = slice('output', 0, count);
  if (n === 1) b.copy(0, 0, slice('input', 0, count), mine);
  if (count > 0 && n > 1) {
    const f = fold(n);
    for (let rank = 0; rank < n; rank++) {
      const v = f.virtualOf(rank);
      if (v < 0) {
        // Folded away: contribute everything to rank+1, get block `rank` back at the end.
        b.sendChunked(rank, 0, rank + 1, blocks('input', 0, n));
        b.recvChunked(rank, 0, rank + 1, mine);
        continue;
      }
      const absorbs = rank < 2 * f.rem;
      let src: BufferName = 'input';
      if (absorbs) {
        b.copy(rank, 0, blocks('input', 0, n), blocks('scratch', 0, n));
        b.recvReduceChunked(rank, 0, rank - 1, blocks('scratch', 0, n));
        src = 'scratch';
      }
      let lo = 0;
      let hi = f.pof2;
      for (let d = f.pof2 / 2; d >= 1; d /= 2) {
        const mid = lo + d;
        const partner = f.realOf(v ^ d);
        const [keepLo, keepHi, sendLo, sendHi] = v < mid ? [lo, mid, mid, hi] : [mid, hi, lo, mid];
        const keepFirst = firstBlock(f, n, keepLo);
        const keepEnd = firstBlock(f, n, keepHi);
        b.sendChunked(rank, 0, partner, blocks(src, firstBlock(f, n, sendLo), firstBlock(f, n, sendHi)));
        if (keepEnd - keepFirst === 1) {
          // Last round of a rank owning only its own block: reduce into output directly.
          b.copy(rank, 0, blocks(src, keepFirst, keepEnd), mine);
          b.recvReduceChunked(rank, 0, partner, mine);
        } else {
          if (src === 'input') b.copy(rank, 0, blocks('input', keepFirst, keepEnd), blocks('scratch', keepFirst, keepEnd));
          b.recvReduceChunked(rank, 0, partner, blocks('scratch', keepFirst, keepEnd));
        }
        src = 'scratch';
        lo = keepLo;
        hi = keepHi;
      }
      if (absorbs) {
        b.sendChunked(rank, 0, rank - 1, blocks('scratch', rank - 1, rank));
        b.copy(rank, 0, blocks('scratch', rank, rank + 1), mine);
      }
    }
  }
}
