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

/** One element as its array stores it: a number, a bigint (64-bit integers), or 16-bit float bits. */
export type Element = number | bigint;

/** What weft needs to know of one element type, in one place. */
export interface DTypeInfo {
  /** nccl-tests' name: its `type` column and `-d`. */
  readonly ncclName: string;
  readonly bytes: number;
  readonly kind: 'int' | 'uint' | 'float';
  /** How an array holds it: numbers, bigints (BigInt64Array/BigUint64Array) or 16-bit patterns (Uint16Array). */
  readonly storage: 'number' | 'bigint' | 'bits16';
  /** Significand bits with the hidden bit (floats); Infinity for integers, which are exact. */
  readonly precision: number;
  /** The stored element for a value the type holds (halfBits for half, BigInt for 64-bit integers). */
  readonly encode: (value: number) => Element;
  /** The value of a stored element (encode's inverse). */
  readonly decode: (element: Element) => number;
  /** A stored element no correct output holds: NaN's bits for floats, the most negative signed or largest unsigned value. */
  readonly poison: Element;
}

const asNumber = (element: Element): number => element as number;
const identity = (value: number): Element => value;
const integer = (ncclName: string, bytes: number, kind: 'int' | 'uint', poison: number): DTypeInfo => ({ ncclName, bytes, kind, storage: 'number', precision: Infinity, encode: identity, decode: asNumber, poison });
const bigInteger = (ncclName: string, kind: 'int' | 'uint', poison: bigint): DTypeInfo => ({ ncclName, bytes: 8, kind, storage: 'bigint', precision: Infinity, encode: BigInt, decode: Number, poison });

/** Every type's facts (sizes: NCCL's ncclTypeSize; names: nccl-tests' test_typenames). */
const DTYPE_INFO_BY_NAME: Readonly<Record<DType, DTypeInfo>> = {
  int8: integer('int8', 1, 'int', -128),
  uint8: integer('uint8', 1, 'uint', 0xff),
  int32: integer('int32', 4, 'int', -2147483648),
  uint32: integer('uint32', 4, 'uint', 0xffffffff),
  int64: bigInteger('int64', 'int', -(2n ** 63n)),
  uint64: bigInteger('uint64', 'uint', 2n ** 64n - 1n),
  float16: { ncclName: 'half', bytes: 2, kind: 'float', storage: 'bits16', precision: 11, encode: halfBits, decode: fromHalfBits as (element: Element) => number, poison: 0x7e00 },
  float32: { ncclName: 'float', bytes: 4, kind: 'float', storage: 'number', precision: 24, encode: identity, decode: asNumber, poison: NaN },
  float64: { ncclName: 'double', bytes: 8, kind: 'float', storage: 'number', precision: 53, encode: identity, decode: asNumber, poison: NaN },
  bfloat16: { ncclName: 'bfloat16', bytes: 2, kind: 'float', storage: 'bits16', precision: 8, encode: bfloat16Bits, decode: fromBfloat16Bits as (element: Element) => number, poison: 0x7fc0 },
};

/** The facts of `dtype`. */
export function dtypeInfo(dtype: DType): DTypeInfo {
  return DTYPE_INFO_BY_NAME[dtype];
}

/** nccl-tests' name of each type: what its table's `type` column prints and its `-d` takes. */
export const NCCL_DTYPE_NAMES: Readonly<Record<DType, string>> = Object.fromEntries(DTYPES.map((d) => [d, DTYPE_INFO_BY_NAME[d].ncclName])) as Record<DType, string>;

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
  return dtypeInfo(dtype).bytes;
}

export function isIntegerDType(dtype: DType): boolean {
  return dtypeInfo(dtype).kind !== 'float';
}

export function isUnsignedDType(dtype: DType): boolean {
  return dtypeInfo(dtype).kind === 'uint';
}

/** 64-bit integers: stored in BigInt arrays. */
export function isBigIntDType(dtype: DType): boolean {
  return dtypeInfo(dtype).storage === 'bigint';
}

/** half and bfloat16: stored as 16-bit patterns. */
export function isHalfDType(dtype: DType): dtype is 'float16' | 'bfloat16' {
  return dtypeInfo(dtype).storage === 'bits16';
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
  return dtypeInfo(dtype).precision;
}
