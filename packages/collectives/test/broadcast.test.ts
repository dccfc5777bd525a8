import { describe, expect, it } from 'vitest';
import { algorithms, binomial, chain } from '../src/broadcast/index.js';
import { COST, describeEveryAlgorithm, params, peersOf, sendsIn } from './helpers.js';

describe('broadcast', () => {
  it('registers chain and binomial', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['chain', 'binomial']));
    for (const a of algorithms) expect(a.collective).toBe('broadcast');
  });

  /** Only the root's input is defined (NCCL: sendbuff is used on the root only). */
  describeEveryAlgorithm(algorithms, { rooted: true, untouchedByNonRoots: { buffer: 'input', access: 'reads' } });

  it('chain: root sends, middle ranks recvCopySend, the last rank only receives', () => {
    const s = chain.plan(params(4, 6, 1, 2, 2));
    expect(s.participants.map((p) => p.channels[0]!.map((st) => st.op))).toEqual([
      ['recvCopySend', 'recvCopySend', 'recvCopySend'], // rank 0: third in the chain 2 → 3 → 0 → 1
      ['recv', 'recv', 'recv'],
      ['send', 'copy', 'send', 'copy', 'send', 'copy'],
      ['recvCopySend', 'recvCopySend', 'recvCopySend'],
    ]);
    expect(s.participants[0]!.channels[0]![0]).toEqual({ op: 'recvCopySend', peer: 3, sendPeer: 1, dst: { buffer: 'output', offset: 0, count: 2 } });
    expect(sendsIn(chain.plan(params(7, 10, 2, 2, 3)))).toBe(6 * 6); // 6 hops × (3 + 3 chunks)
  });

  it('binomial: rank v (relative to the root) hears from v minus its lowest set bit, sends to its children', () => {
    const s = binomial.plan(params(6, 4, 1, 0, 5));
    const peers = s.participants.map((_, rank) => peersOf(s, rank));
    // Root 5: virtual rank v = rank - 5 (mod 6), so ranks 5, 0, 1, 2, 3, 4 are v = 0…5.
    expect(peers).toEqual([
      ['recv:5'], // v1: parent v0
      ['recv:5', 'send:2'], // v2: parent v0, child v3
      ['recv:1'], // v3: parent v2
      ['recv:5', 'send:4'], // v4: parent v0, child v5 (v6 does not exist)
      ['recv:3'], // v5: parent v4
      ['send:3', 'send:1', 'send:0', 'copy'], // v0: children v4, v2, v1, largest subtree first
    ]);
  });

  it('predictNs follows the documented closed forms', () => {
    // chain (NCCL's ring broadcast, Simple): launch 8.4 µs + (n-1)·(α + b·β) + (m-1)·b·β (later chunks follow at the
    // link's pace, latencies overlapped), α = Ring/Simple's
    // 3.4 µs NVLink step latency (> the fabric's 1 µs), b = one chunk of every channel.
    expect(chain.predictNs(params(8, 1000), COST)).toBe(8400 + 7 * (3400 + 4000));
    expect(chain.predictNs(params(8, 1000, 1, 100), COST)).toBe(8400 + 7 * (3400 + 400) + 9 * 400);
    // c = 2 on one ring: S_c = 500 elements in m = 2 chunks of 250; b = 2 × 1000 B sharing the link.
    expect(chain.predictNs(params(6, 1000, 2, 250), COST)).toBe(8400 + 5 * (3400 + 2000) + 2000);
    // binomial: its schedule's recurrence (a rank sends chunk k to its children one after
    // another once chunk k landed and its chunk k-1 left; each copy lands α after it left).
    // A power of two in one chunk: ⌈log2 n⌉·(α + S_c·c/B), the root's three copies then the path.
    expect(binomial.predictNs(params(8, 1000), COST)).toBe(3 * (1000 + 4000));
    // 13 ranks from root 12, b = 3996: the root's four copies end at 4b; the slowest leaf is
    // virtual 7 (0 → 4 → 6 → 7: 2b + α, + b + α, + b + α) or 11 (0 → 8 → 10 → 11), at 4b + 3α —
    // one α under the closed form ⌈log2 n⌉·(α + b), whose deepest path (4 hops) sends first.
    expect(binomial.predictNs(params(13, 999, 1, 0, 12), COST)).toBe(4 * 3996 + 3 * 1000);
    // c = 2, two chunks of 250 a channel: b = 2 × 1000 B = 2000 ns a copy. Chunk 0 reaches
    // virtual 3 (0 → 2 → 3) at 2b + α + b + α = 8000; chunk 1 leaves the root at 3b and reaches
    // 3 at 3b + 2b + α + b + α = 14000, the last landing.
    expect(binomial.predictNs(params(6, 1000, 2, 250), COST)).toBe(14000);
  });
});
