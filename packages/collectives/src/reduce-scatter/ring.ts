import { StepBuilder, assertPlannable, invalidParams, largestPart, ringRoundsNs, slice } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, mod, ringNext, ringPrev } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Ring reduce-scatter, the first half of NCCL's runRing all-reduce
 * (src/device/reduce_scatter.h): every channel owns an even part of each block and walks it
 * chunk by chunk. For one chunk, rank r sends its copy of block r-1, then n-2 times receives
 * a partial sum, adds its own copy of the next block and forwards it (recvReduceCopySend),
 * and finally receives the partial of its own block r and adds its own copy into `output`.
 * `output` doubles as the staging slot of the in-flight partial: a send snapshots it, so it
 * is free again on the next step.
 *
 * Channels are clamped to `count` so that no channel is empty.
 */
export const ring: Algorithm = {
  name: 'ring',
  collective: 'reduceScatter',
  description: 'Each block travels n-1 hops around the ring, reduced at every hop (NCCL ring).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(ring.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const own = (block: number) => slice('input', block * count + chunk.offset, chunk.count);
        const staging = slice('output', chunk);
        for (let rank = 0; rank < n; rank++) {
          if (n === 1) {
            b.copy(rank, channel, own(0), staging);
            continue;
          }
          const next = ringNext(rank, n);
          const prev = ringPrev(rank, n);
          // Block handled at step k: rank r starts block r-1, so block b ends at rank b.
          const blockAt = (k: number) => mod(rank - k - 1, n);
          b.send(rank, channel, next, own(blockAt(0)));
          for (let k = 1; k < n - 1; k++) {
            b.copy(rank, channel, own(blockAt(k)), staging);
            b.recvReduceCopySend(rank, channel, prev, next, staging);
          }
          b.copy(rank, channel, own(rank), staging);
          b.recvReduce(rank, channel, prev, staging);
        }
      }
    });
    return b.build('reduceScatter', 'ring', params, { input: count * n, output: count, scratch: 0 });
  },
  /**
   * T = m·A + (n-1)·S_c·c/B, A the α of n-1 consecutive ring hops (cost.ts ringPathNs; (n-1)·α when all hops cost the same), where S_c = ceil(count/c) * elementBytes is the
   * largest channel's part of one block, c the channels used, m = chunks per channel part
   * (ceil(ceil(count/c)/chunkElements), 1 unpipelined) and B the rank's injection bandwidth
   * (shared by the channels). Chunks of one channel are serialized: chunk j+1 starts only
   * once chunk j has gone n-1 hops. 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return ringRoundsNs(n - 1, params, cost, chunkCount(largestPart(params), params.chunkElements));
  },
};
