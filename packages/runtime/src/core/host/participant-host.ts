/**
 * A participant host runs a set of participants in one thread (a worker's ranks, or every
 * participant in ghost mode) and speaks the coordinator protocol for them: it delivers
 * completions, lets the participants run, and reports their new requests once every one of
 * them is waiting on the coordinator.
 *
 * Idleness is tracked explicitly, never guessed from the event loop: `running` counts
 * program coroutines that are not blocked in a coordinator operation (schedule executors
 * run synchronously inside a completion and never count). A coroutine leaves the count when
 * it calls a blocking ctx operation or ends, and re-enters it synchronously when its
 * completion is delivered, before any microtask can run. When the count reaches zero the
 * host checks again one microtask later — the blocking call returns before its caller
 * reaches `await`, and that caller may still spawn — and then reports. The count is also
 * kept per participant, so that the watchdog names the ranks that have not yielded, not
 * their host's ranks that have.
 */
import type { Continuation, RequestPoster, StepPoster } from '../schedule/executor.js';
import type { PayloadRef } from '../protocol.js';
import type { Completion, FinishedParticipant, HostLink, HostReport, ParticipantFailure, Request } from '../protocol.js';

export type ParticipantStarter = () => void;

export class ParticipantHost implements RequestPoster, StepPoster, HostLink {
  nowNs = 0;
  private readonly localIndex = new Map<number, number>();
  private readonly seqs: number[];
  private readonly conts: Map<number, Continuation>[];
  private starters: (ParticipantStarter | undefined)[] = [];
  private requests: Request[] = [];
  private finished: FinishedParticipant[] = [];
  private failure: ParticipantFailure | undefined;
  private running = 0;
  /** `running` by participant (local index): shared memory in a worker, read by the coordinator's watchdog (runningParticipants). */
  private readonly runningOf: Int32Array;
  private idleResolve: ((report: HostReport) => void) | null = null;
  private checkQueued = false;

  /** `runningOf`: where to keep the per-participant counts (one Int32 per participant, in order; agents, which run no program, may be left out). */
  constructor(
    readonly participants: readonly number[],
    runningOf?: Int32Array,
  ) {
    this.runningOf = runningOf ?? new Int32Array(participants.length);
    participants.forEach((p, i) => this.localIndex.set(p, i));
    this.seqs = participants.map(() => 0);
    this.conts = participants.map(() => new Map());
  }

  /** Sets what each participant runs on `start` (undefined: nothing; it is done at once). */
  setStarters(starters: readonly (ParticipantStarter | undefined)[]): void {
    this.starters = [...starters];
    this.seqs.fill(0);
    for (const map of this.conts) map.clear();
    this.requests = [];
    this.finished = [];
    this.failure = undefined;
    this.running = 0;
    this.runningOf.fill(0);
    this.nowNs = 0;
  }

  // ---- used by participants ----

  post(request: Request, cont: Continuation): void {
    const local = this.local(request.participant);
    const seq = this.seqs[local]!++;
    this.conts[local]!.set(seq, cont);
    request.seq = seq;
    this.requests.push(request);
  }

  postSend(participant: number, peer: number, channel: number, bytes: number, payloadBytes: number, payload: PayloadRef | undefined, protocol: number, cont: Continuation): void {
    this.post({ kind: 'send', participant, seq: 0, peer, channel, bytes, payloadBytes, payload, protocol }, cont);
  }

  postRecv(participant: number, peer: number, channel: number, cont: Continuation): void {
    this.post({ kind: 'recv', participant, seq: 0, peer, channel }, cont);
  }

  postCompute(participant: number, durationNs: number, fixed: boolean, cont: Continuation): void {
    this.post({ kind: 'compute', participant, seq: 0, durationNs, fixed }, cont);
  }

  postBarrier(participant: number, cont: Continuation): void {
    this.post({ kind: 'barrier', participant, seq: 0 }, cont);
  }

  finish(participant: number, value?: unknown): void {
    this.finished.push(value === undefined ? { participant } : { participant, value });
  }

  fail(participant: number, error: unknown): void {
    if (this.failure) return;
    this.failure = { participant, error };
    this.checkIdle();
  }

  /** A coroutine of `participant` starts or resumes (called synchronously before it runs). */
  resume(participant: number): void {
    this.running += 1;
    Atomics.add(this.runningOf, this.local(participant), 1);
  }

  /** A coroutine of `participant` blocks on the coordinator or ends. */
  suspend(participant: number): void {
    Atomics.sub(this.runningOf, this.local(participant), 1);
    this.running -= 1;
    if (this.running === 0 && !this.checkQueued) {
      this.checkQueued = true;
      queueMicrotask(this.checkIdle);
    }
  }

  // ---- used by the coordinator ----

  runningParticipants(): number[] {
    return runningIn(this.participants, this.runningOf);
  }

  start(): HostReport | Promise<HostReport> {
    startParticipants(this.participants, this.starters, this);
    return this.report();
  }

  wake(nowNs: number, completions: readonly Completion[]): HostReport | Promise<HostReport> {
    this.nowNs = nowNs;
    for (const completion of completions) {
      const map = this.conts[this.local(completion.participant)]!;
      const cont = map.get(completion.seq);
      if (cont === undefined) {
        this.fail(completion.participant, new Error(`completion for unknown request ${completion.seq}`));
        continue;
      }
      map.delete(completion.seq);
      try {
        cont(completion.payload, completion.bytes);
      } catch (error) {
        this.fail(completion.participant, error);
      }
    }
    return this.report();
  }

  private local(participant: number): number {
    const local = this.localIndex.get(participant);
    if (local === undefined) throw new Error(`participant ${participant} does not run on this host`);
    return local;
  }

  private report(): HostReport | Promise<HostReport> {
    if (this.running === 0 || this.failure) return this.take();
    return new Promise<HostReport>((resolve) => {
      this.idleResolve = resolve;
    });
  }

  private readonly checkIdle = (): void => {
    this.checkQueued = false;
    if (this.idleResolve && (this.running === 0 || this.failure)) {
      const resolve = this.idleResolve;
      this.idleResolve = null;
      resolve(this.take());
    }
  };

  private take(): HostReport {
    let requests = this.requests;
    if (!isSorted(requests)) requests = [...requests].sort(byParticipantSeq);
    const report: HostReport = this.failure
      ? { requests, finished: this.finished, failure: this.failure }
      : { requests, finished: this.finished };
    this.requests = [];
    this.finished = [];
    return report;
  }
}

/** Runs each participant's starter (none: it is done at once); a starter that throws fails its participant. */
export function startParticipants(
  participants: readonly number[],
  starters: readonly (ParticipantStarter | undefined)[],
  host: { finish(participant: number): void; fail(participant: number, error: unknown): void },
): void {
  participants.forEach((participant, local) => {
    const starter = starters[local];
    if (starter === undefined) {
      host.finish(participant);
      return;
    }
    try {
      starter();
    } catch (error) {
      host.fail(participant, error);
    }
  });
}

/** The participants whose count in `runningOf` (by their index) is above 0. */
export function runningIn(participants: readonly number[], runningOf: Int32Array): number[] {
  return participants.filter((_, i) => i < runningOf.length && Atomics.load(runningOf, i) > 0);
}

export function byParticipantSeq(a: Request, b: Request): number {
  return a.participant - b.participant || a.seq - b.seq;
}

function isSorted(requests: readonly Request[]): boolean {
  for (let i = 1; i < requests.length; i++) if (byParticipantSeq(requests[i - 1]!, requests[i]!) > 0) return false;
  return true;
}
