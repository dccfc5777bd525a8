/**
 * auto's candidates (@weft/collectives auto.ts) resolve their params and predict their time when
 * read: NCCL's rule reads only the chosen one's, so at thousands of GPUs the others' predictions
 * (seconds each at 16,384 GPUs) are not paid; what a later read gives is what an eager one gave.
 */
import { describe, expect, it, vi } from 'vitest';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { chooseAlgorithm, getAlgorithm, listAlgorithms, resolveDefaults, type PlanParams } from '@weft/collectives';

describe("auto's candidates are predicted when read", () => {
  it("NCCL's rule predicts only the chosen candidate; every other one's prediction, read later, is its algorithm's on its resolved params", () => {
    const topology = parseTopologySpec('dgx-h100:nodes=2');
    const cost = alphaBetaCost(topology);
    const base: PlanParams = { nranks: 16, count: 2 ** 28, root: 0, elementBytes: 4, channels: 0, chunkElements: 0, chunkAuto: true, layout: rankLayout(topology) };
    const calls = new Map<string, number>();
    const spies = listAlgorithms('allReduce').map((a) => vi.spyOn(a, 'predictNs').mockName(a.name));
    try {
      const choice = chooseAlgorithm('allReduce', base, cost);
      for (const spy of spies) if (spy.mock.calls.length > 0) calls.set(spy.getMockName(), spy.mock.calls.length);
      // nvlstree/Simple, NCCL's pick on two servers at 1 GiB: its own prediction alone (once).
      expect(`${choice.algorithm.name}/${choice.params.protocol}`).toBe('nvlstree/Simple');
      expect([...calls]).toEqual([['nvlstree', 1]]);
      for (const c of choice.candidates) {
        if (c.unsupported !== undefined) continue;
        const algorithm = getAlgorithm('allReduce', c.name);
        expect(c.params).toEqual(resolveDefaults(algorithm, { ...base, protocol: c.protocol }, cost));
        expect(c.predictedNs).toBe(algorithm.predictNs(c.params!, cost));
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
