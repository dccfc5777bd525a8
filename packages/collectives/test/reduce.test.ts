import { describe, expect, it } from 'vitest';
import { algorithms, binomial, chain } from '../src/reduce/index.js';
import { COST, describeEveryAlgorithm, params, peersOf, sendsIn } from './helpers.js';

describe('reduce', () => {
  it('registers chain and binomial', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['chain', 'binomial']));
    for (const a of algorithms) expect(a.collective).toBe('reduce');
  });

  /** Only the root's output is defined; the others' may be absent (NCCL), so it is never written. */
  describeEveryAlgorithm(algorithms, { rooted: true, untouchedByNonRoots: { buffer: 'output', access: 'writes' } });

  it('chain: the first rank sends, middle ranks reduce in a one-chunk scratch slot, the root into output', () => {
    const s = chain.plan(params(4, 6, 1, 2, 1));
    expect(s.bufferCounts).toEqual({ input: 6, output: 6, scratch: 2 });
    expect(s.participants.map((p) => p.channels[0]!.map((st) => st.op))).toEqual([
      ['copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend'], // 2 → 3 → 0 → 1
      ['copy', 'recvReduce', 'copy', 'recvReduce', 'copy', 'recvReduce'],
      ['send', 'send', 'send'],
      ['copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend'],
    ]);
    expect(s.participants[3]!.channels[0]![3]).toEqual({ op: 'recvReduceCopySend', peer: 2, sendPeer: 0, dst: { buffer: 'scratch', offset: 0, count: 2 } });
    // Two channels of parts 5 and 5 in chunks of 2: slots of 2 elements at scratch 0 and 2.
    expect(chain.plan(params(5, 10, 2, 2)).bufferCounts.scratch).toBe(4);
    expect(sendsIn(chain.plan(params(7, 10, 2, 2, 3)))).toBe(6 * 6); // 6 hops × (3 + 3 chunks)
  });

  it('binomial: children reduced smallest subtree first, partials in scratch off the root', () => {
    const s = binomial.plan(params(8, 4, 1, 0, 0));
    expect(s.participants.map((_, rank) => peersOf(s, rank))).toEqual([
      ['copy', 'recvReduce:1', 'recvReduce:2', 'recvReduce:4'],
      ['send:0'],
      ['copy', 'recvReduce:3', 'send:0'],
      ['send:2'],
      ['copy', 'recvReduce:5', 'recvReduce:6', 'send:0'],
      ['send:4'],
      ['copy', 'recvReduce:7', 'send:4'],
      ['send:6'],
    ]);
    expect(s.bufferCounts.scratch).toBe(4);
    expect(binomial.plan(params(3, 4, 1, 0, 0)).bufferCounts.scratch).toBe(0); // no inner non-root rank
  });

  it('predictNs follows the documented closed forms', () => {
    // chain (NCCL's ring reduce, Simple), as the chain broadcast: launch + (n-1)·(α + b·β) + (m-1)·b·β.
    expect(chain.predictNs(params(8, 1000), COST)).toBe(8400 + 7 * (3400 + 4000));
    expect(chain.predictNs(params(6, 1000, 2, 250, 5), COST)).toBe(8400 + 5 * (3400 + 2000) + 2000);
    // binomial, one chunk on 8 ranks: the root takes its three children's partials one after
    // another on its link, the last α after it left: ⌈log2 n⌉·(α + S·β) as the closed form.
    expect(binomial.predictNs(params(8, 1000), COST)).toBe(3 * (1000 + 4000));
    // 13 ranks in 63 chunks: the root's link carries its four children's partials back to back
    // (4·S·β = 15984) once the pipeline has filled, three hops' α (3000) — below the closed
    // form's 4·(α + S·β) = 19984, which paid an α per level on top of every partial.
    expect(binomial.predictNs(params(13, 999, 1, 16), COST)).toBe(4 * 3996 + 3 * 1000);
  });
});
