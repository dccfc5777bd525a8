import { StepBuilder, assertPlannable, hopAlpha, invalidParams, rotationAlphaNs } from '../kit.js';
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
  /** T = Σ_k α_k over the ⌈log2 n⌉ rounds: each round is one empty message to r + 2^k whose latency is waited for. */
  predictNs(params: PlanParams, cost: CostParams): number {
    const alpha = hopAlpha(params, cost);
    let t = 0;
    for (let d = 1; d < params.nranks; d *= 2) t += rotationAlphaNs(params.nranks, d, alpha);
    return t;
  },
};
