/**
 * StepBuilder.reduce: the local `reduce` primitive (steps.ts PRIMITIVES, dst := dst (op) src)
 * has its builder method, as every primitive does. A schedule written with it plans, passes
 * the symbolic checker and computes the right values in the reference executor.
 */
import { describe, expect, it } from 'vitest';
import { StepBuilder, slice } from '../src/builder.js';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS } from '../src/semantics.js';
import { decodeSteps } from '../src/steps.js';
import type { Schedule } from '../src/types.js';
import { params } from './helpers.js';

/**
 * An all-reduce by direct exchange: every rank sends its input to every other, receives theirs
 * into scratch (one block per peer) and reduces each block into its output locally (`reduce`).
 */
function exchangeThenReduce(nranks: number, count: number): Schedule {
  const b = new StepBuilder(nranks, 1);
  const block = (r: number, peer: number) => slice('scratch', ((peer - r - 1 + nranks) % nranks) * count, count);
  for (let r = 0; r < nranks; r++) {
    b.copy(r, 0, slice('input', 0, count), slice('output', 0, count));
    for (let peer = 0; peer < nranks; peer++) if (peer !== r) b.send(r, 0, peer, slice('input', 0, count));
    for (let peer = 0; peer < nranks; peer++) {
      if (peer === r) continue;
      b.recv(r, 0, peer, block(r, peer));
      b.reduce(r, 0, block(r, peer), slice('output', 0, count));
    }
  }
  return b.build('allReduce', 'exchange-then-reduce', params(nranks, count), { input: count, output: count, scratch: (nranks - 1) * count });
}

describe('StepBuilder.reduce (dst := dst (op) src, locally)', () => {
  it('writes a reduce step with its src and dst; an empty one is dropped, as a copy is', () => {
    const b = new StepBuilder(1, 1);
    b.reduce(0, 0, slice('scratch', 4, 3), slice('output', 0, 3));
    b.reduce(0, 0, slice('scratch', 0, 0), slice('output', 0, 0));
    expect(b.steps[0]![0]).toEqual([{ op: 'reduce', src: slice('scratch', 4, 3), dst: slice('output', 0, 3) }]);
  });

  for (const nranks of [1, 2, 5]) {
    it(`a schedule reducing locally plans, checks and computes every op and dtype (${nranks} ranks)`, () => {
      const schedule = exchangeThenReduce(nranks, 7);
      for (const part of schedule.participants) expect(decodeSteps(part.channels[0]!).filter((d) => d.combine === 'reduce' && d.recvPeer < 0)).toHaveLength(nranks - 1);
      expect(checkSchedule(schedule)).toEqual({ ok: true });
      for (const op of REDUCE_OPS) for (const dtype of DTYPES) expect(checkReference(schedule, op, dtype)).toEqual({ wrong: 0 });
    });
  }

  it('the checker still catches a wrong one (a contribution reduced twice)', () => {
    const b = new StepBuilder(2, 1);
    b.copy(0, 0, slice('input', 0, 4), slice('output', 0, 4));
    b.send(1, 0, 0, slice('input', 0, 4));
    b.recv(0, 0, 1, slice('scratch', 0, 4));
    b.reduce(0, 0, slice('scratch', 0, 4), slice('output', 0, 4));
    b.reduce(0, 0, slice('scratch', 0, 4), slice('output', 0, 4));
    b.send(0, 0, 1, slice('output', 0, 4));
    b.recv(1, 0, 0, slice('output', 0, 4));
    const result = checkSchedule(b.build('allReduce', 'twice', params(2, 4), { input: 4, output: 4, scratch: 4 }));
    expect(result.ok).toBe(false);
  });
});
