/**
 * Ghost mode's fused host: schedule executors run inside the coordinator's thread and their
 * operations go straight to the coordinator (RequestSink) as they are posted — no Request
 * object, no per-participant continuation map, no report to sort. Applying an operation
 * when it is posted is applying it in (participant, seq) order (see RequestSink), so
 * simulated results are those of the participant host, bit for bit.
 *
 * A continuation waits in a slot of one table; its slot number is the `seq` the coordinator
 * hands back in the completion, and a freed slot is reused.
 */
import type { DirectHostLink, RequestSink } from '../coordinator/coordinator.js';
import type { Completion, HostReport, ParticipantFailure, PayloadRef } from '../protocol.js';
import type { Continuation, StepPoster } from '../schedule/executor.js';
import { startParticipants, type ParticipantStarter } from './participant-host.js';

const NO_SINK: RequestSink = {
  send: unbound,
  recv: unbound,
  compute: unbound,
  barrier: unbound,
  finish: unbound,
};

function unbound(): never {
  throw new Error('DirectHost: not bound to a coordinator');
}

export class DirectHost implements StepPoster, DirectHostLink {
  nowNs = 0;
  private sink: RequestSink = NO_SINK;
  private starters: readonly (ParticipantStarter | undefined)[] = [];
  private readonly conts: (Continuation | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private failure: ParticipantFailure | undefined;
  private static readonly EMPTY: HostReport = Object.freeze({ requests: [], finished: [] }) as HostReport;

  constructor(readonly participants: readonly number[]) {}

  setStarters(starters: readonly (ParticipantStarter | undefined)[]): void {
    this.starters = starters;
    this.conts.length = 0;
    this.freeSlots.length = 0;
    this.failure = undefined;
    this.nowNs = 0;
  }

  bind(sink: RequestSink): void {
    this.sink = sink;
  }

  // ---- used by executors ----

  postSend(participant: number, peer: number, channel: number, bytes: number, payloadBytes: number, payload: PayloadRef | undefined, protocol: number, cont: Continuation): void {
    this.sink.send(participant, this.slot(cont), peer, channel, bytes, payloadBytes, payload, protocol);
  }

  postRecv(participant: number, peer: number, channel: number, cont: Continuation): void {
    this.sink.recv(participant, this.slot(cont), peer, channel);
  }

  postCompute(participant: number, durationNs: number, fixed: boolean, cont: Continuation): void {
    this.sink.compute(participant, this.slot(cont), durationNs, fixed);
  }

  postBarrier(participant: number, cont: Continuation): void {
    this.sink.barrier(participant, this.slot(cont));
  }

  finish(participant: number, value?: unknown): void {
    this.sink.finish(participant, value);
  }

  private slot(cont: Continuation): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) {
      this.conts[free] = cont;
      return free;
    }
    return this.conts.push(cont) - 1;
  }

  // ---- used by the coordinator ----

  start(): HostReport {
    startParticipants(this.participants, this.starters, this);
    return this.report();
  }

  wake(nowNs: number, completions: readonly Completion[]): HostReport {
    this.nowNs = nowNs;
    for (const completion of completions) {
      const cont = this.conts[completion.seq];
      if (cont === undefined) {
        this.fail(completion.participant, new Error(`completion for unknown request ${completion.seq}`));
        continue;
      }
      this.conts[completion.seq] = undefined;
      this.freeSlots.push(completion.seq);
      try {
        cont(completion.payload, completion.bytes);
      } catch (error) {
        this.fail(completion.participant, error);
      }
    }
    return this.report();
  }

  fail(participant: number, error: unknown): void {
    this.failure ??= { participant, error };
  }

  private report(): HostReport {
    return this.failure ? { requests: [], finished: [], failure: this.failure } : DirectHost.EMPTY;
  }
}
