/**
 * A length-only stand-in for a typed array, for rank programs in ghost mode: collectives
 * time from byte counts alone, so a ghost buffer carries a dtype and an element count and
 * no payload. Passing one to a collective returns a ghost buffer of the output's length
 * (nothing is allocated, whatever the size). Plain data, recognized structurally, so a
 * program can build one without importing the runtime. Data mode refuses them.
 */
import { elementBytes, type DType } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { checkDtype } from '../inputs.js';
import type { NumericArray } from '../../backends/types.js';

export interface GhostBuffer {
  readonly ghost: true;
  readonly dtype: DType;
  /** Elements. */
  readonly length: number;
}


export function ghostBuffer(length: number, dtype: DType = 'float32'): GhostBuffer {
  if (!(Number.isInteger(length) && length >= 0)) throw new WeftInputError(`ghost buffer length must be an integer >= 0, got ${length}`);
  return { ghost: true, dtype: checkDtype(dtype, 'ghost buffer '), length };
}

export function isGhostBuffer(data: unknown): data is GhostBuffer {
  return typeof data === 'object' && data !== null && !ArrayBuffer.isView(data) && (data as { ghost?: unknown }).ghost === true;
}

export function ghostByteLength(data: GhostBuffer): number {
  return data.length * elementBytes(data.dtype);
}

/** A typed array or a ghost buffer: what program collectives and send accept. */
export type CollectiveData = NumericArray | GhostBuffer;
