/**
 * Element values: test inputs, reduction ops, dtypes, and the exact expected output that
 * follows from a collective's postcondition (its descriptor's `outputBlocks`). Shared by
 * the reference executor and the runtime's correctness check (nccl-tests' "#wrong" column).
 */
import type { CollectiveShape } from './collective.js';
import { collectiveOf } from './registry.js';
import type { CollectiveName, DType, ReduceOp } from './types.js';
import { isBigIntDType, isHalfDType, isIntegerDType, floatPrecision, toDType } from './dtypes.js';

export { DTYPES, elementBytes, toDType } from './dtypes.js';

export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'prod', 'min', 'max', 'avg'];

/** Non-negative remainder. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * The sum/avg amplitude of the 16-bit float types: values in [-A, A] \ {0} with n·A <= 2^p
 * (p the significand bits), so every partial sum is an integer the type holds exactly and
 * the result does not depend on the order of combination. 0 when n > 2^p: then only some
 * ranks contribute to each element (sparseSumStride).
 */
function halfSumAmplitude(dtype: 'float16' | 'bfloat16', nranks: number): number {
  const cap = dtype === 'float16' ? 27 : 4;
  return Math.min(cap, Math.floor(2 ** floatPrecision(dtype) / Math.max(1, nranks)));
}

/** Past 2^p ranks: ±1 from one rank in k for each element (k = ceil(n / 2^p)), 0 from the rest; the contributing ranks rotate with the index. */
function sparseSumStride(dtype: 'float16' | 'bfloat16', nranks: number): number {
  return Math.ceil(nranks / 2 ** floatPrecision(dtype));
}

/** int64/uint64 values are scaled by 2^32 + 1 so the high word carries data too (while every sum stays below 2^53). */
function wideScale(dtype: DType, nranks: number): number {
  return isBigIntDType(dtype) && nranks <= 1024 ? 2 ** 32 + 1 : 1;
}

/**
 * Test value for input element `index` of `rank`, as `dtype` stores it. Chosen so every
 * reduction is exact in every dtype, in any combination order, so #wrong can ask for exact
 * equality (nccl-tests' older check allowed a per-type delta instead, DeltaMaxValue: 1e-2
 * for half and bfloat16, 1e-5 float, 1e-12 double, exact for integers):
 * - sum / avg: integers in [-26, 27] \ {0}; |sum| <= 64·27, exact even in float32. half and
 *   bfloat16 use a smaller amplitude as nranks grows (halfSumAmplitude); 8-bit integers are
 *   scaled by 5 and wrap, as their sums do (C semantics: exact modulo 2^8 in any order).
 * - prod: float32/float64/bfloat16 are ±2^k with k in {-1, 0, 1}: a product of 64 has
 *   |exponent| <= 64. Integers and half use ±1, and 2 for at most one rank in eight (half:
 *   every partial product is at most the final one, so even overflow is order-free).
 * - min / max: integers in [-500, 499], rounded to the type (bfloat16 rounds, 8-bit wraps).
 * Unsigned types take the value modulo 2^bits (uint64: shifted to be non-negative instead,
 * so every value stays a double exactly). int64/uint64 are scaled by 2^32 + 1 (wideScale).
 */
export function inputValue(op: ReduceOp, dtype: DType, rank: number, index: number, nranks: number): number {
  const scale = wideScale(dtype, nranks);
  switch (op) {
    case 'sum':
    case 'avg': {
      if (isHalfDType(dtype)) {
        const a = halfSumAmplitude(dtype, nranks);
        if (a === 0) {
          const k = sparseSumStride(dtype, nranks);
          const m = mod(rank + index, 2 * k);
          return m === 0 ? 1 : m === k ? -1 : 0;
        }
        const v = mod(rank * 3 + index, 2 * a) - a;
        return v >= 0 ? v + 1 : v;
      }
      const w = mod(rank * 37 + index * 11 + 5, 53) - 26;
      const v = w >= 0 ? w + 1 : w;
      if (dtype === 'int8' || dtype === 'uint8') return toDType(v * 5, dtype);
      if (dtype === 'uint64') return (v + 27) * scale;
      return toDType(v * scale, dtype);
    }
    case 'prod': {
      if (isIntegerDType(dtype) || dtype === 'float16') {
        if (mod(rank + index, 8) === 0) return 2;
        if (dtype === 'uint64') return 1;
        return toDType(mod(rank * 3 + index * 5, 7) < 3 ? -1 : 1, dtype);
      }
      const pattern = [1, -1, 2, 0.5, -2, -0.5, 1] as const;
      return pattern[mod(rank * 3 + index, pattern.length)]!;
    }
    case 'min':
    case 'max': {
      const v = mod(rank * 7919 + index * 104729 + 17, 1000) - 500;
      if (dtype === 'uint64') return (v + 500) * scale;
      return toDType(v * scale, dtype);
    }
  }
}

/**
 * The period of `inputValue` in `index`: inputValue(op, dtype, rank, index + period, n) equals
 * inputValue(op, dtype, rank, index, n) for every rank, so inputs and expected outputs can be
 * written one period at a time and tiled at memory speed (the runtime's test pattern).
 */
export function inputPeriod(op: ReduceOp, dtype: DType, nranks = 1): number {
  switch (op) {
    case 'sum':
    case 'avg':
      if (isHalfDType(dtype)) {
        const a = halfSumAmplitude(dtype, nranks);
        return a === 0 ? 2 * sparseSumStride(dtype, nranks) : 2 * a;
      }
      return 53; // index * 11 mod 53, 53 prime
    case 'prod':
      return isIntegerDType(dtype) || dtype === 'float16' ? 56 : 7; // lcm(8, 7); the 7-entry pattern
    case 'min':
    case 'max':
      return 1000; // index * 104729 mod 1000, gcd(104729, 1000) = 1
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

/**
 * One reduction step as `dtype` computes it: the exact result rounded to the type (floats:
 * to nearest even; integers wrap, products taken modulo 2^bits exactly).
 */
export function combineIn(op: ReduceOp, a: number, b: number, dtype: DType): number {
  if (op === 'prod' && isIntegerDType(dtype)) {
    if (isBigIntDType(dtype)) {
      const p = BigInt(a) * BigInt(b);
      return Number(dtype === 'int64' ? BigInt.asIntN(64, p) : BigInt.asUintN(64, p));
    }
    return toDType(Math.imul(a, b), dtype);
  }
  return toDType(combine(op, a, b), dtype);
}

/**
 * The final division of `avg`: by `nranks`, rounded to `dtype`. Integer types truncate toward
 * zero, NCCL's SumPostDiv (the sum wraps in the type first; unsigned sums divide as unsigned).
 */
export function finalizeAvg(value: number, nranks: number, dtype: DType): number {
  if (isIntegerDType(dtype)) return toDType(Math.trunc(value / nranks), dtype);
  return toDType(value / nranks, dtype);
}

/** The reduction over all ranks of input element `index` (avg finalized). */
export function reducedValue(op: ReduceOp, dtype: DType, index: number, nranks: number): number {
  let acc = inputValue(op, dtype, 0, index, nranks);
  for (let r = 1; r < nranks; r++) acc = combineIn(op, acc, inputValue(op, dtype, r, index, nranks), dtype);
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
