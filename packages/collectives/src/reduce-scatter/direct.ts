import { StepBuilder, assertPlannable, channelBlockNs, invalidParams, rotationsNs, slice } from '../kit.js';
import { channelRanges, mod } from '../logical.js';
import { mixedClasses, replayMessagesNs, type MessageWriter } from '../message-replay.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Direct reduce-scatter: rank r posts block j of its input to rank j for every j != r (in
 * the rotated order r+1, r+2, … so no rank is everyone's first target), then copies its
 * own block r into `output` and reduces the n-1 incoming copies of block r into it. Each
 * channel handles an even part of every block; chunks split the messages.
 */
export const direct: Algorithm = {
  name: 'direct',
  collective: 'reduceScatter',
  description: 'Every rank sends block j straight to rank j, which reduces the n-1 copies it receives.',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(direct.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const b = new StepBuilder(n, channelRanges(count, params.channels).length, chunkElements);
    directSteps(b, params);
    return b.build('reduceScatter', 'direct', params, { input: count * n, output: count, scratch: 0 });
  },
  /**
   * T = alpha + (n-1) * S_c*c/B: all n-1 sends leave back to back through the rank's
   * injection bandwidth B (shared by the c channels; S_c = ceil(count/c) * elementBytes),
   * their latencies overlap, so one alpha is paid. Chunking does not change it. Where paths
   * are narrower than a rank's injection, n - 1 is the sends' rounds on the links they share
   * and alpha the latest landing's (cost.ts rotationsNs; ring:8 4 MiB: 41 → 174 µs predicted,
   * 174 simulated). 0 for n = 1 or count = 0.
   *
   * Across servers (mixedClasses) the sends are not in lockstep and crowd the NICs' in-links
   * (all-reduce/direct.ts): the schedule's own messages are replayed instead (message-replay.ts;
   * dgx-h100:nodes=2 64 MiB: 1,314 → 3,341 µs predicted, 3,341 simulated).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    if (mixedClasses(params)) {
      const replayed = replayMessagesNs(params, cost, channelRanges(count, params.channels).length, (w) => directSteps(w, params));
      if (replayed !== null) return replayed;
    }
    const blockNs = channelBlockNs(params, cost);
    return rotationsNs(params, cost, (rounds, alphaNs) => alphaNs + rounds * blockNs);
  },
};

/** direct's steps (plan) or its messages (predictNs: message-replay.ts), written by one code. */
function directSteps(b: MessageWriter, params: PlanParams): void {
  const { nranks: n, count } = params;
  const channels = channelRanges(count, params.channels);
  channels.forEach((part, channel) => {
    const block = (rank: number) => slice('input', rank * count + part.offset, part.count);
    const out = slice('output', part);
    for (let rank = 0; rank < n; rank++) {
      for (let i = 1; i < n; i++) {
        const to = mod(rank + i, n);
        b.sendChunked(rank, channel, to, block(to));
      }
      b.copyChunked(rank, channel, block(rank), out);
      for (let i = 1; i < n; i++) b.recvReduceChunked(rank, channel, mod(rank - i, n), out);
    }
  });
}
