import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS } from '../src/semantics.js';
import { algorithms, bruck, direct, rd, ring } from '../src/all-gather/index.js';
import type { Algorithm, CostParams, PlanParams, Schedule, Step } from '../src/types.js';

const NRANKS = [...Array.from({ length: 17 }, (_, i) => i + 1), 24, 32];
const COUNTS = [0, 1, 7, 1000, 2 ** 20 + 3];
const CHANNELS = [1, 2];
/** 0 (one chunk per step) and a size that cuts each count into several uneven chunks. */
const chunkings = (count: number): number[] => [0, count < 10 ? 2 : count < 5000 ? 96 : 2 ** 17 + 5];

function params(nranks: number, count: number, channels = 1, chunkElements = 0): PlanParams {
  return {
    nranks,
    count,
    root: 0,
    elementBytes: 4,
    channels,
    chunkElements,
    layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false },
  };
}

/** alpha 1 µs, 1 byte/ns: one 1000-element float32 block takes 4000 ns. */
const COST: CostParams = {
  alphaNs: 1000,
  bandwidthBytesPerSec: 1e9,
  intra: { alphaNs: 1000, bandwidthBytesPerSec: 1e9 },
  inter: { alphaNs: 1000, bandwidthBytesPerSec: 1e9 },
};

const sendsIn = (s: Schedule): number =>
  s.participants.flatMap((p) => p.channels.flat()).filter((st) => st.op === 'send' || st.op.endsWith('CopySend')).length;

/** The schedule with step `index` of rank `rank` channel 0 replaced (or removed when `step` is null). */
function mutate(s: Schedule, rank: number, index: number, step: Step | null): Schedule {
  const participants = s.participants.map((p, r) =>
    r !== rank ? p : { ...p, channels: p.channels.map((ch, c) => (c !== 0 ? ch : ch.flatMap((st, i) => (i !== index ? [st] : step ? [step] : [])))) },
  );
  return { ...s, participants };
}

describe('allGather', () => {
  it('registers ring, rd, bruck and direct', () => {
    expect(algorithms.map((a) => a.name)).toEqual(['ring', 'rd', 'bruck', 'direct']);
    for (const a of algorithms) expect(a.collective).toBe('allGather');
  });

  describe.each(algorithms.map((a) => [a.name, a] as [string, Algorithm]))('%s', (_name, algorithm) => {
    it('passes the symbolic checker on nranks 1-17, 24, 32 × counts 0, 1, 7, 1000, 2^20+3 × channels 1, 2 × chunking', () => {
      const failures: string[] = [];
      let planned = 0;
      for (const n of NRANKS) {
        for (const count of COUNTS) {
          for (const channels of CHANNELS) {
            for (const chunk of chunkings(count)) {
              const p = params(n, count, channels, chunk);
              expect(algorithm.unsupported(p)).toBeNull();
              const result = checkSchedule(algorithm.plan(p));
              planned++;
              if (!result.ok) failures.push(`n=${n} count=${count} channels=${channels} chunk=${chunk}: ${result.error}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(planned).toBe(19 * 5 * 2 * 2);
    });

    it('gives the exact expected output with real numbers (reference executor), every op and dtype', () => {
      const failures: string[] = [];
      for (const n of [1, 2, 3, 5, 8, 12]) {
        for (const count of [1, 7]) {
          for (const [channels, chunk] of [[1, 0], [2, 3]] as const) {
            const s = algorithm.plan(params(n, count, channels, chunk));
            for (const op of REDUCE_OPS) {
              for (const dtype of DTYPES) {
                const { wrong, first } = checkReference(s, op, dtype);
                if (wrong > 0) failures.push(`n=${n} count=${count} channels=${channels} chunk=${chunk} ${op}/${dtype}: ${wrong} wrong, first ${JSON.stringify(first)}`);
              }
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('gives wrong numbers in the reference executor when the first local copy is dropped', () => {
      const s = algorithm.plan(params(5, 7));
      expect(checkReference(s, 'sum', 'float64').wrong).toBe(0);
      const rank = s.participants.findIndex((p) => p.channels[0]!.some((st) => st.op === 'copy'));
      const index = s.participants[rank]!.channels[0]!.findIndex((st) => st.op === 'copy');
      expect(checkReference(mutate(s, rank, index, null), 'sum', 'float64').wrong).toBeGreaterThan(0);
    });

    it('fails the checker when one send is dropped or one recv points at the wrong peer', () => {
      for (const n of [3, 5, 8]) {
        const s = algorithm.plan(params(n, 10, 1, 3));
        expect(checkSchedule(s).ok).toBe(true);
        const steps = s.participants[1]!.channels[0]!;
        const sendAt = steps.findIndex((st) => st.op === 'send');
        expect(checkSchedule(mutate(s, 1, sendAt, null)).ok).toBe(false);
        const recvAt = steps.findIndex((st) => st.op.startsWith('recv'));
        const recv = steps[recvAt]! as Extract<Step, { op: 'recvReduce' }>;
        const wrongPeer = [0, 2, 3].find((r) => r !== recv.peer)!;
        expect(checkSchedule(mutate(s, 1, recvAt, { ...recv, peer: wrongPeer })).ok).toBe(false);
      }
    });

    it('rejects invalid params with a one-line reason', () => {
      expect(algorithm.unsupported({ ...params(4, 8), nranks: 0 })).toMatch(/nranks/);
      expect(algorithm.unsupported({ ...params(4, 8), count: 1.5 })).toMatch(/count/);
      expect(algorithm.unsupported({ ...params(4, 8), channels: 0 })).toMatch(/channels/);
      expect(algorithm.unsupported({ ...params(4, 8), chunkElements: -1 })).toMatch(/chunkElements/);
      expect(() => algorithm.plan({ ...params(4, 8), channels: 0 })).toThrow(/channels/);
    });

    it('predicts 0 for one rank or an empty buffer', () => {
      expect(algorithm.predictNs(params(1, 1000), COST)).toBe(0);
      expect(algorithm.predictNs(params(8, 0), COST)).toBe(0);
    });
  });

  it('ring: per chunk, send, recvCopySend×(n-2), recv; n·(n-1) messages per chunk', () => {
    const s = ring.plan(params(4, 8, 2, 0));
    expect(s.bufferCounts).toEqual({ input: 8, output: 32, scratch: 0 });
    expect(s.participants[2]!.channels.map((ch) => ch.map((st) => st.op))).toEqual([
      ['copy', 'send', 'recvCopySend', 'recvCopySend', 'recv'],
      ['copy', 'send', 'recvCopySend', 'recvCopySend', 'recv'],
    ]);
    // Rank 2's last receive is block 3 (= 2+1), second half of the block on channel 1.
    expect(s.participants[2]!.channels[1]![4]).toEqual({ op: 'recv', peer: 1, dst: { buffer: 'output', offset: 28, count: 4 } });
    expect(sendsIn(ring.plan(params(5, 10, 2, 2)))).toBe(5 * 4 * 6);
  });

  it('direct: n-1 messages per rank per chunk', () => {
    expect(sendsIn(direct.plan(params(6, 10, 1, 0)))).toBe(6 * 5);
    expect(sendsIn(direct.plan(params(6, 10, 2, 2)))).toBe(6 * 5 * 6);
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
    // ring: (n-1)·(m·α + S_c·c/B); c = 2 → S_c = 2000 B at 0.5 B/ns, m = 2.
    expect(ring.predictNs(params(8, 1000), COST)).toBe(7 * (1000 + 4000));
    expect(ring.predictNs(params(6, 1000, 2, 250), COST)).toBe(5 * (2 * 1000 + 4000));
    // direct: α + (n-1)·S_c·c/B.
    expect(direct.predictNs(params(8, 1000), COST)).toBe(1000 + 7 * 4000);
    expect(direct.predictNs(params(6, 1001, 2, 100), COST)).toBe(1000 + 5 * 4008);
    // rd, power of two: log2(n)·α + (n-1)·S.
    expect(rd.predictNs(params(8, 1000), COST)).toBe(3 * 1000 + 7 * 4000);
    // n = 6 (p = 4, rem = 2): fold in (α + S), out (α + 5S); groups hold at most 2 then 4 blocks.
    expect(rd.predictNs(params(6, 1000), COST)).toBe(1000 + 4000 + (1000 + 5 * 4000) + (1000 + 2 * 4000) + (1000 + 4 * 4000));
    // bruck: ⌈log2 n⌉·α + (n-1)·S.
    expect(bruck.predictNs(params(6, 1000), COST)).toBe(3 * 1000 + 5 * 4000);
    expect(bruck.predictNs(params(8, 1000, 2, 64), COST)).toBe(3 * 1000 + 7 * 4000);
  });
});
