/**
 * WebAssembly SIMD kernels (f32x4 / f64x2 / i32x4; source in scripts/kernels-wat.mjs) that
 * reduce in place inside a shared WebAssembly.Memory. Measured here at ~5x the plain loop on
 * 64 MiB (benchmarks/results/runtime.md): the loop is compute-bound at ~4 GB/s, the SIMD
 * kernel runs at memcpy speed. The kernel only sees its own memory, so data mode places
 * every rank buffer and staging block in shared arenas (core/arena.ts) and registers each
 * arena here; operands outside one registered arena fall back to the typed loops.
 */
import type { DType } from '@weft/collectives';
import { divideTyped, reduceTyped } from './typed.js';
import type { KernelOp, NumericArray, TensorBackend } from './types.js';
import { WASM_KERNELS_BASE64 } from './wasm-kernels-bytes.js';

type Kernel = (dstByteOffset: number, srcByteOffset: number, count: number) => void;
type Kernel3 = (dstByteOffset: number, aByteOffset: number, srcByteOffset: number, count: number) => void;
type Divide = (dstByteOffset: number, count: number, divisor: number) => void;
type Copy = (dstByteOffset: number, srcByteOffset: number, bytes: number) => void;

interface KernelSet {
  readonly reduce: Record<string, Kernel>;
  readonly reduce3: Record<string, Kernel3>;
  readonly div_f32: Divide;
  readonly div_f64: Divide;
  readonly copy: Copy;
}

/** The types the SIMD kernels take; every other type runs the typed loops (backendFor reports 'typed'). */
const SUFFIX: Partial<Record<DType, string>> = { float32: 'f32', float64: 'f64', int32: 'i32' };
const OP_NAME: Record<KernelOp, string> = { sum: 'add', prod: 'mul', min: 'min', max: 'max' };

let compiled: WebAssembly.Module | null | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled kernel module, or null where WebAssembly SIMD or threads are unavailable. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(decodeBase64(WASM_KERNELS_BASE64));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function wasmSimdAvailable(): boolean {
  return kernelModule() !== null && typeof SharedArrayBuffer === 'function';
}

export class WasmSimdBackend implements TensorBackend {
  readonly name = 'wasm-simd' as const;
  /** Kernels per arena buffer; keyed by the SharedArrayBuffer that views of the arena share. */
  private readonly byBuffer = new Map<ArrayBufferLike, KernelSet>();
  private readonly byMemory = new Map<WebAssembly.Memory, KernelSet>();

  /**
   * Makes `memory` reducible in place. Call again after the memory grows: a grown shared
   * memory hands out a new SharedArrayBuffer, and views made from it key on that one.
   */
  attach(memory: WebAssembly.Memory): void {
    let set = this.byMemory.get(memory);
    if (!set) {
      const module = kernelModule();
      if (!module) throw new Error('WebAssembly SIMD kernels are unavailable in this runtime');
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Record<string, Kernel & Kernel3 & Divide>;
      const reduce: Record<string, Kernel> = {};
      const reduce3: Record<string, Kernel3> = {};
      for (const [name, fn] of Object.entries(exports)) {
        if (name === 'copy') continue;
        const three = /^(\w+)3_(\w+)$/.exec(name);
        if (three) reduce3[`${three[1]}_${three[2]}`] = fn;
        else reduce[name] = fn;
      }
      set = { reduce, reduce3, div_f32: exports['div_f32']!, div_f64: exports['div_f64']!, copy: exports['copy']! };
      this.byMemory.set(memory, set);
    }
    this.byBuffer.set(memory.buffer, set);
  }

  reduce(op: KernelOp, dtype: DType, dst: NumericArray, src: NumericArray): void {
    const set = dst.buffer === src.buffer && SUFFIX[dtype] !== undefined ? this.byBuffer.get(dst.buffer) : undefined;
    if (set === undefined) return reduceTyped(op, dtype, dst, src);
    set.reduce[`${OP_NAME[op]}_${SUFFIX[dtype]}`]!(dst.byteOffset, src.byteOffset, dst.length);
  }

  reduce3(op: KernelOp, dtype: DType, dst: NumericArray, a: NumericArray, src: NumericArray): void {
    const set = dst.buffer === src.buffer && dst.buffer === a.buffer && SUFFIX[dtype] !== undefined ? this.byBuffer.get(dst.buffer) : undefined;
    if (set === undefined) {
      this.copy(dst, a);
      return this.reduce(op, dtype, dst, src);
    }
    set.reduce3[`${OP_NAME[op]}_${SUFFIX[dtype]}`]!(dst.byteOffset, a.byteOffset, src.byteOffset, dst.length);
  }

  copy(dst: NumericArray, src: NumericArray): void {
    const set = dst.buffer === src.buffer ? this.byBuffer.get(dst.buffer) : undefined;
    if (set === undefined || dst.byteLength !== src.byteLength) return dst.set(src as never);
    set.copy(dst.byteOffset, src.byteOffset, dst.byteLength);
  }

  divide(dtype: DType, dst: NumericArray, divisor: number): void {
    const set = dtype === 'float32' || dtype === 'float64' ? this.byBuffer.get(dst.buffer) : undefined;
    if (set === undefined) return divideTyped(dtype, dst, divisor);
    (dtype === 'float32' ? set.div_f32 : set.div_f64)(dst.byteOffset, dst.length, divisor);
  }
}
