import { StepBuilder, assertPlannable, invalidParams, rootHops, roundLinkFactor, slice, type RoundMessage } from '../kit.js';
import { withProtocols } from '../protocols.js';
import { channelRanges, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct gather, as nccl-tests' gather_perf does it with grouped send/recv: every rank
 * sends its input to the root; the root copies its own input into block `root` of
 * `output` and receives block j from every rank j (in rotated order root+1, root+2, …, so
 * that no sender is always served last). Each channel carries an even part of every block;
 * chunks split the messages.
 */
const plain: Algorithm = {
  name: 'direct',
  collective: 'gather',
  description: 'Every rank sends its input straight to the root.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    channels.forEach((part, channel) => {
      const block = (rank: number) => slice('output', rank * count + part.offset, part.count);
      b.copyChunked(root, channel, slice('input', part), block(root));
      for (let i = 1; i < n; i++) {
        const from = mod(root + i, n);
        b.sendChunked(from, channel, root, slice('input', part));
        b.recvChunked(root, channel, from, block(from));
      }
    });
    return b.build('gather', 'direct', params, { input: count, output: count * n, scratch: 0 });
  },
  /**
   * T = max over link classes of (m_k·S_c·c·β_k + α_k): every rank posts its block at once, so
   * the root's link from each class (NVLink from its server, its NIC from the others: cost.ts
   * rankLinks; one link on a switch, (n-1)·S_c·c/B + α there) carries that class's m_k blocks
   * side by side and the last lands α_k after, the worst hop of the class (railHopAlpha).
   * Where paths are narrower than a rank's injection the blocks crowd the links into the root's
   * router (cost.ts roundLinkFactor; ring:8 4 MiB: 41 → 47 µs predicted, 47 simulated).
   * 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const inNs = [0, 0];
    const worstAlphaNs = [0, 0];
    const messages: RoundMessage[][] = [[], []];
    for (const hop of rootHops(params, cost)) {
      inNs[hop.linkClass]! += hop.ns;
      worstAlphaNs[hop.linkClass] = Math.max(worstAlphaNs[hop.linkClass]!, hop.alphaNs);
      messages[hop.linkClass]!.push([hop.peer, params.root, 1]);
    }
    [0, 1].forEach((c) => (inNs[c]! *= roundLinkFactor(params, messages[c]!)));
    return Math.max(...[0, 1].map((c) => (inNs[c]! > 0 ? inNs[c]! + worstAlphaNs[c]! : 0)));
  },
};

/**
 * NCCL runs gather as grouped point-to-point sends and receives, under Simple, so it pays
 * a kernel launch and per-step latencies as all-to-all's pxn does: Ring's row (an assumption, as
 * for pxn: tuning.cc has no p2p row). Before, it paid the fabric's latency only: 0.60 µs for
 * 1 KiB on one DGX H100, where every other collective there pays NCCL's launch (≥ 8.4 µs).
 */
export const direct: Algorithm = withProtocols(plain, 'Ring', ['Simple']);
