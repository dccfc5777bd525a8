import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, slice } from '../all-gather/schedule-kit.js';

/**
 * Direct all-to-all (NCCL's grouped send/recv): rank r copies its own block, posts block j
 * of its input to every rank j (rotated order r+1, r+2, … so no rank is everyone's first
 * target), then receives from every rank. Each channel handles an even part of every
 * block; chunks split the messages.
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allToAll',
  description: 'All n-1 sends posted at once, then all n-1 receives (NCCL grouped send/recv).',
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
        for (const c of chunks) {
          lists.copy(rank, channel, slice('input', rank * count + c.offset, c.count), slice('output', rank * count + c.offset, c.count));
        }
        for (let i = 1; i < n; i++) {
          const to = mod(rank + i, n);
          for (const c of chunks) lists.send(rank, channel, to, slice('input', to * count + c.offset, c.count));
        }
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          for (const c of chunks) lists.recv(rank, channel, from, slice('output', from * count + c.offset, c.count));
        }
      }
    });
    return lists.finish('allToAll', 'direct', params, { input: count * n, output: count * n, scratch: 0 });
  },
  /**
   * T = alpha + (n-1)·S_c·c/B: the n-1 blocks leave back to back through the injection
   * bandwidth B shared by c channels (S_c = ceil(count/c)·elementBytes), their latencies
   * overlap. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    return cost.alphaNs + (n - 1) * channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec);
  },
};
