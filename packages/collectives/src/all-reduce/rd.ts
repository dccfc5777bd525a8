import { StepBuilder, assertPlannable, railHopAlpha, invalidParams, foldAlphaNs, foldLinkFactor, foldNsPerByte, hypercubeAlphaNs, hypercubeLinkFactor, hypercubeNsPerByte, rankLinks, slice } from '../kit.js';
import { channelRanges, floorLog2, fold, type Fold } from '../logical.js';
import { replayMessagesNs, type MessageWriter } from '../message-replay.js';
import type { Algorithm, CostParams, PlanParams, Schedule, Slice } from '../types.js';

/**
 * Rank r's part of a folded all-reduce of `out` (MPICH / Rabenseifner non-power-of-two
 * folding, see logical.ts `fold`): an even rank r < 2·rem sends its whole buffer to r+1
 * and waits for the result; its partner reduces that in first, runs `body(v)` as virtual
 * rank v of the power-of-two hypercube, then sends the result back. Ranks that do not
 * fold just run `body(v)`. Messages are chunked as `b` chunks them.
 */
export function foldedAllReduce(b: MessageWriter, c: number, f: Fold, r: number, out: Slice, body: (v: number) => void): void {
  const v = f.virtualOf(r);
  const partner = f.foldPartner(r);
  if (v < 0) {
    // Folded away: contribute, then wait for the result.
    b.sendChunked(r, c, partner, out);
    b.recvChunked(r, c, partner, out);
    return;
  }
  if (partner >= 0) b.recvReduceChunked(r, c, partner, out);
  body(v);
  if (partner >= 0) b.sendChunked(r, c, partner, out);
}

/**
 * Recursive doubling on the whole buffer (MPICH's small-message allreduce; Thakur,
 * Rabenseifner & Gropp 2005). With p the largest power of two <= n and rem = n - p, the
 * first 2·rem ranks fold pairwise (even rank r sends everything to r+1 and sits out); the
 * p remaining ranks exchange the whole buffer with their hypercube partner at distance
 * 1, 2, 4, … and reduce it; finally each folded rank receives the result from r+1.
 * Messages are split into chunkElements-sized pieces; channels split the buffer.
 */
export const rd: Algorithm = {
  name: 'rd',
  collective: 'allReduce',
  description: 'Recursive doubling: log2(n) rounds of whole-buffer exchange-and-reduce with the hypercube partner (small messages).',
  constraints: 'any rank count (non-powers of two fold the extra ranks in and out)',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(rd.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, channelRanges(count, params.channels).length, chunkElements);
    rdSteps(b, params);
    return b.build('allReduce', 'rd', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = Σ_k (α_k + S·β_k) + 2·[n ≠ p]·(α_f + S·β_f), k over the log2 p hypercube dimensions,
   * α_k the worst hop between partners at distance 2^k and β_k their slowest link (NVLink inside
   * a server, the NIC between: cost.ts rankLinks; one β on a switch), α per hop as the
   * simulation delivers it (railHopAlpha: a rail hop crosses its leaf only), α_f and β_f the fold's
   * ((log2 p + 2·[n ≠ p])·(α + S·β) when every hop costs the same). p = largest
   * power of two <= n, S = count·elementBytes (all channels together). Each round every rank
   * sends and receives the whole buffer; folding adds one round in, one out. A round's chunks
   * are sent back to back (eager sends) before its receives, so the round pays one α — its
   * last chunk's — not one per chunk (predictor-error.md, "Direct, rd and rhd"). On a fabric
   * whose paths are narrower than a rank's injection, each round's β is as slow as the link its
   * messages crowd most (cost.ts roundLinkFactor): ring:8's round at distance 4 puts four messages
   * on one 49 GB/s link (ring:8 4 MiB: 140 → 609 µs predicted, 609 simulated; before, the
   * rank's own link was the only bound).
   *
   * A non-power-of-two fold is not a sum of rounds: sends are eager, so the ranks that did not
   * fold start their rounds while the fold is in flight and their messages share the fold
   * partner's in-link with it. There the schedule's own messages are replayed
   * (message-replay.ts: rdSteps, the plan's writer; switch:5 64 MiB 5,487 → 7,534 µs predicted,
   * 7,534 simulated; 1 KiB 10.9 → 8.2 µs, the fold under the first round).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const f = fold(n);
    const p = f.pof2;
    if (p !== n) {
      const replayed = replayMessagesNs(params, cost, channelRanges(count, params.channels).length, (w) => rdSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const alpha = railHopAlpha(params, cost);
    const links = rankLinks(params, cost);
    const bytes = count * elementBytes;
    let t = p === n ? 0 : 2 * (foldAlphaNs(n, f, alpha) + bytes * foldNsPerByte(n, f, links) * foldLinkFactor(params, f));
    for (let mask = 1; mask < p; mask <<= 1) {
      t += hypercubeAlphaNs(n, f, mask, alpha) + bytes * hypercubeNsPerByte(n, f, mask, links) * hypercubeLinkFactor(params, f, mask);
    }
    return t;
  },
};

/** rd's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function rdSteps(b: MessageWriter, params: PlanParams): void {
  const { nranks: n, count } = params;
  const f = fold(n);
  channelRanges(count, params.channels).forEach((range, c) => {
    const out = slice('output', range);
    for (let r = 0; r < n; r++) {
      b.copy(r, c, slice('input', range), out);
      foldedAllReduce(b, c, f, r, out, (v) => {
        for (let mask = 1; mask < f.pof2; mask <<= 1) {
          const peer = f.realOf(v ^ mask);
          b.sendChunked(r, c, peer, out);
          b.recvReduceChunked(r, c, peer, out);
        }
      });
    }
  });
}
