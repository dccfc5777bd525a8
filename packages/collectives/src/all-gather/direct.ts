import { StepBuilder, assertPlannable, allPairsLinkFactor, invalidParams, largestPart, peersByClass, rankLinks, slice } from '../kit.js';
import { channelRanges, clampChannels, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct all-gather: rank r copies its input into block r of `output`, posts it to every
 * other rank at once (one fan-out per chunk, peers in rotated order r+1, r+2, …, as a linear
 * all-gather posts its isends together), then receives block j from every rank j. Each
 * channel handles an even part of the block; chunks split the messages.
 *
 * Posting the peers one after another instead let a rank whose first peers share its server
 * race ahead to the next server's ranks, so receivers there took several ranks' blocks at once
 * while others idled: on two DGX H100 servers 4.8x the NICs' time at 32 MiB (predictor-error.md,
 * "Direct all-gather posts its block to every peer at once").
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allGather',
  description: 'Every rank sends its block straight to every other rank.',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(direct.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    channels.forEach((part, channel) => {
      const block = (rank: number) => slice('output', rank * count + part.offset, part.count);
      for (let rank = 0; rank < n; rank++) {
        b.copyChunked(rank, channel, slice('input', part), block(rank));
        const peers = Array.from({ length: n - 1 }, (_, i) => mod(rank + i + 1, n));
        if (peers.length > 0) for (const piece of b.pieces(slice('input', part))) b.send(rank, channel, peers, piece);
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          b.recvChunked(rank, channel, from, block(from));
        }
      }
    });
    return b.build('allGather', 'direct', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = α + max over link classes of m_k·S_c·c·β_k: a rank's m_0 peers in its own group take its
   * block over the intra link, its m_1 others over the inter one (cost.ts rankLinks: NVLink and
   * the NIC on a DGX; one class where they share a link, so (n-1)·S_c·c·β on a switch), and
   * every rank is alike, so each link carries its class's blocks in and out at once; the
   * latencies overlap (α the worst pair's). Where paths are narrower than a rank's injection the
   * blocks share the links between (cost.ts roundLinkFactor; ring:8 4 MiB: 41 → 111 µs
   * predicted, 111 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    const links = rankLinks(params, cost);
    const blockBytes = largestPart(params) * params.elementBytes * clampChannels(params.channels, count);
    let slowestNs = 0;
    for (let r = 0; r < n; r++) {
      const [intra, inter] = peersByClass(n, r, links);
      slowestNs = Math.max(slowestNs, intra * links.nsPerByte[0], inter * links.nsPerByte[1]);
    }
    return cost.alphaNs + blockBytes * slowestNs * allPairsLinkFactor(params);
  },
};
