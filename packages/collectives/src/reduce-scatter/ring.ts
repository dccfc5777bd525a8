import { assertPlannable, invalidParams, slice } from '../kit.js';
import { mod } from '../logical.js';
import { blockRingChannels, blockRingNs, eachSlice, ncclBlockRingSlices, ncclRingChunkBytes, planRingPositions } from '../nccl-ring.js';
import { withProtocols } from '../protocols.js';
import type { Algorithm, PlanParams, Schedule, Slice } from '../types.js';

/**
 * NCCL's ring reduce-scatter (src/device/reduce_scatter.h runRing) on every channel's own
 * ring (the channel search's): per channel part and chunk, the rank at ring position i
 * sends its copy of the block of position i-1, then n-2 times receives a partial sum, adds
 * its own copy of the next block and forwards it (recvReduceCopySend), and finally receives
 * the partial of its own block and adds its own copy into `output` — each step's block in
 * slices (Simple: 2, REDUCESCATTER_CHUNKSTEPS / REDUCESCATTER_SLICESTEPS), the first chunk's
 * whole (the ring's fill: nccl-ring.ts ncclBlockRingSlices). `output` doubles
 * as the staging slot of the in-flight partial: a send snapshots it, so it is free again on
 * the next step. Channels are clamped to `count`.
 */
export const ring: Algorithm = withProtocols(
  {
    name: 'ring',
    collective: 'reduceScatter',
    description: "NCCL ring: each block travels n-1 hops around each channel's own ring (NVLink inside a server, rail to rail between servers), reduced at every hop.",
    constraints: 'any rank count; channels clamped to count',
    unsupported: (params) => invalidParams(params),
    plan(params: PlanParams): Schedule {
      assertPlannable(ring.unsupported(params));
      const { nranks: n, count } = params;
      const slicesOf = ncclBlockRingSlices(params);
      const b = planRingPositions(params, ({ b, channel, order, chunk, iteration, i, rank, prev, next }) => {
        const slices = slicesOf(iteration);
        const own = (r: number): Slice => slice('input', r * count + chunk.offset, chunk.count);
        const staging = slice('output', chunk);
        if (n === 1) {
          b.copy(rank, channel, own(0), staging);
          return;
        }
        // Step k handles the block of position i-k-1, so the block of position p ends at p.
        const blockAt = (k: number): number => order[mod(i - k - 1, n)]!;
        eachSlice(own(blockAt(0)), slices, (s) => b.send(rank, channel, next, s));
        for (let k = 1; k < n; k++) {
          const from = own(blockAt(k));
          eachSlice(staging, slices, (s) => {
            b.copy(rank, channel, slice('input', from.offset + (s.offset - staging.offset), s.count), s);
            if (k < n - 1) b.recvReduceCopySend(rank, channel, prev, next, s);
            else b.recvReduce(rank, channel, prev, s);
          });
        }
      });
      return b.build('reduceScatter', 'ring', params, { input: count * n, output: count, scratch: 0 });
    },
    /** nccl-ring.ts blockRingNs: m iterations of n-1 dependent hops of one chunk of every channel. */
    predictNs: blockRingNs,
    defaultChannels: blockRingChannels,
    defaultChunkBytes: ncclRingChunkBytes,
  },
  'Ring',
);
