import { describe, expect, it } from 'vitest';
import { algorithms, direct, pairwise } from '../src/all-to-all/index.js';
import { COST, describeEveryAlgorithm, params, peersOf, sendsIn } from './helpers.js';

describe('allToAll', () => {
  it('registers pairwise and direct', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['pairwise', 'direct']));
    for (const a of algorithms) expect(a.collective).toBe('allToAll');
  });

  describeEveryAlgorithm(algorithms);

  it('pairwise: XOR partners for powers of two, r+k / r-k otherwise', () => {
    expect(peersOf(pairwise.plan(params(4, 3)), 1)).toEqual(['copy', 'send:0', 'recv:0', 'send:3', 'recv:3', 'send:2', 'recv:2']);
    expect(peersOf(pairwise.plan(params(5, 3)), 1)).toEqual(['copy', 'send:2', 'recv:0', 'send:3', 'recv:4', 'send:4', 'recv:3', 'send:0', 'recv:2']);
    // Block 2 of rank 1's input lands in block 1 of rank 2's output.
    const s = pairwise.plan(params(5, 3));
    expect(s.participants[1]!.channels[0]![1]).toEqual({ op: 'send', peer: 2, src: { buffer: 'input', offset: 6, count: 3 } });
    expect(s.participants[2]!.channels[0]![2]).toEqual({ op: 'recv', peer: 1, dst: { buffer: 'output', offset: 3, count: 3 } });
  });

  it('direct: all sends first, then all receives; n·(n-1) messages per chunk', () => {
    expect(peersOf(direct.plan(params(4, 3)), 1)).toEqual(['copy', 'send:2', 'send:3', 'send:0', 'recv:0', 'recv:3', 'recv:2']);
    expect(sendsIn(direct.plan(params(6, 10, 2, 2)))).toBe(6 * 5 * 6);
    expect(sendsIn(pairwise.plan(params(6, 10, 2, 2)))).toBe(6 * 5 * 6);
  });

  it('predictNs follows the documented closed forms', () => {
    // pairwise: (n-1)·(α + S_c·c/B); c = 2 → S_c = 500 elements = 2000 B at 0.5 B/ns.
    expect(pairwise.predictNs(params(8, 1000), COST)).toBe(7 * (1000 + 4000));
    expect(pairwise.predictNs(params(6, 1000, 2, 250), COST)).toBe(5 * (1000 + 4000));
    // direct: α + (n-1)·S_c·c/B; S_c = 501 elements = 2004 B at 0.5 B/ns.
    expect(direct.predictNs(params(8, 1000), COST)).toBe(1000 + 7 * 4000);
    expect(direct.predictNs(params(6, 1001, 2, 100), COST)).toBe(1000 + 5 * 4008);
  });
});
