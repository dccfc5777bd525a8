/**
 * Element values: test inputs, reduction ops, dtypes, and the exact expected output that
 * follows from a collective's postcondition (its descriptor's `outputBlocks`). Shared by
 * the reference executor and the runtime's correctness check (nccl-tests' "#wrong" column).
 */
import type { CollectiveShape } from './collective.js';
import { collectiveOf } from './registry.js';
import type { CollectiveName, DType, ReduceOp } from './types.js';

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

/**
 * The period of `inputValue` in `index`: inputValue(op, dtype, rank, index + period, n) equals
 * inputValue(op, dtype, rank, index, n) for every rank, so inputs and expected outputs can be
 * written one period at a time and tiled at memory speed (the runtime's test pattern).
 */
export function inputPeriod(op: ReduceOp, dtype: DType): number {
  switch (op) {
    case 'sum':
    case 'avg':
      return 53; // index * 11 mod 53, 53 prime
    case 'prod':
      return dtype === 'int32' ? 56 : 7; // lcm(8, 7); the 7-entry pattern
    case 'min':
    case 'max':
      return 1000; // index * 104729 mod 1000, gcd(104729, 1000) = 1
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
export function reducedValue(op: ReduceOp, dtype: DType, index: number, nranks: number): number {
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
  for (const b of collectiveOf(c).outputBlocks(rank, { nranks, root, count })) {
    if (index < b.offset || index >= b.offset + b.count) continue;
    const source = b.inputOffset + (index - b.offset);
    return b.from === 'all' ? reducedValue(op, dtype, source, nranks) : inputValue(op, dtype, b.from, source, nranks);
  }
  return undefined;
}

/**
 * Writes the expected output elements [from, to) of `rank` into `out` (NaN where the
 * collective leaves them undefined): `expectedOutput` block by block, without a lookup
 * per element.
 */
export function fillExpectedOutput(
  c: CollectiveName,
  op: ReduceOp,
  dtype: DType,
  rank: number,
  shape: CollectiveShape,
  out: { [index: number]: number; readonly length: number },
  from = 0,
  to = out.length,
): void {
  for (let i = from; i < to; i++) out[i] = NaN;
  for (const b of collectiveOf(c).outputBlocks(rank, shape)) {
    const start = Math.max(from, b.offset);
    const end = Math.min(to, b.offset + b.count);
    for (let i = start; i < end; i++) {
      const source = b.inputOffset + (i - b.offset);
      out[i] = b.from === 'all' ? reducedValue(op, dtype, source, shape.nranks) : inputValue(op, dtype, b.from, source, shape.nranks);
    }
  }
}

/** True when rank `rank`'s output holds a reduction (where avg divides at the end). */
export function outputIsReduced(c: CollectiveName, rank: number, shape: { readonly nranks: number; readonly root: number }): boolean {
  // Which blocks a rank holds does not depend on their size: any count will do.
  return collectiveOf(c).outputBlocks(rank, { ...shape, count: 1 }).some((b) => b.from === 'all');
}

/**
 * True when every rank with a defined output expects the same one (allReduce, broadcast,
 * reduce), so a #wrong check can compute it once.
 */
export function outputsAgree(c: CollectiveName, shape: CollectiveShape): boolean {
  const desc = collectiveOf(c);
  let first: string | undefined;
  for (let r = 0; r < shape.nranks; r++) {
    const blocks = desc.outputBlocks(r, shape);
    if (blocks.length === 0) continue;
    const key = JSON.stringify(blocks);
    if (first === undefined) first = key;
    else if (key !== first) return false;
  }
  return true;
}
