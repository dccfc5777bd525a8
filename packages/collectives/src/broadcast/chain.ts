import { assertPlannable, invalidParams, slice } from '../kit.js';
import { mod } from '../logical.js';
import { chainChannels, chainChunkBytes, planRingPositions, ringChainNs } from '../nccl-ring.js';
import { withProtocols } from '../protocols.js';
import type { Algorithm, PlanParams, Schedule } from '../types.js';

/**
 * Pipelined chain broadcast, NCCL's ring broadcast (src/device/broadcast.h) on every
 * channel's own ring (the channel search's: NVLink inside a server, rail to rail between
 * servers; rank order on flat layouts), cut open before the root. Per channel part and
 * chunk, the root copies its input to `output` and sends it on, every middle rank receives
 * it into `output` and forwards it (recvCopySend), the last rank only receives. Successive
 * chunks overlap down the chain. Channels are clamped to `count` so that no channel is empty.
 */
const plain: Algorithm = {
  name: 'chain',
  collective: 'broadcast',
  description: 'Pipelined chain from the root around the ring, chunk after chunk (NCCL ring broadcast).',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count, root } = params;
    const b = planRingPositions(params, ({ b, channel, chunk, i, start, rank, prev, next }) => {
      const position = mod(i - start, n);
      const mine = slice('input', chunk);
      const out = slice('output', chunk);
      if (position === 0) {
        if (n > 1) b.send(rank, channel, next, mine);
        b.copy(rank, channel, mine, out);
      } else if (position < n - 1) {
        b.recvCopySend(rank, channel, prev, next, out);
      } else {
        b.recv(rank, channel, prev, out);
      }
    }, (order) => order.indexOf(root));
    return b.build('broadcast', 'chain', params, { input: count, output: count, scratch: 0 });
  },
  /** nccl-ring.ts ringChainNs: the first chunk's path from the root, then one slowest hop per further chunk. */
  predictNs: (params, cost) => ringChainNs(params, cost, (order) => order.indexOf(params.root)),
  defaultChannels: chainChannels,
  defaultChunkBytes: chainChunkBytes,
};

export const chain: Algorithm = withProtocols(plain, 'Ring');
