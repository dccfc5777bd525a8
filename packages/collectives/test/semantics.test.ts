import { describe, expect, it } from 'vitest';
import { algBwBytes, bandwidthsGBps, busBwFactor, countForBytes } from '../src/busbw.js';
import { COLLECTIVES, collectiveOf } from '../src/registry.js';
import {
  DTYPES,
  REDUCE_OPS,
  combine,
  elementBytes,
  expectedOutput,
  fillExpectedOutput,
  finalizeAvg,
  inputValue,
  outputsAgree,
  outputIsReduced,
  toDType,
  combineIn,
} from '../src/semantics.js';
import { isIntegerDType } from '../src/dtypes.js';
import type { DType, ReduceOp } from '../src/types.js';

const BITS: Partial<Record<DType, number>> = { int8: 8, uint8: 8, int32: 32, uint32: 32, int64: 64, uint64: 64 };

/** The reduction over BigInts, wrapped once to the type's bits. */
function wrappedExact(op: ReduceOp, dtype: DType, values: readonly number[]): number {
  const big = values.map(BigInt);
  const total = big.reduce((a, b) => (op === 'prod' ? a * b : op === 'min' ? (b < a ? b : a) : op === 'max' ? (b > a ? b : a) : a + b));
  const bits = BITS[dtype]!;
  return Number(dtype.startsWith('u') ? BigInt.asUintN(bits, total) : BigInt.asIntN(bits, total));
}

describe('semantics', () => {
  it('lists the ops and dtypes; the reductions are the collectives whose postcondition reduces', () => {
    expect(REDUCE_OPS).toEqual(['sum', 'prod', 'min', 'max', 'avg']);
    expect(DTYPES).toEqual(['int8', 'uint8', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32', 'float64', 'bfloat16']);
    expect(DTYPES.map(elementBytes)).toEqual([1, 1, 4, 4, 8, 8, 2, 4, 8, 2]);
    expect(COLLECTIVES.filter((c) => collectiveOf(c).reduces)).toEqual(['allReduce', 'reduceScatter', 'reduce']);
    for (const c of COLLECTIVES) {
      const shape = { nranks: 5, root: 2, count: 3 };
      const reducedSomewhere = [0, 1, 2, 3, 4].some((r) => outputIsReduced(c, r, shape));
      expect(reducedSomewhere, c).toBe(collectiveOf(c).reduces);
    }
    expect(COLLECTIVES.filter((c) => outputsAgree(c, { nranks: 5, root: 2, count: 3 }))).toEqual(['allReduce', 'allGather', 'broadcast', 'reduce', 'gather', 'barrier']);
  });

  it('sizes buffers as the NCCL API does (count = NCCL count, 8 ranks)', () => {
    const bufferCounts = (c: string, count: number, n: number) => collectiveOf(c).bufferCounts(count, n);
    expect(bufferCounts('allReduce', 10, 8)).toEqual({ input: 10, output: 10 });
    expect(bufferCounts('reduceScatter', 10, 8)).toEqual({ input: 80, output: 10 });
    expect(bufferCounts('allGather', 10, 8)).toEqual({ input: 10, output: 80 });
    expect(bufferCounts('broadcast', 10, 8)).toEqual({ input: 10, output: 10 });
    expect(bufferCounts('reduce', 10, 8)).toEqual({ input: 10, output: 10 });
    expect(bufferCounts('allToAll', 10, 8)).toEqual({ input: 80, output: 80 });
    expect(bufferCounts('gather', 10, 8)).toEqual({ input: 10, output: 80 });
    expect(bufferCounts('scatter', 10, 8)).toEqual({ input: 80, output: 10 });
    expect(bufferCounts('barrier', 10, 8)).toEqual({ input: 0, output: 0 });
    expect(bufferCounts('sendRecv', 10, 8)).toEqual({ input: 10, output: 10 });
  });

  it('combines as the op says; avg combines as sum and divides once, int32 truncating toward zero', () => {
    expect(combine('sum', 3, -5)).toBe(-2);
    expect(combine('avg', 3, -5)).toBe(-2);
    expect(combine('prod', 3, -5)).toBe(-15);
    expect(combine('min', 3, -5)).toBe(-5);
    expect(combine('max', 3, -5)).toBe(3);
    expect(finalizeAvg(7, 2, 'int32')).toBe(3);
    expect(finalizeAvg(-7, 2, 'int32')).toBe(-3);
    expect(finalizeAvg(1, 3, 'float32')).toBe(Math.fround(1 / 3));
    expect(finalizeAvg(1, 3, 'float64')).toBe(1 / 3);
  });

  it('chooses inputs whose reductions over 64 ranks are exact in every dtype, in any order', () => {
    const nranks = 64;
    for (const op of REDUCE_OPS) {
      for (const dtype of DTYPES) {
        for (let index = 0; index < 97; index++) {
          const values = Array.from({ length: nranks }, (_, r) => inputValue(op, dtype, r, index, nranks));
          // Exact (float64, no intermediate rounding) vs. dtype-rounded, forward and backward.
          // Integer types wrap as C does: exact means exact modulo 2^bits (BigInt, then wrapped once).
          const exact = isIntegerDType(dtype) ? wrappedExact(op, dtype, values) : values.reduce((a, b) => combine(op, a, b));
          const forward = values.reduce((a, b) => combineIn(op, a, b, dtype));
          const backward = [...values].reverse().reduce((a, b) => combineIn(op, a, b, dtype));
          expect(forward).toBe(exact);
          expect(backward).toBe(exact);
          expect(Number.isFinite(exact)).toBe(true);
          if (dtype === 'int32') expect(Math.abs(exact)).toBeLessThan(2 ** 31);
          // Inputs themselves are representable.
          for (const v of values) expect(toDType(v, dtype)).toBe(v);
        }
      }
    }
  });

  it('gives inputs that differ between ranks and indices (so misplaced data shows)', () => {
    const sums = new Set<number>();
    for (let r = 0; r < 8; r++) for (let i = 0; i < 8; i++) sums.add(inputValue('sum', 'float32', r, i, 8));
    expect(sums.size).toBeGreaterThan(30);
    expect(inputValue('sum', 'int32', 0, 0, 4)).not.toBe(0);
  });

  it('states expected outputs per collective', () => {
    const n = 3;
    const count = 2;
    const v = (rank: number, index: number) => inputValue('sum', 'float64', rank, index, n);
    const sumOf = (index: number) => v(0, index) + v(1, index) + v(2, index);
    expect(expectedOutput('allReduce', 'sum', 'float64', 1, 1, n, 0, count)).toBe(sumOf(1));
    // reduceScatter: rank 2 gets block 2 of the sum: input indices 4, 5.
    expect(expectedOutput('reduceScatter', 'sum', 'float64', 2, 1, n, 0, count)).toBe(sumOf(5));
    // allGather: output index 3 is block 1 (from rank 1), element 1.
    expect(expectedOutput('allGather', 'sum', 'float64', 0, 3, n, 0, count)).toBe(v(1, 1));
    expect(expectedOutput('broadcast', 'sum', 'float64', 2, 1, n, 1, count)).toBe(v(1, 1));
    expect(expectedOutput('reduce', 'sum', 'float64', 1, 0, n, 1, count)).toBe(sumOf(0));
    expect(expectedOutput('reduce', 'sum', 'float64', 0, 0, n, 1, count)).toBeUndefined();
    // allToAll: rank 2's output block 0 is rank 0's input block 2: output index 1 -> input index 5 of rank 0.
    expect(expectedOutput('allToAll', 'sum', 'float64', 2, 1, n, 0, count)).toBe(v(0, 5));
    expect(expectedOutput('barrier', 'sum', 'float64', 0, 0, n, 0, 0)).toBeUndefined();
    // gather (root 1): the root's output index 5 is block 2 (from rank 2), element 1; others undefined.
    expect(expectedOutput('gather', 'sum', 'float64', 1, 5, n, 1, count)).toBe(v(2, 1));
    expect(expectedOutput('gather', 'sum', 'float64', 0, 5, n, 1, count)).toBeUndefined();
    // scatter (root 1): rank 2's output index 0 is the root's input index 2·count.
    expect(expectedOutput('scatter', 'sum', 'float64', 2, 0, n, 1, count)).toBe(v(1, 4));
    // fillExpectedOutput agrees with expectedOutput element by element, NaN where undefined.
    for (const c of COLLECTIVES) {
      const shape = { nranks: n, root: 1, count };
      for (let rank = 0; rank < n; rank++) {
        const size = collectiveOf(c).bufferCounts(count, n).output;
        const filled = new Float64Array(size);
        fillExpectedOutput(c, 'sum', 'float64', rank, shape, filled);
        const each = Array.from({ length: size }, (_, i) => expectedOutput(c, 'sum', 'float64', rank, i, n, 1, count) ?? NaN);
        expect(Array.from(filled), `${c} rank ${rank}`).toEqual(each);
      }
    }
    // avg divides once: int32 truncates toward zero.
    const ints = [0, 1, 2].map((r) => inputValue('avg', 'int32', r, 4, n));
    expect(expectedOutput('allReduce', 'avg', 'int32', 0, 4, n, 0, 5)).toBe(Math.trunc((ints[0]! + ints[1]! + ints[2]!) / 3));
    const prods = [0, 1, 2].map((r) => inputValue('prod', 'float32', r, 1, n));
    expect(expectedOutput('allReduce', 'prod', 'float32', 2, 1, n, 0, count)).toBe(prods[0]! * prods[1]! * prods[2]!);
    const mins = [0, 1, 2].map((r) => inputValue('min', 'int32', r, 1, n));
    expect(expectedOutput('allReduce', 'min', 'int32', 2, 1, n, 0, count)).toBe(Math.min(...mins));
  });
});

describe('busbw (nccl-tests PERFORMANCE.md)', () => {
  it('uses the nccl-tests bus bandwidth factors', () => {
    expect(busBwFactor('allReduce', 8)).toBe(1.75);
    expect(busBwFactor('reduceScatter', 8)).toBe(0.875);
    expect(busBwFactor('allGather', 8)).toBe(0.875);
    expect(busBwFactor('allToAll', 8)).toBe(0.875);
    expect(busBwFactor('broadcast', 8)).toBe(1);
    expect(busBwFactor('reduce', 8)).toBe(1);
    expect(busBwFactor('gather', 8)).toBe(0.875);
    expect(busBwFactor('scatter', 8)).toBe(0.875);
    expect(busBwFactor('allReduce', 1)).toBe(0);
  });

  it('divides by the nccl-tests size of each collective', () => {
    expect(algBwBytes('allReduce', 1024, 'float32', 8)).toBe(4096);
    expect(algBwBytes('broadcast', 1024, 'float64', 8)).toBe(8192);
    expect(algBwBytes('reduce', 1024, 'int32', 8)).toBe(4096);
    expect(algBwBytes('reduceScatter', 1024, 'float32', 8)).toBe(32768);
    expect(algBwBytes('allGather', 1024, 'float32', 8)).toBe(32768);
    expect(algBwBytes('allToAll', 1024, 'float32', 8)).toBe(32768);
    expect(algBwBytes('gather', 1024, 'float32', 8)).toBe(32768);
    expect(algBwBytes('scatter', 1024, 'float32', 8)).toBe(32768);
    expect(algBwBytes('barrier', 0, 'float32', 8)).toBe(0);
  });

  it('turns a size in bytes into the NCCL count as nccl-tests does (getCollByteCount)', () => {
    expect(countForBytes('allReduce', 4099, 'float32', 8)).toBe(1024);
    expect(countForBytes('allGather', 32768, 'float32', 8)).toBe(1024);
    expect(countForBytes('gather', 32767, 'float32', 8)).toBe(1023);
    expect(countForBytes('barrier', 1 << 20, 'float32', 8)).toBe(0);
  });

  it('turns a time into GB/s: 1 GB allReduce on 8 ranks in 0.1 s is 10 GB/s algbw, 17.5 GB/s busbw', () => {
    const { algBwGBps, busBwGBps } = bandwidthsGBps('allReduce', 250_000_000, 'float32', 8, 1e8);
    expect(algBwGBps).toBeCloseTo(10, 12);
    expect(busBwGBps).toBeCloseTo(17.5, 12);
  });
});
