/**
 * What a participant does with bytes: snapshot a slice into staging on send, and copy or
 * reduce a received payload into its buffer. Ghost mode has no data plane at all (the
 * executor then moves byte counts only), so nothing here runs per step in ghost mode.
 */
import type { DType } from '@weft/collectives';
import { copyInto, reduceFrom, type KernelOp, type NumericArray, type TensorBackend } from '../../backends/types.js';
import { ArenaSet, StagingPool, type BufferPlace } from './arena.js';
import { Lender } from './lease.js';
import { messageSizeError } from '../errors.js';
import type { PayloadRef } from '../protocol.js';
import { DTYPE_CODES } from '../protocol.js';

type NumericCtor = { readonly BYTES_PER_ELEMENT: number } & (new (buffer: ArrayBufferLike, byteOffset: number, length: number) => NumericArray);

const CTORS: Record<string, NumericCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array as unknown as NumericCtor,
  int8: Int8Array as unknown as NumericCtor,
  uint32: Uint32Array as unknown as NumericCtor,
  int64: BigInt64Array as unknown as NumericCtor,
  uint64: BigUint64Array as unknown as NumericCtor,
  // half and bfloat16: their 16-bit patterns.
  float16: Uint16Array as unknown as NumericCtor,
  bfloat16: Uint16Array as unknown as NumericCtor,
};

export function dtypeCode(dtype: DType): number {
  return DTYPE_CODES.indexOf(dtype);
}

export function ctorOf(code: number): NumericCtor {
  return CTORS[DTYPE_CODES[code]!]!;
}

export function bytesOfView(view: NumericArray): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class DataPlane {
  private readonly lender: Lender;

  constructor(
    readonly arenas: ArenaSet,
    readonly pool: StagingPool,
    readonly backend: TensorBackend,
  ) {
    this.lender = new Lender(arenas, pool);
  }

  /** Starts a run on a staging region (every message of the previous run has been read). */
  reset(staging: BufferPlace): void {
    this.pool.reset(staging);
    this.lender.reset();
  }

  /** Eager send: the slice's bytes as they are now (a snapshot; the caller may write `src` at will). */
  stage(src: NumericArray, code: number): PayloadRef {
    return this.pool.stage(bytesOfView(src), code);
  }

  /**
   * Eager send without a copy: the receiver reads `src` in place (lease.ts). The caller must
   * call `beforeWrite` before every write to its buffers; falls back to `stage` where `src`
   * is not in this host's arena or staging is full.
   */
  lend(src: NumericArray, code: number): PayloadRef {
    return this.lender.lend(src, code) ?? this.stage(src, code);
  }

  /** Before writing `dst`: keeps the bytes of unread lent slices it overlaps (copy-on-write). */
  beforeWrite(dst: NumericArray): void {
    this.lender.beforeWrite(dst);
  }

  /** Bytes copied out of lent slices because this host wrote them before they were read. */
  get movedBytes(): number {
    return this.lender.movedBytes;
  }

  /** A typed view of a payload's bytes (valid until released; a lease stays the receiver's until then). */
  payloadView(payload: PayloadRef, count: number): NumericArray {
    const place = { arena: payload.arena, byteOffset: this.arenas.open(payload), ...(payload.sab ? { sab: payload.sab } : {}) };
    return this.arenas.view(place, ctorOf(payload.dtype), count);
  }

  /**
   * dst := payload (op null) or dst := first (op) payload, `first` defaulting to dst itself
   * (a reduce whose slice's values are still in another slice: written once). Does not
   * release the payload.
   */
  deliver(payload: PayloadRef, dst: NumericArray, op: KernelOp | null, dtype: DType, first: NumericArray = dst): void {
    if (payload.bytes !== dst.byteLength) throw messageSizeError(payload.bytes, dst.byteLength);
    if (dst.length === 0) return;
    const src = this.payloadView(payload, dst.length);
    if (op === null) return copyInto(this.backend, dst, src);
    // A payload in another arena (or its own SAB) is out of the SIMD kernels' reach: copy it
    // into a block of this host's arena (memcpy speed) and reduce there.
    const block = src.buffer !== dst.buffer && this.landsInOwnArena(dst) ? this.pool.borrow(payload.bytes) : null;
    const operand = block ? this.arenas.view(block, ctorOf(payload.dtype), dst.length) : src;
    if (block) operand.set(src as never);
    if (first !== dst) reduceFrom(this.backend, op, dtype, dst, first, operand);
    else this.backend.reduce(op, dtype, dst, operand);
    if (block) this.pool.giveBack(block);
  }

  private landsInOwnArena(dst: NumericArray): boolean {
    const arena = this.pool.arenaIndex;
    return arena >= 0 && dst.buffer === this.arenas.buffer(arena);
  }

  release(payload: PayloadRef): void {
    this.arenas.release(payload);
  }
}
