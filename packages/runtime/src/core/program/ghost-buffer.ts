/**
 * A length-only stand-in for a typed array, for rank programs in ghost mode: collectives
 * time from byte counts alone, so a ghost buffer carries a dtype and an element count and
 * no payload. Passing one to a collective returns a ghost buffer of the output's length
 * (nothing is allocated, whatever the size). Plain data, recognized structurally, so a
 * program can build one without importing the runtime. Data mode refuses them.
 */
import { DTYPES, elementBytes, type DType } from '@weft/collectives';
import type { NumericArray } from '../../backends/types.js';

export interface GhostBuffer {
  readonly ghost: true;
  readonly dtype: DType;
  /** Elements. */
  readonly length: number;
}


export function ghostBuffer(length: number, dtype: DType = 'float32'): GhostBuffer {
  if (!(Number.isInteger(length) && length >= 0)) throw new RangeError(`ghost buffer length must be an integer >= 0, got ${length}`);
  if (!DTYPES.includes(dtype)) throw new RangeError(`ghost buffer dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  return { ghost: true, dtype, length };
}

export function isGhostBuffer(data: unknown): data is GhostBuffer {
  return typeof data === 'object' && data !== null && !ArrayBuffer.isView(data) && (data as { ghost?: unknown }).ghost === true;
}

export function ghostByteLength(data: GhostBuffer): number {
  return data.length * elementBytes(data.dtype);
}

/** A typed array or a ghost buffer: what program collectives and send accept. */
export type CollectiveData = NumericArray | GhostBuffer;
