import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunkCount, chunksOf, clampChannels, mod, parts, ringNext, ringPrev } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, largestPart, slice } from './schedule-kit.js';

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
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const { nranks: n, count, chunkElements } = params;
    const channels = clampChannels(params.channels, count);
    const lists = new StepLists(n, channels);
    parts(count, channels).forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const out = (block: number) => slice('output', block * count + chunk.offset, chunk.count);
        const mine = slice('input', chunk.offset, chunk.count);
        for (let rank = 0; rank < n; rank++) {
          lists.copy(rank, channel, mine, out(rank));
          if (n === 1) continue;
          const next = ringNext(rank, n);
          const prev = ringPrev(rank, n);
          lists.send(rank, channel, next, mine);
          // At step k rank r receives block r-k, which its predecessor sent at step k-1.
          for (let k = 1; k < n - 1; k++) lists.recvCopySend(rank, channel, prev, next, out(mod(rank - k, n)));
          lists.recv(rank, channel, prev, out(mod(rank + 1, n)));
        }
      }
    });
    return lists.finish('allGather', 'ring', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = (n-1) * (m*alpha + S_c*c/B), as for the ring reduce-scatter: S_c = ceil(count/c) ·
   * elementBytes per channel part, c channels sharing injection bandwidth B, m chunks per
   * channel part, chunk j+1 starting after chunk j has gone n-1 hops. 0 for n = 1 or
   * count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, chunkElements, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    const chunks = chunkCount(largestPart(count, channels), chunkElements);
    return (n - 1) * (chunks * cost.alphaNs + channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec));
  },
};
