import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, slice } from './schedule-kit.js';

/**
 * Direct all-gather: rank r copies its input into block r of `output`, posts it to every
 * other rank (rotated order r+1, r+2, …), then receives block j from every rank j. Each
 * channel handles an even part of the block; chunks split the messages.
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allGather',
  description: 'Every rank sends its block straight to every other rank.',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const { nranks: n, count, chunkElements } = params;
    const channels = clampChannels(params.channels, count);
    const lists = new StepLists(n, channels);
    parts(count, channels).forEach((part, channel) => {
      const chunks = chunksOf(part, chunkElements);
      for (let rank = 0; rank < n; rank++) {
        for (const chunk of chunks) {
          lists.copy(rank, channel, slice('input', chunk.offset, chunk.count), slice('output', rank * count + chunk.offset, chunk.count));
        }
        for (let i = 1; i < n; i++) {
          for (const chunk of chunks) lists.send(rank, channel, mod(rank + i, n), slice('input', chunk.offset, chunk.count));
        }
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          for (const chunk of chunks) {
            lists.recv(rank, channel, from, slice('output', from * count + chunk.offset, chunk.count));
          }
        }
      }
    });
    return lists.finish('allGather', 'direct', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = alpha + (n-1) * S_c*c/B: the n-1 copies of the block leave back to back through the
   * injection bandwidth B shared by c channels (S_c = ceil(count/c)·elementBytes), their
   * latencies overlap. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    return cost.alphaNs + (n - 1) * channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec);
  },
};
