import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, slice } from '../all-gather/schedule-kit.js';

/**
 * nccl-tests' sendrecv pattern: every rank sends its whole buffer to rank+1 and receives
 * rank-1's into its output, all at once — a ring shift that loads every link of a ring once.
 * With one rank it is a local copy. Channels split the buffer; chunks split the messages.
 */
export const shift: Algorithm = {
  name: 'shift',
  collective: 'sendRecv',
  description: 'Every rank sends its buffer to rank+1 while receiving from rank-1 (nccl-tests sendrecv).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const { nranks: n, count, chunkElements } = params;
    const channels = clampChannels(params.channels, count);
    const lists = new StepLists(n, channels);
    parts(count, channels).forEach((part, channel) => {
      for (const c of chunksOf(part, chunkElements)) {
        for (let rank = 0; rank < n; rank++) {
          if (n === 1) {
            lists.copy(rank, channel, slice('input', c.offset, c.count), slice('output', c.offset, c.count));
            continue;
          }
          lists.send(rank, channel, mod(rank + 1, n), slice('input', c.offset, c.count));
          lists.recv(rank, channel, mod(rank - 1, n), slice('output', c.offset, c.count));
        }
      }
    });
    return lists.finish('sendRecv', 'shift', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = alpha + S_c·c/B: one message per channel part (chunks stream back to back), the
   * parts share the injection bandwidth B (S_c = ceil(count/c)·elementBytes). 0 for n = 1
   * or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    return cost.alphaNs + channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec);
  },
};
