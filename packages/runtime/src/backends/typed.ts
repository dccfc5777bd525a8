/**
 * The reference backend: plain loops over typed arrays. Every other backend must agree with
 * it bit for bit (test/backends.test.ts). Written as one loop per op so V8 keeps each
 * monomorphic; the caller's dtype picks Math.imul for int32 products (a*b in doubles loses
 * the low bits beyond 2^53, and int32 multiplication wraps).
 */
import type { DType } from '@weft/collectives';
import type { KernelOp, NumericArray, TensorBackend } from './types.js';

function sum(dst: NumericArray, src: NumericArray): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] += src[i]!;
}
function prod(dst: NumericArray, src: NumericArray): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] *= src[i]!;
}
function prodInt32(dst: NumericArray, src: NumericArray): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] = Math.imul(dst[i]!, src[i]!);
}
function min(dst: NumericArray, src: NumericArray): void {
  for (let i = 0, n = dst.length; i < n; i++) {
    const s = src[i]!;
    if (s < dst[i]!) dst[i] = s;
  }
}
function max(dst: NumericArray, src: NumericArray): void {
  for (let i = 0, n = dst.length; i < n; i++) {
    const s = src[i]!;
    if (s > dst[i]!) dst[i] = s;
  }
}

export function reduceTyped(op: KernelOp, dtype: DType, dst: NumericArray, src: NumericArray): void {
  switch (op) {
    case 'sum':
      return sum(dst, src);
    case 'prod':
      return dtype === 'int32' ? prodInt32(dst, src) : prod(dst, src);
    case 'min':
      return min(dst, src);
    case 'max':
      return max(dst, src);
  }
}

/** Int32Array stores truncate toward zero (ToInt32), which is avg's int32 rule. */
export function divideTyped(dtype: DType, dst: NumericArray, divisor: number): void {
  void dtype;
  for (let i = 0, n = dst.length; i < n; i++) dst[i] = dst[i]! / divisor;
}

export const typedBackend: TensorBackend = {
  name: 'typed',
  reduce: reduceTyped,
  divide: divideTyped,
};
