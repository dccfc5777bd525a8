/**
 * What each collective means, element by element: buffer sizes, test input values and the
 * exact expected output. Shared by the symbolic checker, the reference executor and the
 * runtime's correctness check (nccl-tests' "#wrong" column).
 */
import type { CollectiveName, DType, ReduceOp } from './types.js';

export const COLLECTIVES: readonly CollectiveName[] = [
  'allReduce',
  'reduceScatter',
  'allGather',
  'broadcast',
  'reduce',
  'allToAll',
  'sendRecv',
  'barrier',
];

export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'prod', 'min', 'max', 'avg'];

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

export function elementBytes(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return 4;
    case 'float64':
      return 8;
    case 'int32':
      return 4;
  }
}

/** True for the collectives that combine contributions with a reduction op. */
export function isReduction(c: CollectiveName): boolean {
  return c === 'allReduce' || c === 'reduceScatter' || c === 'reduce';
}

/** True for the collectives whose result depends on `root`. */
export function isRooted(c: CollectiveName): boolean {
  return c === 'broadcast' || c === 'reduce';
}

/**
 * Elements per rank in the input and output buffers, with `count` the NCCL count argument
 * (see the table in types.ts).
 */
export function bufferCounts(c: CollectiveName, count: number, nranks: number): { input: number; output: number } {
  switch (c) {
    case 'allReduce':
    case 'broadcast':
    case 'reduce':
    case 'sendRecv':
      return { input: count, output: count };
    case 'reduceScatter':
      return { input: count * nranks, output: count };
    case 'allGather':
      return { input: count, output: count * nranks };
    case 'allToAll':
      return { input: count * nranks, output: count * nranks };
    case 'barrier':
      return { input: 0, output: 0 };
  }
}

/** Non-negative remainder. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Test value for input element `index` of `rank`. Chosen so every reduction over up to 64
 * ranks is exact in every dtype, in any combination order:
 * - sum / avg: integers in [-26, 27] \ {0}; |sum| <= 64·27, exact even in float32.
 * - prod: floats are ±2^k with k in {-1, 0, 1}: a product of 64 has |exponent| <= 64, exact
 *   in float32. int32 uses ±1, and 2 for at most one rank in eight: |product| <= 2^8.
 * - min / max: integers in [-500, 499].
 * `nranks` is accepted so the pattern may depend on it; the current pattern does not.
 */
export function inputValue(op: ReduceOp, dtype: DType, rank: number, index: number, nranks: number): number {
  void nranks;
  switch (op) {
    case 'sum':
    case 'avg': {
      const v = mod(rank * 37 + index * 11 + 5, 53) - 26;
      return v >= 0 ? v + 1 : v;
    }
    case 'prod': {
      if (dtype === 'int32') {
        if (mod(rank + index, 8) === 0) return 2;
        return mod(rank * 3 + index * 5, 7) < 3 ? -1 : 1;
      }
      const pattern = [1, -1, 2, 0.5, -2, -0.5, 1] as const;
      return pattern[mod(rank * 3 + index, pattern.length)]!;
    }
    case 'min':
    case 'max':
      return mod(rank * 7919 + index * 104729 + 17, 1000) - 500;
  }
}

/** Rounds a value to what `dtype` stores. */
export function toDType(value: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(value);
    case 'float64':
      return value;
    case 'int32':
      return value | 0;
  }
}

/**
 * Scalar combine used by reference executors. `avg` combines as `sum`; the division happens
 * once at the end (`finalizeAvg`).
 */
export function combine(op: ReduceOp, a: number, b: number): number {
  switch (op) {
    case 'sum':
    case 'avg':
      return a + b;
    case 'prod':
      return a * b;
    case 'min':
      return a < b ? a : b;
    case 'max':
      return a > b ? a : b;
  }
}

/** The final division of `avg`: by `nranks`, rounded to `dtype` (int32 truncates toward zero). */
export function finalizeAvg(value: number, nranks: number, dtype: DType): number {
  if (dtype === 'int32') return Math.trunc(value / nranks) | 0;
  return toDType(value / nranks, dtype);
}

/** The reduction over all ranks of input element `index` (avg finalized). */
function reducedValue(op: ReduceOp, dtype: DType, index: number, nranks: number): number {
  let acc = inputValue(op, dtype, 0, index, nranks);
  for (let r = 1; r < nranks; r++) acc = toDType(combine(op, acc, inputValue(op, dtype, r, index, nranks)), dtype);
  return op === 'avg' ? finalizeAvg(acc, nranks, dtype) : acc;
}

/**
 * The exact expected output element `index` of `rank`, or undefined where the collective
 * leaves it undefined (reduce on a non-root rank, anything of barrier). `count` is the NCCL
 * count argument. Includes avg's division.
 */
export function expectedOutput(
  c: CollectiveName,
  op: ReduceOp,
  dtype: DType,
  rank: number,
  index: number,
  nranks: number,
  root: number,
  count: number,
): number | undefined {
  switch (c) {
    case 'allReduce':
      return reducedValue(op, dtype, index, nranks);
    case 'reduceScatter':
      return reducedValue(op, dtype, rank * count + index, nranks);
    case 'reduce':
      return rank === root ? reducedValue(op, dtype, index, nranks) : undefined;
    case 'allGather': {
      const block = Math.floor(index / count);
      return inputValue(op, dtype, block, index - block * count, nranks);
    }
    case 'broadcast':
      return inputValue(op, dtype, root, index, nranks);
    case 'allToAll': {
      // Block i of rank j's output is block j of rank i's input.
      const block = Math.floor(index / count);
      return inputValue(op, dtype, block, rank * count + (index - block * count), nranks);
    }
    case 'sendRecv':
      // nccl-tests sendrecv: every rank sends to rank+1 and receives from rank-1.
      return inputValue(op, dtype, mod(rank - 1, nranks), index, nranks);
    case 'barrier':
      return undefined;
  }
}
