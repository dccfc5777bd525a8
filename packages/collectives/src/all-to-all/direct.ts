import { StepBuilder, assertPlannable, invalidParams, slice, channelBlockNs } from '../kit.js';
import { channelRanges, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct all-to-all (grouped send/recv on the plan's channels, without NCCL's PXN: see pxn.ts): rank r copies its own block, posts block j
 * of its input to every rank j (rotated order r+1, r+2, … so no rank is everyone's first
 * target), then receives from every rank. Each channel handles an even part of every
 * block; chunks split the messages.
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allToAll',
  description: 'All n-1 sends posted at once, then all n-1 receives (grouped send/recv, every block straight to its peer).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(direct.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    channels.forEach((part, channel) => {
      /** This channel's part of block j of `buffer`. */
      const block = (buffer: 'input' | 'output', j: number) => slice(buffer, j * count + part.offset, part.count);
      for (let rank = 0; rank < n; rank++) {
        b.copyChunked(rank, channel, block('input', rank), block('output', rank));
        for (let i = 1; i < n; i++) {
          const to = mod(rank + i, n);
          b.sendChunked(rank, channel, to, block('input', to));
        }
        for (let i = 1; i < n; i++) {
          const from = mod(rank - i, n);
          b.recvChunked(rank, channel, from, block('output', from));
        }
      }
    });
    return b.build('allToAll', 'direct', params, { input: count * n, output: count * n, scratch: 0 });
  },
  /**
   * T = alpha + (n-1)·S_c·c/B: the n-1 blocks leave back to back through the injection
   * bandwidth B shared by c channels (S_c = ceil(count/c)·elementBytes), their latencies
   * overlap. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return cost.alphaNs + (n - 1) * channelBlockNs(params, cost);
  },
};
