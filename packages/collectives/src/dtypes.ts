/**
 * Element types: NCCL's ncclDataType_t set as nccl-tests names them (src/common.cu
 * test_typenames: int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16),
 * their sizes, and how a number is rounded to what each stores.
 *
 * half and bfloat16 are stored as their 16-bit patterns (Uint16Array); a reduction decodes,
 * combines in float64 and rounds back to nearest-even, once per step, which is what NCCL's
 * device code does (src/device/reduce_kernel.h: FuncSum<half> is __hadd, FuncProd __hmul, min
 * and max __hmin/__hmax, or float arithmetic then __float2half/__float2bfloat16 on older
 * GPUs: each step is the correctly rounded result). float64 holds the exact sum or product
 * of two 16-bit values closely enough that rounding it once more gives that same result.
 * Integer types wrap as C unsigned/two's-complement arithmetic does; int64/uint64 live in
 * BigInt64Array/BigUint64Array.
 */
import type { DType } from './types.js';

/** Every spelling DTYPE_ALIASES takes: weft's names and nccl-tests'. */
export type DTypeName = DType | 'half' | 'float' | 'double' | 'int' | 'char' | 'bf16' | 'fp16';

/** Every type, in nccl-tests' order (its `-d all` runs them in this order). */
export const DTYPES: readonly DType[] = ['int8', 'uint8', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32', 'float64', 'bfloat16'];

/** nccl-tests' name of each type: what its table's `type` column prints and its `-d` takes. */
export const NCCL_DTYPE_NAMES: Readonly<Record<DType, string>> = {
  int8: 'int8',
  uint8: 'uint8',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  uint64: 'uint64',
  float16: 'half',
  float32: 'float',
  float64: 'double',
  bfloat16: 'bfloat16',
};

/**
 * Names a caller may give for a type: nccl-tests' (plus its older aliases char and int, and
 * NCCL's own float16/float32/float64) and weft's. Lower case.
 */
export const DTYPE_ALIASES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ...DTYPES.map((d) => [NCCL_DTYPE_NAMES[d], d] as const),
  ...DTYPES.map((d) => [d, d] as const),
  ['char', 'int8'],
  ['int', 'int32'],
  ['bf16', 'bfloat16'],
  ['fp16', 'float16'],
]);

/** The accepted spellings, nccl-tests' names first (for messages). */
export const DTYPE_NAMES: readonly string[] = [...new Set([...DTYPES.map((d) => NCCL_DTYPE_NAMES[d]), ...DTYPE_ALIASES.keys()])];

/** The type a name means (any spelling of DTYPE_ALIASES, case-insensitive), or undefined. */
export function dtypeNamed(name: string): DType | undefined {
  return DTYPE_ALIASES.get(name.toLowerCase());
}

export function elementBytes(dtype: DType): number {
  switch (dtype) {
    case 'int8':
    case 'uint8':
      return 1;
    case 'float16':
    case 'bfloat16':
      return 2;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 4;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 8;
  }
}

export function isIntegerDType(dtype: DType): boolean {
  return dtype !== 'float16' && dtype !== 'bfloat16' && dtype !== 'float32' && dtype !== 'float64';
}

export function isUnsignedDType(dtype: DType): boolean {
  return dtype === 'uint8' || dtype === 'uint32' || dtype === 'uint64';
}

/** 64-bit integers: stored in BigInt arrays. */
export function isBigIntDType(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

/** half and bfloat16: stored as 16-bit patterns. */
export function isHalfDType(dtype: DType): dtype is 'float16' | 'bfloat16' {
  return dtype === 'float16' || dtype === 'bfloat16';
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `x`, rounded to nearest even (via float32, which rounds the same: 24 >= 2·11+2). */
export function halfBits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1) !== 0)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++; // a carry into the exponent rounds up to the next binade, or to infinity
  return sign | h;
}

const HALF_VALUES = (() => {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const e = (bits >>> 10) & 0x1f;
    const m = bits & 0x3ff;
    table[bits] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m !== 0 ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return table;
})();

/** The value of binary16 bits. */
export function fromHalfBits(bits: number): number {
  return HALF_VALUES[bits & 0xffff]!;
}

/** bfloat16 bits of `x`, rounded to nearest even (via float32: 24 >= 2·8+2). */
export function bfloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of bfloat16 bits. */
export function fromBfloat16Bits(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/**
 * Rounds a value to what `dtype` stores (integers wrap as C does; 64-bit integers keep
 * values a double holds exactly, which every test value is).
 */
export function toDType(value: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(value);
    case 'float64':
      return value;
    case 'float16':
      return fromHalfBits(halfBits(value));
    case 'bfloat16':
      return fromBfloat16Bits(bfloat16Bits(value));
    case 'int8':
      return (value << 24) >> 24;
    case 'uint8':
      return value & 0xff;
    case 'int32':
      return value | 0;
    case 'uint32':
      return value >>> 0;
    case 'int64':
      return Number(BigInt.asIntN(64, BigInt(Math.trunc(value))));
    case 'uint64':
      return Number(BigInt.asUintN(64, BigInt(Math.trunc(value))));
  }
}

/** Significand bits (with the hidden bit) of a float type: its unit roundoff is 2^-precision. */
export function floatPrecision(dtype: DType): number {
  switch (dtype) {
    case 'float16':
      return 11;
    case 'bfloat16':
      return 8;
    case 'float32':
      return 24;
    case 'float64':
      return 53;
    default:
      return Infinity;
  }
}
