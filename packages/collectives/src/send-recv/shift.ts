import { StepBuilder, assertPlannable, channelBlockNs, hopAlpha, invalidParams, rotationAlphaNs, slice } from '../kit.js';
import { withProtocols } from '../protocols.js';
import { channelRanges, chunksOf, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * nccl-tests' sendrecv pattern: every rank sends its whole buffer to rank+1 and receives
 * rank-1's into its output, all at once — a ring shift that loads every link of a ring once.
 * With one rank it is a local copy. Channels split the buffer; chunks split the messages.
 */
const plain: Algorithm = {
  name: 'shift',
  collective: 'sendRecv',
  description: 'Every rank sends its buffer to rank+1 while receiving from rank-1 (nccl-tests sendrecv).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((part, channel) => {
      const chunks = chunksOf(part, chunkElements);
      for (let rank = 0; rank < n; rank++) {
        if (n === 1) {
          for (const c of chunks) b.copy(rank, channel, slice('input', c), slice('output', c));
          continue;
        }
        // Every chunk's send before the receives (sends are eager), as NCCL's p2p streams a
        // send through its slots without waiting on the rank's own receive: a send after each
        // receive paid the receive's α per chunk (6 % at 64 MiB in 2 MiB chunks on switch:N).
        for (const c of chunks) b.send(rank, channel, mod(rank + 1, n), slice('input', c));
        for (const c of chunks) b.recv(rank, channel, mod(rank - 1, n), slice('output', c));
      }
    });
    return b.build('sendRecv', 'shift', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = α(r → r+1, the worst such hop) + S_c·c/B: one message per channel part (chunks stream back to back), the
   * parts share the injection bandwidth B (S_c = ceil(count/c)·elementBytes). 0 for n = 1
   * or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    return rotationAlphaNs(n, 1, hopAlpha(params, cost)) + channelBlockNs(params, cost);
  },
};

/**
 * NCCL runs send/receive as grouped point-to-point sends and receives, under Simple, so it pays
 * a kernel launch and per-step latencies as all-to-all's pxn does: Ring's row (an assumption, as
 * for pxn: tuning.cc has no p2p row). Before, it paid the fabric's latency only: 0.60 µs for
 * 1 KiB on one DGX H100, where every other collective there pays NCCL's launch (≥ 8.4 µs).
 */
export const shift: Algorithm = withProtocols(plain, 'Ring', ['Simple']);
