import { StepBuilder, assertPlannable, invalidParams, nsPerByte, rotationsNs, slice } from '../kit.js';
import { channelRanges, mod, parts } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct (one-shot) all-reduce: each channel's part is cut into n blocks. Reduce-scatter:
 * every rank sends block j of its input straight to rank j and reduces the n-1 blocks it
 * receives into its own block. All-gather: every rank sends its reduced block to every
 * other rank. Peers are visited in rotated order (r+1, r+2, …) so that no rank is
 * everybody's first target. All sends of a phase go before its receives (sends are eager).
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'allReduce',
  description: 'Direct: every rank sends block j to rank j to reduce it, then sends its reduced block to every rank.',
  constraints: 'any rank count; n-1 peers per rank',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(direct.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    channels.forEach((range, c) => {
      const blocks = parts(range.count, n, range.offset);
      for (let r = 0; r < n; r++) {
        const own = blocks[r]!;
        b.copy(r, c, slice('input', own), slice('output', own));
        for (let j = 1; j < n; j++) {
          const peer = mod(r + j, n);
          b.sendChunked(r, c, peer, slice('input', blocks[peer]!));
        }
        for (let j = 1; j < n; j++) b.recvReduceChunked(r, c, mod(r - j, n), slice('output', own));
        for (let j = 1; j < n; j++) b.sendChunked(r, c, mod(r + j, n), slice('output', own));
        for (let j = 1; j < n; j++) {
          const peer = mod(r - j, n);
          b.recvChunked(r, c, peer, slice('output', blocks[peer]!));
        }
      }
    });
    return b.build('allReduce', 'direct', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * T = 2α + 2(n-1)/n·S·β, S = count·elementBytes. Each phase a rank sends its n-1 blocks one
   * after another — eager sends, each done when its last byte has left, so its link never
   * idles and no α is paid between them — and every rank receives from one peer at a time
   * (the rotated order), the last block landing α after it left. Chunking splits the sends,
   * not the phase: α once per phase, not per message (the old 2(n-1)·m·α was 6–15× the
   * simulation at 1 KiB on switch:4–16; predictor-error.md, "Direct, rd and rhd"). Where
   * paths are narrower than a rank's injection the ranks' sends at distance d share links and
   * each hop pays its own path's α (cost.ts rotationsNs): n - 1 becomes the rounds' link factors
   * summed (ring:8: 28–32 for 7; 4 MiB: 83 → 348 µs predicted, 349 simulated), and the
   * phase ends when its latest message lands (ring:8: its last, a neighbour's, 3.0 µs, not the
   * opposite rank's 3.9).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const bytes = count * elementBytes;
    return rotationsNs(params, cost, (rounds, alphaNs) => 2 * alphaNs + ((2 * rounds) / n) * bytes * nsPerByte(cost.bandwidthBytesPerSec));
  },
};
