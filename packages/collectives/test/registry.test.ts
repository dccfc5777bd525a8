import { isWeftInputError } from '@weft/sim';
import { describe, expect, it } from 'vitest';
import { COLLECTIVE_TABLE, COLLECTIVES, collectiveOf, getAlgorithm, listAlgorithms, planCollective } from '../src/registry.js';
import type { PlanParams } from '../src/types.js';

const params = (nranks: number, groups: number[][], hasReductionSwitch = false): PlanParams => ({
  nranks,
  count: 10,
  root: 0,
  elementBytes: 4,
  channels: 1,
  chunkElements: 0,
  layout: { groups, hasReductionSwitch },
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('registry', () => {
  it('lists every algorithm in table order, each under its own collective, with a registered default', () => {
    const all = listAlgorithms();
    const order = all.map((a) => COLLECTIVES.indexOf(a.collective));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const c of COLLECTIVES) {
      const names = listAlgorithms(c).map((a) => a.name);
      expect(new Set(names).size).toBe(names.length);
      for (const a of listAlgorithms(c)) expect(a.collective).toBe(c);
      expect(names, c).toContain(collectiveOf(c).defaultAlgorithm);
      expect(names.length, c).toBeGreaterThan(0);
    }
    expect(COLLECTIVE_TABLE.map((d) => d.name)).toEqual(COLLECTIVES);
  });

  it('finds an algorithm by collective and name', () => {
    expect(getAlgorithm('allReduce', 'rhd').name).toBe('rhd');
  });

  it('rejects an unknown name with a WeftInputError listing the accepted names', () => {
    const error = thrown(() => getAlgorithm('allReduce', 'butterfly'));
    expect(isWeftInputError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `unknown allReduce algorithm 'butterfly'; accepted: ${listAlgorithms('allReduce').map((a) => a.name).join(', ')}`,
    );
  });

  it('plans through planCollective, and refuses unsupported params with the reason', () => {
    const s = planCollective('allReduce', 'ring', params(4, [[0, 1, 2, 3]]));
    expect(s.algorithm).toBe('ring');
    expect(s.participants.length).toBe(4);
    const uneven = thrown(() => planCollective('allReduce', 'hierarchical', params(5, [[0, 1, 2], [3, 4]])));
    expect(isWeftInputError(uneven)).toBe(true);
    expect((uneven as Error).message).toBe(
      "algorithm 'hierarchical' cannot run allReduce on 5 ranks with count 10: needs equal group sizes (group 0 has 3 ranks, group 1 has 2)",
    );
    const noSwitch = thrown(() => planCollective('allReduce', 'innetwork', params(4, [[0, 1, 2, 3]])));
    expect((noSwitch as Error).message).toMatch(/^algorithm 'innetwork' cannot run allReduce on 4 ranks with count 10: needs one reduction-capable switch linked to every rank/);
    const bad = thrown(() => planCollective('allReduce', 'ring', { ...params(4, [[0, 1, 2, 3]]), channels: 0 }));
    expect((bad as Error).message).toMatch(/channels must be an integer >= 1, got 0/);
  });
});
