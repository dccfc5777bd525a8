import type { Algorithm, BufferName, CostParams, PlanParams, Schedule } from '../types.js';
import { type Range, chunksOf, fold } from '../logical.js';
import { StepLists, assertPlannable, firstBlock, invalidParams, slice } from '../all-gather/schedule-kit.js';

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
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const { nranks: n, count, chunkElements } = params;
    const lists = new StepLists(n, 1);
    const blocks = (first: number, end: number): Range => ({ offset: first * count, count: (end - first) * count });
    const sendRange = (rank: number, to: number, buffer: BufferName, range: Range) => {
      for (const c of chunksOf(range, chunkElements)) lists.send(rank, 0, to, slice(buffer, c.offset, c.count));
    };
    const recvReduceRange = (rank: number, from: number, buffer: BufferName, range: Range) => {
      for (const c of chunksOf(range, chunkElements)) lists.recvReduce(rank, 0, from, slice(buffer, c.offset, c.count));
    };
    const whole = blocks(0, n);
    if (count > 0 && n === 1) lists.copy(0, 0, slice('input', 0, count), slice('output', 0, count));
    if (count > 0 && n > 1) {
      const f = fold(n);
      for (let rank = 0; rank < n; rank++) {
        const v = f.virtualOf(rank);
        if (v < 0) {
          // Folded away: contribute everything to rank+1, get block `rank` back at the end.
          sendRange(rank, rank + 1, 'input', whole);
          for (const c of chunksOf({ offset: 0, count }, chunkElements)) {
            lists.recv(rank, 0, rank + 1, slice('output', c.offset, c.count));
          }
          continue;
        }
        const absorbs = rank < 2 * f.rem;
        let src: BufferName = 'input';
        if (absorbs) {
          lists.copy(rank, 0, slice('input', 0, whole.count), slice('scratch', 0, whole.count));
          recvReduceRange(rank, rank - 1, 'scratch', whole);
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
          sendRange(rank, partner, src, blocks(firstBlock(f, n, sendLo), firstBlock(f, n, sendHi)));
          if (keepEnd - keepFirst === 1) {
            // Last round of a rank owning only its own block: reduce into output directly.
            lists.copy(rank, 0, slice(src, keepFirst * count, count), slice('output', 0, count));
            recvReduceRange(rank, partner, 'output', { offset: 0, count });
          } else {
            const kept = blocks(keepFirst, keepEnd);
            if (src === 'input') lists.copy(rank, 0, slice('input', kept.offset, kept.count), slice('scratch', kept.offset, kept.count));
            recvReduceRange(rank, partner, 'scratch', kept);
          }
          src = 'scratch';
          lo = keepLo;
          hi = keepHi;
        }
        if (absorbs) {
          sendRange(rank, rank - 1, 'scratch', blocks(rank - 1, rank));
          lists.copy(rank, 0, slice('scratch', rank * count, count), slice('output', 0, count));
        }
      }
    }
    const scratch = n > 1 ? count * n : 0;
    return lists.finish('reduceScatter', 'halving', params, { input: count * n, output: count, scratch });
  },
  /**
   * T = [rem>0]·(alpha + n·S) + Σ_{d=p/2,…,1} (alpha + b_d·S) + [rem>0]·(alpha + S), where
   * S = count·elementBytes/B is one block's time at injection bandwidth B, p the largest
   * power of two <= n, rem = n-p, and b_d the most blocks any rank sends in the round at
   * distance d (= d for powers of two, so the sum is log2(p)·alpha + (p-1)·S). A round's
   * chunks are all sent before any is received, so chunking adds no alpha. Exact for powers
   * of two; otherwise an upper bound, since ranks that did not fold start round one while
   * the fold is still in flight. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const blockNs = (count * elementBytes * 1e9) / cost.bandwidthBytesPerSec;
    const f = fold(n);
    let timeNs = f.rem > 0 ? 2 * cost.alphaNs + (n + 1) * blockNs : 0;
    for (let d = f.pof2 / 2; d >= 1; d /= 2) {
      let mostBlocks = 0;
      for (let v = 0; v < f.pof2; v++) {
        const lo = v & ~(2 * d - 1);
        const sendLo = v & d ? lo : lo + d;
        mostBlocks = Math.max(mostBlocks, firstBlock(f, n, sendLo + d) - firstBlock(f, n, sendLo));
      }
      timeNs += cost.alphaNs + mostBlocks * blockNs;
    }
    return timeNs;
  },
};
