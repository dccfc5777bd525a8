/**
 * The coordinator — SimGrid's maestro. It alone touches simulation state: the engine, the
 * network and the message-matching tables. Participants post requests; the coordinator
 * applies a round's requests in (participant, seq) order (all of a round's requests carry
 * the round's virtual time), never in the order hosts happened to answer, then advances
 * virtual time to the next event, turns what happened at that time into completions and
 * wakes their participants. Everything that happens at one virtual time forms one round.
 *
 * Messages are matched first-in first-out per (sender, receiver, channel) by sequence
 * number: the k-th send on a connection feeds the k-th recv posted on it, even if a later
 * message is delivered first. A send completes on `sent` (eager: the sender's buffer is
 * free, whether or not the receiver has posted its recv); a recv completes once its message
 * is delivered and the recv is posted, whichever is later.
 */
import type { Engine } from '@weft/sim';
import type { LinkStats, Network, SteadyStateSink, TransferEventSink, TransferRequest } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { DeadlockError, ProtocolError, RankCrashedError, RankTimeoutError, TransferStrandedError, participantFailure, participantLabel } from '../errors.js';
import type { RankFault } from '../types.js';
import type { Completion, HostLink, HostReport, PayloadRef, Request } from '../protocol.js';
import { byParticipantSeq } from '../host/participant-host.js';
import { ByTransferId } from './by-transfer-id.js';
import { MessageTable } from './message-table.js';
import { RunHeapGuard } from './heap-guard.js';
import type { RankClasses } from '../schedule/rank-classes.js';
import { MAX_CHANNEL, channelName } from '../channel-names.js';

/** Loop turns and sends between two asks of the heap guard (powers of two): a Date.now() per 256 turns or 4,096 sends. */
const HEAP_CHECK_TURNS = 256;
const HEAP_CHECK_SENDS = 4096;

export { MAX_CHANNEL } from '../channel-names.js';

/** A completion as the coordinator refills it (hosts see it read-only). */
type MutableCompletion = { -readonly [K in keyof Completion]: Completion[K] };

/** A delivered message waiting for its recv: its payload, or its payload bytes when it has none (ghost mode: no record per message). */
type Arrived = PayloadRef | number;

interface Connection {
  /** Its place in creation order (the recurrence check names messages by it). */
  readonly index: number;
  readonly src: number;
  readonly dst: number;
  readonly channel: number;
  nextSend: number;
  nextRecv: number;
  /** Delivered messages not yet received, by message number. */
  readonly arrived: MessageTable<Arrived>;
  /** Posted recvs not yet matched: their seq, by message number. */
  readonly posted: MessageTable<number>;
  /** The step latency of the protocol last sent on this connection (-1: none asked yet), cached. */
  stepProtocol: number;
  stepLatencyNs: number;
  /** The network's route cache slot for this connection (TransferRequest.routeCache). */
  readonly routeCache: object;
  /** With rank classes: the paths its messages take in the representatives' network (RankClasses.pathsOf), set by its first send. */
  paths: readonly (readonly string[])[] | undefined;
}

/**
 * Connections are looked up by (source, destination, channel) twice per message. A rank sends
 * to (and its peer receives from) one or two partners on a channel again and again (a
 * hierarchical all-reduce alternates its node's ring and its rail's), so the two used last
 * on each of the first RECENT_CHANNELS channels of a source answer most lookups: one flat
 * array by (source, channel, way), two loads and a compare, no object per source to reach
 * first. Otherwise one Map lookup by channel · participants + destination, per source.
 */
const RECENT_CHANNELS = 32;
const RECENT_WAYS = 2;

/**
 * A message from its send to its delivery. Records are reused (Coordinator.spareFlights): a
 * message lives as long as its transfer — long enough, at 4,096 GPUs, for a fresh record to be
 * promoted to V8's old space and die there (speed.md §32) — so a delivered one's record waits
 * for the next send instead. Fields are set only by send.
 */
interface InFlight {
  connection: Connection;
  /** Who sent it (the connection's source, unless rank classes deliver it in another frame). */
  sender: number;
  message: number;
  senderSeq: number;
  payload: PayloadRef | undefined;
  /** Its payload's bytes (the payload's own, or SendRequest.payloadBytes without one): what the receiver checks its slice against. */
  payloadBytes: number;
  bytes: number;
  /** SendRequest.protocol (0: none). */
  protocol: number;
  /** When the last byte left (the `sent` event). */
  sentNs: number;
  /** With a watch: when it lands, once delivered and waiting for its step latency (-1: not yet). */
  floorNs: number;
}

/**
 * NCCL protocols' message timing beyond what the fabric models (see simulation.ts): the
 * least time from a message's `sent` to its delivery, for a message under `protocol`
 * (SendRequest.protocol, never 0) between participants src and dst (ns).
 */
export type StepLatency = (protocol: number, src: number, dst: number) => number;

/**
 * What a host running in the coordinator's thread calls to apply its participants'
 * operations the moment they are posted (ghost schedules: no Request objects, no reports).
 * Applying them then is applying them in (participant, seq) order, as a round does: hosts
 * wake participants in index order, and a participant posts only its own operations.
 */
export interface RequestSink {
  send(participant: number, seq: number, peer: number, channel: number, bytes: number, payloadBytes: number, payload: PayloadRef | undefined, protocol: number): void;
  recv(participant: number, seq: number, peer: number, channel: number): void;
  compute(participant: number, seq: number, durationNs: number, fixed: boolean): void;
  barrier(participant: number, seq: number): void;
  finish(participant: number, value: unknown): void;
}

/** A HostLink whose participants post through a RequestSink (their reports then carry no requests). */
export interface DirectHostLink extends HostLink {
  bind(sink: RequestSink): void;
}

function isDirect(host: HostLink): host is DirectHostLink {
  return typeof (host as Partial<DirectHostLink>).bind === 'function';
}

export interface CoordinatorSetup {
  readonly engine: Engine;
  readonly network: Network;
  /** Topology node of each participant (ranks, then agents). */
  readonly nodes: readonly string[];
  readonly nranks: number;
  readonly hosts: readonly HostLink[];
  /** Wire bytes per payload byte by participant (simulation.ts wireFactors); absent: all 1. */
  readonly wireFactors?: readonly number[];
  /** Injected rank faults (stragglers, crashes); link faults are the network's. */
  readonly rankFaults?: readonly RankFault[];
  /** Watchdog: wall-clock limit for a host to answer one round (default DEFAULT_ROUND_TIMEOUT_MS; 0 = none). */
  readonly roundTimeoutMs?: number;
  /** Step latencies of messages sent under a protocol; absent: the fabric's timing only. */
  readonly stepLatencyNs?: StepLatency;
  /** Shown the simulation whenever nothing is left at the current time (schedule/recurrence.ts); absent: nobody. */
  readonly watch?: CoordinatorWatch;
  /** Told the simulated time reached, at most about once a second of wall time (a progress display). */
  readonly onSimulatedTime?: (nowNs: number) => void;
  /**
   * Rank classes (schedule/rank-classes.ts): only their representatives run; a message to a
   * peer is delivered to the peer's representative as from the sender in that one's frame,
   * and events count once per member. Absent: every participant runs.
   */
  readonly classes?: RankClasses;
}

/** What a watch of the simulation sees between virtual times (the steady-state recurrence check). */
export interface SteadyView {
  readonly nowNs: number;
  readonly events: number;
  readonly rounds: number;
  /** Writes the coordinator's and the network's state relative to now; false when it cannot (see Coordinator.steadyState). */
  steadyState(into: SteadyRecorder): boolean;
  linkStats(): LinkStats[];
}

/** Where the state goes: numbers compared bit for bit, and numbers compared within a tolerance. */
export type SteadyRecorder = Pick<SteadyStateSink, 'exact' | 'near'>;

export interface CoordinatorWatch {
  /** Called with nothing pending at the current time; may throw to end the run (SteadyStateFound). */
  quiescent(view: SteadyView): void;
}

/** Messages of one connection told apart by the recurrence check (a message's name is connection · this + its age). */
const MESSAGE_AGES = 65_536;

/** The watchdog's default: 5 minutes of wall time for one round (a round takes milliseconds). */
export const DEFAULT_ROUND_TIMEOUT_MS = 300_000;

const OP_NAMES = ['none (it had not posted an operation)', 'send', 'recv', 'compute', 'barrier'] as const;
const OP_CODE = { send: 1, recv: 2, compute: 3, barrier: 4 } as const;

export interface CoordinatorOutcome {
  /** When the timed iterations started (the warm-up barrier's time, else 0). */
  readonly startNs: number;
  /** When the last participant finished. */
  readonly endNs: number;
  readonly events: number;
  readonly rounds: number;
  /** Program return values by participant (undefined for schedules). */
  readonly values: unknown[];
}

export class Coordinator {
  private readonly engine: Engine;
  private readonly network: Network;
  private readonly nodes: readonly string[];
  private readonly nparticipants: number;
  private readonly hostOf: Int32Array;
  /**
   * Connections by source, then channel · participants + destination (SourceConnections: the
   * last one per channel, else one Map lookup on a small-integer key); and in creation order.
   */
  private readonly connectionsBySrc: (Map<number, Connection> | undefined)[];
  /** The connections used last, most recent first: [(src · RECENT_CHANNELS + channel) · RECENT_WAYS + way]. */
  private readonly recentConnections: (Connection | undefined)[];
  private readonly connections: Connection[] = [];
  private readonly inFlight = new ByTransferId<InFlight>();
  /** Records of delivered messages, for the next sends to reuse (see InFlight). */
  private readonly spareFlights: InFlight[] = [];
  /** The request every send fills in: a network keeps no reference to it (Network.startTransfer). */
  private readonly request: { -readonly [K in keyof TransferRequest]: TransferRequest[K] } = { srcNode: '', dstNode: '', bytes: 0, flowKey: 0, routeCache: undefined, paths: undefined };
  /** Ends a run that outgrows the JS heap in one line (heap-guard.ts). */
  private readonly heapGuard: RunHeapGuard;
  private sendsSinceHeapCheck = 0;
  private pending: MutableCompletion[] = [];
  /** Completions of finished rounds, for the next ones to reuse (see run). */
  private readonly spareCompletions: MutableCompletion[] = [];
  private barrier: { participant: number; seq: number }[] = [];
  private barrierNs = 0;
  private readonly finishedNs: Float64Array;
  private readonly values: unknown[];
  private finishedCount = 0;
  /** Participants that run: every one, or the classes' representatives. */
  private readonly active: number;
  /** What an event of each participant counts for: 1, or its class's size. */
  private readonly eventWeight: Int32Array;
  private readonly classes: RankClasses | undefined;
  private events = 0;
  private rounds = 0;
  /** Per participant: virtual time before which its requests wait (a straggler's late start). */
  private readonly startNs: Float64Array;
  /** Per participant: compute duration multiplier (a slow straggler). */
  private readonly computeFactor: Float64Array;
  /** Per participant: virtual time it crashes at (Infinity: never). */
  private readonly crashNs: Float64Array;
  /** The earliest crash time over all ranks (Infinity: none). */
  private readonly firstCrashNs: number;
  /** Per participant: the last operation it posted (OP_CODE, peer, channel), for the watchdog's report. */
  private readonly lastOp: Int32Array;
  /** Hosts of the round in progress, by report index, and the participants woken in it. */
  private roundHosts: number[] = [];
  /** The completions of the round in progress (undefined at the start: every participant runs); read only by the watchdog. */
  private roundCompletions: readonly Completion[] | undefined;
  /** With a watch only: computes in progress (participant, time). */
  private readonly computing = new Set<{ readonly participant: number; readonly atNs: number }>();
  private readonly view: SteadyView | undefined;

  constructor(private readonly setup: CoordinatorSetup) {
    this.engine = setup.engine;
    this.network = setup.network;
    this.nodes = setup.nodes;
    this.nparticipants = setup.nodes.length;
    this.hostOf = new Int32Array(this.nparticipants).fill(-1);
    this.connectionsBySrc = new Array<Map<number, Connection> | undefined>(this.nparticipants);
    this.recentConnections = new Array<Connection | undefined>(this.nparticipants * RECENT_CHANNELS * RECENT_WAYS).fill(undefined);
    setup.hosts.forEach((host, h) => {
      for (const p of host.participants) this.hostOf[p] = h;
    });
    this.classes = setup.classes;
    this.active = this.classes?.reps.length ?? this.nparticipants;
    this.eventWeight = this.classes?.classSize ?? new Int32Array(this.nparticipants).fill(1);
    for (let p = 0; p < this.nparticipants; p++) {
      if (this.hostOf[p] === -1 && (this.classes === undefined || this.classes.repOf[p] === p)) throw new Error(`participant ${p} has no host`);
    }
    this.finishedNs = new Float64Array(this.nparticipants).fill(-1);
    this.startNs = new Float64Array(this.nparticipants);
    this.computeFactor = new Float64Array(this.nparticipants).fill(1);
    this.crashNs = new Float64Array(this.nparticipants).fill(Infinity);
    this.lastOp = new Int32Array(this.nparticipants * 3);
    for (const fault of setup.rankFaults ?? []) {
      if (!(Number.isInteger(fault.rank) && fault.rank >= 0 && fault.rank < setup.nranks)) {
        throw new WeftInputError(`fault: rank ${fault.rank} is not a rank of this run (0..${setup.nranks - 1})`);
      }
      if (fault.kind === 'delayRank') this.startNs[fault.rank] = Math.max(this.startNs[fault.rank]!, fault.delayNs);
      else if (fault.kind === 'slowRank') this.computeFactor[fault.rank]! *= fault.factor;
      else this.crashNs[fault.rank] = Math.min(this.crashNs[fault.rank]!, fault.atNs);
    }
    this.firstCrashNs = Math.min(Infinity, ...this.crashNs.filter((t) => t < Infinity));
    this.values = new Array(this.nparticipants);
    this.engine.addModel(this.network);
    for (const host of setup.hosts) if (isDirect(host)) host.bind(this.sink);
    this.view = setup.watch && this.steadyView();
    this.heapGuard = new RunHeapGuard(setup.onSimulatedTime);
  }

  private steadyView(): SteadyView {
    const self = this;
    return {
      get nowNs() {
        return self.engine.nowNs;
      },
      get events() {
        return self.events;
      },
      get rounds() {
        return self.rounds;
      },
      steadyState: (into) => this.steadyState(into),
      linkStats: () => this.network.linkStats(),
    };
  }

  /**
   * The state the simulation's future depends on, relative to now, for the recurrence check:
   * every connection's messages in flight, delivered or awaited (counted back from its next
   * send), the messages in the network (by connection and age: transfer ids and absolute
   * message numbers grow), step-latency waits and computes with their times relative to
   * now, then the network's own (Network.steadyState). False when it cannot be told whole:
   * a round under way, a barrier or a finished participant, a timer it does not know of.
   */
  private steadyState(recorder: SteadyRecorder): boolean {
    const nowNs = this.engine.nowNs;
    const into: SteadyStateSink = { nowNs, transfer: this.transferName, exact: recorder.exact, near: recorder.near };
    if (this.pending.length > 0 || this.barrier.length > 0 || this.finishedCount > 0 || this.network.steadyState === undefined) return false;
    if (!(this.engine.nextEventTimeNs() > nowNs)) return false;
    const timeTolerance = 1e-12 * Math.max(1, nowNs);
    into.exact(this.connections.length);
    for (const c of this.connections) {
      into.exact(c.nextSend - c.nextRecv);
      exactAges(into, c.nextSend, c.posted);
      exactAges(into, c.nextSend, c.arrived);
    }
    // By name, not by transfer id: which of two channels posted first in a round is not state
    // (ties only order equal-time events, whose outcome is the same either way).
    const flights: InFlight[] = [];
    this.inFlight.forEach((flight) => void flights.push(flight));
    const names = flights.map(messageName);
    if (names.some(Number.isNaN)) return false;
    const byName = Array.from(flights.keys()).sort((a, b) => names[a]! - names[b]!);
    into.exact(flights.length);
    let floored = 0;
    for (const i of byName) {
      const flight = flights[i]!;
      into.exact(names[i]!);
      into.exact(flight.protocol);
      into.exact(flight.bytes);
      into.near(flight.sentNs - nowNs, timeTolerance);
      into.exact(flight.floorNs >= 0 ? 1 : 0);
      if (flight.floorNs >= 0) {
        floored++;
        into.near(flight.floorNs - nowNs, timeTolerance);
      }
    }
    // Every timer is a landing or a compute the state names: else something it does not know of is pending.
    if (this.engine.pendingTimers !== floored + this.computing.size) return false;
    const waits: number[] = [];
    for (const compute of this.computing) waits.push(-1 - compute.participant, compute.atNs - nowNs);
    const order = Array.from({ length: waits.length / 2 }, (_, i) => i).sort((a, b) => waits[2 * a]! - waits[2 * b]! || waits[2 * a + 1]! - waits[2 * b + 1]!);
    into.exact(order.length);
    for (const i of order) {
      into.exact(waits[2 * i]!);
      into.near(waits[2 * i + 1]!, timeTolerance);
    }
    return this.network.steadyState(into);
  }

  /** A transfer's name for the recurrence check (see messageName), or NaN when it is not in flight. */
  private readonly transferName = (transferId: number): number => {
    const flight = this.inFlight.get(transferId);
    return flight === undefined ? NaN : messageName(flight);
  };

  /** An error of the coordinator's own raised inside a direct host's call (rethrown as is). */
  private directError: unknown = undefined;

  /** Keeps the first error of the coordinator's own raised inside a direct host's call (rethrown as is). */
  private directFailed(error: unknown): never {
    this.directError ??= error;
    throw error;
  }

  // Operations are applied in place, without a closure per call: one is made only for an
  // operation that waits (a late-starting rank's), and errors are caught in line.
  private readonly sink: RequestSink = {
    send: (participant, seq, peer, channel, bytes, payloadBytes, payload, protocol) => {
      const nowNs = this.engine.nowNs;
      if (this.held(participant, nowNs) && this.gated(participant, nowNs, () => this.sink.send(participant, seq, peer, channel, bytes, payloadBytes, payload, protocol))) return;
      try {
        this.send(participant, seq, peer, channel, bytes, payloadBytes, payload, protocol, nowNs);
      } catch (error) {
        this.directFailed(error);
      }
    },
    recv: (participant, seq, peer, channel) => {
      const nowNs = this.engine.nowNs;
      if (this.held(participant, nowNs) && this.gated(participant, nowNs, () => this.sink.recv(participant, seq, peer, channel))) return;
      try {
        this.recv(participant, seq, peer, channel);
      } catch (error) {
        this.directFailed(error);
      }
    },
    compute: (participant, seq, durationNs, fixed) => {
      const nowNs = this.engine.nowNs;
      if (this.held(participant, nowNs) && this.gated(participant, nowNs, () => this.sink.compute(participant, seq, durationNs, fixed))) return;
      try {
        this.compute(participant, seq, durationNs, fixed, nowNs);
      } catch (error) {
        this.directFailed(error);
      }
    },
    barrier: (participant, seq) => {
      const nowNs = this.engine.nowNs;
      if (this.held(participant, nowNs) && this.gated(participant, nowNs, () => this.sink.barrier(participant, seq))) return;
      this.arriveAtBarrier(participant, seq, nowNs);
    },
    finish: (participant, value) => this.finished(participant, value, this.engine.nowNs),
  };

  /** Whether a rank fault touches a participant's operation now (crashed, or not started yet). */
  private held(p: number, nowNs: number): boolean {
    return this.crashNs[p]! <= nowNs || nowNs < this.startNs[p]!;
  }

  /**
   * Whether a participant's operation waits (applyFaulted's rules): a crashed rank's is
   * dropped, a late-starting rank's is replayed at its start.
   */
  private gated(p: number, nowNs: number, replay: () => void): boolean {
    if (this.crashNs[p]! <= nowNs) return true;
    const startNs = this.startNs[p]!;
    if (nowNs < startNs) {
      this.engine.at(startNs, replay);
      return true;
    }
    return false;
  }

  private finished(participant: number, value: unknown, nowNs: number): void {
    if (this.finishedNs[participant]! >= 0) return;
    this.finishedNs[participant] = nowNs;
    this.values[participant] = value;
    this.finishedCount += 1;
  }

  async run(): Promise<CoordinatorOutcome> {
    this.roundHosts = this.setup.hosts.map((_, h) => h);
    this.roundCompletions = undefined; // start: every participant runs
    let reports = settle(this.setup.hosts.map((host) => host.start()));
    this.absorb(reports instanceof Promise ? await this.watch(reports) : reports);
    const watch = this.setup.watch;
    for (let turn = 0; ; turn++) {
      // A run that outgrows the heap ends in one line, not a V8 abort (heap-guard.ts).
      if ((turn & (HEAP_CHECK_TURNS - 1)) === 0) this.heapGuard.check(this.engine.nowNs);
      if (this.pending.length === 0) {
        if (watch !== undefined) watch.quiescent(this.view!);
        if (!this.engine.step()) break;
        this.collectNetworkEvents();
        continue;
      }
      // Gather everything else due now, so one virtual time is one round.
      if (this.engine.nextEventTimeNs() === this.engine.nowNs) {
        this.engine.step();
        this.collectNetworkEvents();
      }
      const completions = this.pending;
      this.pending = [];
      reports = settle(this.wakeHosts(completions));
      this.absorb(reports instanceof Promise ? await this.watch(reports) : reports);
      // Every host has read its completions (wake reads them before it returns): spare now.
      for (const completion of completions) {
        completion.payload = undefined;
        this.spareCompletions.push(completion);
      }
    }
    if (this.finishedCount < this.active) {
      const crashed = this.crashedBefore(this.engine.nowNs);
      if (crashed >= 0) throw new RankCrashedError(crashed, this.crashNs[crashed]!, this.engine.nowNs, this.pendingOps());
      throw new DeadlockError(this.engine.nowNs, this.pendingOps());
    }
    this.checkDrained();
    let endNs = 0;
    for (const t of this.finishedNs) endNs = Math.max(endNs, t);
    return { startNs: this.barrierNs, endNs, events: this.events, rounds: this.rounds, values: this.values };
  }

  /** The first unfinished participant crashed by `nowNs`, or -1. */
  private crashedBefore(nowNs: number): number {
    // Runs every round: without a crash due by now, no scan of every rank.
    if (nowNs < this.firstCrashNs) return -1;
    for (let p = 0; p < this.setup.nranks; p++) if (this.finishedNs[p]! < 0 && this.crashNs[p]! <= nowNs) return p;
    return -1;
  }

  private wakeHosts(all: Completion[]): (HostReport | Promise<HostReport>)[] {
    this.rounds += 1;
    // A crashed rank takes no completions: it is gone.
    const nowNs = this.engine.nowNs;
    const completions = this.crashedBefore(nowNs) < 0 ? all : all.filter((c) => !(this.crashNs[c.participant]! <= nowNs));
    this.roundCompletions = completions;
    if (completions.length === 0) return []; // only a crashed rank's: nobody to wake
    // Each participant sees its completions in event order; participants in index order.
    completions.sort((a, b) => a.participant - b.participant);
    const hosts = this.setup.hosts;
    if (hosts.length === 1) {
      this.roundHosts = [0];
      return [hosts[0]!.wake(this.engine.nowNs, completions)];
    }
    const byHost: Completion[][] = hosts.map(() => []);
    for (const c of completions) byHost[this.hostOf[c.participant]!]!.push(c);
    const reports: (HostReport | Promise<HostReport>)[] = [];
    this.roundHosts = [];
    byHost.forEach((list, h) => {
      if (list.length === 0) return;
      this.roundHosts.push(h);
      reports.push(hosts[h]!.wake(this.engine.nowNs, list));
    });
    return reports;
  }

  /** Applies the hosts' reports: finishes, then requests in (participant, seq) order. */
  private absorb(reports: readonly HostReport[]): void {
    if (this.directError !== undefined) throw this.directError;
    for (const report of reports) {
      if (report.failure) throw participantFailure(report.failure.participant, this.setup.nranks, report.failure.error);
    }
    const nowNs = this.engine.nowNs;
    for (const report of reports) {
      for (const f of report.finished) this.finished(f.participant, f.value, nowNs);
    }
    // Direct hosts applied their barriers as they came, possibly before a finish of the
    // same round: the barrier is complete if everyone left has arrived.
    if (this.barrier.length > 0) this.releaseBarrier(nowNs);
    let requests: readonly Request[];
    if (reports.length === 1) requests = reports[0]!.requests;
    else requests = reports.flatMap((r) => r.requests).sort(byParticipantSeq);
    for (const request of requests) this.applyFaulted(request, nowNs);
  }

  /** Applies a request unless its rank has crashed; a late-starting rank's wait until its start. */
  private applyFaulted(request: Request, nowNs: number): void {
    const p = request.participant;
    if (this.crashNs[p]! <= nowNs) return;
    const startNs = this.startNs[p]!;
    if (nowNs < startNs) {
      this.engine.at(startNs, () => this.applyFaulted(request, startNs));
      return;
    }
    this.apply(request, nowNs);
  }

  /**
   * The watchdog: a round whose hosts do not all answer within the limit ends the run with a
   * RankTimeoutError naming the silent hosts' participants that have not yielded, and their
   * last operations (the cluster then terminates its workers). The timer is wall-clock;
   * virtual time is unaffected.
   */
  private watch(round: Promise<HostReport[]>): Promise<HostReport[]> {
    const limitMs = this.setup.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
    if (!(limitMs > 0)) return round;
    const answered = new Set<number>();
    // settle() kept the hosts' answers in roundHosts order; track which arrive.
    const hostsOfRound = this.roundHosts;
    const completionsOfRound = this.roundCompletions;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const silent = hostsOfRound.filter((h) => !answered.has(h));
        // The silent hosts' participants that were woken this round (all, at the start) and have not finished;
        // of those, the ones whose code still runs, where the host can tell (the others have posted and wait).
        const woken = completionsOfRound && new Set(completionsOfRound.map((c) => c.participant));
        const stuck = silent
          .flatMap((h) => {
            const host = this.setup.hosts[h]!;
            const candidates = host.participants.filter((p) => (woken === undefined || woken.has(p)) && this.finishedNs[p]! < 0);
            const running = host.runningParticipants?.();
            const named = running === undefined ? [] : candidates.filter((p) => running.includes(p));
            return named.length > 0 ? named : candidates;
          })
          .map((p) => ({ label: this.label(p), lastOp: this.describeLastOp(p) }));
        reject(new RankTimeoutError(stuck, limitMs, this.engine.nowNs));
      }, limitMs);
      const answers = (round as { answers?: (HostReport | Promise<HostReport>)[] }).answers ?? [];
      answers.forEach((answer, i) => {
        const done = () => answered.add(hostsOfRound[i]!);
        if (answer instanceof Promise) answer.then(done, done);
        else done();
      });
      round.then(
        (reports) => {
          clearTimeout(timer);
          resolve(reports);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private describeLastOp(p: number): string {
    const code = this.lastOp[p * 3]!;
    if (code === 0 || code === OP_CODE.compute || code === OP_CODE.barrier) return OP_NAMES[code]!;
    const peer = this.label(this.lastOp[p * 3 + 1]!);
    return `${OP_NAMES[code]} ${code === OP_CODE.send ? 'to' : 'from'} ${peer} on ${channelName(this.lastOp[p * 3 + 2]!)}`;
  }

  private apply(request: Request, nowNs: number): void {
    const at = request.participant * 3;
    this.lastOp[at] = OP_CODE[request.kind];
    if (request.kind === 'send' || request.kind === 'recv') {
      this.lastOp[at + 1] = request.peer;
      this.lastOp[at + 2] = request.channel;
    }
    switch (request.kind) {
      case 'send':
        return this.send(request.participant, request.seq, request.peer, request.channel, request.bytes, request.payloadBytes ?? request.bytes, request.payload, request.protocol ?? 0, nowNs);
      case 'recv':
        return this.recv(request.participant, request.seq, request.peer, request.channel);
      case 'compute':
        return this.compute(request.participant, request.seq, request.durationNs, request.fixed === true, nowNs);
      case 'barrier':
        return this.arriveAtBarrier(request.participant, request.seq, nowNs);
    }
  }

  private compute(participant: number, seq: number, durationNs: number, fixed: boolean, nowNs: number): void {
    if (!(durationNs >= 0)) throw new ProtocolError(`${this.label(participant)}: compute duration must be >= 0 ns, got ${durationNs}`);
    const factor = fixed ? 1 : this.computeFactor[participant]!;
    const atNs = nowNs + durationNs * factor;
    const record = this.view !== undefined ? { participant, atNs } : undefined;
    if (record !== undefined) this.computing.add(record);
    this.engine.at(atNs, () => {
      if (record !== undefined) this.computing.delete(record);
      this.events += this.eventWeight[participant]!;
      this.complete(participant, seq, undefined, 0);
    });
  }

  /** Queues a completion for the round (a spare record refilled when there is one: two per message otherwise). */
  private complete(participant: number, seq: number, payload: PayloadRef | undefined, bytes: number): void {
    const completion = this.spareCompletions.pop();
    if (completion === undefined) {
      this.pending.push({ participant, seq, payload, bytes });
      return;
    }
    completion.participant = participant;
    completion.seq = seq;
    completion.payload = payload;
    completion.bytes = bytes;
    this.pending.push(completion);
  }

  private arriveAtBarrier(participant: number, seq: number, nowNs: number): void {
    this.barrier.push({ participant, seq });
    this.releaseBarrier(nowNs);
  }

  /** Releases the barrier once every unfinished participant has arrived. */
  private releaseBarrier(nowNs: number): void {
    if (this.barrier.length !== this.active - this.finishedCount) return;
    this.barrierNs = nowNs;
    for (const b of this.barrier) this.complete(b.participant, b.seq, undefined, 0);
    this.barrier = [];
  }

  private connection(src: number, dst: number, channel: number): Connection {
    if (!(channel >= 0 && channel < MAX_CHANNEL && Number.isInteger(channel))) {
      throw new ProtocolError(`${this.label(src)}: channel must be an integer in 0..${MAX_CHANNEL - 1}, got ${channel}`);
    }
    if (channel >= RECENT_CHANNELS) return this.connectionOf(src, dst, channel);
    const recent = this.recentConnections;
    const at = (src * RECENT_CHANNELS + channel) * RECENT_WAYS;
    const last = recent[at];
    if (last !== undefined && last.dst === dst) return last;
    const before = recent[at + 1];
    if (before !== undefined && before.dst === dst) return before;
    const connection = this.connectionOf(src, dst, channel);
    recent[at + 1] = last;
    recent[at] = connection;
    return connection;
  }

  /** The connection by its source's Map (made on first use). */
  private connectionOf(src: number, dst: number, channel: number): Connection {
    let fromSrc = this.connectionsBySrc[src];
    if (fromSrc === undefined) this.connectionsBySrc[src] = fromSrc = new Map();
    const key = channel * this.nparticipants + dst;
    let connection = fromSrc.get(key);
    if (connection === undefined) {
      connection = { index: this.connections.length, src, dst, channel, nextSend: 0, nextRecv: 0, arrived: new MessageTable(), posted: new MessageTable(), stepProtocol: -1, stepLatencyNs: 0, routeCache: {}, paths: undefined };
      fromSrc.set(key, connection);
      this.connections.push(connection);
    }
    return connection;
  }

  private checkPeer(participant: number, peer: number, what: string): void {
    if (!(Number.isInteger(peer) && peer >= 0 && peer < this.nparticipants)) {
      throw new ProtocolError(`${this.label(participant)}: ${what} peer ${peer} is not a participant (0..${this.nparticipants - 1})`);
    }
  }

  private send(participant: number, seq: number, peer: number, channel: number, bytes: number, payloadBytes: number, payload: PayloadRef | undefined, protocol: number, nowNs: number): void {
    this.checkPeer(participant, peer, 'send');
    // One round can post millions of sends (every rank's first window at 16,384 GPUs): ask here too.
    if ((++this.sendsSinceHeapCheck & (HEAP_CHECK_SENDS - 1)) === 0) this.heapGuard.check(nowNs);
    const classes = this.classes;
    const connection = classes === undefined ? this.connection(participant, peer, channel) : this.connection(classes.senderInFrame(participant, peer), classes.repOf[peer]!, classes.channelInFrame(peer, channel));
    const request = this.request;
    request.srcNode = this.nodes[participant]!;
    request.dstNode = this.nodes[peer]!;
    request.bytes = bytes * this.wireFactor(participant, peer);
    request.flowKey = channel;
    request.routeCache = connection.routeCache;
    if (classes !== undefined) request.paths = connection.paths ??= classes.pathsOf(participant, peer, channel);
    const transferId = this.network.startTransfer(request, nowNs);
    const flight = this.spareFlights.pop() ?? { connection, sender: participant, message: 0, senderSeq: 0, payload: undefined, payloadBytes: 0, bytes: 0, protocol: 0, sentNs: 0, floorNs: -1 };
    flight.connection = connection;
    flight.sender = participant;
    flight.message = connection.nextSend++;
    flight.senderSeq = seq;
    flight.payload = payload;
    flight.payloadBytes = payload === undefined ? payloadBytes : payload.bytes;
    flight.bytes = bytes;
    flight.protocol = protocol;
    flight.sentNs = nowNs;
    flight.floorNs = -1;
    this.inFlight.set(transferId, flight);
  }

  private wireFactor(a: number, b: number): number {
    const factors = this.setup.wireFactors;
    return factors === undefined ? 1 : Math.max(factors[a] ?? 1, factors[b] ?? 1);
  }

  private recv(participant: number, seq: number, peer: number, channel: number): void {
    this.checkPeer(participant, peer, 'recv');
    const connection = this.connection(peer, participant, channel);
    const message = connection.nextRecv++;
    const arrived = connection.arrived.take(message);
    if (arrived !== undefined) {
      if (typeof arrived === 'number') this.complete(participant, seq, undefined, arrived);
      else this.complete(participant, seq, arrived, arrived.bytes);
    } else {
      connection.posted.set(message, seq);
    }
  }

  private collectNetworkEvents(): void {
    const network = this.network;
    if (network.drainEvents !== undefined) {
      network.drainEvents(this.networkEvents);
      return;
    }
    const sink = this.networkEvents;
    for (const event of network.takeEvents()) {
      if (event.kind === 'sent') sink.sent(event.transferId, event.timeNs);
      else if (event.kind === 'delivered') sink.delivered(event.transferId, event.timeNs);
      else sink.stranded(event.transferId, event.timeNs, event.linkId, event.cause);
    }
  }

  /** The network's events, in its order (drainEvents: no object per event). */
  private readonly networkEvents: TransferEventSink = {
    sent: (transferId) => {
      const flight = this.inFlight.get(transferId);
      this.events += flight === undefined ? 1 : this.eventWeight[flight.connection.src]!;
      if (flight === undefined) return;
      flight.sentNs = this.engine.nowNs;
      this.complete(flight.sender, flight.senderSeq, undefined, 0);
    },
    delivered: (transferId) => {
      const flight = this.inFlight.get(transferId);
      this.events += flight === undefined ? 1 : this.eventWeight[flight.connection.src]!;
      if (flight === undefined) return;
      // A protocol's step latency (flag polling, fences, proxy posts) overlaps the wire's
      // own latency: the message lands at sent + max(path latency, step latency).
      const floorNs = flight.protocol > 0 ? flight.sentNs + this.stepLatencyOf(flight.connection, flight.protocol) : 0;
      // Watched, a message waiting for its step latency stays in flight until it lands: the recurrence check reads it there.
      if (this.view === undefined || !(floorNs > this.engine.nowNs)) this.inFlight.delete(transferId);
      if (floorNs > this.engine.nowNs) {
        if (this.view !== undefined) flight.floorNs = floorNs;
        this.engine.at(floorNs, () => {
          if (this.view !== undefined) this.inFlight.delete(transferId);
          this.events += this.eventWeight[flight.connection.src]!;
          this.deliver(flight);
        });
      } else {
        this.deliver(flight);
      }
    },
    stranded: (transferId, timeNs, linkId, cause) => {
      this.events += 1;
      const flight = this.inFlight.get(transferId);
      if (flight === undefined) return;
      const connection = flight.connection;
      const from = this.label(connection.src);
      const to = this.label(connection.dst);
      throw new TransferStrandedError(transferId, linkId, timeNs, `${from} → ${to}, ${channelName(connection.channel)}, ${Math.round(flight.bytes)} bytes`, cause);
    },
  };

  /** The step latency of `protocol` on a connection (0 without step latencies), asked once per connection and protocol. */
  private stepLatencyOf(connection: Connection, protocol: number): number {
    if (connection.stepProtocol !== protocol) {
      const step = this.setup.stepLatencyNs;
      connection.stepLatencyNs = step ? step(protocol, connection.src, connection.dst) : 0;
      connection.stepProtocol = protocol;
    }
    return connection.stepLatencyNs;
  }

  /** The message has arrived: completes its posted recv, or waits for one. Its record is spare after (out of inFlight already). */
  private deliver(flight: InFlight): void {
    const connection = flight.connection;
    const seq = connection.posted.take(flight.message);
    if (seq !== undefined) {
      this.complete(connection.dst, seq, flight.payload, flight.payloadBytes);
    } else {
      connection.arrived.set(flight.message, flight.payload ?? flight.payloadBytes);
    }
    flight.payload = undefined;
    this.spareFlights.push(flight);
  }

  private label(participant: number): string {
    return participantLabel(participant, this.setup.nranks);
  }

  /** Each unfinished participant's operations the coordinator still holds. */
  private pendingOps() {
    const ops = new Map<number, string[]>();
    const add = (p: number, text: string) => {
      let list = ops.get(p);
      if (!list) ops.set(p, (list = []));
      list.push(text);
    };
    for (const c of this.connections) {
      for (const message of c.posted.keys().sort((a, b) => a - b)) add(c.dst, `recv from ${this.label(c.src)} on ${channelName(c.channel)} (message ${message})`);
    }
    for (const b of this.barrier) add(b.participant, 'barrier after warm-up iterations');
    for (const c of this.connections) {
      for (const message of c.arrived.keys()) add(c.dst, `(unreceived message ${message} from ${this.label(c.src)} on ${channelName(c.channel)})`);
    }
    const result = [];
    for (let p = 0; p < this.nparticipants; p++) {
      if (this.finishedNs[p]! >= 0 || (this.classes !== undefined && this.classes.repOf[p] !== p)) continue;
      result.push({ participant: p, label: this.label(p), ops: ops.get(p) ?? [] });
    }
    return result;
  }

  /** After a clean finish no message may be left unreceived (a schedule bug otherwise). */
  private checkDrained(): void {
    for (const c of this.connections) {
      if (c.arrived.size > 0 || c.posted.size > 0) {
        throw new ProtocolError(
          `${this.label(c.src)} → ${this.label(c.dst)} on ${channelName(c.channel)}: ${c.nextSend} messages sent, ${c.nextRecv} received; every participant finished with messages left over`,
        );
      }
    }
  }
}

/** A connection's messages kept by number (posted recvs, arrived messages): how many, and each one's age, youngest first. */
function exactAges(into: SteadyRecorder, nextSend: number, byMessage: MessageTable<unknown>): void {
  into.exact(byMessage.size);
  if (byMessage.size === 0) return;
  for (const message of byMessage.keys().sort((a, b) => b - a)) into.exact(nextSend - message);
}

/** A message's name that does not depend on when it was sent: its connection and how many sends ago it was (NaN past MESSAGE_AGES). */
function messageName(flight: InFlight): number {
  const age = flight.connection.nextSend - flight.message;
  return age < MESSAGE_AGES ? flight.connection.index * MESSAGE_AGES + age : NaN;
}

/** Awaits only when some host answered asynchronously (ghost schedules never do). */
function settle(reports: (HostReport | Promise<HostReport>)[]): HostReport[] | Promise<HostReport[]> {
  for (const r of reports) if (r instanceof Promise) return Object.assign(Promise.all(reports), { answers: reports });
  return reports as HostReport[];
}
