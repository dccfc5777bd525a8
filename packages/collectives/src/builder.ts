/**
 * The step-list builder every schedule generator writes with: one method per primitive
 * (steps.ts), zero-element transfers dropped, `*Chunked` variants for pipelining.
 */
import { chunksOf, type Range } from './logical.js';
import { WeftInputError } from '@weft/sim';
import { formatBudgetBytes, scheduleMemoryBudget, STEP_OP_CODE, StepTape, tapedParticipant } from './step-tape.js';
import type { StepOp } from './steps.js';
import type { BufferName, CollectiveName, PlanParams, Schedule, Slice, Step } from './types.js';


/**
 * Steps written between two checks of the schedule memory budget, at least; a check visits
 * every tape, so with many tapes it comes every BUDGET_CHECK_STEPS_PER_TAPE steps per tape
 * instead (4,096 ranks × 16 channels: a check per 4 M steps, not per 64 K — the per-64 K
 * checks were 16 % of planning a 1.07-billion-step ring).
 */
const BUDGET_CHECK_STEPS = 1 << 16;
const BUDGET_CHECK_STEPS_PER_TAPE = 64;

/** Where a sending step posts: one peer, or several at once (at least one). */
export type SendPeers = number | readonly number[];

function firstPeer(peers: SendPeers): number {
  if (typeof peers === 'number') return peers;
  if (peers.length === 0) throw new RangeError('a sending step needs at least one peer');
  return peers[0]!;
}

function fanOutOf(peers: SendPeers): readonly number[] | undefined {
  return typeof peers === 'number' || peers.length < 2 ? undefined : peers.slice(1);
}

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
 *
 * Steps go onto compact tapes (step-tape.ts), not into Step objects: the built schedule's
 * `channels` materialize only when read.
 */
export class StepBuilder {
  private readonly tapes: StepTape[][];
  /** Steps written since the tapes' size was last checked against the budget. */
  private unchecked = 0;
  /** Steps between two budget checks (see BUDGET_CHECK_STEPS). */
  private readonly checkEvery: number;

  constructor(
    readonly nparticipants: number,
    readonly nchannels: number,
    readonly chunkElements = 0,
  ) {
    this.tapes = Array.from({ length: nparticipants }, () => Array.from({ length: nchannels }, () => new StepTape()));
    this.checkEvery = Math.max(BUDGET_CHECK_STEPS, nparticipants * nchannels * BUDGET_CHECK_STEPS_PER_TAPE);
  }

  /** The steps written so far, as Step objects (a copy; for inspection). */
  get steps(): Step[][][] {
    return this.tapes.map((channels) => channels.map((tape) => tape.materialize()));
  }

  /** `sendChannel`: -1 when the step posts on its own channel; `fanOut`: further send peers (steps.ts). */
  private push(p: number, c: number, op: StepOp, peer: number, sendPeer: number, via: number, src: Slice | undefined, dst: Slice | undefined, fanOut?: readonly number[]): void {
    this.tapes[p]![c]!.push(STEP_OP_CODE[op], peer, sendPeer, via !== c ? via : -1, src, dst, fanOut);
    if (++this.unchecked === this.checkEvery) this.checkBudget();
  }

  /** Refuses a schedule whose tapes outgrow the budget (step-tape.ts), before the heap does. */
  private checkBudget(): void {
    this.unchecked = 0;
    const budget = scheduleMemoryBudget();
    if (budget === Infinity) return;
    let bytes = 0;
    let steps = 0;
    for (const tapes of this.tapes) {
      for (const tape of tapes) {
        bytes += tape.footprintBytes;
        steps += tape.length;
      }
    }
    if (bytes > budget) {
      throw new WeftInputError(
        `schedule too big for this machine: planning it took ${formatBudgetBytes(bytes)} for its first ${steps} steps (${this.nparticipants} participants × ${this.nchannels} channels), over the limit of ${formatBudgetBytes(budget)} (half the JS heap); use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
      );
    }
  }

  /**
   * `via`: post on that channel's connection instead of `c`'s (steps.ts sendChannel). A list
   * of peers posts the same slice to all of them at once (steps.ts fanOut).
   */
  send(p: number, c: number, peer: SendPeers, src: Slice, via = c): void {
    if (src.count > 0) this.push(p, c, 'send', firstPeer(peer), -1, via, src, undefined, fanOutOf(peer));
  }

  recv(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, 'recv', peer, -1, c, undefined, dst);
  }

  recvReduce(p: number, c: number, peer: number, dst: Slice): void {
    if (dst.count > 0) this.push(p, c, 'recvReduce', peer, -1, c, undefined, dst);
  }

  /** `sendPeer`: one peer, or a list the received slice goes to at once (steps.ts fanOut). */
  recvCopySend(p: number, c: number, peer: number, sendPeer: SendPeers, dst: Slice, via = c): void {
    if (dst.count > 0) this.push(p, c, 'recvCopySend', peer, firstPeer(sendPeer), via, undefined, dst, fanOutOf(sendPeer));
  }

  recvReduceCopySend(p: number, c: number, peer: number, sendPeer: SendPeers, dst: Slice, via = c): void {
    if (dst.count > 0) this.push(p, c, 'recvReduceCopySend', peer, firstPeer(sendPeer), via, undefined, dst, fanOutOf(sendPeer));
  }

  copy(p: number, c: number, src: Slice, dst: Slice): void {
    if (src.count > 0) this.push(p, c, 'copy', -1, -1, c, src, dst);
  }

  /** An empty message to `peer` (kept: it synchronizes). */
  sendToken(p: number, c: number, peer: number): void {
    this.push(p, c, 'send', peer, -1, c, slice('input', 0, 0), undefined);
  }

  /** Waits for an empty message from `peer`. */
  recvToken(p: number, c: number, peer: number): void {
    this.push(p, c, 'recv', peer, -1, c, undefined, slice('output', 0, 0));
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
      participants: this.tapes.map((tapes, p) => {
        for (const tape of tapes) tape.seal();
        return tapedParticipant(p < params.nranks ? 'rank' : 'switch', tapes);
      }),
    };
  }
}
