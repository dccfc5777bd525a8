import { StepBuilder, assertPlannable, chainNs, invalidParams, largestChunk, slice } from '../kit.js';
import { channelRanges, chunksOf, mod, ringNext, ringPrev } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

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
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(chain.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const slotCount = largestChunk(params);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const mine = slice('input', chunk);
        const out = slice('output', chunk);
        const slot = slice('scratch', channel * slotCount, chunk.count);
        for (let rank = 0; rank < n; rank++) {
          const position = mod(rank - root - 1, n);
          if (n === 1) {
            b.copy(rank, channel, mine, out);
          } else if (position === 0) {
            b.send(rank, channel, ringNext(rank, n), mine);
          } else if (position < n - 1) {
            b.copy(rank, channel, mine, slot);
            b.recvReduceCopySend(rank, channel, ringPrev(rank, n), ringNext(rank, n), slot);
          } else {
            b.copy(rank, channel, mine, out);
            b.recvReduce(rank, channel, ringPrev(rank, n), out);
          }
        }
      }
    });
    const scratch = n >= 3 && count > 0 ? channels.length * slotCount : 0;
    return b.build('reduce', 'chain', params, { input: count, output: count, scratch });
  },
  /**
   * Same closed form as the chain broadcast, data flowing the other way:
   * T = (n-1)·alpha + (S_c + (n-2)·K)·c/B with S_c = ceil(count/c)·elementBytes, K the
   * chunk bytes (min(chunkElements, ceil(count/c))·elementBytes), c channels sharing the
   * injection bandwidth B. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    return chainNs(params, cost, (params.root + 1) % params.nranks);
  },
};
