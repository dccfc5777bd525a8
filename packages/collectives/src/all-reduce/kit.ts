/**
 * Plumbing shared by the allReduce schedule generators: parameter validation, a step-list
 * builder that drops empty transfers (both ends derive the same sizes, so both drop them)
 * and splits messages into pipelining chunks, and alpha-beta helpers.
 *
 * Cost model used by every allReduce `predictNs` (documented once here): a message costs
 * `alpha` (cost.alphaNs) plus bytes / bandwidth; the messages of one channel are issued one
 * after another (each pays its own alpha); channels run concurrently, so their alphas
 * overlap but they share the rank's injection bandwidth (cost.bandwidthBytesPerSec);
 * send and receive overlap (full duplex). β below is 1e9 / bandwidth, in ns per byte.
 */
import type { CollectiveName, PlanParams, Schedule, Slice, Step } from '../types.js';
import { chunksOf, type Range } from '../logical.js';

export const slice = (buffer: Slice['buffer'], range: Range): Slice => ({
  buffer,
  offset: range.offset,
  count: range.count,
});

/** Why these params cannot be planned by any algorithm (malformed), or null. */
export function invalidParams(params: PlanParams): string | null {
  const { nranks, count, channels, chunkElements, elementBytes } = params;
  if (!Number.isInteger(nranks) || nranks < 1) return `nranks must be an integer >= 1, got ${nranks}`;
  if (!Number.isInteger(count) || count < 0) return `count must be an integer >= 0, got ${count}`;
  if (!Number.isInteger(channels) || channels < 1) return `channels must be an integer >= 1, got ${channels}`;
  if (!Number.isInteger(chunkElements) || chunkElements < 0) {
    return `chunkElements must be an integer >= 0, got ${chunkElements}`;
  }
  if (!(elementBytes > 0)) return `elementBytes must be > 0, got ${elementBytes}`;
  return null;
}

/** Throws (an internal RangeError: callers are expected to check `unsupported` first). */
export function assertPlannable(reason: string | null): void {
  if (reason !== null) throw new RangeError(reason);
}

/** ns per byte at `bandwidthBytesPerSec`. */
export const nsPerByte = (bandwidthBytesPerSec: number): number => 1e9 / bandwidthBytesPerSec;

/**
 * Per-participant, per-channel step lists. Transfers of zero elements are dropped, and
 * `*Chunked` helpers split a transfer into `chunkElements`-sized messages (0: one message).
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

  send(p: number, c: number, peer: number, src: Slice): void {
    if (src.count > 0) this.push(p, c, { op: 'send', peer, src });
  }

  recv(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recv', peer, dst });
  }

  recvReduce(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvReduce', peer, dst });
  }

  recvCopySend(p: number, c: number, peer: number, sendPeer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvCopySend', peer, sendPeer, dst });
  }

  recvReduceCopySend(p: number, c: number, peer: number, sendPeer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, { op: 'recvReduceCopySend', peer, sendPeer, dst });
  }

  copy(p: number, c: number, src: Slice, dst: Slice): void {
    if (src.count > 0) this.push(p, c, { op: 'copy', src, dst });
  }

  /** The chunks of a slice (at least one when it is non-empty). */
  private pieces(s: Slice): Slice[] {
    return chunksOf({ offset: s.offset, count: s.count }, this.chunkElements).map((r) => slice(s.buffer, r));
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
