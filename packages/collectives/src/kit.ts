/**
 * Plumbing shared by every schedule generator: parameter validation, a step-list builder
 * and the alpha-beta terms the `predictNs` closed forms are built from. Who talks to whom,
 * ranges, channels and chunks come from ./logical.ts.
 *
 * Cost model used by every `predictNs` (documented once here): a message costs `alpha`
 * (cost.alphaNs) plus bytes / bandwidth; the messages of one channel are issued one after
 * another (each pays its own alpha, unless they leave back to back before anything is
 * waited for); channels run concurrently, so their alphas overlap but they share the rank's
 * injection bandwidth B (cost.bandwidthBytesPerSec); send and receive overlap (full
 * duplex). β is 1e9 / B, in ns per byte.
 */
import { chunksOf, clampChannels, type Range } from './logical.js';
import type { BufferName, CollectiveName, CostParams, PlanParams, Schedule, Slice, Step } from './types.js';

/** A slice of `buffer`: a range, or an offset and a count. */
export function slice(buffer: BufferName, range: Range): Slice;
export function slice(buffer: BufferName, offset: number, count: number): Slice;
export function slice(buffer: BufferName, at: Range | number, count = 0): Slice {
  return typeof at === 'number' ? { buffer, offset: at, count } : { buffer, offset: at.offset, count: at.count };
}

/**
 * Why `params` cannot be planned by any algorithm (malformed), or null. `rooted`
 * collectives also need a root in 0..nranks-1.
 */
export function invalidParams(params: PlanParams, { rooted = false }: { rooted?: boolean } = {}): string | null {
  const { nranks, count, channels, chunkElements, root, elementBytes } = params;
  if (!Number.isInteger(nranks) || nranks < 1) return `nranks must be an integer >= 1, got ${nranks}`;
  if (!Number.isInteger(count) || count < 0) return `count must be an integer >= 0, got ${count}`;
  if (!Number.isInteger(channels) || channels < 1) return `channels must be an integer >= 1, got ${channels}`;
  if (!Number.isInteger(chunkElements) || chunkElements < 0) {
    return `chunkElements must be an integer >= 0, got ${chunkElements}`;
  }
  if (!(elementBytes > 0)) return `elementBytes must be > 0, got ${elementBytes}`;
  if (rooted && (!Number.isInteger(root) || root < 0 || root >= nranks)) {
    return `root must be an integer in 0..${nranks - 1}, got ${root}`;
  }
  return null;
}

/**
 * Throws the algorithm's `unsupported` reason (an internal RangeError: callers are expected
 * to check `unsupported` first); every `plan` starts with it.
 */
export function assertPlannable(reason: string | null): void {
  if (reason !== null) throw new RangeError(reason);
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

  /** An empty message to `peer` (kept: it synchronizes). */
  sendToken(p: number, c: number, peer: number): void {
    this.push(p, c, { op: 'send', peer, src: slice('input', 0, 0) });
  }

  /** Waits for an empty message from `peer`. */
  recvToken(p: number, c: number, peer: number): void {
    this.push(p, c, { op: 'recv', peer, dst: slice('output', 0, 0) });
  }

  /** The chunks of a slice (none when it is empty). */
  private pieces(s: Slice): Slice[] {
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

// ---------------------------------------------------------------------------------------
// Alpha-beta terms

/** β: ns per byte at `bandwidthBytesPerSec`. */
export const nsPerByte = (bandwidthBytesPerSec: number): number => 1e9 / bandwidthBytesPerSec;

/**
 * Elements in the largest channel part of a channel-split algorithm (channels clamped to
 * count): what the slowest channel moves.
 */
export function largestPart(params: PlanParams): number {
  return Math.ceil(params.count / clampChannels(params.channels, params.count));
}

/**
 * Elements in the largest chunk of a channel-split algorithm: `largestPart`, cut to
 * `chunkElements` when pipelining. Also the size of a one-chunk-per-channel scratch slot.
 */
export function largestChunk(params: PlanParams): number {
  const part = largestPart(params);
  return params.chunkElements > 0 ? Math.min(params.chunkElements, part) : part;
}

/**
 * Alpha-beta view of a channel-split algorithm: with c = clampChannels(channels, count), the
 * slowest channel moves S_c = largestPart·elementBytes bytes per block at B/c
 * (channels share the rank's injection bandwidth B). Returns that block's time S_c·c/B in ns.
 */
export function channelBlockNs(params: PlanParams, cost: CostParams): number {
  const bytes = largestPart(params) * params.elementBytes;
  return (bytes * clampChannels(params.channels, params.count) * 1e9) / cost.bandwidthBytesPerSec;
}

/**
 * `rounds` dependent rounds of a channel-split algorithm, each moving one block per channel
 * in `messages` messages: rounds·(messages·α + S_c·c/B) (see `channelBlockNs`).
 */
export function roundsNs(rounds: number, params: PlanParams, cost: CostParams, messages = 1): number {
  return rounds * (messages * cost.alphaNs + channelBlockNs(params, cost));
}

/**
 * Pipelined chain over all ranks (chain broadcast and chain reduce):
 * T = (n-1)·α + (S_c + (n-2)·K)·c/B, the first rank pushing its whole channel part S_c and
 * the last chunk (K bytes, `largestChunk`) then needing n-2 more store-and-forward hops.
 * 0 for n = 1 or count = 0.
 */
export function chainNs(params: PlanParams, cost: CostParams): number {
  const { nranks: n, count, elementBytes } = params;
  if (n === 1 || count === 0) return 0;
  const bytesPerNs = cost.bandwidthBytesPerSec / clampChannels(params.channels, count) / 1e9;
  return (n - 1) * cost.alphaNs + ((largestPart(params) + (n - 2) * largestChunk(params)) * elementBytes) / bytesPerNs;
}

/**
 * One rank exchanging a block with each of the n-1 others directly (direct all-gather,
 * gather, scatter): T = α + (n-1)·S_c·c/B — the n-1 blocks pass back to back through the
 * rank's bandwidth B shared by c channels, their latencies overlap. 0 for n = 1 or count = 0.
 */
export function fanNs(params: PlanParams, cost: CostParams): number {
  const { nranks: n, count } = params;
  if (n === 1 || count === 0) return 0;
  return cost.alphaNs + (n - 1) * channelBlockNs(params, cost);
}
