/**
 * A free run (data mode, schedules): a worker moves its ranks' bytes without a round trip
 * to the coordinator per step. The coordinator runs the same schedule without data and
 * decides virtual time from the model alone (what a coordinated round carried to it was
 * only ever byte counts, never the bytes); the threads pay per run, not per round.
 *
 * This host is the executors' StepPoster in the worker. A send is eager, as the model says:
 * its lease (data/lease.ts, the receiver reads the sender's slice in place) goes into the
 * connection's next mailbox slot and the send completes at once. A recv takes its
 * connection's next slot once it is full, first-in first-out as the coordinator matches
 * them. A barrier (one after every iteration, ExecuteSpec.barrierEachIteration) completes
 * when every participant has reached it: each iteration's messages are read before the
 * next starts, so a mailbox needs one slot per message of an iteration and a host's staging
 * one iteration of its sends (free-run-plan.ts). Computes complete at once: virtual time is
 * the model's.
 *
 * The host's ranks run cooperatively in its one thread: continuations wait on a stack (newest
 * first: a local send runs its receiver next, see drain), a recv or barrier that cannot
 * complete yet is parked and polled; with nothing to run, the
 * thread sleeps on its doorbell (Atomics.wait) until a peer posts to it. The first rank
 * whose code throws stops the run: the abort word tells every other host to stop waiting.
 */
import type { PayloadRef } from '../protocol.js';
import type { Continuation, StepPoster } from '../schedule/executor.js';
import { ABORT_WORD, barrierWord, connectionKey, doorbellWord, SLOT_WORDS, type FreeRunPlan } from './free-run-plan.js';
import { startParticipants, type ParticipantStarter } from './participant-host.js';

/** How long one sleep on the doorbell lasts before the abort word and the wait limit are checked again. */
const SLEEP_MS = 20;

export interface FreeRunOutcome {
  /** The first participant whose code threw, and what it threw. */
  readonly failure?: { readonly participant: number; readonly error: unknown };
  /** Another host failed (or the run was closed): this one stopped waiting. */
  readonly aborted?: boolean;
}

interface ParkedRecv {
  readonly participant: number;
  readonly slot: number;
  readonly peer: number;
  readonly channel: number;
  readonly cont: Continuation;
}

interface ParkedBarrier {
  readonly participant: number;
  readonly target: number;
  readonly cont: Continuation;
}

export class FreeRunHost implements StepPoster {
  /** Virtual time is the model's: executors here never read it for anything but traces (off). */
  readonly nowNs = 0;
  private readonly words: Int32Array;
  private readonly nparticipants: number;
  private readonly connection = new Map<number, number>();
  /** Per connection: first slot word, slots, next message to send, next to receive. */
  private readonly slotWord: Int32Array;
  private readonly slots: Int32Array;
  private readonly sent: Int32Array;
  private readonly received: Int32Array;
  private readonly barrierWords: number[];
  private readonly myBell: number;
  // Continuations ready to run, newest first (parallel stacks: no object per step).
  private readonly readyConts: Continuation[] = [];
  private readonly readyPayloads: (PayloadRef | undefined)[] = [];
  private readonly readyParticipants: number[] = [];
  private parkedRecvs: ParkedRecv[] = [];
  private parkedBarriers: ParkedBarrier[] = [];
  private starters: readonly (ParticipantStarter | undefined)[] = [];
  private done = 0;
  private failure: FreeRunOutcome['failure'];

  constructor(
    readonly participants: readonly number[],
    private readonly plan: FreeRunPlan,
    /** The dtype code of every payload of the run. */
    private readonly dtype: number,
  ) {
    this.words = new Int32Array(plan.control);
    this.nparticipants = plan.workerOf.length;
    const nconn = plan.connections.length / 3;
    this.slotWord = new Int32Array(nconn);
    this.slots = new Int32Array(nconn);
    this.sent = new Int32Array(nconn);
    this.received = new Int32Array(nconn);
    for (let c = 0; c < nconn; c++) {
      this.connection.set(plan.connections[3 * c]!, c);
      this.slotWord[c] = plan.connections[3 * c + 1]!;
      this.slots[c] = plan.connections[3 * c + 2]!;
    }
    this.barrierWords = plan.workerOf.map((_, p) => barrierWord(plan.nworkers, p));
    this.myBell = doorbellWord(plan.worker);
  }

  setStarters(starters: readonly (ParticipantStarter | undefined)[]): void {
    this.starters = starters;
  }

  // ---- used by executors ----

  postSend(participant: number, peer: number, channel: number, _bytes: number, _payloadBytes: number, payload: PayloadRef | undefined, _protocol: number, cont: Continuation): void {
    if (payload === undefined || payload.arena < 0) throw new Error('free run: a message outside the shared arenas (its staging region was too small)');
    const c = this.connectionOf(participant, peer, channel);
    const at = this.slotWord[c]! + (this.sent[c]! % this.slots[c]!) * SLOT_WORDS;
    this.sent[c]! += 1;
    const words = this.words;
    if (Atomics.load(words, at) !== 0) throw new Error(`free run: more messages in flight to rank ${peer} on channel ${channel} than one iteration sends`);
    words[at + 1] = payload.arena;
    words[at + 2] = payload.byteOffset | 0;
    words[at + 3] = payload.bytes | 0;
    Atomics.store(words, at, 1);
    this.ready(participant, cont, undefined);
    const worker = this.plan.workerOf[peer]!;
    if (worker === this.plan.worker) this.handOff(at);
    else this.ring(worker);
  }

  postRecv(participant: number, peer: number, channel: number, cont: Continuation): void {
    const c = this.connectionOf(peer, participant, channel);
    const slot = this.slotWord[c]! + (this.received[c]! % this.slots[c]!) * SLOT_WORDS;
    this.received[c]! += 1;
    if (!this.take(participant, slot, cont)) this.parkedRecvs.push({ participant, slot, peer, channel, cont });
  }

  postCompute(participant: number, _durationNs: number, _fixed: boolean, cont: Continuation): void {
    this.ready(participant, cont, undefined);
  }

  postBarrier(participant: number, cont: Continuation): void {
    const target = Atomics.add(this.words, this.barrierWords[participant]!, 1) + 1;
    for (let w = 0; w < this.plan.nworkers; w++) if (w !== this.plan.worker) this.ring(w);
    this.parkedBarriers.push({ participant, target, cont });
  }

  finish(_participant: number): void {
    this.done += 1;
  }

  fail(participant: number, error: unknown): void {
    this.failure ??= { participant, error };
  }

  // ---- used by the worker ----

  /** Runs every participant to its end (or the first failure, or an abort). */
  run(): FreeRunOutcome {
    startParticipants(this.participants, this.starters, this);
    const words = this.words;
    let idleSince = -1;
    for (;;) {
      this.drain();
      if (this.failure) {
        this.abort();
        return { failure: this.failure };
      }
      if (this.done === this.participants.length) return {};
      const bell = Atomics.load(words, this.myBell);
      if (this.poll()) {
        idleSince = -1;
        continue;
      }
      if (Atomics.load(words, ABORT_WORD) !== 0) return { aborted: true };
      const now = Date.now();
      if (idleSince < 0) idleSince = now;
      else if (this.plan.waitLimitMs > 0 && now - idleSince > this.plan.waitLimitMs) {
        const stuck = this.parkedRecvs[0];
        const what = stuck ? `a message from rank ${stuck.peer} on channel ${stuck.channel}` : 'the other ranks at the end of an iteration';
        this.fail(stuck?.participant ?? this.parkedBarriers[0]?.participant ?? this.participants[0]!, new Error(`waited ${this.plan.waitLimitMs / 1000} s for ${what}: its sender is stuck or gone`));
        continue;
      }
      Atomics.wait(words, this.myBell, bell, SLEEP_MS);
    }
  }

  private connectionOf(src: number, dst: number, channel: number): number {
    const c = this.connection.get(connectionKey(src, dst, channel, this.nparticipants));
    if (c === undefined) throw new Error(`free run: no message from rank ${src} to rank ${dst} on channel ${channel} was planned`);
    return c;
  }

  private ready(participant: number, cont: Continuation, payload: PayloadRef | undefined): void {
    this.readyConts.push(cont);
    this.readyPayloads.push(payload);
    this.readyParticipants.push(participant);
  }

  /**
   * Runs ready continuations, the newest first, until none is left or one throws. Newest
   * first is depth first: a rank that a local send has just fed (handOff) reduces or copies
   * the slice while it is fresh in cache (L2 or the shared L3), before the sender moves on to
   * its next slice (at 8 ranks, 4 per worker, ≈ 5 % less worker CPU per 64 MiB run: §8 of
   * benchmarks/results/runtime.md). Which rank runs first never changes what a step
   * computes: each rank's steps are a chain of continuations, and the messages between
   * ranks are matched first-in first-out per connection.
   */
  private drain(): void {
    const conts = this.readyConts;
    const payloads = this.readyPayloads;
    const participants = this.readyParticipants;
    while (conts.length > 0 && !this.failure) {
      const cont = conts.pop()!;
      const payload = payloads.pop();
      const participant = participants.pop()!;
      try {
        cont(payload, payload === undefined ? 0 : payload.bytes);
      } catch (error) {
        this.fail(participant, error);
      }
    }
  }

  /** A send to a rank of this host whose recv waits on that very slot: the recv completes now (and runs next). */
  private handOff(slot: number): void {
    const parked = this.parkedRecvs;
    for (let k = 0; k < parked.length; k++) {
      const recv = parked[k]!;
      if (recv.slot !== slot) continue;
      parked.splice(k, 1);
      this.take(recv.participant, slot, recv.cont);
      return;
    }
  }

  /** Takes a full mailbox slot (queues the recv's continuation with its payload); false when still empty. */
  private take(participant: number, slot: number, cont: Continuation): boolean {
    const words = this.words;
    if (Atomics.load(words, slot) === 0) return false;
    const payload: PayloadRef = { arena: words[slot + 1]!, byteOffset: words[slot + 2]! >>> 0, bytes: words[slot + 3]! >>> 0, dtype: this.dtype };
    Atomics.store(words, slot, 0);
    this.ready(participant, cont, payload);
    return true;
  }

  /** Completes the parked recvs and barriers that can complete now; true if any did. */
  private poll(): boolean {
    let progress = false;
    if (this.parkedRecvs.length > 0) {
      const still = this.parkedRecvs.filter((r) => !this.take(r.participant, r.slot, r.cont));
      progress = still.length < this.parkedRecvs.length;
      this.parkedRecvs = still;
    }
    if (this.parkedBarriers.length > 0) {
      let reached = Infinity;
      for (const word of this.barrierWords) reached = Math.min(reached, Atomics.load(this.words, word));
      const still = this.parkedBarriers.filter((b) => b.target > reached);
      for (const b of this.parkedBarriers) if (b.target <= reached) this.ready(b.participant, b.cont, undefined);
      progress ||= still.length < this.parkedBarriers.length;
      this.parkedBarriers = still;
    }
    return progress;
  }

  private ring(worker: number): void {
    if (worker === this.plan.worker) return;
    const bell = doorbellWord(worker);
    Atomics.add(this.words, bell, 1);
    Atomics.notify(this.words, bell);
  }

  /** Tells every other host to stop waiting (this one failed). */
  private abort(): void {
    Atomics.store(this.words, ABORT_WORD, 1);
    for (let w = 0; w < this.plan.nworkers; w++) this.ring(w);
  }
}

/** Stops a free run from outside (the main thread closing the cluster): every host stops waiting. */
export function abortFreeRun(control: SharedArrayBuffer, nworkers: number): void {
  const words = new Int32Array(control);
  Atomics.store(words, ABORT_WORD, 1);
  for (let w = 0; w < nworkers; w++) {
    Atomics.add(words, doorbellWord(w), 1);
    Atomics.notify(words, doorbellWord(w));
  }
}
