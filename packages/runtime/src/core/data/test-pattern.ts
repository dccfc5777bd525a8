/**
 * The nccl-tests test pattern at memory speed. inputValue is periodic in the element index
 * (collectives' inputPeriod), so a rank's input is one period computed value by value and
 * then doubled with copyWithin (memcpy speed), and a rank's output is checked block by
 * block against one small tile of its expected values — a whole number of periods — never
 * against an expected array as large as the output, and with nothing kept between runs.
 */
import {
  collectiveOf,
  dtypeInfo,
  inputPeriod,
  inputValue,
  reducedValue,
  type CollectiveName,
  type DType,
  type Element,
  type ReduceOp,
} from '@weft/collectives';
import type { NumericArray } from '../../backends/types.js';

/** What a #wrong check compares against: the collective's postcondition for this shape. */
export interface CheckSpec {
  readonly collective: CollectiveName;
  readonly op: ReduceOp;
  readonly dtype: DType;
  readonly nranks: number;
  readonly root: number;
  readonly count: number;
}

/**
 * Byte equality at memcmp speed where the platform has one (Node's Buffer.compare; core stays
 * browser-safe, so the worker passes it in). Absent: elements are compared one by one.
 */
export type BytesEqual = (a: Uint8Array, b: Uint8Array) => boolean;

/** Expected values compared per pass: small enough to stay in cache, at least this many elements. */
const TILE_MIN_ELEMENTS = 1 << 14;

/** Whole periods of at least TILE_MIN_ELEMENTS elements. */
function tileLengthOf(period: number): number {
  return period * Math.ceil(TILE_MIN_ELEMENTS / period);
}

type Elements = { [index: number]: Element; readonly length: number; copyWithin(target: number, start: number, end?: number): unknown };

/**
 * Fills `out` with a sequence of period `period` (valueAt(k) for k < period): one period
 * computed, doubled up to a tile, then the tile repeated — its reads stay in cache, so the
 * rest costs one write per element.
 */
function fillPeriodic(out: Elements, period: number, valueAt: (k: number) => Element): void {
  const first = Math.min(period, out.length);
  for (let k = 0; k < first; k++) out[k] = valueAt(k);
  const tile = Math.min(out.length, tileLengthOf(period));
  // `filled` stays a multiple of the period, so each copy continues the sequence.
  for (let filled = first; filled < tile; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, tile - filled));
  for (let filled = tile; filled < out.length; filled += tile) out.copyWithin(filled, 0, Math.min(tile, out.length - filled));
}

/** Rank `rank`'s test input (inputValue for every element) written into `input`. */
export function fillInput(spec: { readonly op: ReduceOp; readonly dtype: DType; readonly nranks: number }, rank: number, input: NumericArray): void {
  const encode = dtypeInfo(spec.dtype).encode;
  fillPeriodic(input as Elements, inputPeriod(spec.op, spec.dtype, spec.nranks), (k) => encode(inputValue(spec.op, spec.dtype, rank, k, spec.nranks)));
}

/**
 * #wrong of rank `rank`'s output: elements of its output blocks that differ from the exact
 * expected value (collectives' fillExpectedOutput, here one tile at a time). Elements outside
 * every block are undefined by the collective and not counted.
 */
export function countWrong(spec: CheckSpec, rank: number, output: NumericArray, bytesEqual?: BytesEqual): number {
  const { op, dtype, nranks } = spec;
  const period = inputPeriod(op, dtype, nranks);
  const { encode, decode } = dtypeInfo(dtype);
  const tileLength = tileLengthOf(period);
  // Float64 holds every dtype's values exactly: the comparison is the one fillExpectedOutput's array gave.
  const expected = new Float64Array(tileLength);
  // The same tile in the output's own type, for byte comparison.
  const typed = new (output.constructor as new (length: number) => NumericArray)(tileLength) as Elements & NumericArray;
  const elementBytes = typed.BYTES_PER_ELEMENT;
  const outputBytes = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  const typedBytes = new Uint8Array(typed.buffer);
  let wrong = 0;
  for (const b of collectiveOf(spec.collective).outputBlocks(rank, spec)) {
    const length = Math.min(tileLength, b.count);
    const tile = expected.subarray(0, length);
    const from = b.from;
    fillPeriodic(tile, period, (k) => (from === 'all' ? reducedValue(op, dtype, b.inputOffset + k, nranks) : inputValue(op, dtype, from, b.inputOffset + k, nranks)));
    for (let k = 0; k < length; k++) typed[k] = encode(tile[k]!);
    // Equal bytes mean equal values when every expected value survives the output's type
    // (one period decides: the tile repeats it); unequal bytes (a wrong value, or -0 for 0)
    // are counted element by element.
    let byBytes = bytesEqual !== undefined;
    for (let k = 0; k < Math.min(period, length) && byBytes; k++) byBytes = decode(typed[k]!) === tile[k];
    // Each pass starts a whole number of periods into the block, where the tile starts.
    for (let start = 0; start < b.count; start += tileLength) {
      const n = Math.min(tileLength, b.count - start);
      const base = b.offset + start;
      if (byBytes && bytesEqual!(outputBytes.subarray(base * elementBytes, (base + n) * elementBytes), typedBytes.subarray(0, n * elementBytes))) continue;
      // The NaN poison never equals an expected (finite) value: an unwritten element counts.
      for (let j = 0; j < n; j++) if (decode(output[base + j]!) !== tile[j]) wrong += 1;
    }
  }
  return wrong;
}
