/**
 * Local copies made when a step needs them, not when the schedule lists them. Ring
 * all-reduce starts with output := input over a whole channel's part; then every slice of
 * that part is sent (read), reduced into (read and written) or received into (overwritten).
 * Copying it all up front is one more pass over the message, out of cache: here a copy is
 * only recorded, a read of a pending slice reads its source instead, a reduce copies the one
 * chunk it needs right before reducing it (in cache), an overwrite makes the copy free, and
 * what is left is copied at the end of the iteration. The bytes a rank ends with are the
 * same; only when they are written changes.
 *
 * Slices are (buffer index, offset, count) in elements, as on the step tapes. Every physical
 * write goes through the data plane's `beforeWrite` first (lent slices, lease.ts).
 */
import { copyInto, type NumericArray } from '../../backends/types.js';
import type { DataPlane } from './data-plane.js';

type ViewOf = (buffer: number, offset: number, count: number) => NumericArray;

/** dst[dstOffset, +count) of buffer `dst` should hold src[srcOffset, +count) of buffer `src`. */
interface Pending {
  readonly dst: number;
  readonly dstOffset: number;
  readonly count: number;
  readonly src: number;
  readonly srcOffset: number;
}

export class DeferredCopies {
  private pending: Pending[] = [];

  constructor(
    private readonly view: ViewOf,
    private readonly plane: DataPlane,
  ) {}

  /** A copy step: dst := src, recorded. */
  defer(dst: number, dstOffset: number, src: number, srcOffset: number, count: number): void {
    if (count === 0) return;
    if (dst === src && dstOffset < srcOffset + count && srcOffset < dstOffset + count) {
      // Overlapping within one buffer: copy now (a record's source would change under it).
      const from = this.source(src, srcOffset, count).slice();
      this.overwrite(dst, dstOffset, count);
      this.write(dst, dstOffset, from);
      return;
    }
    // Read through a pending copy of the source, so no record points at another record's target.
    const through = this.covering(src, srcOffset, count);
    const origin = through ? { src: through.src, srcOffset: through.srcOffset + srcOffset - through.dstOffset } : { src, srcOffset };
    if (!through) this.materialize(src, srcOffset, count);
    this.overwrite(dst, dstOffset, count);
    this.pending.push({ dst, dstOffset, count, ...origin });
  }

  /** Where the slice's values can be read now: a pending copy's source, or the slice itself. */
  source(buffer: number, offset: number, count: number): NumericArray {
    const through = count > 0 ? this.covering(buffer, offset, count) : undefined;
    if (through) return this.view(through.src, through.srcOffset + offset - through.dstOffset, count);
    this.materialize(buffer, offset, count);
    return this.view(buffer, offset, count);
  }

  /** Before the slice is overwritten whole: pending copies into it are dropped, copies out of it are made. */
  overwrite(buffer: number, offset: number, count: number): void {
    if (this.pending.length === 0 || count === 0) return;
    this.materializeReadersOf(buffer, offset, count);
    this.cut(buffer, offset, count, false);
  }

  /**
   * Before a reduce into the slice: where its current values are. A slice that is wholly a
   * pending copy's target gets the copy's source (the reduce reads it and writes the slice
   * once: the copy is never made); otherwise null, the slice made to hold its values.
   */
  take(buffer: number, offset: number, count: number): NumericArray | null {
    if (this.pending.length > 0 && count > 0) {
      this.materializeReadersOf(buffer, offset, count);
      const through = this.covering(buffer, offset, count);
      if (through) {
        const values = this.view(through.src, through.srcOffset + offset - through.dstOffset, count);
        this.cut(buffer, offset, count, false);
        return values;
      }
      this.materialize(buffer, offset, count);
    }
    return null;
  }

  /** Makes every pending copy (the end of an iteration: the buffers must hold their values). */
  flush(): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) this.copy(p, p.dstOffset, p.count);
  }

  /** The one pending copy whose target holds the whole slice, if any. */
  private covering(buffer: number, offset: number, count: number): Pending | undefined {
    for (const p of this.pending) {
      if (p.dst === buffer && p.dstOffset <= offset && offset + count <= p.dstOffset + p.count) return p;
    }
    return undefined;
  }

  /** Makes the pending copies into the slice (only the overlapping parts). */
  private materialize(buffer: number, offset: number, count: number): void {
    if (this.pending.length > 0) this.cut(buffer, offset, count, true);
  }

  /** Makes, whole, the pending copies that read from the slice (it is about to change). */
  private materializeReadersOf(buffer: number, offset: number, count: number): void {
    const reads = (p: Pending) => p.src === buffer && p.srcOffset < offset + count && offset < p.srcOffset + p.count;
    if (!this.pending.some(reads)) return; // the usual case: no array built per step
    const readers = this.pending.filter(reads);
    this.pending = this.pending.filter((p) => !readers.includes(p));
    for (const p of readers) this.copy(p, p.dstOffset, p.count);
  }

  /** Removes [offset, +count) of `buffer` from the pending targets, copying the removed parts first if `make`. */
  private cut(buffer: number, offset: number, count: number, make: boolean): void {
    const end = offset + count;
    if (!this.pending.some((p) => p.dst === buffer && p.dstOffset < end && offset < p.dstOffset + p.count)) return;
    const kept: Pending[] = [];
    for (const p of this.pending) {
      const pEnd = p.dstOffset + p.count;
      if (p.dst !== buffer || pEnd <= offset || p.dstOffset >= end) {
        kept.push(p);
        continue;
      }
      const from = Math.max(offset, p.dstOffset);
      const to = Math.min(end, pEnd);
      if (make) this.copy(p, from, to - from);
      if (p.dstOffset < from) kept.push({ ...p, count: from - p.dstOffset });
      if (to < pEnd) kept.push({ dst: p.dst, dstOffset: to, count: pEnd - to, src: p.src, srcOffset: p.srcOffset + (to - p.dstOffset) });
    }
    this.pending = kept;
  }

  /** Makes the part [at, +count) of a pending copy's target. */
  private copy(p: Pending, at: number, count: number): void {
    this.write(p.dst, at, this.view(p.src, p.srcOffset + (at - p.dstOffset), count));
  }

  private write(buffer: number, offset: number, values: NumericArray): void {
    const dst = this.view(buffer, offset, values.length);
    this.plane.beforeWrite(dst);
    copyInto(this.plane.backend, dst, values);
  }
}
