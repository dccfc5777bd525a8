import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS, expectedOutput, inputValue } from '../src/semantics.js';
import { algorithms } from '../src/send-recv/index.js';
import { shift } from '../src/send-recv/shift.js';
import { busBwFactor } from '../src/busbw.js';
import type { Schedule } from '../src/types.js';
import { COST, checkerMatrix, params } from './helpers.js';

describe('sendRecv (nccl-tests sendrecv: rank r receives rank r-1)', () => {
  it('registers shift, with bus factor 1', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['shift']));
    expect(busBwFactor('sendRecv', 8)).toBe(1);
  });

  it('expects rank r-1 input in rank r output', () => {
    expect(expectedOutput('sendRecv', 'sum', 'float32', 0, 3, 4, 0, 10)).toBe(inputValue('sum', 'float32', 3, 3, 4));
    expect(expectedOutput('sendRecv', 'sum', 'float32', 2, 3, 4, 0, 10)).toBe(inputValue('sum', 'float32', 1, 3, 4));
  });

  it('passes the checker on nranks 1-17, 24, 32 × counts 0, 1, 7, 1000, 2^20+3 × channels 1, 2 × chunking', () => {
    expect(checkerMatrix(shift).failures).toEqual([]);
  });

  it('fails the checker when a rank receives from the wrong peer (the test can fail)', () => {
    const s = shift.plan(params(4, 7));
    const broken: Schedule = {
      ...s,
      participants: s.participants.map((p, r) =>
        r !== 1 ? p : { ...p, channels: p.channels.map((ch) => ch.map((st) => (st.op === 'recv' ? { ...st, peer: 2 } : st))) },
      ),
    };
    expect(checkSchedule(broken).ok).toBe(false);
  });

  it('moves real numbers exactly for every op and dtype (reference executor)', () => {
    for (const n of [1, 2, 5]) {
      for (const op of REDUCE_OPS) {
        for (const dtype of DTYPES) expect(checkReference(shift.plan(params(n, 7, 2, 3)), op, dtype).wrong).toBe(0);
      }
    }
  });

  it('predicts launch + alpha + bytes/B: 1000 float32 at 1 byte/ns is 4000 ns after NCCL p2p\'s 8.4 µs launch and 3.4 µs step (Ring/Simple; above the fabric\'s 1 µs α)', () => {
    expect(shift.predictNs(params(4, 1000), COST)).toBe(8400 + 3400 + 4000);
    expect(shift.predictNs(params(1, 1000), COST)).toBe(0);
  });
});
