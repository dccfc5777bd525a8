import { StepBuilder, assertPlannable, chainNs, invalidParams, slice } from '../kit.js';
import { channelRanges, chunksOf, mod, ringNext, ringPrev } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

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
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(chain.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const mine = slice('input', chunk);
        const out = slice('output', chunk);
        for (let rank = 0; rank < n; rank++) {
          const position = mod(rank - root, n);
          if (position === 0) {
            if (n > 1) b.send(rank, channel, ringNext(rank, n), mine);
            b.copy(rank, channel, mine, out);
          } else if (position < n - 1) {
            b.recvCopySend(rank, channel, ringPrev(rank, n), ringNext(rank, n), out);
          } else {
            b.recv(rank, channel, ringPrev(rank, n), out);
          }
        }
      }
    });
    return b.build('broadcast', 'chain', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = (n-1)·alpha + (S_c + (n-2)·K)·c/B: the root pushes its whole channel part
   * S_c = ceil(count/c)·elementBytes at B/c (c channels share the injection bandwidth B),
   * and the last chunk, of K = min(chunkElements, ceil(count/c))·elementBytes bytes (the
   * whole part when unpipelined), then needs n-2 more store-and-forward hops, each link
   * adding alpha. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    return chainNs(params, cost, params.root);
  },
};
