import { StepBuilder, assertPlannable, invalidParams, rootHops, roundLinkFactor, slice } from '../kit.js';
import { withProtocols } from '../protocols.js';
import { channelRanges, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct scatter, as nccl-tests' scatter_perf does it with grouped send/recv: the root
 * copies block `root` of its input to its output and sends block j to every rank j (in
 * rotated order root+1, root+2, …); every other rank receives its block. Each channel
 * carries an even part of every block; chunks split the messages.
 */
const plain: Algorithm = {
  name: 'direct',
  collective: 'scatter',
  description: 'The root sends each rank its block directly.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    channels.forEach((part, channel) => {
      const block = (rank: number) => slice('input', rank * count + part.offset, part.count);
      b.copyChunked(root, channel, block(root), slice('output', part));
      for (let i = 1; i < n; i++) {
        const to = mod(root + i, n);
        b.sendChunked(root, channel, to, block(to));
        b.recvChunked(to, channel, root, slice('output', part));
      }
    });
    return b.build('scatter', 'direct', params, { input: count * n, output: count, scratch: 0 });
  },
  /**
   * The root's posts one after another, each at its hop's link (NVLink inside the root's
   * server, its NIC to the others: cost.ts rankLinks; one link on a switch): T = max over the
   * peers i of (Σ_{j≤i} S_c·c·β_j + α_i), the sum of the posts' times up to i and i's hop
   * (railHopAlpha) — α + (n-1)·S_c·c/B on a switch. A post whose path is narrower than the
   * root's injection moves at the path's width (cost.ts roundLinkFactor: ring:N's one direction
   * of two; ring:8 4 MiB: 41 → 78 µs predicted, 78 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    let leftNs = 0;
    let endNs = 0;
    for (const hop of rootHops(params, cost)) {
      // A post alone on its path: as slow as the path's narrowest link where that is below the root's injection.
      leftNs += hop.ns * roundLinkFactor(params, [[params.root, hop.peer, 1]]);
      endNs = Math.max(endNs, leftNs + hop.alphaNs);
    }
    return endNs;
  },
};

/**
 * NCCL runs scatter as grouped point-to-point sends and receives, under Simple, so it pays
 * a kernel launch and per-step latencies as all-to-all's pxn does: Ring's row (an assumption, as
 * for pxn: tuning.cc has no p2p row). Before, it paid the fabric's latency only: 0.60 µs for
 * 1 KiB on one DGX H100, where every other collective there pays NCCL's launch (≥ 8.4 µs).
 */
export const direct: Algorithm = withProtocols(plain, 'Ring', ['Simple']);
