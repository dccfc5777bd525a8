import { StepBuilder, assertPlannable, railHopAlpha, invalidParams, foldAlphaNs, foldLinkFactor, foldNsPerByte, hypercubeAlphaNs, hypercubeLinkFactor, hypercubeNsPerByte, rankLinks, slice } from '../kit.js';
import { channelRanges, floorLog2, fold, parts, spanOf } from '../logical.js';
import { replayMessagesNs, type MessageWriter } from '../message-replay.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { foldedAllReduce } from './rd.js';

/**
 * Recursive halving-doubling (Rabenseifner; MPICH allreduce for long messages, Gloo's
 * allreduce_halving_doubling.h). Non-powers of two fold first: with p the largest power
 * of two <= n, the first 2·(n-p) ranks pair up and the even one adds its buffer into the
 * odd one, then sits out. The p remaining ranks reduce-scatter by recursive halving (at
 * distance p/2, p/4, …, 1 each sends the half of its current window its partner keeps and
 * reduces the half it keeps, ending with block v of p), then all-gather by recursive
 * doubling (distance 1, 2, …, p/2); finally the folded ranks receive the result.
 */
export const rhd: Algorithm = {
  name: 'rhd',
  collective: 'allReduce',
  description: 'Rabenseifner: reduce-scatter by recursive halving, then all-gather by recursive doubling (extra ranks folded in and out).',
  constraints: 'any rank count (non-powers of two fold the extra ranks in and out)',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(rhd.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, channelRanges(count, params.channels).length, chunkElements);
    rhdSteps(b, params);
    return b.build('allReduce', 'rhd', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = 2·Σ_{k=1..log2 p} (α_k + S/2^k·β_k) + 2·[n ≠ p]·(α_f + S·β_f)
   * α_k, β_k: the worst hop and slowest link (NVLink or the NIC: cost.ts rankLinks) between
   * hypercube partners at distance p/2^k (stage k of the halving and its mirror in the
   * doubling), α_f, β_f the fold's (α per hop as the simulation delivers it: cost.ts railHopAlpha).
   *   = 2·log2(p)·α + 2(p-1)/p·S·β + fold terms when every hop and link costs the same
   * p = largest power of two <= n, S = count·elementBytes. A step's chunks are sent back to
   * back (eager sends) before its receives: one α per step, not per chunk (predictor-error.md,
   * "Direct, rd and rhd"). β_k counts the links a step's messages share where paths are
   * narrower than a rank's injection (cost.ts roundLinkFactor; ring:8 4 MiB: 98 → 470 µs
   * predicted, 466 simulated; before, the rank's own link was the only bound).
   * A non-power-of-two fold overlaps the first rounds (eager sends): replayed from the
   * schedule's own messages instead (message-replay.ts, rd.ts predictNs).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const links = rankLinks(params, cost);
    const bytes = count * elementBytes;
    const f = fold(n);
    const p = f.pof2;
    if (p !== n) {
      const replayed = replayMessagesNs(params, cost, channelRanges(count, params.channels).length, (w) => rhdSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const alpha = railHopAlpha(params, cost);
    let t = 0;
    // One α per step: a step's chunks go back to back (eager sends) before its receives.
    for (let k = 1; k <= floorLog2(p); k++) {
      const mask = p / 2 ** k;
      t += 2 * (hypercubeAlphaNs(n, f, mask, alpha) + (bytes / 2 ** k) * hypercubeNsPerByte(n, f, mask, links) * hypercubeLinkFactor(params, f, mask));
    }
    if (p !== n) t += 2 * (foldAlphaNs(n, f, alpha) + bytes * foldNsPerByte(n, f, links) * foldLinkFactor(params, f));
    return t;
  },
};

/** rhd's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function rhdSteps(b: MessageWriter, params: PlanParams): void {
  const n = params.nranks;
  const channels = channelRanges(params.count, params.channels);
  const f = fold(n);
  const p = f.pof2;
  channels.forEach((range, c) => {
    const out = slice('output', range);
    const blocks = parts(range.count, p, range.offset);
    const window = (from: number, to: number) => slice('output', spanOf(blocks, from, to));
    for (let r = 0; r < n; r++) {
      b.copy(r, c, slice('input', range), out);
      foldedAllReduce(b, c, f, r, out, (v) => {
        // Reduce-scatter by recursive halving: window [lo, lo + 2·mask) holds v.
        let lo = 0;
        for (let mask = p >> 1; mask >= 1; mask >>= 1) {
          const peer = f.realOf(v ^ mask);
          const upper = (v & mask) !== 0;
          const keep = upper ? lo + mask : lo;
          const give = upper ? lo : lo + mask;
          b.sendChunked(r, c, peer, window(give, give + mask));
          b.recvReduceChunked(r, c, peer, window(keep, keep + mask));
          lo = keep;
        }
        // All-gather by recursive doubling: own window [lo, lo + mask) grows to the partner's side.
        for (let mask = 1; mask < p; mask <<= 1) {
          const peer = f.realOf(v ^ mask);
          const theirs = (v & mask) !== 0 ? lo - mask : lo + mask;
          b.sendChunked(r, c, peer, window(lo, lo + mask));
          b.recvChunked(r, c, peer, window(theirs, theirs + mask));
          lo = Math.min(lo, theirs);
        }
      });
    }
  });
}
