import { assertPlannable, invalidParams, slice } from '../kit.js';
import { mod } from '../logical.js';
import { blockRingChannels, blockRingNs, eachSlice, ncclBlockRingSlices, ncclRingChunkBytes, planRingPositions } from '../nccl-ring.js';
import { withProtocols } from '../protocols.js';
import type { Algorithm, PlanParams, Schedule, Slice } from '../types.js';

/**
 * NCCL's ring all-gather (src/device/all_gather.h runRing) on every channel's own ring (the
 * channel search's: NVLink inside a server, rail to rail between servers; rank order on
 * flat layouts): per channel part and chunk, the rank at ring position i copies its input
 * into its block of `output` and sends it on, forwards the n-2 blocks it receives
 * (recvCopySend), then receives the last one — each step's block in slices (Simple: 2,
 * ALLGATHER_CHUNKSTEPS / ALLGATHER_SLICESTEPS), the first chunk's whole (the ring's fill:
 * nccl-ring.ts ncclBlockRingSlices). Channels are clamped to `count`.
 */
export const ring: Algorithm = withProtocols(
  {
    name: 'ring',
    collective: 'allGather',
    description: "NCCL ring: each block travels n-1 hops around each channel's own ring (NVLink inside a server, rail to rail between servers), copied at every hop.",
    constraints: 'any rank count; channels clamped to count',
    unsupported: (params) => invalidParams(params),
    plan(params: PlanParams): Schedule {
      assertPlannable(ring.unsupported(params));
      const { nranks: n, count } = params;
      const slicesOf = ncclBlockRingSlices(params);
      const b = planRingPositions(params, ({ b, channel, order, chunk, iteration, i, rank, prev, next }) => {
        const slices = slicesOf(iteration);
        const out = (r: number): Slice => slice('output', r * count + chunk.offset, chunk.count);
        b.copy(rank, channel, slice('input', chunk), out(rank));
        if (n === 1) return;
        eachSlice(out(rank), slices, (s) => b.send(rank, channel, next, s));
        // At step j the rank at position i receives the block of position i-j, sent by its predecessor at step j-1.
        for (let j = 1; j < n - 1; j++) eachSlice(out(order[mod(i - j, n)]!), slices, (s) => b.recvCopySend(rank, channel, prev, next, s));
        eachSlice(out(next), slices, (s) => b.recv(rank, channel, prev, s));
      });
      return b.build('allGather', 'ring', params, { input: count, output: count * n, scratch: 0 });
    },
    /** nccl-ring.ts blockRingNs: m iterations of n-1 dependent hops of one chunk of every channel. */
    predictNs: blockRingNs,
    defaultChannels: blockRingChannels,
    defaultChunkBytes: ncclRingChunkBytes,
  },
  'Ring',
);
