import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { chunksOf, clampChannels, mod, parts } from '../logical.js';
import { StepLists, assertPlannable, channelBlockNs, invalidParams, slice } from '../all-gather/schedule-kit.js';

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

/**
 * Pairwise-exchange all-to-all (MPICH alltoall pairwise): rank r copies its own block,
 * then in rounds k = 1 … n-1 sends block `to` of its input to rank `to` and receives its
 * block of `from`'s input into block `from` of `output`. For a power of two the partner is
 * r XOR k (to = from, a true exchange); otherwise to = r+k and from = r-k (mod n). Each
 * channel handles an even part of every block; chunks split the messages.
 */
export const pairwise: Algorithm = {
  name: 'pairwise',
  collective: 'allToAll',
  description: 'n-1 rounds, each exchanging one block with one partner (XOR for powers of two, shifted otherwise).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const { nranks: n, count, chunkElements } = params;
    const channels = clampChannels(params.channels, count);
    const lists = new StepLists(n, channels);
    const xor = isPowerOfTwo(n);
    parts(count, channels).forEach((part, channel) => {
      const chunks = chunksOf(part, chunkElements);
      for (let rank = 0; rank < n; rank++) {
        for (const c of chunks) {
          lists.copy(rank, channel, slice('input', rank * count + c.offset, c.count), slice('output', rank * count + c.offset, c.count));
        }
        for (let k = 1; k < n; k++) {
          const to = xor ? rank ^ k : mod(rank + k, n);
          const from = xor ? rank ^ k : mod(rank - k, n);
          for (const c of chunks) lists.send(rank, channel, to, slice('input', to * count + c.offset, c.count));
          for (const c of chunks) lists.recv(rank, channel, from, slice('output', from * count + c.offset, c.count));
        }
      }
    });
    return lists.finish('allToAll', 'pairwise', params, { input: count * n, output: count * n, scratch: 0 });
  },
  /**
   * T = (n-1)·(alpha + S_c·c/B), S_c = ceil(count/c)·elementBytes per channel part, c
   * channels sharing injection bandwidth B: each round sends one block and waits for one.
   * A round's chunks all leave before any is received, so chunking adds no alpha. 0 for
   * n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const channels = clampChannels(params.channels, count);
    return (n - 1) * (cost.alphaNs + channelBlockNs(count, channels, elementBytes, cost.bandwidthBytesPerSec));
  },
};
