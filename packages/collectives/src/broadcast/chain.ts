import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts, ringNext, ringPrev } from '../logical.js';
import { StepLists, assertPlannable, invalidParams, largestPart, slice } from '../all-gather/schedule-kit.js';

/**
 * Pipelined chain broadcast, as NCCL's ring broadcast (src/device/broadcast.h): the ring
 * root → root+1 → … → root-1 is cut open after root-1. Per channel part and chunk, the
 * root copies its input to `output` and sends it on, every middle rank receives it into
 * `output` and forwards it (recvCopySend), the last rank only receives. Successive chunks
 * overlap down the chain. Channels are clamped to `count` so that no channel is empty.
 */
export const chain: Algorithm = {
  name: 'chain',
  collective: 'broadcast',
  description: 'Pipelined chain from the root around the ring, chunk after chunk (NCCL ring broadcast).',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, true),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, true);
    const { nranks: n, count, chunkElements, root } = params;
    const channels = clampChannels(params.channels, count);
    const lists = new StepLists(n, channels);
    parts(count, channels).forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const out = slice('output', chunk.offset, chunk.count);
        for (let rank = 0; rank < n; rank++) {
          const position = mod(rank - root, n);
          if (position === 0) {
            if (n > 1) lists.send(rank, channel, ringNext(rank, n), slice('input', chunk.offset, chunk.count));
            lists.copy(rank, channel, slice('input', chunk.offset, chunk.count), out);
          } else if (position < n - 1) {
            lists.recvCopySend(rank, channel, ringPrev(rank, n), ringNext(rank, n), out);
          } else {
            lists.recv(rank, channel, ringPrev(rank, n), out);
          }
        }
      }
    });
    return lists.finish('broadcast', 'chain', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = (n-1)·alpha + (S_c + (n-2)·K)·c/B: the root pushes its whole channel part
   * S_c = ceil(count/c)·elementBytes at B/c (c channels share the injection bandwidth B),
   * and the last chunk, of K = min(chunkElements, ceil(count/c))·elementBytes bytes (the
   * whole part when unpipelined), then needs n-2 more store-and-forward hops, each link
   * adding alpha. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    return chainNs(params, cost);
  },
};

/** The pipelined-chain closed form shared by chain broadcast and chain reduce. */
export function chainNs(params: PlanParams, cost: CostParams): number {
  const { nranks: n, count, chunkElements, elementBytes } = params;
  if (n === 1 || count === 0) return 0;
  const channels = clampChannels(params.channels, count);
  const partCount = largestPart(count, channels);
  const chunk = chunkElements > 0 ? Math.min(chunkElements, partCount) : partCount;
  const bytesPerNs = cost.bandwidthBytesPerSec / channels / 1e9;
  return (n - 1) * cost.alphaNs + ((partCount + (n - 2) * chunk) * elementBytes) / bytesPerNs;
}
