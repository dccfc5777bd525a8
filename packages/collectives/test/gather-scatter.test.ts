import { describe, expect, it } from 'vitest';
import { algorithms as gathers, direct as gatherDirect } from '../src/gather/index.js';
import { algorithms as scatters, direct as scatterDirect } from '../src/scatter/index.js';
import { COST, describeEveryAlgorithm, params, peersOf } from './helpers.js';

describe('gather', () => {
  /** Only the root's output is defined: other ranks never write it. */
  describeEveryAlgorithm(gathers, { rooted: true, untouchedByNonRoots: { buffer: 'output', access: 'writes' } });

  it('direct: every other rank sends to the root, which receives in rotated order', () => {
    const s = gatherDirect.plan(params(4, 3, 1, 0, 2));
    expect([0, 1, 2, 3].map((r) => peersOf(s, r))).toEqual([['send:2'], ['send:2'], ['copy', 'recv:3', 'recv:0', 'recv:1'], ['send:2']]);
    expect(s.bufferCounts).toEqual({ input: 3, output: 12, scratch: 0 });
  });

  it('direct: NCCL p2p launch + alpha + (n-1) blocks through the root (4000 ns per 1000-element block)', () => {
    // Ring/Simple's launch (baseLat 8.4 µs) and step latency (NVLink 3.4 µs, above the fabric's 1 µs α): NCCL's p2p.
    expect(gatherDirect.predictNs(params(5, 1000), COST)).toBe(8400 + 3400 + 4 * 4000);
  });
});

describe('scatter', () => {
  /** Only the root's input is defined: other ranks never read it. */
  describeEveryAlgorithm(scatters, { rooted: true, untouchedByNonRoots: { buffer: 'input', access: 'reads' } });

  it('direct: the root sends block j to rank j in rotated order; the others receive once', () => {
    const s = scatterDirect.plan(params(4, 3, 1, 0, 1));
    expect([0, 1, 2, 3].map((r) => peersOf(s, r))).toEqual([['recv:1'], ['copy', 'send:2', 'send:3', 'send:0'], ['recv:1'], ['recv:1']]);
    expect(s.participants[1]!.channels[0]![1]).toEqual({ op: 'send', peer: 2, src: { buffer: 'input', offset: 6, count: 3 } });
  });

  it('direct: NCCL p2p launch + alpha + (n-1) blocks out of the root', () => {
    expect(scatterDirect.predictNs(params(5, 1000), COST)).toBe(8400 + 3400 + 4 * 4000);
  });
});
