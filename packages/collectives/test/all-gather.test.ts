import { describe, expect, it } from 'vitest';
import { algorithms, bruck, direct, rd, ring } from '../src/all-gather/index.js';
import { COST, describeEveryAlgorithm, params, sendsIn } from './helpers.js';

describe('allGather', () => {
  it('registers ring, rd, bruck and direct', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['ring', 'rd', 'bruck', 'direct']));
    for (const a of algorithms) expect(a.collective).toBe('allGather');
  });

  // nvls needs a reduction switch in the layout and has no local copy to drop: test/nvls.test.ts.
  describeEveryAlgorithm(algorithms.filter((a) => a.name !== 'nvls'));

  it('ring: per chunk, send, recvCopySend×(n-2), recv; n·(n-1) messages per chunk', () => {
    const s = ring.plan({ ...params(4, 8, 2, 0), protocol: 'LL' });
    expect(s.bufferCounts).toEqual({ input: 8, output: 32, scratch: 0 });
    expect(s.participants[2]!.channels.map((ch) => ch.map((st) => st.op))).toEqual([
      ['copy', 'send', 'recvCopySend', 'recvCopySend', 'recv'],
      ['copy', 'send', 'recvCopySend', 'recvCopySend', 'recv'],
    ]);
    // Rank 2's last receive is block 3 (= 2+1), second half of the block on channel 1.
    expect(s.participants[2]!.channels[1]![4]).toEqual({ op: 'recv', peer: 1, dst: { buffer: 'output', offset: 28, count: 4 } });
    expect(sendsIn(ring.plan({ ...params(5, 10, 2, 2), protocol: 'LL' }))).toBe(5 * 4 * 6);
    // Simple cuts a step's block in at most two slices (ALLGATHER_CHUNKSTEPS / ALLGATHER_SLICESTEPS) of at
    // least 32 KiB (prims_simple genericOp; protocols.ts ringSliceCounts): these 4-8 B blocks go whole …
    expect(sendsIn(ring.plan({ ...params(5, 10, 2, 2), protocol: 'Simple' }))).toBe(5 * 4 * 6);
    // … and blocks of 80 KB, 80 KB and 40 KB (chunks of 20,000, 20,000, 10,000 floats per part): the
    // first chunk (the ring's fill, nccl-ring.ts ncclBlockRingSlices) whole, the later two in two —
    // halves, and 32 KiB + the rest.
    expect(sendsIn(ring.plan({ ...params(5, 100000, 2, 20000), protocol: 'Simple' }))).toBe(5 * 4 * 2 * (1 + 2 * 2));
  });

  it('direct: one post per chunk, to all n-1 peers at once in rotated order', () => {
    expect(sendsIn(direct.plan(params(6, 10, 1, 0)))).toBe(6);
    // 2 channels of 5 elements in chunks of 2: 3 posts per channel and rank.
    const plan = direct.plan(params(6, 10, 2, 2));
    expect(sendsIn(plan)).toBe(6 * 2 * 3);
    const first = plan.participants[2]!.channels[0]!.find((st) => st.op === 'send');
    expect(first?.op === 'send' ? [first.peer, ...(first.fanOut ?? [])] : []).toEqual([3, 4, 5, 0, 1]);
    expect(sendsIn(direct.plan(params(1, 10)))).toBe(0);
  });

  it('rd: log2 n messages per rank for powers of two; fold in and out otherwise; one channel', () => {
    const pof2 = rd.plan(params(8, 5, 2, 0));
    expect(pof2.participants.every((p) => p.channels.length === 1)).toBe(true);
    expect(sendsIn(pof2)).toBe(8 * 3);
    // n = 6: 2 fold-ins, 4 virtual ranks × 2 rounds, fold-outs: rank 1 hands back blocks
    // 1-5 (one range), rank 3 blocks 0-1 and 3-5 (two ranges).
    expect(sendsIn(rd.plan(params(6, 5)))).toBe(2 + 4 * 2 + 1 + 2);
  });

  it('bruck: ceil(log2 n) rounds, a run that wraps past block n-1 sent in two pieces', () => {
    // n = 5, rounds d = 1, 2, 4 move 1, 2, 1 blocks; only rank 4's 2-block run (blocks 4, 0) wraps.
    expect(sendsIn(bruck.plan(params(5, 3)))).toBe(5 * 3 + 1);
    const rank4 = bruck.plan(params(5, 3)).participants[4]!.channels[0]!;
    expect(rank4.filter((st) => st.op === 'send').map((st) => (st.op === 'send' ? [st.peer, st.src.offset, st.src.count] : []))).toEqual([
      [3, 12, 3],
      [2, 12, 3],
      [2, 0, 3],
      [0, 12, 3],
    ]);
  });

  it('predictNs follows the documented closed forms', () => {
    // ring (NCCL's, Simple): launch 8.4 µs + the ring's fill (n-1)·(α + b·β), α = Ring/Simple's
    // 3.4 µs NVLink step latency (> the fabric's 1 µs), b = S/m; c = 2 channels on one ring share
    // the link (lockstep).
    // Blocks of 20,000 floats (80 KB, past 64 KiB) in one loop iteration: the ring's fill, each
    // block whole, so every hop pays α before its block moves on (NCCL's tuner: nsteps·hwLat
    // added to the transfer); test/block-ring-fill.test.ts has the later iterations' slices.
    expect(ring.predictNs(params(8, 20000), COST)).toBe(8400 + 7 * (3400 + 80000));
    // Blocks under NCCL's 32 KiB slice floor move whole: each hop α + b·β, nothing to drain
    // (1000 floats: 4000 ns; 2 channels of 250-float chunks: 2000 B per step, m = 2).
    expect(ring.predictNs(params(8, 1000), COST)).toBe(8400 + 7 * (3400 + 4000));
    expect(ring.predictNs(params(6, 1000, 2, 250), COST)).toBe(8400 + 2 * 5 * (3400 + 2000));
    // direct: α + (n-1)·S_c·c/B.
    expect(direct.predictNs(params(8, 1000), COST)).toBe(1000 + 7 * 4000);
    expect(direct.predictNs(params(6, 1001, 2, 100), COST)).toBe(1000 + 5 * 4008);
    // rd, power of two: log2(n)·α + (n-1)·S.
    expect(rd.predictNs(params(8, 1000), COST)).toBe(3 * 1000 + 7 * 4000);
    // n = 6 (p = 4, rem = 2), the schedule's messages replayed (message-replay.ts): rank 1
    // (virtual 0, blocks {0,1}) has rank 0's block at α + S; its distance-1 partner 3 and its
    // distance-2 partner 4 (whose distance-1 round took one block) both post 2 blocks to it
    // then, sharing its in-link: landed 4S + α later. It sends 4 blocks to 4, then 5 blocks back
    // to 0: 5000 + 17000 + 16000 + 21000 — the sum of rounds (52,000) saw no shared in-link.
    expect(rd.predictNs(params(6, 1000), COST)).toBe(1000 + 4000 + (1000 + 4 * 4000) + 4 * 4000 + (1000 + 5 * 4000));
    // bruck: ⌈log2 n⌉·α + (n-1)·S.
    expect(bruck.predictNs(params(6, 1000), COST)).toBe(3 * 1000 + 5 * 4000);
    expect(bruck.predictNs(params(8, 1000, 2, 64), COST)).toBe(3 * 1000 + 7 * 4000);
  });
});
