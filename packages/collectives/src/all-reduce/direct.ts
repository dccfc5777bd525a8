import { StepBuilder, assertPlannable, invalidParams, nsPerByte, rotationsNs, slice } from '../kit.js';
import { channelRanges, mod, parts } from '../logical.js';
import { mixedClasses, replayMessagesNs, type MessageWriter } from '../message-replay.js';
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
    const b = new StepBuilder(n, channelRanges(count, params.channels).length, chunkElements);
    directSteps(b, params);
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
   *
   * Across servers (mixedClasses: NVLink to some peers, the NIC to others) the phases do not
   * move in lockstep: a rank's NVLink blocks leave several times faster than its NIC blocks, and
   * the rotated order sends every rank of a server to the other server's ranks in one order
   * (r+1, …: 8, 9, …, 15 for each of ranks 0–7 of dgx-h100:nodes=2), so up to eight blocks
   * share one NIC in-link at a time. There the schedule's own messages are replayed
   * (message-replay.ts; dgx-h100:nodes=2 64 MiB: 2,628 → 4,949 µs predicted, 4,949 simulated).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    if (mixedClasses(params)) {
      const replayed = replayMessagesNs(params, cost, channelRanges(count, params.channels).length, (w) => directSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const bytes = count * elementBytes;
    return rotationsNs(params, cost, (rounds, alphaNs) => 2 * alphaNs + ((2 * rounds) / n) * bytes * nsPerByte(cost.bandwidthBytesPerSec));
  },
};

/** direct's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function directSteps(b: MessageWriter, params: PlanParams): void {
  const n = params.nranks;
  const channels = channelRanges(params.count, params.channels);
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
}
