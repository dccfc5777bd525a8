import { StepBuilder, assertPlannable, invalidParams, slice } from '../kit.js';
import { mod } from '../logical.js';
import type { Algorithm, PlanParams, Schedule } from '../types.js';
import { MAX_CHANNELS, allToAllLoadNs, channelsOf, straightRoute } from './pxn.js';

/**
 * Direct all-to-all: grouped send/recv with every block straight to its peer — NCCL's
 * all-to-all without PXN (NCCL_PXN_DISABLE=1: a block for another server and another rail
 * crosses the spines; pxn.ts forwards it over NVLink instead). Rank r copies its own block,
 * then on channel (d-1) mod C posts block r+d of its input to rank r+d and receives block r-d
 * from rank r-d, for every peer distance d, C = the plan's channels (at most n-1): with C = n-1
 * every peer is in flight at once, as a grouped send/recv posts them; a channel with several
 * distances sends them one after another, then receives. Chunks split the messages.
 *
 * Posting all peers on one channel, one after another (as `--channels 1` still does), lets a
 * rank whose first peers share its server race ahead to the next server's ranks, so receivers
 * there take several blocks at once while others idle: on two DGX H100 servers 4.7× the NICs'
 * time at 256 MiB (predictor-error.md, "Direct all-to-all puts every peer in flight").
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allToAll',
  description: 'Grouped send/recv without PXN: every block straight to its peer, every peer in flight at once (up to 32 channels).',
  constraints: 'any rank count; channels clamped to n-1 (one per peer distance)',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(direct.unsupported(params));
    const { nranks: n, count } = params;
    const C = channelsOf(params);
    const b = new StepBuilder(n, C, params.chunkElements);
    const block = (buffer: 'input' | 'output', j: number) => slice(buffer, j * count, count);
    const chan = (d: number): number => (d - 1) % C;
    for (let r = 0; r < n; r++) {
      b.copyChunked(r, 0, block('input', r), block('output', r));
      for (let d = 1; d < n; d++) {
        const to = mod(r + d, n);
        b.sendChunked(r, chan(d), to, block('input', to));
      }
      for (let d = 1; d < n; d++) {
        const from = mod(r - d, n);
        b.recvChunked(r, chan(d), from, block('output', from));
      }
    }
    return b.build('allToAll', 'direct', params, { input: count * n, output: count * n, scratch: 0 });
  },
  /**
   * T = max over ranks and directions of bytes·β on the rank's intra and inter links + the
   * worst pair's latency (pxn.ts allToAllLoadNs, every route straight): every peer in flight at
   * once, each link carries its whole load back to back. On one switch, (n-1)·S·β + α. With
   * fewer channels than peers a channel's blocks go one after another, and receivers may take
   * several at once: a lower bound there.
   */
  predictNs: (params, cost) => allToAllLoadNs(params, cost, straightRoute),
  defaultChannels: (params) => Math.max(1, Math.min(params.nranks - 1, MAX_CHANNELS)),
};
