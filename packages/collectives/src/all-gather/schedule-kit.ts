/**
 * Plumbing shared by the non-allReduce schedule generators: a tiny schedule builder,
 * parameter validation, block ownership after folding and the channel-split cost term.
 * Who talks to whom, ranges, channels and chunks come from ../logical.ts.
 */
import type { Fold } from '../logical.js';
import type { BufferName, CollectiveName, PlanParams, Schedule, Slice, Step } from '../types.js';

export function slice(buffer: BufferName, offset: number, count: number): Slice {
  return { buffer, offset, count };
}

/** Elements in the largest of `channels` even parts of `count` (what the slowest channel moves). */
export function largestPart(count: number, channels: number): number {
  return Math.ceil(count / channels);
}

/** Per-rank, per-channel step lists, filled in by an algorithm and frozen by `finish`. */
export class StepLists {
  readonly steps: Step[][][];

  constructor(
    readonly nranks: number,
    readonly channels: number,
  ) {
    this.steps = Array.from({ length: nranks }, () => Array.from({ length: channels }, () => []));
  }

  push(rank: number, channel: number, step: Step): void {
    this.steps[rank]![channel]!.push(step);
  }

  send(rank: number, channel: number, peer: number, src: Slice): void {
    this.push(rank, channel, { op: 'send', peer, src });
  }

  recv(rank: number, channel: number, peer: number, dst: Slice): void {
    this.push(rank, channel, { op: 'recv', peer, dst });
  }

  recvReduce(rank: number, channel: number, peer: number, dst: Slice): void {
    this.push(rank, channel, { op: 'recvReduce', peer, dst });
  }

  recvCopySend(rank: number, channel: number, peer: number, sendPeer: number, dst: Slice): void {
    this.push(rank, channel, { op: 'recvCopySend', peer, sendPeer, dst });
  }

  recvReduceCopySend(rank: number, channel: number, peer: number, sendPeer: number, dst: Slice): void {
    this.push(rank, channel, { op: 'recvReduceCopySend', peer, sendPeer, dst });
  }

  copy(rank: number, channel: number, src: Slice, dst: Slice): void {
    if (src.count === 0) return;
    this.push(rank, channel, { op: 'copy', src, dst });
  }

  finish(
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
      participants: this.steps.map((channels) => ({ kind: 'rank' as const, channels })),
    };
  }
}

/**
 * Why `params` cannot be planned at all (shared by every algorithm), or null. `rooted`
 * collectives also need a root in 0..nranks-1.
 */
export function invalidParams(params: PlanParams, rooted: boolean): string | null {
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

/** Throws the `invalidParams` reason; every `plan` starts with it. */
export function assertPlannable(params: PlanParams, rooted: boolean): void {
  const reason = invalidParams(params, rooted);
  if (reason !== null) throw new RangeError(reason);
}

/**
 * Alpha-beta view of a channel-split algorithm: the slowest channel moves
 * `largestPart(count, channels)` elements per block at `bandwidth / channels` (channels
 * share the rank's injection bandwidth). Returns that block's transfer time in ns.
 */
export function channelBlockNs(count: number, channels: number, elementBytes: number, bandwidthBytesPerSec: number): number {
  const bytes = largestPart(count, channels) * elementBytes;
  return (bytes * channels * 1e9) / bandwidthBytesPerSec;
}

/**
 * First block owned by virtual rank v after non-power-of-two folding (logical.ts `fold`):
 * virtual v < rem stands for the pair 2v, 2v+1, the others for the single rank v + rem, so
 * the blocks of consecutive virtual ranks are consecutive. v = pof2 gives nranks (the end).
 */
export function firstBlock(f: Fold, nranks: number, v: number): number {
  if (v >= f.pof2) return nranks;
  return v < f.rem ? 2 * v : v + f.rem;
}
