import { describe, expect, it } from 'vitest';
import { algorithms, direct, halving, ring } from '../src/reduce-scatter/index.js';
import { COST, describeEveryAlgorithm, params, sendsIn } from './helpers.js';

describe('reduceScatter', () => {
  it('registers ring, direct and halving', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['ring', 'direct', 'halving']));
    for (const a of algorithms) expect(a.collective).toBe('reduceScatter');
  });

  // nvls needs a reduction switch in the layout and has no local copy to drop: test/nvls.test.ts.
  describeEveryAlgorithm(algorithms.filter((a) => a.name !== 'nvls'));

  it('ring: per chunk, send, (copy, recvReduceCopySend)×(n-2), copy, recvReduce; n·(n-1) messages per chunk', () => {
    const s = ring.plan({ ...params(4, 8, 2, 0), protocol: 'LL' });
    expect(s.bufferCounts).toEqual({ input: 32, output: 8, scratch: 0 });
    expect(s.participants[0]!.channels.map((ch) => ch.map((st) => st.op))).toEqual([
      ['send', 'copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend', 'copy', 'recvReduce'],
      ['send', 'copy', 'recvReduceCopySend', 'copy', 'recvReduceCopySend', 'copy', 'recvReduce'],
    ]);
    // Rank 0 starts block 3 (= 0-1 mod 4) and finishes its own block 0.
    expect(s.participants[0]!.channels[0]![0]).toEqual({ op: 'send', peer: 1, src: { buffer: 'input', offset: 24, count: 4 } });
    // n = 5, parts 5 and 5 in chunks of 2 → 3 + 3 chunks, each sent n-1 = 4 times by each of 5 ranks.
    expect(sendsIn(ring.plan({ ...params(5, 10, 2, 2), protocol: 'LL' }))).toBe(5 * 4 * 6);
    // Simple cuts a step's block in at most two slices (REDUCESCATTER_CHUNKSTEPS / REDUCESCATTER_SLICESTEPS) of at
    // least 32 KiB (prims_simple genericOp; protocols.ts ringSliceCounts): these 4-8 B blocks go whole …
    expect(sendsIn(ring.plan({ ...params(5, 10, 2, 2), protocol: 'Simple' }))).toBe(5 * 4 * 6);
    // … and blocks of 80 KB, 80 KB and 40 KB (chunks of 20,000, 20,000, 10,000 floats per part): the
    // first chunk (the ring's fill, nccl-ring.ts ncclBlockRingSlices) whole, the later two in two —
    // halves, and 32 KiB + the rest.
    expect(sendsIn(ring.plan({ ...params(5, 100000, 2, 20000), protocol: 'Simple' }))).toBe(5 * 4 * 2 * (1 + 2 * 2));
    expect(ring.plan(params(3, 1, 4, 0)).participants[0]!.channels).toHaveLength(1); // channels clamped to count
  });

  it('direct: n-1 messages per rank per chunk, reduced into output', () => {
    expect(sendsIn(direct.plan(params(6, 10, 1, 0)))).toBe(6 * 5);
    expect(sendsIn(direct.plan(params(6, 10, 2, 2)))).toBe(6 * 5 * 6); // parts 5,5 → 3 chunks each
  });

  it('halving: log2 n messages per rank for powers of two, fold messages otherwise', () => {
    const pof2 = halving.plan(params(8, 5, 2, 0));
    expect(pof2.participants.every((p) => p.channels.length === 1)).toBe(true); // one channel
    expect(sendsIn(pof2)).toBe(8 * 3);
    expect(pof2.bufferCounts.scratch).toBe(8 * 5);
    // n = 6: 2 fold-ins, 4 virtual ranks × 2 rounds, 2 blocks handed back.
    expect(sendsIn(halving.plan(params(6, 5)))).toBe(2 + 4 * 2 + 2);
  });

  it('predictNs follows the documented closed forms', () => {
    // ring (NCCL's, Simple), as the ring all-gather's: launch + m·((n-1)·(α + b/2·β) + b/2·β).
    // Blocks of 20,000 floats (80 KB, past 64 KiB) in one loop iteration: the ring's fill, each
    // block whole, so every hop pays α before its block moves on (NCCL's tuner: nsteps·hwLat
    // added to the transfer); test/block-ring-fill.test.ts has the later iterations' slices.
    expect(ring.predictNs(params(8, 20000), COST)).toBe(8400 + 7 * (3400 + 80000));
    // Blocks under NCCL's 32 KiB slice floor move whole: each hop α + b·β, nothing to drain
    // (1000 floats: 4000 ns; 2 channels of 250-float chunks: 2000 B per step, m = 2).
    expect(ring.predictNs(params(8, 1000), COST)).toBe(8400 + 7 * (3400 + 4000));
    expect(ring.predictNs(params(6, 1000, 2, 250), COST)).toBe(8400 + 2 * 5 * (3400 + 2000));
    // direct: α + (n-1)·S_c·c/B; S_c = 501 elements = 2004 B at 0.5 B/ns.
    expect(direct.predictNs(params(8, 1000), COST)).toBe(1000 + 7 * 4000);
    expect(direct.predictNs(params(6, 1001, 2, 100), COST)).toBe(1000 + 5 * 4008);
    // halving, power of two: log2(n)·α + (n-1)·S.
    expect(halving.predictNs(params(8, 1000), COST)).toBe(3 * 1000 + 7 * 4000);
    // n = 6 (p = 4, rem = 2; virtual ranks own blocks {0,1}, {2,3}, {4}, {5}), the schedule's
    // messages replayed (message-replay.ts): rank 4 posts its 4 blocks for the distance-2 round
    // to rank 1 at once, beside rank 0's 6-block fold on rank 1's in-link: the fold lands at
    // 10S + α, not 6S + α. Then rank 1 sends 2 blocks to 4, 2 to 3 (landed S + α later) and
    // block 0 back to 0: 41000 + 8000 + 9000 + 5000 — the sum of rounds (56,000) saw no incast.
    expect(halving.predictNs(params(6, 1000), COST)).toBe(1000 + 10 * 4000 + 2 * 4000 + (1000 + 2 * 4000) + (1000 + 4000));
  });
});
