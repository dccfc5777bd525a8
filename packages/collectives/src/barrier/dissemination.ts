import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';
import { ceilLog2, mod } from '../logical.js';
import { StepLists, assertPlannable, invalidParams, slice } from '../all-gather/schedule-kit.js';

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
  unsupported: (params) => invalidParams(params, false),
  plan(params: PlanParams): Schedule {
    assertPlannable(params, false);
    const n = params.nranks;
    const lists = new StepLists(n, 1);
    for (let rank = 0; rank < n; rank++) {
      for (let d = 1; d < n; d *= 2) {
        lists.send(rank, 0, mod(rank + d, n), slice('input', 0, 0));
        lists.recv(rank, 0, mod(rank - d, n), slice('output', 0, 0));
      }
    }
    return lists.finish('barrier', 'dissemination', params, { input: 0, output: 0, scratch: 0 });
  },
  /** T = ⌈log2 n⌉·alpha: each round is one empty message whose latency is waited for. */
  predictNs(params: PlanParams, cost: CostParams): number {
    return ceilLog2(params.nranks) * cost.alphaNs;
  },
};
