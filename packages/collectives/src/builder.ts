/**
 * The step-list builder every schedule generator writes with: one method per primitive
 * (steps.ts), zero-element transfers dropped, `*Chunked` variants for pipelining.
 */
import { chunksOf, type Range } from './logical.js';
import type { BufferName, CollectiveName, PlanParams, Schedule, Slice, Step } from './types.js';

/** A slice of `buffer`: a range, or an offset and a count. */
export function slice(buffer: BufferName, range: Range): Slice;
export function slice(buffer: BufferName, offset: number, count: number): Slice;
export function slice(buffer: BufferName, at: Range | number, count = 0): Slice {
  return typeof at === 'number' ? { buffer, offset: at, count } : { buffer, offset: at.offset, count: at.count };
}

/**
 * Per-participant, per-channel step lists, frozen into a Schedule by `build`. Participants
 * 0..nranks-1 are ranks, the ones after them agents (switches).
 *
 * Transfers and copies of zero elements are dropped: both ends derive the same sizes, so
 * both drop them. Only `sendToken` / `recvToken` post empty messages, for algorithms whose
 * messages carry nothing but synchronization. The `*Chunked` helpers split a transfer into
 * `chunkElements`-sized messages (0: one message).
 */
export class StepBuilder {
  readonly steps: Step[][][];

  constructor(
    readonly nparticipants: number,
    readonly nchannels: number,
    readonly chunkElements = 0,
  ) {
    this.steps = Array.from({ length: nparticipants }, () => Array.from({ length: nchannels }, () => []));
  }

  private push(p: number, c: number, step: Step): void {
    this.steps[p]![c]!.push(step);
  }

  /** `via`: post on that channel's connection instead of `c`'s (steps.ts sendChannel). */
  send(p: number, c: number, peer: number, src: Slice, via = c): void {
    if (src.count > 0) this.push(p, c, { op: 'send', peer, src, ...(via !== c ? { sendChannel: via } : {}) });
  }

  recv(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recv', peer, dst });
  }

  recvReduce(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvReduce', peer, dst });
  }

  recvCopySend(p: number, c: number, peer: number, sendPeer: number, dst: Slice, via = c): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvCopySend', peer, sendPeer, dst, ...(via !== c ? { sendChannel: via } : {}) });
  }

  recvReduceCopySend(p: number, c: number, peer: number, sendPeer: number, dst: Slice, via = c): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvReduceCopySend', peer, sendPeer, dst, ...(via !== c ? { sendChannel: via } : {}) });
  }

  copy(p: number, c: number, src: Slice, dst: Slice): void {
    if (src.count > 0) this.push(p, c, { op: 'copy', src, dst });
  }

  /** An empty message to `peer` (kept: it synchronizes). */
  sendToken(p: number, c: number, peer: number): void {
    this.push(p, c, { op: 'send', peer, src: slice('input', 0, 0) });
  }

  /** Waits for an empty message from `peer`. */
  recvToken(p: number, c: number, peer: number): void {
    this.push(p, c, { op: 'recv', peer, dst: slice('output', 0, 0) });
  }

  /** The chunks of a slice (none when it is empty). */
  pieces(s: Slice): Slice[] {
    return chunksOf(s, this.chunkElements).map((r) => slice(s.buffer, r));
  }

  sendChunked(p: number, c: number, peer: number, src: Slice): void {
    for (const piece of this.pieces(src)) this.send(p, c, peer, piece);
  }

  recvChunked(p: number, c: number, peer: number, dst: Slice): void {
    for (const piece of this.pieces(dst)) this.recv(p, c, peer, piece);
  }

  recvReduceChunked(p: number, c: number, peer: number, dst: Slice): void {
    for (const piece of this.pieces(dst)) this.recvReduce(p, c, peer, piece);
  }

  /** A copy in the chunks of `src`, each to the same place relative to `dst`. */
  copyChunked(p: number, c: number, src: Slice, dst: Slice): void {
    for (const piece of this.pieces(src)) {
      this.copy(p, c, piece, slice(dst.buffer, dst.offset + piece.offset - src.offset, piece.count));
    }
  }

  build(
    collective: CollectiveName,
    algorithm: string,
    params: PlanParams,
    bufferCounts: Schedule['bufferCounts'],
  ): Schedule {
    return {
      collective,
      algorithm,
      nranks: params.nranks,
      count: params.count,
      root: params.root,
      bufferCounts,
      participants: this.steps.map((channels, p) => ({ kind: p < params.nranks ? ('rank' as const) : ('switch' as const), channels })),
    };
  }
}
