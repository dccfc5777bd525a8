import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS } from '../src/semantics.js';
import { algorithms, binomial, chain } from '../src/reduce/index.js';
import type { Algorithm, BufferName, CostParams, PlanParams, Schedule, Step } from '../src/types.js';

const NRANKS = [...Array.from({ length: 17 }, (_, i) => i + 1), 24, 32];
const COUNTS = [0, 1, 7, 1000, 2 ** 20 + 3];
const CHANNELS = [1, 2];
const rootsOf = (n: number): number[] => (n === 1 ? [0] : [0, n - 1]);
/** 0 (one chunk per step) and a size that cuts each count into several uneven chunks. */
const chunkings = (count: number): number[] => [0, count < 10 ? 2 : count < 5000 ? 96 : 2 ** 17 + 5];

function params(nranks: number, count: number, channels = 1, chunkElements = 0, root = 0): PlanParams {
  return {
    nranks,
    count,
    root,
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

/** Ranks other than the root that read (`src` of send/copy/reduce) or write (`dst`) `buffer`. */
function nonRootsTouching(s: Schedule, buffer: BufferName, access: 'reads' | 'writes'): number[] {
  const touches = (st: Step): boolean =>
    access === 'reads' ? 'src' in st && st.src.buffer === buffer : 'dst' in st && st.dst.buffer === buffer;
  return s.participants.flatMap((p, r) => (r !== s.root && p.channels.some((ch) => ch.some(touches)) ? [r] : []));
}

/** Only the root's output is defined; the others' may be absent (NCCL), so it is never written. */
const UNUSED_BUFFER: BufferName = 'output';
const UNUSED_ACCESS = 'writes' as const;

describe('reduce', () => {
  it('registers chain and binomial', () => {
    expect(algorithms.map((a) => a.name)).toEqual(['chain', 'binomial']);
    for (const a of algorithms) expect(a.collective).toBe('reduce');
  });

  describe.each(algorithms.map((a) => [a.name, a] as [string, Algorithm]))('%s', (_name, algorithm) => {
    it('passes the symbolic checker on nranks 1-17, 24, 32 × counts 0, 1, 7, 1000, 2^20+3 × channels 1, 2 × roots 0, last × chunking', () => {
      const failures: string[] = [];
      let planned = 0;
      for (const n of NRANKS) {
        for (const root of rootsOf(n)) {
          for (const count of COUNTS) {
            for (const channels of CHANNELS) {
              for (const chunk of chunkings(count)) {
                const p = params(n, count, channels, chunk, root);
                expect(algorithm.unsupported(p)).toBeNull();
                const s = algorithm.plan(p);
                const result = checkSchedule(s);
                planned++;
                const at = `n=${n} root=${root} count=${count} channels=${channels} chunk=${chunk}`;
                if (!result.ok) failures.push(`${at}: ${result.error}`);
                const offending = nonRootsTouching(s, UNUSED_BUFFER, UNUSED_ACCESS);
                if (offending.length > 0) failures.push(`${at}: non-root ranks ${offending.join(',')} write ${UNUSED_BUFFER}`);
              }
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(planned).toBe((1 + 18 * 2) * 5 * 2 * 2);
    });

    it('gives the exact expected output with real numbers (reference executor), every op and dtype', () => {
      const failures: string[] = [];
      for (const n of [1, 2, 3, 5, 8, 12]) {
        for (const root of rootsOf(n)) {
          for (const count of [1, 7]) {
            for (const [channels, chunk] of [[1, 0], [2, 3]] as const) {
              const s = algorithm.plan(params(n, count, channels, chunk, root));
              for (const op of REDUCE_OPS) {
                for (const dtype of DTYPES) {
                  const { wrong, first } = checkReference(s, op, dtype);
                  if (wrong > 0) failures.push(`n=${n} root=${root} count=${count} channels=${channels} chunk=${chunk} ${op}/${dtype}: ${wrong} wrong, first ${JSON.stringify(first)}`);
                }
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
      for (const n of [4, 5, 8]) {
        const s = algorithm.plan(params(n, 10, 1, 3, n - 1));
        expect(checkSchedule(s).ok).toBe(true);
        const steps = s.participants[1]!.channels[0]!;
        const sendAt = steps.findIndex((st) => st.op === 'send' || st.op.endsWith('CopySend'));
        expect(checkSchedule(mutate(s, 1, sendAt, null)).ok).toBe(false);
        const recvAt = steps.findIndex((st) => st.op.startsWith('recv'));
        const recv = steps[recvAt]! as Extract<Step, { op: 'recv' }>;
        const wrongPeer = [0, 2, 3].find((r) => r !== recv.peer)!;
        expect(checkSchedule(mutate(s, 1, recvAt, { ...recv, peer: wrongPeer })).ok).toBe(false);
      }
    });

    it('rejects invalid params with a one-line reason', () => {
      expect(algorithm.unsupported({ ...params(4, 8), nranks: 0 })).toMatch(/nranks/);
      expect(algorithm.unsupported({ ...params(4, 8), count: 1.5 })).toMatch(/count/);
      expect(algorithm.unsupported({ ...params(4, 8), channels: 0 })).toMatch(/channels/);
      expect(algorithm.unsupported({ ...params(4, 8), chunkElements: -1 })).toMatch(/chunkElements/);
      expect(algorithm.unsupported(params(4, 8, 1, 0, 4))).toMatch(/root/);
      expect(algorithm.unsupported(params(4, 8, 1, 0, -1))).toMatch(/root/);
      expect(() => algorithm.plan(params(4, 8, 1, 0, 4))).toThrow(/root/);
    });

    it('predicts 0 for one rank or an empty buffer', () => {
      expect(algorithm.predictNs(params(1, 1000), COST)).toBe(0);
      expect(algorithm.predictNs(params(8, 0), COST)).toBe(0);
    });
  });

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
    expect(s.participants.map((p) => p.channels[0]!.map((st) => ('peer' in st ? `${st.op}:${st.peer}` : st.op)))).toEqual([
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
    // chain: (n-1)·α + (S_c + (n-2)·K)·c/B, as the chain broadcast.
    expect(chain.predictNs(params(8, 1000), COST)).toBe(7 * 1000 + (1000 + 6 * 1000) * 4);
    expect(chain.predictNs(params(6, 1000, 2, 250, 5), COST)).toBe(5 * 1000 + ((500 + 4 * 250) * 4) / 0.5);
    // binomial: ⌈log2 n⌉·(α + S_c·c/B).
    expect(binomial.predictNs(params(8, 1000), COST)).toBe(3 * (1000 + 4000));
    expect(binomial.predictNs(params(13, 999, 1, 16), COST)).toBe(4 * (1000 + 3996));
  });
});
