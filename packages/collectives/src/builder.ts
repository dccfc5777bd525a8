/**
 * The step-list builder every schedule generator writes with: one method per primitive
 * (steps.ts), zero-element transfers dropped, `*Chunked` variants for pipelining.
 */
import { chunksOf, type Range } from './logical.js';
import { WeftInputError } from '@weft/sim';
import { checkPlanProgress, formatBudgetBytes, heapPressure, scheduleMemoryBudget, STEP_OP_CODE, STEP_RECORD, StepTape, stepRecord, tapedParticipant, templateRecord } from './step-tape.js';
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

/** What a builder does with a transfer of zero elements: drop it (both ends do), or keep it as a zero-payload step. */
export type EmptyTransfers = 'drop' | 'keep';

export interface StepBuilderOptions {
  /** Default 'drop'. */
  readonly emptyTransfers?: EmptyTransfers;
}

/**
 * Per-participant, per-channel step lists, frozen into a Schedule by `build`. Participants
 * 0..nranks-1 are ranks, the ones after them agents (switches).
 *
 * Transfers, copies and local reductions of zero elements are dropped: both ends derive the
 * same sizes, so both drop them. Only `sendToken` / `recvToken` post empty messages, for
 * algorithms whose messages carry nothing but synchronization — and, with `emptyTransfers: 'keep'`, every
 * transfer of an empty slice (a kernel that runs each step whatever its size, as NCCL's
 * Simple prims do: nccl-ring.ts ncclRingEmptyTransfers); local steps of zero elements are dropped
 * either way. The `*Chunked` helpers split a transfer into `chunkElements`-sized messages
 * (0: one message).
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
  /** Steps written since the heap was last looked at (heapPressure: cheap, so every BUDGET_CHECK_STEPS). */
  private sinceHeapCheck = 0;
  /**
   * The tapes' sizes as of the last budget check, per tape (participant · nchannels + channel)
   * and summed, and the tapes written since: a check re-measures only those. (A ring planner
   * writes one tape per `repeat`, each call past checkEvery: re-measuring every tape each time
   * was 15.5 s of planning at 16,384 GPUs, 262,144 tapes.)
   */
  private readonly measuredBytes: Float64Array;
  private readonly measuredSteps: Float64Array;
  private totalBytes = 0;
  private totalSteps = 0;
  private readonly written: Uint8Array;
  private writtenKeys: number[] = [];

  /** Whether transfers of zero elements are written (as zero-payload steps) instead of dropped. */
  private readonly keepsEmpty: boolean;

  constructor(
    readonly nparticipants: number,
    readonly nchannels: number,
    readonly chunkElements = 0,
    options: StepBuilderOptions = {},
  ) {
    this.keepsEmpty = options.emptyTransfers === 'keep';
    this.tapes = Array.from({ length: nparticipants }, () => Array.from({ length: nchannels }, () => new StepTape()));
    this.checkEvery = Math.max(BUDGET_CHECK_STEPS, nparticipants * nchannels * BUDGET_CHECK_STEPS_PER_TAPE);
    this.measuredBytes = new Float64Array(nparticipants * nchannels);
    this.measuredSteps = new Float64Array(nparticipants * nchannels);
    this.written = new Uint8Array(nparticipants * nchannels);
  }

  /** Notes that tape `key` grew since the last budget check. */
  private wrote(key: number): void {
    if (this.written[key] === 1) return;
    this.written[key] = 1;
    this.writtenKeys.push(key);
  }

  /** The steps written so far, as Step objects (a copy; for inspection). */
  get steps(): Step[][][] {
    return this.tapes.map((channels) => channels.map((tape) => tape.materialize()));
  }

  /** `sendChannel`: -1 when the step posts on its own channel; `fanOut`: further send peers (steps.ts). */
  private push(p: number, c: number, op: StepOp, peer: number, sendPeer: number, via: number, src: Slice | undefined, dst: Slice | undefined, fanOut?: readonly number[]): void {
    const recording = this.recording;
    if (recording !== undefined) {
      const key = p * this.nchannels + c;
      let records = recording.get(key);
      if (records === undefined) recording.set(key, (records = []));
      // A record carries the tape's code for a fan-out's peer list, as the tape would store it.
      stepRecord(records, STEP_OP_CODE[op], peer, this.tapes[p]![c]!.sendPeerField(STEP_OP_CODE[op], peer, sendPeer, fanOut), via !== c ? via : -1, src, dst);
      return;
    }
    this.tapes[p]![c]!.push(STEP_OP_CODE[op], peer, sendPeer, via !== c ? via : -1, src, dst, fanOut);
    this.wrote(p * this.nchannels + c);
    if (++this.unchecked >= this.checkEvery) this.checkBudget();
    else if (++this.sinceHeapCheck >= BUDGET_CHECK_STEPS) this.checkHeap();
  }

  /** Step records per tape (participant · nchannels + channel) while a repetition is recorded. */
  private recording: Map<number, number[]> | undefined;

  /** The steps `write` writes, recorded per tape instead of written. */
  private record(write: () => void): Map<number, number[]> {
    if (this.recording !== undefined) throw new RangeError('repeats cannot nest');
    const recording = new Map<number, number[]>();
    this.recording = recording;
    try {
      write();
    } finally {
      this.recording = undefined;
    }
    return recording;
  }

  private counted(steps: number): void {
    this.unchecked += steps;
    this.sinceHeapCheck += steps;
    if (this.unchecked >= this.checkEvery) this.checkBudget();
    else if (this.sinceHeapCheck >= BUDGET_CHECK_STEPS) this.checkHeap();
  }

  /**
   * The steps `write` writes on participant p's channel c, `reps` times, every slice's
   * offset moved by `strideElements` per repetition: the same steps as writing each
   * repetition with its slices moved, and the same tape (StepTape.pushRun), but a ring's
   * thousands of like steps per channel cost a few pushes, not one each.
   */
  repeat(p: number, c: number, reps: number, strideElements: number, write: () => void): void {
    if (reps <= 0) return;
    const key = p * this.nchannels + c;
    const recorded = this.record(write);
    for (const other of recorded.keys()) if (other !== key) throw new RangeError(`a repeat on participant ${p} channel ${c} wrote on participant ${Math.floor(other / this.nchannels)} channel ${other % this.nchannels}`);
    const records = recorded.get(key) ?? [];
    const strides: number[] = [];
    for (let t = 0; t < records.length; t += STEP_RECORD.FIELDS) {
      strides.push(records[t + STEP_RECORD.SRC_BUF]! >= 0 ? strideElements : 0, records[t + STEP_RECORD.DST_BUF]! >= 0 ? strideElements : 0);
    }
    this.tapes[p]![c]!.pushRun(records, strides, reps);
    this.wrote(key);
    this.counted(reps * (strides.length / 2));
  }

  /**
   * Repetitions 0..reps-1 of `write(rep)`, on every tape it writes, each tape's as one run
   * (StepTape.appendRun) when its steps are affine in the repetition: offsets by a fixed
   * stride, peers fixed or stepping within the window `peerWindow(peer)` gives ([low, size],
   * wrapping: a multicast that starts one rank later each chunk). The caller vouches for
   * that (a chunk loop's middle, every chunk full-sized); repetitions 0, 1 and the last are
   * written to derive the strides and check them, and when they do not fit, every repetition
   * is written step by step, as it is inside another repetition (whose run then holds it).
   * The steps read back are the same either way.
   */
  repeatAll(reps: number, write: (rep: number) => void, peerWindow: (peer: number) => readonly [number, number] | undefined = () => undefined): void {
    const stepByStep = (): void => {
      for (let r = 0; r < reps; r++) write(r);
    };
    // Inside another repetition being recorded, the outer one makes the run.
    if (reps < 3 || this.recording !== undefined) return stepByStep();
    const first = this.record(() => write(0));
    const second = this.record(() => write(1));
    const last = this.record(() => write(reps - 1));
    if (second.size !== first.size || last.size !== first.size) return stepByStep();
    const runs: [number, number[]][] = [];
    for (const [key, a] of first) {
      const templates = affineTemplates(a, second.get(key), last.get(key), reps - 1, peerWindow);
      if (templates === undefined) return stepByStep();
      runs.push([key, templates]);
    }
    for (const [key, templates] of runs) {
      this.tapes[Math.floor(key / this.nchannels)]![key % this.nchannels]!.appendRun(templates, reps);
      this.wrote(key);
      this.counted(reps * (first.get(key)!.length / STEP_RECORD.FIELDS));
    }
  }

  /**
   * Called by a planner whose outer loop writes `of` alike parts (channels, NVLS parts), after
   * `done` of them. After the first, the host's check (step-tape.ts setPlanProgressCheck)
   * projects the whole plan from it and may refuse it before the other parts are planned.
   */
  partsPlanned(done: number, of: number): void {
    if (done === 1 && of > 1) checkPlanProgress({ tapes: this.tapes, done, of });
  }

  /** Refuses a schedule whose tapes outgrow the budget (step-tape.ts), before the heap does. */
  private checkBudget(): void {
    this.unchecked = 0;
    const budget = scheduleMemoryBudget();
    if (budget === Infinity) return;
    for (const key of this.writtenKeys) {
      const tape = this.tapes[Math.floor(key / this.nchannels)]![key % this.nchannels]!;
      this.totalBytes += tape.footprintBytes - this.measuredBytes[key]!;
      this.totalSteps += tape.length - this.measuredSteps[key]!;
      this.measuredBytes[key] = tape.footprintBytes;
      this.measuredSteps[key] = tape.length;
      this.written[key] = 0;
    }
    this.writtenKeys = [];
    const bytes = this.totalBytes;
    const steps = this.totalSteps;
    if (bytes > budget) {
      throw new WeftInputError(
        `schedule too big for this machine: planning it took ${formatBudgetBytes(bytes)} for its first ${steps} steps (${this.nparticipants} participants × ${this.nchannels} channels), over the limit of ${formatBudgetBytes(budget)} (half the JS heap); use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
      );
    }
    this.checkHeap();
  }

  /**
   * Refuses planning on when the JS heap is nearly full (step-tape.ts heapPressure): the tape
   * budget counts the plan alone, not the topology and routes beside it (65,536 GPUs).
   */
  private checkHeap(): void {
    this.sinceHeapCheck = 0;
    const heap = heapPressure();
    if (heap !== null) {
      throw new WeftInputError(
        `schedule too big for this machine: while planning it (${this.nparticipants} participants × ${this.nchannels} channels) the JS heap reached ${formatBudgetBytes(heap.usedBytes)} of its ${formatBudgetBytes(heap.limitBytes)} limit; use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
      );
    }
  }

  /** Whether a transfer of `s` is written: it moves elements, or empty transfers are kept. */
  private transfers(s: Slice): boolean {
    return s.count > 0 || this.keepsEmpty;
  }

  /**
   * `via`: post on that channel's connection instead of `c`'s (steps.ts sendChannel). A list
   * of peers posts the same slice to all of them at once (steps.ts fanOut).
   */
  send(p: number, c: number, peer: SendPeers, src: Slice, via = c): void {
    if (this.transfers(src)) this.push(p, c, 'send', firstPeer(peer), -1, via, src, undefined, fanOutOf(peer));
  }

  recv(p: number, c: number, peer: number, dst: Slice): void {
    if (this.transfers(dst)) this.push(p, c, 'recv', peer, -1, c, undefined, dst);
  }

  recvReduce(p: number, c: number, peer: number, dst: Slice): void {
    if (this.transfers(dst)) this.push(p, c, 'recvReduce', peer, -1, c, undefined, dst);
  }

  /** `sendPeer`: one peer, or a list the received slice goes to at once (steps.ts fanOut). */
  recvCopySend(p: number, c: number, peer: number, sendPeer: SendPeers, dst: Slice, via = c): void {
    if (this.transfers(dst)) this.push(p, c, 'recvCopySend', peer, firstPeer(sendPeer), via, undefined, dst, fanOutOf(sendPeer));
  }

  recvReduceCopySend(p: number, c: number, peer: number, sendPeer: SendPeers, dst: Slice, via = c): void {
    if (this.transfers(dst)) this.push(p, c, 'recvReduceCopySend', peer, firstPeer(sendPeer), via, undefined, dst, fanOutOf(sendPeer));
  }

  /** dst := src, locally. */
  copy(p: number, c: number, src: Slice, dst: Slice): void {
    if (src.count > 0) this.push(p, c, 'copy', -1, -1, c, src, dst);
  }

  /** dst := dst (op) src, locally. */
  reduce(p: number, c: number, src: Slice, dst: Slice): void {
    if (src.count > 0) this.push(p, c, 'reduce', -1, -1, c, src, dst);
  }

  /** An empty message to `peer`, or to several at once (kept: it synchronizes); `via` as for send. */
  sendToken(p: number, c: number, peer: SendPeers, via = c): void {
    this.push(p, c, 'send', firstPeer(peer), -1, via, slice('input', 0, 0), undefined, fanOutOf(peer));
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

/**
 * Template records (step-tape.ts templateRecord) for a run whose repetitions 0, 1 and
 * `lastRep` wrote the step records a, b and z, or undefined when they are not affine in the
 * repetition: same primitives, buffers, counts and send peers; offsets moving by b − a; peers
 * fixed or stepping within their window.
 */
function affineTemplates(
  a: readonly number[],
  b: readonly number[] | undefined,
  z: readonly number[] | undefined,
  lastRep: number,
  peerWindow: (peer: number) => readonly [number, number] | undefined,
): number[] | undefined {
  if (b === undefined || z === undefined || b.length !== a.length || z.length !== a.length) return undefined;
  const R = STEP_RECORD;
  const templates: number[] = [];
  for (let t = 0; t < a.length; t += R.FIELDS) {
    for (const f of [R.OP, R.SEND_PEER, R.SEND_CHANNEL, R.SRC_BUF, R.SRC_COUNT, R.DST_BUF, R.DST_COUNT]) {
      if (b[t + f] !== a[t + f] || z[t + f] !== a[t + f]) return undefined;
    }
    const srcStride = b[t + R.SRC_OFF]! - a[t + R.SRC_OFF]!;
    const dstStride = b[t + R.DST_OFF]! - a[t + R.DST_OFF]!;
    if (z[t + R.SRC_OFF] !== a[t + R.SRC_OFF]! + lastRep * srcStride || z[t + R.DST_OFF] !== a[t + R.DST_OFF]! + lastRep * dstStride) return undefined;
    const peer = a[t + R.PEER]!;
    if (b[t + R.PEER] === peer) {
      if (z[t + R.PEER] !== peer) return undefined;
      templateRecord(templates, a, t, srcStride, dstStride, 0, 0, 0);
      continue;
    }
    const window = peerWindow(peer);
    if (window === undefined) return undefined;
    const [low, size] = window;
    const next = b[t + R.PEER]!;
    if (next < low || next >= low + size) return undefined;
    const step = (((next - peer) % size) + size) % size;
    if (z[t + R.PEER] !== low + ((peer - low + lastRep * step) % size)) return undefined;
    templateRecord(templates, a, t, srcStride, dstStride, step, low, size);
  }
  return templates;
}
