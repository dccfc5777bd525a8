import { assertPlannable, invalidParams, largestChunk, slice } from '../kit.js';
import { clampChannels, mod } from '../logical.js';
import { chainChannels, chainChunkBytes, planRingPositions, ringChainNs } from '../nccl-ring.js';
import { withProtocols } from '../protocols.js';
import type { Algorithm, PlanParams, Schedule } from '../types.js';

/**
 * Pipelined chain reduce, NCCL's ring reduce (src/device/reduce.h) on every channel's own
 * ring (the channel search's; rank order on flat layouts), cut open after the root: it
 * starts at the rank after the root and ends at the root. Per channel part and chunk, the
 * first rank sends its input, every middle rank copies its input into a scratch slot,
 * adds the incoming partial and forwards it (recvReduceCopySend), and the root adds its
 * input and the incoming partial into `output`. Non-root `output` is never touched (NCCL
 * lets callers pass none); the scratch slot is one chunk per channel, reused chunk after
 * chunk since a send snapshots it. Channels are clamped to `count`.
 */
const plain: Algorithm = {
  name: 'chain',
  collective: 'reduce',
  description: 'Pipelined chain around the ring ending at the root, reducing at every hop (NCCL ring reduce).',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count, root } = params;
    const slotCount = largestChunk(params);
    const b = planRingPositions(params, ({ b, channel, chunk, i, start, rank, prev, next }) => {
      const position = mod(i - start, n);
      const mine = slice('input', chunk);
      const out = slice('output', chunk);
      const slot = slice('scratch', channel * slotCount, chunk.count);
      if (n === 1) {
        b.copy(rank, channel, mine, out);
      } else if (position === 0) {
        b.send(rank, channel, next, mine);
      } else if (position < n - 1) {
        b.copy(rank, channel, mine, slot);
        b.recvReduceCopySend(rank, channel, prev, next, slot);
      } else {
        b.copy(rank, channel, mine, out);
        b.recvReduce(rank, channel, prev, out);
      }
    }, (order) => order.indexOf(root) + 1);
    const channels = clampChannels(params.channels, count);
    const scratch = n >= 3 && count > 0 ? channels * slotCount : 0;
    return b.build('reduce', 'chain', params, { input: count, output: count, scratch });
  },
  /** nccl-ring.ts ringChainNs: the first chunk's path from the rank after the root, then one slowest hop per further chunk. */
  predictNs: (params, cost) => ringChainNs(params, cost, (order) => (order.indexOf(params.root) + 1) % order.length),
  defaultChannels: chainChannels,
  defaultChunkBytes: chainChunkBytes,
};

export const chain: Algorithm = withProtocols(plain, 'Ring');
