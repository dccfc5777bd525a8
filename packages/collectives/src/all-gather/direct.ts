import { StepBuilder, assertPlannable, fanNs, invalidParams, slice } from '../kit.js';
import { channelRanges, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

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
        for (let i = 1; i < n; i++) b.sendChunked(rank, channel, mod(rank + i, n), slice('input', part));
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          b.recvChunked(rank, channel, from, block(from));
        }
      }
    });
    return b.build('allGather', 'direct', params, { input: count, output: count * n, scratch: 0 });
  },
  /** T = α + (n-1)·S_c·c/B (kit's fanNs). */
  predictNs: (params: PlanParams, cost: CostParams): number => fanNs(params, cost),
};
