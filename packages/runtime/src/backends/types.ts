/**
 * Tensor backends: the arithmetic a rank does on received data. The reduction kernel sits on
 * the data plane's hot path (every recvReduce), so it is one small interface with
 * interchangeable implementations, measured against each other in benchmarks/runtime-kernels.mjs.
 */
import type { DType } from '@weft/collectives';

/**
 * A buffer of elements. half and bfloat16 are Uint16Array bit patterns; int64 and uint64 are
 * BigInt arrays; the others their own typed array.
 */
export type NumericArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Reduction ops as kernels see them: avg reduces as sum and is divided once at the end. */
export type KernelOp = 'sum' | 'prod' | 'min' | 'max';

/** What a run reports in `result.backend`. */
export type BackendName = 'typed' | 'wasm-simd' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';

/**
 * What callers ask for: `auto` is the fastest kernel measured on this machine (wasm-simd);
 * `wasm-simd` (the name `result.backend` reports; `wasm` is the same) forces it.
 */
export type BackendChoice = 'auto' | 'typed' | 'wasm-simd' | 'wasm' | 'tfjs';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'typed', 'wasm-simd', 'wasm', 'tfjs'];

export interface TensorBackend {
  readonly name: BackendName;
  /** dst[i] = dst[i] (op) src[i] for every i; dst and src have the same length and dtype. */
  reduce(op: KernelOp, dtype: DType, dst: NumericArray, src: NumericArray): void;
  /** avg's final step: dst[i] /= divisor (int32 truncates toward zero). */
  divide(dtype: DType, dst: NumericArray, divisor: number): void;
  /** dst[i] = a[i] (op) src[i], written once; absent: `reduceFrom` copies a into dst, then reduces. */
  reduce3?(op: KernelOp, dtype: DType, dst: NumericArray, a: NumericArray, src: NumericArray): void;
  /** dst := src (same length and dtype); absent: TypedArray.prototype.set. */
  copy?(dst: NumericArray, src: NumericArray): void;
}

/** dst := src, with the backend's copy where it has one (data mode's copies: deliver, deferred copies). */
export function copyInto(backend: TensorBackend, dst: NumericArray, src: NumericArray): void {
  if (backend.copy) backend.copy(dst, src);
  else dst.set(src as never);
}

/** dst[i] = a[i] (op) src[i]: the same values, bit for bit, as dst := a then reduce(dst, src). */
export function reduceFrom(backend: TensorBackend, op: KernelOp, dtype: DType, dst: NumericArray, a: NumericArray, src: NumericArray): void {
  if (backend.reduce3) return backend.reduce3(op, dtype, dst, a, src);
  copyInto(backend, dst, a);
  backend.reduce(op, dtype, dst, src);
}

/** The types a backend's own kernels take; for the others it runs the typed loops (backendFor). */
export const NATIVE_DTYPES: Readonly<Record<BackendName, readonly DType[] | 'all'>> = {
  typed: 'all',
  'wasm-simd': ['float32', 'float64', 'int32'],
  'tfjs-node': ['float32', 'int32'],
  'tfjs-wasm': ['float32', 'int32'],
  'tfjs-cpu': ['float32', 'int32'],
};

/** The backend that reduces `dtype` on a cluster whose backend is `name`: itself, or the typed loops it falls back to. */
export function backendFor(name: BackendName, dtype: DType): BackendName {
  const native = NATIVE_DTYPES[name];
  return native === 'all' || native.includes(dtype) ? name : 'typed';
}

export function kernelOp(op: 'sum' | 'prod' | 'min' | 'max' | 'avg'): KernelOp {
  return op === 'avg' ? 'sum' : op;
}
