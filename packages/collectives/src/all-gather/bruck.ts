import { StepBuilder, assertPlannable, invalidParams, railHopAlpha, rankLinks, replayDoublingRoundsNs, rotationLinkFactor, slice } from '../kit.js';
import { type Range, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * The blocks first, first+1, …, first+blocks-1 (mod n) of `output` as at most two
 * contiguous ranges, split where the run wraps past block n-1.
 */
function wrappedBlocks(first: number, blocks: number, nranks: number, count: number): Range[] {
  const beforeWrap = Math.min(blocks, nranks - first);
  const ranges: Range[] = [{ offset: first * count, count: beforeWrap * count }];
  if (blocks > beforeWrap) ranges.push({ offset: 0, count: (blocks - beforeWrap) * count });
  return ranges;
}

/**
 * Bruck's all-gather (Bruck et al. 1997; MPICH allgather_bruck): in round i with
 * d = 2^i, rank r holds blocks r … r+d-1 (mod n) and sends the first min(d, n-d) of them
 * to rank r-d while receiving blocks r+d … from rank r+d; after ⌈log2 n⌉ rounds it holds
 * all n. Instead of Bruck's rotated scratch buffer and final local rotation, blocks go
 * straight to their place in `output`; a run that wraps past block n-1 is sent as two
 * messages (sender and receiver cut it at the same block).
 *
 * One channel: every round forwards what the previous round received over a run of
 * blocks, which an element-wise channel split would cut into one message per block.
 */
export const bruck: Algorithm = {
  name: 'bruck',
  collective: 'allGather',
  description: "Bruck's algorithm: ceil(log2 n) rounds for any rank count, the held run of blocks doubling each round.",
  constraints: 'any rank count; one channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(bruck.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, 1, chunkElements);
    if (count > 0) {
      for (let rank = 0; rank < n; rank++) {
        b.copy(rank, 0, slice('input', 0, count), slice('output', rank * count, count));
        for (let d = 1; d < n; d *= 2) {
          const blocks = Math.min(d, n - d);
          const to = mod(rank - d, n);
          const from = mod(rank + d, n);
          for (const range of wrappedBlocks(rank, blocks, n, count)) b.sendChunked(rank, 0, to, slice('output', range));
          for (const range of wrappedBlocks(from, blocks, n, count)) b.recvChunked(rank, 0, from, slice('output', range));
        }
      }
    }
    return b.build('allGather', 'bruck', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * The rounds replayed rank by rank (no contention): rank x starts round i (d = 2^i) at t_i(x),
   * its min(d, n-d) blocks leave back to back by its link to x-d, and it has the round's blocks
   * when those from x+d land, so t_{i+1}(x) = max(t_i(x) + b_i·β(x, x-d), t_i(x+d) + α(x+d, x) +
   * b_i·β(x+d, x)); T = max_x t_R(x). β per link class (cost.ts rankLinks: NVLink inside a server,
   * the NIC between; one β on a switch), α per hop (railHopAlpha). On a switch every rank is
   * alike and this is Σ_i (α + b_i·β) = ⌈log2 n⌉·α + (n-1)·S·β, the closed form it was; across
   * servers a round's cross-server hop delays only the ranks downstream of it, where charging
   * every round its worst hop and one β gave 1.8× the simulation at 1 KiB on two DGX servers
   * (predictor-error.md, "Bruck's rounds replayed"). Not modelled: messages of successive rounds
   * landing on one NIC at once when their senders ran ahead (the simulation is 1.09–1.23× this
   * from 4 MiB across DGX/HGX servers). A round's messages leave back to back and are received
   * after, so a wrap split or chunking adds no α. Where paths are narrower than a rank's
   * injection a round's β counts the links its messages share (cost.ts roundLinkFactor; ring:8
   * 4 MiB: 49 → 235 µs predicted, 235 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const blockBytes = count * elementBytes;
    const links = rankLinks(params, cost);
    const beta = (a: number, b: number): number => links.nsPerByte[links.classOf(a, b)]!;
    const alpha = railHopAlpha(params, cost);
    // Each round's links as its messages (every rank to x - d) share them.
    const onLinks = new Map<number, number>();
    for (let d = 1; d < n; d *= 2) onLinks.set(d, rotationLinkFactor(params, -d));
    return replayDoublingRoundsNs(n, (d, x, t) => {
      const bytes = Math.min(d, n - d) * blockBytes * onLinks.get(d)!;
      const from = mod(x + d, n);
      return Math.max(t[x]! + bytes * beta(x, mod(x - d, n)), t[from]! + alpha(from, x) + bytes * beta(from, x));
    });
  },
};
