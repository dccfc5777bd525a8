import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts, ringNext, ringPrev } from '../logical.js';
import { StepLists, assertPlannable, invalidParams, largestPart, slice } from '../all-gather/schedule-kit.js';
import { chainNs } from '../broadcast/chain.js';

/**
 * Pipelined chain reduce, as NCCL's ring reduce (src/device/reduce.h): the ring
 * root+1 → root+2 → … → root is cut open before root+1. Per channel part and chunk, the
 * first rank sends its input, every middle rank copies its input into a scratch slot,
 * adds the incoming partial and forwards it (recvReduceCopySend), and the root adds its
 * input and the incoming partial into `output`. Non-root `output` is never touched (NCCL
 * lets callers pass none); the scratch slot is one chunk per channel, reused chunk after
 * chunk since a send snapshots it. Channels are clamped to `count`.
 */
export const chain: Algorithm = {
  name: 'chain',
  collective: 'reduce',
  description: 'Pipelined chain around the ring ending at the root, reducing at every hop (NCCL ring reduce).',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, true),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, true);
    const { nranks: n, count, chunkElements, root } = params;
    const channels = clampChannels(params.channels, count);
    const partCount = largestPart(count, channels);
    const slotCount = chunkElements > 0 ? Math.min(chunkElements, partCount) : partCount;
    const lists = new StepLists(n, channels);
    parts(count, channels).forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const mine = slice('input', chunk.offset, chunk.count);
        const slot = slice('scratch', channel * slotCount, chunk.count);
        for (let rank = 0; rank < n; rank++) {
          const position = mod(rank - root - 1, n);
          if (n === 1) {
            lists.copy(rank, channel, mine, slice('output', chunk.offset, chunk.count));
          } else if (position === 0) {
            lists.send(rank, channel, ringNext(rank, n), mine);
          } else if (position < n - 1) {
            lists.copy(rank, channel, mine, slot);
            lists.recvReduceCopySend(rank, channel, ringPrev(rank, n), ringNext(rank, n), slot);
          } else {
            const out = slice('output', chunk.offset, chunk.count);
            lists.copy(rank, channel, mine, out);
            lists.recvReduce(rank, channel, ringPrev(rank, n), out);
          }
        }
      }
    });
    const scratch = n >= 3 && count > 0 ? channels * slotCount : 0;
    return lists.finish('reduce', 'chain', params, { input: count, output: count, scratch });
  },
  /**
   * Same closed form as the chain broadcast, data flowing the other way:
   * T = (n-1)·alpha + (S_c + (n-2)·K)·c/B with S_c = ceil(count/c)·elementBytes, K the
   * chunk bytes (min(chunkElements, ceil(count/c))·elementBytes), c channels sharing the
   * injection bandwidth B. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    return chainNs(params, cost);
  },
};
