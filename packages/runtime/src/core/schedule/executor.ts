/**
 * Runs one participant's part of a Schedule: its channels run concurrently, each an ordered
 * list of NCCL-style primitives. Channels are small state machines rather than async
 * functions: a completion callback runs the next steps synchronously until one needs the
 * coordinator again, so a step costs no promise and no microtask — which is what lets ghost
 * mode run thousands of ranks — and the same code moves real bytes in data mode.
 *
 * Semantics (collectives/src/steps.ts): a send snapshots its slice (eager) and completes when
 * its last byte has left (`sent`); a recv completes on delivery; the fused steps receive,
 * combine, then send their destination slice. A step with a fan-out (steps.ts) posts to all
 * its peers at once and completes when all have left. In data mode a send lends its slice
 * instead of copying it (data/lease.ts): the receiver reads it in place, and every write this
 * executor makes to its buffers goes through `plane.beforeWrite`, which copies a lent slice out
 * of the way only if it has not been read yet — the snapshot, paid only when needed. Local
 * copies are deferred (data/deferred-copies.ts): a send or reduce reads a pending copy's
 * source, a recv into its target makes it free; the rest is copied when the iteration ends.
 */
import { BUFFER_NAMES, channelTapes, elementBytes, PRIMITIVES, STEP_OPS, TapeCursor, type Combine, lineWireBytes, outputIsReduced, protocolCode, type CollectiveName, type DType, type Participant, type ReduceOp, type ScheduleProtocol } from '@weft/collectives';
import { copyInto, kernelOp, reduceFrom, type KernelOp, type NumericArray } from '../../backends/types.js';
import type { DataPlane } from '../data/data-plane.js';
import { dtypeCode } from '../data/data-plane.js';
import { DeferredCopies } from '../data/deferred-copies.js';
import type { PayloadRef, Request } from '../protocol.js';
import type { StepRecord } from '../types.js';
import { messageSizeError, ProtocolError } from '../errors.js';

/**
 * What runs when a posted operation completes: for a recv, with the message's payload (none in
 * ghost mode) and its payload bytes (what a receiver checks its slice against in either mode).
 */
export type Continuation = (payload: PayloadRef | undefined, bytes: number) => void;

/** How a program talks to the coordinator (implemented by the participant host). */
export interface RequestPoster {
  /** Virtual time of the current round. */
  readonly nowNs: number;
  /** Posts a request; `cont` runs with its completion's payload. */
  post(request: Request, cont: Continuation): void;
}

/**
 * How an executor talks to the coordinator: one call per operation (protocol.ts requests,
 * field by field), so a host inside the coordinator's thread (ghost mode's DirectHost)
 * applies it with no request object; the participant host packs them into Requests.
 */
export interface StepPoster {
  /** Virtual time of the current round. */
  readonly nowNs: number;
  /** `bytes`: on the wire (SendRequest.bytes); `payloadBytes`: the slice's, which the receiver checks (a payload's own, when there is one). */
  postSend(participant: number, peer: number, channel: number, bytes: number, payloadBytes: number, payload: PayloadRef | undefined, protocol: number, cont: Continuation): void;
  postRecv(participant: number, peer: number, channel: number, cont: Continuation): void;
  postCompute(participant: number, durationNs: number, fixed: boolean, cont: Continuation): void;
  postBarrier(participant: number, cont: Continuation): void;
}

export interface ParticipantBuffers {
  readonly input: NumericArray;
  readonly output: NumericArray;
  readonly scratch: NumericArray;
}

export interface ExecuteSpec {
  readonly participant: number;
  readonly nranks: number;
  readonly part: Participant;
  readonly collective: CollectiveName;
  readonly root: number;
  readonly dtype: DType;
  readonly op: ReduceOp;
  readonly iters: number;
  readonly warmupIters: number;
  /** Added to each schedule channel index on the wire (programs keep collectives apart from their own sends). */
  readonly channelBase: number;
  /** Where to record steps, or null. */
  readonly trace: StepRecord[] | null;
  /**
   * Device memory bandwidth (bytes/s). A participant whose steps are all local (a 1-rank
   * collective) is charged for them at this rate, as the device copy NCCL issues then; in
   * multi-rank schedules local steps stay free, as NCCL fuses them into its network
   * primitives (the predictors assume the same). Absent: local steps are free.
   */
  readonly localBytesPerSec?: number;
  /**
   * The schedule's NCCL protocol (Schedule.protocol): every iteration first waits its launch
   * latency, as a kernel launch precedes the collective; every send puts the protocol's
   * whole lines on the wire and names the protocol (its step latency, applied by the
   * coordinator). Absent: hardware timing only.
   */
  readonly protocol?: ScheduleProtocol;
  /**
   * Every iteration ends in a barrier, not only the warm-up (a free run, host/free-run-host.ts:
   * no rank starts iteration i+1 before every rank has read iteration i's messages, which
   * bounds the staging its sends hold to one iteration's).
   */
  readonly barrierEachIteration?: boolean;
  /**
   * Ghost mode: a fast-forward cut (fast-forward.ts isApproximateCut), whose messages may be
   * received into slices of another size; absent, such a message is a ProtocolError in ghost
   * mode as in data mode.
   */
  readonly approximate?: boolean;
}

/** Device memory traffic per byte of a local step: a copy reads and writes, a reduction reads two and writes one. */
const MEMORY_BYTES_PER_BYTE = { copy: 2, reduce: 3 } as const;

/** Each tape op code's micro-actions (steps.ts PRIMITIVES), for reading tapes without a decode per step. */
const OP_RECV = STEP_OPS.map((op) => PRIMITIVES[op].recv);
const OP_SEND = STEP_OPS.map((op) => PRIMITIVES[op].send);
const OP_COMBINE: readonly Combine[] = STEP_OPS.map((op) => PRIMITIVES[op].combine);

// A cursor's step read as NCCL's micro-actions (steps.ts decodeStep), for the executor and
// for whoever plans a run's messages from the tapes (host/free-run-plan.ts).
/** The peer the step receives from, or -1. */
export function recvPeerOf(c: TapeCursor): number {
  return OP_RECV[c.op] ? c.peer : -1;
}
/** The (first) peer the step sends to, or -1; a fan-out adds `c.fanOut`. */
export function sendPeerOf(c: TapeCursor): number {
  return !OP_SEND[c.op] ? -1 : OP_RECV[c.op] ? c.sendPeer : c.peer;
}
/** The schedule channel the step sends on, its tape being channel `tapeChannel`. */
export function sendChannelOf(c: TapeCursor, tapeChannel: number): number {
  const sendChannel = OP_SEND[c.op] ? c.sendChannel : -1;
  return sendChannel >= 0 ? sendChannel : tapeChannel;
}
/** A step that receives has no `src`; a pure send has no `dst`. */
function hasSrcOf(c: TapeCursor): boolean {
  return !OP_RECV[c.op] && c.srcBuffer >= 0;
}
function hasDstOf(c: TapeCursor): boolean {
  return OP_COMBINE[c.op] !== 'none' && c.dstBuffer >= 0;
}
/** Elements a sending step posts: `dst` after a combine, else `src`. */
export function sentCountOf(c: TapeCursor): number {
  return hasDstOf(c) ? c.dstCount : hasSrcOf(c) ? c.srcCount : 0;
}

/**
 * The nanoseconds per byte of a local step when `part` has only local steps, its channels
 * sharing the device memory bandwidth evenly; 0 otherwise (or with no bandwidth given).
 */
export function localNsPerByte(part: Participant, bytesPerSec: number | undefined): number {
  if (bytesPerSec === undefined) return 0;
  const tapes = channelTapes(part);
  let local = 0;
  for (const tape of tapes) {
    const cursor = new TapeCursor(tape);
    while (cursor.next()) {
      if (recvPeerOf(cursor) >= 0 || sendPeerOf(cursor) >= 0) return 0;
      local += 1;
    }
  }
  if (local === 0) return 0;
  const busy = tapes.filter((tape) => tape.length > 0).length;
  return (busy * 1e9) / bytesPerSec;
}

/** The time a participant with only local steps takes (what `localNsPerByte` charges), for predictions. */
export function localStepsNs(part: Participant, bytesPerElement: number, bytesPerSec: number): number {
  const nsPerByte = localNsPerByte(part, bytesPerSec);
  let longest = 0;
  for (const tape of channelTapes(part)) {
    let ns = 0;
    const cursor = new TapeCursor(tape);
    while (cursor.next()) {
      const combine = OP_COMBINE[cursor.op]!;
      if (combine !== 'none') ns += cursor.dstCount * bytesPerElement * MEMORY_BYTES_PER_BYTE[combine] * nsPerByte;
    }
    longest = Math.max(longest, ns);
  }
  return longest;
}

/** Real buffers and a data plane (data mode), or null (ghost mode). */
export interface ExecuteData {
  readonly plane: DataPlane;
  readonly buffers: ParticipantBuffers;
}

export class ScheduleExecutor {
  private readonly channels: ChannelRun[];
  private channelsLeft = 0;
  private iteration = 0;
  readonly elementBytes: number;
  readonly protocol: ScheduleProtocol | undefined;
  readonly protocolCode: number;
  readonly kernel: KernelOp;
  readonly dtypeCode: number;
  private readonly divideAtEnd: boolean;
  /** Nanoseconds per byte of device memory traffic for local steps (0: free; see ExecuteSpec.localBytesPerSec). */
  readonly localNsPerByte: number;
  /** Data mode: the local copies not made yet. */
  readonly copies: DeferredCopies | null;
  /** Ghost mode: whether a message must fit its receiving slice (ExecuteSpec.approximate). */
  readonly checksSizes: boolean;

  constructor(
    readonly poster: StepPoster,
    readonly spec: ExecuteSpec,
    readonly data: ExecuteData | null,
    private readonly onDone: () => void,
  ) {
    this.elementBytes = elementBytes(spec.dtype);
    this.protocol = spec.protocol;
    this.protocolCode = protocolCode(spec.protocol);
    this.kernel = kernelOp(spec.op);
    this.dtypeCode = dtypeCode(spec.dtype);
    this.channels = channelTapes(spec.part).map((tape, index) => new ChannelRun(this, index, new TapeCursor(tape)));
    this.localNsPerByte = localNsPerByte(spec.part, spec.localBytesPerSec);
    this.copies = data ? new DeferredCopies((buffer, offset, count) => this.view(buffer, offset, count), data.plane) : null;
    this.checksSizes = spec.approximate !== true;
    const isRank = spec.participant < spec.nranks;
    // avg reduces as sum; the division happens where the result lands (reduce: root only).
    this.divideAtEnd = spec.op === 'avg' && isRank && outputIsReduced(spec.collective, spec.participant, spec);
  }

  start(): void {
    this.beginIteration();
  }

  /**
   * What the steady-state recurrence check (recurrence.ts) reads of this participant: its
   * iteration and channels left, then per channel its cursor's step index, whether it is on a
   * step, what it waits for (ChannelWait) and the sends of its step not yet left.
   */
  steadyState(out: number[]): void {
    out.push(this.iteration, this.channelsLeft);
    for (const channel of this.channels) channel.steadyState(out);
  }

  /** Channel `index`'s cursor step index (-1 before its first step). */
  stepIndex(index: number): number {
    return this.channels[index]!.stepIndex;
  }

  get channelCount(): number {
    return this.channels.length;
  }

  /** The elements of a slice (`buffer` indexes BUFFER_NAMES). */
  view(buffer: number, offset: number, count: number): NumericArray {
    const name = BUFFER_NAMES[buffer]!;
    const array = this.data!.buffers[name];
    if (offset < 0 || offset + count > array.length) {
      throw new ProtocolError(`slice ${name}[${offset}, +${count}) is outside the ${name} buffer (${array.length} elements)`);
    }
    return array.subarray(offset, offset + count);
  }

  private beginIteration(): void {
    const launchNs = this.spec.protocol?.launchNs ?? 0;
    if (launchNs > 0 && this.channels.length > 0) {
      this.poster.postCompute(this.spec.participant, launchNs, true, () => this.startChannels());
      return;
    }
    this.startChannels();
  }

  private startChannels(): void {
    // Loops only through iterations with nothing to do (a participant without channels).
    for (;;) {
      this.channelsLeft = this.channels.length;
      if (this.channelsLeft > 0) {
        for (const channel of this.channels) channel.restart();
        for (const channel of this.channels) channel.run();
        return;
      }
      if (!this.nextIteration()) return;
    }
  }

  /** Called by a channel when it has run its last step. */
  channelDone(): void {
    this.channelsLeft -= 1;
    if (this.channelsLeft === 0 && this.nextIteration()) this.beginIteration();
  }

  /** Ends an iteration; true when the next one can start right away. */
  private nextIteration(): boolean {
    this.copies?.flush();
    if (this.divideAtEnd && this.data) {
      this.data.plane.beforeWrite(this.data.buffers.output);
      this.data.plane.backend.divide(this.spec.dtype, this.data.buffers.output, this.spec.nranks);
    }
    this.iteration += 1;
    if (this.iteration === this.spec.warmupIters + this.spec.iters) {
      this.onDone();
      return false;
    }
    if (this.iteration === this.spec.warmupIters || this.spec.barrierEachIteration === true) {
      // Timed iterations start together: the coordinator releases the barrier when every
      // participant has finished its warm-up, and takes that time as the start.
      this.poster.postBarrier(this.spec.participant, () => this.beginIteration());
      return false;
    }
    return true;
  }
}

/**
 * One channel: a cursor over its tape (no object per step), each step read as NCCL's
 * micro-actions (receive from a peer or read `src`; combine into `dst` by copy, reduce or
 * not at all; post `sent` — `dst` after a combine, else `src` — to a peer), the rules of
 * steps.ts decodeStep, so any primitive of PRIMITIVES runs here unchanged. Callbacks are
 * bound once, not per step.
 */
/** What a channel waits for (read only by the recurrence check): nothing, a recv, its sends, a local step's compute. */
const ChannelWait = { None: 0, Recv: 1, Sends: 2, Local: 3 } as const;

class ChannelRun {
  private startNs = 0;
  private waiting: number = ChannelWait.None;
  /** Posts of the current step not yet left (a fan-out posts several at once). */
  private sendsLeft = 0;
  /** Whether the cursor is on a step (false: the channel has run its last one). */
  private loaded = false;

  constructor(
    private readonly exec: ScheduleExecutor,
    private readonly channel: number,
    private readonly cursor: TapeCursor,
  ) {}

  restart(): void {
    this.cursor.rewind();
    this.loaded = this.cursor.next();
  }

  get stepIndex(): number {
    return this.cursor.index;
  }

  steadyState(out: number[]): void {
    out.push(this.cursor.index, this.loaded ? 1 : 0, this.waiting, this.waiting === ChannelWait.Sends ? this.sendsLeft : 0);
  }

  // The current step's micro-actions (steps.ts decodeStep).
  private recvPeer(): number {
    return recvPeerOf(this.cursor);
  }
  private sendPeer(): number {
    return sendPeerOf(this.cursor);
  }
  private hasSrc(): boolean {
    return hasSrcOf(this.cursor);
  }
  private hasDst(): boolean {
    return hasDstOf(this.cursor);
  }
  private dstView(): NumericArray {
    const c = this.cursor;
    return this.exec.view(c.dstBuffer, c.dstOffset, c.dstCount);
  }
  /** Data mode: where the values a sending step posts (`dst` after its combine, else `src`) can be read now. */
  private sentSource(): NumericArray {
    const c = this.cursor;
    const copies = this.exec.copies!;
    return this.hasDst() ? copies.source(c.dstBuffer, c.dstOffset, c.dstCount) : copies.source(c.srcBuffer, c.srcOffset, c.srcCount);
  }
  private sentCount(): number {
    return sentCountOf(this.cursor);
  }

  /** Runs local steps until one waits on the coordinator, or the channel ends. */
  run(): void {
    const exec = this.exec;
    const data = exec.data;
    const cursor = this.cursor;
    while (this.loaded) {
      this.startNs = exec.poster.nowNs;
      const recvPeer = this.recvPeer();
      if (recvPeer >= 0) {
        this.waiting = ChannelWait.Recv;
        exec.poster.postRecv(exec.spec.participant, recvPeer, exec.spec.channelBase + this.channel, this.onReceived);
        return;
      }
      const combine = OP_COMBINE[cursor.op]!;
      if (data && combine !== 'none') this.combineLocal(combine === 'reduce');
      if (this.sendPeer() >= 0) {
        this.send(data ? data.plane.lend(this.sentSource(), exec.dtypeCode) : undefined);
        return;
      }
      if (exec.localNsPerByte > 0 && combine !== 'none') {
        // A device-local copy or reduction: it takes the device memory time (a 1-rank run).
        const bytes = cursor.dstCount * exec.elementBytes * MEMORY_BYTES_PER_BYTE[combine];
        this.waiting = ChannelWait.Local;
        exec.poster.postCompute(exec.spec.participant, bytes * exec.localNsPerByte, true, this.onLocalDone);
        return;
      }
      this.finishStep();
    }
    this.waiting = ChannelWait.None;
    exec.channelDone();
  }

  /** Data mode: a local copy (deferred) or reduction (dst := dst (op) src). */
  private combineLocal(reduce: boolean): void {
    const c = this.cursor;
    const copies = this.exec.copies!;
    if (!reduce && c.srcCount === c.dstCount) return copies.defer(c.dstBuffer, c.dstOffset, c.srcBuffer, c.srcOffset, c.dstCount);
    const src = copies.source(c.srcBuffer, c.srcOffset, c.srcCount);
    const first = reduce ? copies.take(c.dstBuffer, c.dstOffset, c.dstCount) : null;
    if (!reduce) copies.overwrite(c.dstBuffer, c.dstOffset, c.dstCount);
    const dst = this.dstView();
    const plane = this.exec.data!.plane;
    plane.beforeWrite(dst);
    if (!reduce) copyInto(plane.backend, dst, src);
    else if (first) reduceFrom(plane.backend, this.exec.kernel, this.exec.spec.dtype, dst, first, src);
    else plane.backend.reduce(this.exec.kernel, this.exec.spec.dtype, dst, src);
  }

  /**
   * Posts the step's message to its send peer — and to every peer of its fan-out, at the same
   * time (data mode: each gets its own lease of the sent slice; `payload` goes to the first).
   */
  private send(payload: PayloadRef | undefined): void {
    const exec = this.exec;
    const bytes = this.sentCount() * exec.elementBytes;
    const wireBytes = exec.protocol ? lineWireBytes(exec.protocol, bytes) : bytes;
    const channel = exec.spec.channelBase + sendChannelOf(this.cursor, this.channel);
    const fanOut = this.cursor.fanOut;
    this.sendsLeft = 1 + fanOut.length;
    this.waiting = ChannelWait.Sends;
    if (fanOut.length === 0) {
      exec.poster.postSend(exec.spec.participant, this.sendPeer(), channel, wireBytes, bytes, payload, exec.protocolCode, this.onSent);
      return;
    }
    // Lent before any post: a post may complete synchronously and move the cursor on.
    const data = exec.data;
    const payloads = fanOut.map(() => (data ? data.plane.lend(this.sentSource(), exec.dtypeCode) : undefined));
    exec.poster.postSend(exec.spec.participant, this.sendPeer(), channel, wireBytes, bytes, payload, exec.protocolCode, this.onSent);
    fanOut.forEach((peer, i) => exec.poster.postSend(exec.spec.participant, peer, channel, wireBytes, bytes, payloads[i], exec.protocolCode, this.onSent));
  }

  private readonly onLocalDone = (): void => {
    this.finishStep();
    this.run();
  };

  private readonly onSent = (): void => {
    if (--this.sendsLeft > 0) return;
    this.finishStep();
    this.run();
  };

  private readonly onReceived = (payload: PayloadRef | undefined, bytes: number): void => {
    const exec = this.exec;
    const cursor = this.cursor;
    const data = exec.data;
    const sends = this.sendPeer() >= 0;
    const combine = OP_COMBINE[cursor.op]!;
    let forward: PayloadRef | undefined;
    if (data) {
      if (payload === undefined) throw new Error('data-mode recv completed without a payload');
      if (this.hasDst()) {
        // A reduce reads its slice's values where they are (a pending copy's source: the copy
        // is never made); a copy overwrites the slice.
        const reduce = combine === 'reduce';
        const first = (reduce && exec.copies!.take(cursor.dstBuffer, cursor.dstOffset, cursor.dstCount)) || undefined;
        if (!reduce) exec.copies!.overwrite(cursor.dstBuffer, cursor.dstOffset, cursor.dstCount);
        const dst = this.dstView();
        data.plane.beforeWrite(dst);
        data.plane.deliver(payload, dst, reduce ? exec.kernel : null, exec.spec.dtype, first);
      }
      data.plane.release(payload);
      // What a fused step sends on is its destination slice, lent in place (no copy).
      if (sends) forward = data.plane.lend(this.sentSource(), exec.dtypeCode);
    } else if (this.hasDst() && bytes !== cursor.dstCount * exec.elementBytes && exec.checksSizes) {
      // Ghost mode: the size check data mode's deliver makes, on the byte counts (two integers).
      throw messageSizeError(bytes, cursor.dstCount * exec.elementBytes);
    }
    if (sends) {
      this.send(forward);
      return;
    }
    this.finishStep();
    this.run();
  };

  private finishStep(): void {
    const trace = this.exec.spec.trace;
    if (trace !== null) {
      const recvPeer = this.recvPeer();
      const sendPeer = this.sendPeer();
      const peer = recvPeer >= 0 ? recvPeer : sendPeer >= 0 ? sendPeer : undefined;
      trace.push({
        participant: this.exec.spec.participant,
        channel: this.channel,
        op: STEP_OPS[this.cursor.op]!,
        ...(peer !== undefined ? { peer } : {}),
        ...(sendPeer >= 0 ? { sendPeers: [sendPeer, ...this.cursor.fanOut] } : {}),
        startNs: this.startNs,
        endNs: this.exec.poster.nowNs,
        bytes: (this.hasSrc() ? this.cursor.srcCount : this.cursor.dstCount) * this.exec.elementBytes,
      });
    }
    this.loaded = this.cursor.next();
  }
}
