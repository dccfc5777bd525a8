/**
 * The reference backend: plain loops over typed arrays. Every other backend must agree with
 * it bit for bit (test/backends.test.ts). Written as one loop per op so V8 keeps each
 * monomorphic; the caller's dtype picks Math.imul for 32-bit and 8-bit integer products (a*b
 * in doubles loses the low bits beyond 2^53, and C integer multiplication wraps). Stores into
 * Int8Array/Uint8Array/Uint32Array wrap as C does; BigInt64Array/BigUint64Array stores wrap
 * modulo 2^64. half and bfloat16 (Uint16Array bit patterns) are decoded, combined in float64
 * and rounded back to nearest even once per step: NCCL's __hadd/__hmul/__hmin/__hmax
 * (src/device/reduce_kernel.h), each step correctly rounded to the 16-bit type.
 */
import { dtypeInfo, fromBfloat16Bits, fromHalfBits, bfloat16Bits, halfBits, type DType } from '@weft/collectives';
import type { KernelOp, NumericArray, TensorBackend } from './types.js';

type Numbers = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | Uint32Array;
type BigInts = BigInt64Array | BigUint64Array;

function sum(dst: Numbers, src: Numbers): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] += src[i]!;
}
function prod(dst: Numbers, src: Numbers): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] *= src[i]!;
}
function prodImul(dst: Numbers, src: Numbers): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] = Math.imul(dst[i]!, src[i]!);
}
function min(dst: Numbers, src: Numbers): void {
  for (let i = 0, n = dst.length; i < n; i++) {
    const s = src[i]!;
    if (s < dst[i]!) dst[i] = s;
  }
}
function max(dst: Numbers, src: Numbers): void {
  for (let i = 0, n = dst.length; i < n; i++) {
    const s = src[i]!;
    if (s > dst[i]!) dst[i] = s;
  }
}

function reduceBig(op: KernelOp, dst: BigInts, src: BigInts): void {
  const n = dst.length;
  switch (op) {
    case 'sum':
      for (let i = 0; i < n; i++) dst[i] = dst[i]! + src[i]!;
      return;
    case 'prod':
      for (let i = 0; i < n; i++) dst[i] = dst[i]! * src[i]!;
      return;
    case 'min':
      for (let i = 0; i < n; i++) if (src[i]! < dst[i]!) dst[i] = src[i]!;
      return;
    case 'max':
      for (let i = 0; i < n; i++) if (src[i]! > dst[i]!) dst[i] = src[i]!;
      return;
  }
}

function reduceHalf(op: KernelOp, dst: Uint16Array, src: Uint16Array, decode: (bits: number) => number, encode: (x: number) => number): void {
  const n = dst.length;
  switch (op) {
    case 'sum':
      for (let i = 0; i < n; i++) dst[i] = encode(decode(dst[i]!) + decode(src[i]!));
      return;
    case 'prod':
      for (let i = 0; i < n; i++) dst[i] = encode(decode(dst[i]!) * decode(src[i]!));
      return;
    case 'min':
      // __hmin/__hmax select one operand: the bits are copied, not re-rounded.
      for (let i = 0; i < n; i++) if (decode(src[i]!) < decode(dst[i]!)) dst[i] = src[i]!;
      return;
    case 'max':
      for (let i = 0; i < n; i++) if (decode(src[i]!) > decode(dst[i]!)) dst[i] = src[i]!;
      return;
  }
}

export function reduceTyped(op: KernelOp, dtype: DType, dst: NumericArray, src: NumericArray): void {
  switch (dtype) {
    case 'int64':
    case 'uint64':
      return reduceBig(op, dst as BigInts, src as BigInts);
    case 'float16':
      return reduceHalf(op, dst as Uint16Array, src as Uint16Array, fromHalfBits, halfBits);
    case 'bfloat16':
      return reduceHalf(op, dst as Uint16Array, src as Uint16Array, fromBfloat16Bits, bfloat16Bits);
  }
  const d = dst as Numbers;
  const s = src as Numbers;
  switch (op) {
    case 'sum':
      return sum(d, s);
    case 'prod':
      return dtype === 'float32' || dtype === 'float64' ? prod(d, s) : prodImul(d, s);
    case 'min':
      return min(d, s);
    case 'max':
      return max(d, s);
  }
}

/**
 * avg's final step. Integer stores truncate toward zero (ToInt32 and kin), which is NCCL's
 * SumPostDiv rule; BigInt division truncates too; 16-bit floats round the quotient to nearest.
 */
export function divideTyped(dtype: DType, dst: NumericArray, divisor: number): void {
  switch (dtype) {
    case 'int64':
    case 'uint64': {
      const big = dst as BigInts;
      const d = BigInt(divisor);
      for (let i = 0, n = big.length; i < n; i++) big[i] = big[i]! / d;
      return;
    }
    case 'float16':
    case 'bfloat16': {
      const bits = dst as Uint16Array;
      const { encode, decode } = dtypeInfo(dtype);
      for (let i = 0, n = bits.length; i < n; i++) bits[i] = encode(decode(bits[i]!) / divisor) as number;
      return;
    }
  }
  const d = dst as Numbers;
  for (let i = 0, n = d.length; i < n; i++) d[i] = d[i]! / divisor;
}

export const typedBackend: TensorBackend = {
  name: 'typed',
  reduce: reduceTyped,
  divide: divideTyped,
};
