/**
 * Setup shared by the per-collective tests: the parameter matrix, a cost, schedule
 * mutations, and the checks every algorithm of a collective must pass
 * (`describeEveryAlgorithm`).
 */
import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS } from '../src/semantics.js';
import { decodeStep } from '../src/steps.js';
import type { Algorithm, BufferName, CostParams, PlanParams, Schedule, Step } from '../src/types.js';

export const NRANKS = [...Array.from({ length: 17 }, (_, i) => i + 1), 24, 32];
export const COUNTS = [0, 1, 7, 1000, 2 ** 20 + 3];
export const CHANNELS = [1, 2];
/** Roots tried for rooted collectives: the first and the last rank. */
export const rootsOf = (n: number): number[] => (n === 1 ? [0] : [0, n - 1]);
/** 0 (one chunk per step) and a size that cuts each count into several uneven chunks. */
export const chunkings = (count: number): number[] => [0, count < 10 ? 2 : count < 5000 ? 96 : 2 ** 17 + 5];

export function params(nranks: number, count: number, channels = 1, chunkElements = 0, root = 0): PlanParams {
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
export const COST: CostParams = {
  alphaNs: 1000,
  bandwidthBytesPerSec: 1e9,
  intra: { alphaNs: 1000, bandwidthBytesPerSec: 1e9 },
  inter: { alphaNs: 1000, bandwidthBytesPerSec: 1e9 },
};

export const sendsIn = (s: Schedule): number =>
  s.participants.flatMap((p) => p.channels.flat()).filter((st) => st.op === 'send' || st.op.endsWith('CopySend')).length;

/** The schedule with step `index` of rank `rank` channel 0 replaced (or removed when `step` is null). */
export function mutate(s: Schedule, rank: number, index: number, step: Step | null): Schedule {
  const participants = s.participants.map((p, r) =>
    r !== rank ? p : { ...p, channels: p.channels.map((ch, c) => (c !== 0 ? ch : ch.flatMap((st, i) => (i !== index ? [st] : step ? [step] : [])))) },
  );
  return { ...s, participants };
}

/** Per rank, its channel-0 steps as `op:peer` (just `op` for local steps). */
export const peersOf = (s: Schedule, rank: number): string[] =>
  s.participants[rank]!.channels[0]!.map((st) => ('peer' in st ? `${st.op}:${st.peer}` : st.op));

/** Ranks other than the root that read (`src` of send/copy/reduce) or write (`dst`) `buffer`. */
export function nonRootsTouching(s: Schedule, buffer: BufferName, access: 'reads' | 'writes'): number[] {
  const touches = (st: Step): boolean =>
    access === 'reads' ? 'src' in st && st.src.buffer === buffer : 'dst' in st && st.dst.buffer === buffer;
  return s.participants.flatMap((p, r) => (r !== s.root && p.channels.some((ch) => ch.some(touches)) ? [r] : []));
}

export interface MatrixOptions {
  /** Also vary the root over `rootsOf(n)`. */
  readonly rooted?: boolean;
  /** A buffer that ranks other than the root must leave alone (rooted collectives). */
  readonly untouchedByNonRoots?: { readonly buffer: BufferName; readonly access: 'reads' | 'writes' };
}

/**
 * Plans `algorithm` on NRANKS × (roots) × COUNTS × CHANNELS × chunkings, expecting every
 * combination to be supported, and runs the symbolic checker on each schedule.
 */
export function checkerMatrix(algorithm: Algorithm, { rooted = false, untouchedByNonRoots }: MatrixOptions = {}): { failures: string[]; planned: number } {
  const failures: string[] = [];
  let planned = 0;
  for (const n of NRANKS) {
    for (const root of rooted ? rootsOf(n) : [0]) {
      for (const count of COUNTS) {
        for (const channels of CHANNELS) {
          for (const chunk of chunkings(count)) {
            const p = params(n, count, channels, chunk, root);
            expect(algorithm.unsupported(p)).toBeNull();
            const s = algorithm.plan(p);
            const result = checkSchedule(s);
            planned++;
            const at = `n=${n}${rooted ? ` root=${root}` : ''} count=${count} channels=${channels} chunk=${chunk}`;
            if (!result.ok) failures.push(`${at}: ${result.error}`);
            if (untouchedByNonRoots !== undefined) {
              const { buffer, access } = untouchedByNonRoots;
              const offending = nonRootsTouching(s, buffer, access);
              if (offending.length > 0) failures.push(`${at}: non-root ranks ${offending.join(',')} ${access.slice(0, -1)} ${buffer}`);
            }
          }
        }
      }
    }
  }
  return { failures, planned };
}

/** Runs the reference executor on small cases (n 1-12, counts 1 and 7, (roots)), every op and dtype. */
export function referenceMatrix(algorithm: Algorithm, { rooted = false }: MatrixOptions = {}): string[] {
  const failures: string[] = [];
  for (const n of [1, 2, 3, 5, 8, 12]) {
    for (const root of rooted ? rootsOf(n) : [0]) {
      for (const count of [1, 7]) {
        for (const [channels, chunk] of [[1, 0], [2, 3]] as const) {
          const s = algorithm.plan(params(n, count, channels, chunk, root));
          for (const op of REDUCE_OPS) {
            for (const dtype of DTYPES) {
              const { wrong, first } = checkReference(s, op, dtype);
              const at = `n=${n}${rooted ? ` root=${root}` : ''} count=${count} channels=${channels} chunk=${chunk}`;
              if (wrong > 0) failures.push(`${at} ${op}/${dtype}: ${wrong} wrong, first ${JSON.stringify(first)}`);
            }
          }
        }
      }
    }
  }
  return failures;
}

/**
 * The checks every algorithm of a data-moving collective gets, one `describe` per
 * algorithm: the checker matrix, the reference matrix, that both notice a broken schedule,
 * parameter validation, and a zero prediction when there is nothing to move. Rooted
 * collectives also vary and validate the root, and break a schedule rooted at the last
 * rank (so that rank 1, the one broken, is not the root).
 */
export function describeEveryAlgorithm(algorithms: readonly Algorithm[], options: MatrixOptions = {}): void {
  const rooted = options.rooted ?? false;
  describe.each(algorithms.map((a) => [a.name, a] as [string, Algorithm]))('%s', (_name, algorithm) => {
    const matrix = `nranks 1-17, 24, 32 × counts 0, 1, 7, 1000, 2^20+3 × channels 1, 2${rooted ? ' × roots 0, last' : ''} × chunking`;
    it(`passes the symbolic checker on ${matrix}`, () => {
      const { failures, planned } = checkerMatrix(algorithm, options);
      expect(failures).toEqual([]);
      expect(planned).toBe(rooted ? (1 + 18 * 2) * 5 * 2 * 2 : 19 * 5 * 2 * 2);
    });

    it('gives the exact expected output with real numbers (reference executor), every op and dtype', () => {
      expect(referenceMatrix(algorithm, options)).toEqual([]);
    });

    it('gives wrong numbers in the reference executor when the first local copy is dropped', () => {
      const s = algorithm.plan(params(5, 7));
      expect(checkReference(s, 'sum', 'float64').wrong).toBe(0);
      const rank = s.participants.findIndex((p) => p.channels[0]!.some((st) => st.op === 'copy'));
      const index = s.participants[rank]!.channels[0]!.findIndex((st) => st.op === 'copy');
      expect(checkReference(mutate(s, rank, index, null), 'sum', 'float64').wrong).toBeGreaterThan(0);
    });

    it('fails the checker when one send is dropped or one recv points at the wrong peer', () => {
      // The first rank from 1 on that sends (any step that posts) and the first that receives:
      // in a rooted collective these may be different ranks (gather: senders; scatter: receivers).
      const firstWith = (s: Schedule, has: (st: Step) => boolean): [number, number] => {
        for (let r = 1; r < s.nranks; r++) {
          const at = s.participants[r]!.channels[0]!.findIndex(has);
          if (at >= 0) return [r, at];
        }
        throw new Error('no rank has such a step');
      };
      for (const n of rooted ? [4, 5, 8] : [3, 5, 8]) {
        const s = algorithm.plan(params(n, 10, 1, 3, rooted ? n - 1 : 0));
        expect(checkSchedule(s).ok).toBe(true);
        const [sender, sendAt] = firstWith(s, (st) => decodeStep(st).sendPeer >= 0);
        expect(checkSchedule(mutate(s, sender, sendAt, null)).ok).toBe(false);
        const [receiver, recvAt] = firstWith(s, (st) => decodeStep(st).recvPeer >= 0);
        const recv = s.participants[receiver]!.channels[0]![recvAt]! as Extract<Step, { op: 'recv' }>;
        const wrongPeer = [0, 1, 2, 3].find((r) => r !== recv.peer && r !== receiver)!;
        expect(checkSchedule(mutate(s, receiver, recvAt, { ...recv, peer: wrongPeer })).ok).toBe(false);
      }
    });

    it('rejects invalid params with a one-line reason', () => {
      expect(algorithm.unsupported({ ...params(4, 8), nranks: 0 })).toMatch(/nranks/);
      expect(algorithm.unsupported({ ...params(4, 8), count: 1.5 })).toMatch(/count/);
      expect(algorithm.unsupported({ ...params(4, 8), channels: 0 })).toMatch(/channels/);
      expect(algorithm.unsupported({ ...params(4, 8), chunkElements: -1 })).toMatch(/chunkElements/);
      if (rooted) {
        expect(algorithm.unsupported(params(4, 8, 1, 0, 4))).toMatch(/root/);
        expect(algorithm.unsupported(params(4, 8, 1, 0, -1))).toMatch(/root/);
        expect(() => algorithm.plan(params(4, 8, 1, 0, 4))).toThrow(/root/);
      } else {
        expect(() => algorithm.plan({ ...params(4, 8), channels: 0 })).toThrow(/channels/);
      }
    });

    it('predicts 0 for one rank or an empty buffer', () => {
      expect(algorithm.predictNs(params(1, 1000), COST)).toBe(0);
      expect(algorithm.predictNs(params(8, 0), COST)).toBe(0);
    });
  });
}
