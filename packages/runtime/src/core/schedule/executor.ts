/**
 * Runs one participant's part of a Schedule: its channels run concurrently, each an ordered
 * list of NCCL-style primitives. Channels are small state machines rather than async
 * functions: a completion callback runs the next steps synchronously until one needs the
 * coordinator again, so a step costs no promise and no microtask — which is what lets ghost
 * mode run thousands of ranks — and the same code moves real bytes in data mode.
 *
 * Semantics (collectives/src/steps.ts): a send snapshots its slice (eager) and completes when
 * its last byte has left (`sent`); a recv completes on delivery; the fused steps receive,
 * combine, then send their destination slice. In data mode recvCopySend forwards the very
 * staging block it received (its bytes are exactly the slice it sends), saving a copy.
 */
import { decodeStep, decodeSteps, elementBytes, lineWireBytes, outputIsReduced, protocolCode, type CollectiveName, type DType, type Participant, type ReduceOp, type ScheduleProtocol, type Slice, type Step, type StepActions } from '@weft/collectives';
import { kernelOp, type KernelOp, type NumericArray } from '../../backends/types.js';
import type { DataPlane } from '../data/data-plane.js';
import { dtypeCode } from '../data/data-plane.js';
import type { PayloadRef, Request } from '../protocol.js';
import type { StepRecord } from '../types.js';

export type Continuation = (payload: PayloadRef | undefined) => void;

/** How an executor talks to the coordinator (implemented by the participant host). */
export interface RequestPoster {
  /** Virtual time of the current round. */
  readonly nowNs: number;
  /** Posts a request; `cont` runs with its completion's payload. */
  post(request: Request, cont: Continuation): void;
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
}

/** Device memory traffic per byte of a local step: a copy reads and writes, a reduction reads two and writes one. */
const MEMORY_BYTES_PER_BYTE = { copy: 2, reduce: 3 } as const;

/**
 * The nanoseconds per byte of a local step when `part` has only local steps, its channels
 * sharing the device memory bandwidth evenly; 0 otherwise (or with no bandwidth given).
 */
export function localNsPerByte(part: Participant, bytesPerSec: number | undefined): number {
  if (bytesPerSec === undefined) return 0;
  let local = 0;
  for (const steps of part.channels) {
    for (const step of steps) {
      const actions = decodeStep(step);
      if (actions.recvPeer >= 0 || actions.sendPeer >= 0) return 0;
      local += 1;
    }
  }
  if (local === 0) return 0;
  const busy = part.channels.filter((steps) => steps.length > 0).length;
  return (busy * 1e9) / bytesPerSec;
}

/** The time a participant with only local steps takes (what `localNsPerByte` charges), for predictions. */
export function localStepsNs(part: Participant, bytesPerElement: number, bytesPerSec: number): number {
  const nsPerByte = localNsPerByte(part, bytesPerSec);
  let longest = 0;
  for (const steps of part.channels) {
    let ns = 0;
    for (const step of steps) {
      const actions = decodeStep(step);
      if (actions.combine !== 'none') ns += actions.dst!.count * bytesPerElement * MEMORY_BYTES_PER_BYTE[actions.combine] * nsPerByte;
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

  constructor(
    readonly poster: RequestPoster,
    readonly spec: ExecuteSpec,
    readonly data: ExecuteData | null,
    private readonly onDone: () => void,
  ) {
    this.elementBytes = elementBytes(spec.dtype);
    this.protocol = spec.protocol;
    this.protocolCode = protocolCode(spec.protocol);
    this.kernel = kernelOp(spec.op);
    this.dtypeCode = dtypeCode(spec.dtype);
    this.channels = spec.part.channels.map((steps, index) => new ChannelRun(this, index, steps));
    this.localNsPerByte = localNsPerByte(spec.part, spec.localBytesPerSec);
    const isRank = spec.participant < spec.nranks;
    // avg reduces as sum; the division happens where the result lands (reduce: root only).
    this.divideAtEnd = spec.op === 'avg' && isRank && outputIsReduced(spec.collective, spec.participant, spec);
  }

  start(): void {
    this.beginIteration();
  }

  view(slice: Slice): NumericArray {
    const buffer = this.data!.buffers[slice.buffer];
    if (slice.offset < 0 || slice.offset + slice.count > buffer.length) {
      throw new RangeError(`slice ${slice.buffer}[${slice.offset}, +${slice.count}) is outside the ${slice.buffer} buffer (${buffer.length} elements)`);
    }
    return buffer.subarray(slice.offset, slice.offset + slice.count);
  }

  private beginIteration(): void {
    const launchNs = this.spec.protocol?.launchNs ?? 0;
    if (launchNs > 0 && this.channels.length > 0) {
      this.poster.post({ kind: 'compute', participant: this.spec.participant, seq: 0, durationNs: launchNs, fixed: true }, () => this.startChannels());
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
    if (this.divideAtEnd && this.data) {
      this.data.plane.backend.divide(this.spec.dtype, this.data.buffers.output, this.spec.nranks);
    }
    this.iteration += 1;
    if (this.iteration === this.spec.warmupIters + this.spec.iters) {
      this.onDone();
      return false;
    }
    if (this.iteration === this.spec.warmupIters) {
      // Timed iterations start together: the coordinator releases the barrier when every
      // participant has finished its warm-up, and takes that time as the start.
      this.poster.post({ kind: 'barrier', participant: this.spec.participant, seq: 0 }, () => this.beginIteration());
      return false;
    }
    return true;
  }
}

/**
 * One channel: a cursor over its steps, each decoded once into NCCL's micro-actions
 * (receive from a peer or read `src`; combine into `dst` by copy, reduce or not at all;
 * post `sent` to a peer), so any primitive of PRIMITIVES runs here unchanged. Callbacks
 * are bound once, not per step.
 */
class ChannelRun {
  private index = 0;
  private startNs = 0;
  private readonly actions: readonly StepActions[];

  constructor(
    private readonly exec: ScheduleExecutor,
    private readonly channel: number,
    private readonly steps: readonly Step[],
  ) {
    this.actions = decodeSteps(steps);
  }

  restart(): void {
    this.index = 0;
  }

  /** Runs local steps until one waits on the coordinator, or the channel ends. */
  run(): void {
    const exec = this.exec;
    const data = exec.data;
    const actions = this.actions;
    while (this.index < actions.length) {
      const step = actions[this.index]!;
      this.startNs = exec.poster.nowNs;
      if (step.recvPeer >= 0) {
        exec.poster.post({ kind: 'recv', participant: exec.spec.participant, seq: 0, peer: step.recvPeer, channel: exec.spec.channelBase + this.channel }, this.onReceived);
        return;
      }
      if (data && step.combine !== 'none') {
        const dst = exec.view(step.dst!);
        const src = exec.view(step.src!);
        if (step.combine === 'copy') dst.set(src);
        else data.plane.backend.reduce(exec.kernel, exec.spec.dtype, dst, src);
      }
      if (step.sendPeer >= 0) {
        this.send(step, data ? data.plane.stage(exec.view(step.sent!), exec.dtypeCode) : undefined);
        return;
      }
      if (exec.localNsPerByte > 0 && step.combine !== 'none') {
        // A device-local copy or reduction: it takes the device memory time (a 1-rank run).
        const bytes = step.dst!.count * exec.elementBytes * MEMORY_BYTES_PER_BYTE[step.combine];
        exec.poster.post({ kind: 'compute', participant: exec.spec.participant, seq: 0, durationNs: bytes * exec.localNsPerByte, fixed: true }, this.onLocalDone);
        return;
      }
      this.finishStep();
    }
    exec.channelDone();
  }

  private send(step: StepActions, payload: PayloadRef | undefined): void {
    const exec = this.exec;
    const bytes = step.sent!.count * exec.elementBytes;
    exec.poster.post(
      {
        kind: 'send',
        participant: exec.spec.participant,
        seq: 0,
        peer: step.sendPeer,
        channel: exec.spec.channelBase + (step.sendChannel >= 0 ? step.sendChannel : this.channel),
        bytes: exec.protocol ? lineWireBytes(exec.protocol, bytes) : bytes,
        payload,
        protocol: exec.protocolCode,
      },
      this.onSent,
    );
  }

  private readonly onLocalDone = (): void => {
    this.finishStep();
    this.run();
  };

  private readonly onSent = (): void => {
    this.finishStep();
    this.run();
  };

  private readonly onReceived = (payload: PayloadRef | undefined): void => {
    const exec = this.exec;
    const step = this.actions[this.index]!;
    const data = exec.data;
    let forward: PayloadRef | undefined;
    if (data) {
      if (payload === undefined) throw new Error('data-mode recv completed without a payload');
      if (step.dst !== null) data.plane.deliver(payload, exec.view(step.dst), step.combine === 'reduce' ? exec.kernel : null, exec.spec.dtype);
      // A step that copies what it received and sends it on forwards the very payload (its
      // bytes are exactly the slice it sends): NCCL's recvCopySend, without a copy.
      if (step.sendPeer >= 0 && step.combine === 'copy' && step.sent === step.dst) forward = payload;
      else {
        data.plane.release(payload);
        if (step.sendPeer >= 0) forward = data.plane.stage(exec.view(step.sent!), exec.dtypeCode);
      }
    } else if (payload !== undefined && step.dst !== null && payload.bytes !== step.dst.count * exec.elementBytes) {
      throw new RangeError(`message of ${payload.bytes} bytes received into a slice of ${step.dst.count * exec.elementBytes} bytes`);
    }
    if (step.sendPeer >= 0) {
      this.send(step, forward);
      return;
    }
    this.finishStep();
    this.run();
  };

  private finishStep(): void {
    const trace = this.exec.spec.trace;
    if (trace !== null) {
      const step = this.actions[this.index]!;
      const peer = step.recvPeer >= 0 ? step.recvPeer : step.sendPeer >= 0 ? step.sendPeer : undefined;
      trace.push({
        participant: this.exec.spec.participant,
        channel: this.channel,
        op: this.steps[this.index]!.op,
        ...(peer !== undefined ? { peer } : {}),
        startNs: this.startNs,
        endNs: this.exec.poster.nowNs,
        bytes: (step.src ?? step.dst)!.count * this.exec.elementBytes,
      });
    }
    this.index += 1;
  }
}
