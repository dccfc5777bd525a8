import { StepBuilder, assertPlannable, invalidParams, largestPart, ringRoundsNs, slice } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, mod, ringNext, ringPrev } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Ring all-gather, the second half of NCCL's runRing all-reduce (src/device/all_gather.h):
 * per channel part and chunk, rank r copies its input into block r of `output` and sends
 * it on, forwards the n-2 blocks it receives (recvCopySend), then receives the last one.
 * Channels are clamped to `count` so that no channel is empty.
 */
export const ring: Algorithm = {
  name: 'ring',
  collective: 'allGather',
  description: 'Each block travels n-1 hops around the ring, copied at every hop (NCCL ring).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(ring.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const out = (block: number) => slice('output', block * count + chunk.offset, chunk.count);
        const mine = slice('input', chunk);
        for (let rank = 0; rank < n; rank++) {
          b.copy(rank, channel, mine, out(rank));
          if (n === 1) continue;
          const next = ringNext(rank, n);
          const prev = ringPrev(rank, n);
          b.send(rank, channel, next, mine);
          // At step k rank r receives block r-k, which its predecessor sent at step k-1.
          for (let k = 1; k < n - 1; k++) b.recvCopySend(rank, channel, prev, next, out(mod(rank - k, n)));
          b.recv(rank, channel, prev, out(mod(rank + 1, n)));
        }
      }
    });
    return b.build('allGather', 'ring', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = m·A + (n-1)·S_c·c/B, A the α of n-1 consecutive ring hops (cost.ts ringPathNs; (n-1)·α when all hops cost the same), as for the ring reduce-scatter: S_c = ceil(count/c) ·
   * elementBytes per channel part, c channels sharing injection bandwidth B, m chunks per
   * channel part, chunk j+1 starting after chunk j has gone n-1 hops. 0 for n = 1 or
   * count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return ringRoundsNs(n - 1, params, cost, chunkCount(largestPart(params), params.chunkElements));
  },
};
