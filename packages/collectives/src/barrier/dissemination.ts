import { StepBuilder, assertPlannable, invalidParams, railHopAlpha, replayDoublingRoundsNs } from '../kit.js';
import { mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Dissemination barrier (Hensgen, Finkel & Manber 1988; MPICH barrier): in round k rank r
 * sends an empty message to r + 2^k and waits for one from r - 2^k. After ⌈log2 n⌉ rounds
 * every rank has heard, directly or through others, from every rank, so none can finish
 * before all have started. One channel; `count` and `chunkElements` are ignored.
 */
export const dissemination: Algorithm = {
  name: 'dissemination',
  collective: 'barrier',
  description: 'ceil(log2 n) rounds of empty messages to rank r+2^k; afterwards everyone has heard from everyone.',
  constraints: 'any rank count; one channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(dissemination.unsupported(params));
    const n = params.nranks;
    const b = new StepBuilder(n, 1);
    for (let rank = 0; rank < n; rank++) {
      for (let d = 1; d < n; d *= 2) {
        b.sendToken(rank, 0, mod(rank + d, n));
        b.recvToken(rank, 0, mod(rank - d, n));
      }
    }
    return b.build('barrier', 'dissemination', params, { input: 0, output: 0, scratch: 0 });
  },
  /**
   * The rounds replayed rank by rank: rank x passes round k (d = 2^k) when the token from x - d
   * has landed, which left when x - d passed round k-1: t_{k+1}(x) = max(t_k(x), t_k(x-d) +
   * α(x-d, x)) (α per hop: railHopAlpha); T = max_x t(x). Σ_k α on a switch (every rank alike);
   * across servers a round's cross-server hop delays only the ranks downstream of it, where the
   * sum of every round's worst hop was 1.8× the simulation on two DGX servers (predictor-error.md,
   * "Bruck's rounds replayed").
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const n = params.nranks;
    const alpha = railHopAlpha(params, cost);
    return replayDoublingRoundsNs(n, (d, x, t) => {
      const from = mod(x - d, n);
      return Math.max(t[x]!, t[from]! + alpha(from, x));
    });
  },
};
