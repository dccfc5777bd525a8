import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, slice } from '../all-gather/schedule-kit.js';

/**
 * Direct reduce-scatter: rank r posts block j of its input to rank j for every j != r (in
 * the rotated order r+1, r+2, … so no rank is everyone's first target), then copies its
 * own block r into `output` and reduces the n-1 incoming copies of block r into it. Each
 * channel handles an even part of every block; chunks split the messages.
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'reduceScatter',
  description: 'Every rank sends block j straight to rank j, which reduces the n-1 copies it receives.',
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
        for (let i = 1; i < n; i++) {
          const to = mod(rank + i, n);
          for (const chunk of chunks) {
            lists.send(rank, channel, to, slice('input', to * count + chunk.offset, chunk.count));
          }
        }
        for (const chunk of chunks) {
          lists.copy(rank, channel, slice('input', rank * count + chunk.offset, chunk.count), slice('output', chunk.offset, chunk.count));
        }
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          for (const chunk of chunks) {
            lists.recvReduce(rank, channel, from, slice('output', chunk.offset, chunk.count));
          }
        }
      }
    });
    return lists.finish('reduceScatter', 'direct', params, { input: count * n, output: count, scratch: 0 });
  },
  /**
   * T = alpha + (n-1) * S_c*c/B: all n-1 sends leave back to back through the rank's
   * injection bandwidth B (shared by the c channels; S_c = ceil(count/c) * elementBytes),
   * their latencies overlap, so one alpha is paid. Chunking does not change it. 0 for
   * n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    return cost.alphaNs + (n - 1) * channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec);
  },
};
