/**
 * An exact steady-state fast-forward (issue #13 item 4, after Wormhole): instead of
 * extrapolating from short runs (fast-forward.ts, which sees only local linearity: NVL72's
 * channels drift apart after many periods, speed.md §29), the one run is watched for a
 * *recurrence* of its whole state.
 *
 * Every time a reference tape starts a new repetition of its longest timing group, the
 * watch takes a canonical snapshot of everything the future depends on, relative to now:
 * each tape's place (step within the repetition, repetition relative to the reference's,
 * what its channel waits for), every connection's messages (counted back from its next
 * send), every message in the network and its flow (remaining bytes, rates, finish and
 * event times relative to now), step-latency waits and computes (coordinator.steadyState,
 * Network.steadyState). When a snapshot equals one p repetitions earlier, Δ later, then —
 * the simulation being deterministic — a schedule with p more repetitions in every cut
 * group runs the same, Δ later, from there on: T(R) = T(R − p) + Δ, and by induction
 * T(R) = T(R − m·p) + m·Δ, as long as the shorter schedule is the same as the full one up to
 * the snapshot (no tape has read past the repetitions it keeps). So the watched run stops
 * (SteadyStateFound), the schedule with m·p repetitions cut from each tape's longest group
 * is run exactly, and m times the period's time, link bytes, busy time, events and rounds
 * (measured over one more period, which also confirms the recurrence) are added. If the
 * state never recurs (a drift), the watched run is the exact run.
 *
 * Exact up to float rounding of a translated time: relative times of two snapshots taken
 * at different absolute times round differently, so times compare within 1e-12 of now
 * (a few thousand ulps), rates and bytes within 1e-12 relative; the result differs from
 * the exact engine's in its last digits only (speed.md §30 measures it).
 */
import { channelTapes, type Schedule, type StepTape } from '@weft/collectives';
import type { LinkStats } from '@weft/fabric';
import type { CoordinatorWatch, SteadyView } from '../coordinator/coordinator.js';
import type { ScheduleExecutor } from './executor.js';

/** Where each tape's longest group lies (the cut groups), and what the watch may cut. */
export interface RecurrencePlan {
  /** Groups of at least this many repetitions are cut (shortenedSchedule's minReps, mode `longest`). */
  readonly minReps: number;
  /** Per participant, per channel: [first step, period (steps), repetitions] of its cut group, or undefined. */
  readonly groups: readonly (readonly (readonly [number, number, number] | undefined)[])[];
  /** The reference tape: its participant and channel. */
  readonly reference: readonly [number, number];
}

/** Repetitions (of the reference's group) apart that a recurrence is looked for: snapshots kept. */
const KEPT_SNAPSHOTS = 8;

/**
 * Snapshots are taken in bursts of this many consecutive repetitions (a recurrence of up to
 * half of it is found and confirmed within one), starting at repetitions FIRST_BURST · 2^k:
 * a snapshot at 4,096 GPUs costs ≈ 14 ms (speed.md §30: a snapshot per repetition took 30.7 s
 * user against 16.5 exact), so a run whose state never recurs
 * pays for ≈ 10 · log2(reps) of them, not one per repetition; a steady state that sets in at
 * repetition s is found by 2s. None once past half the repetitions: a cut could not pay.
 */
const BURST = 10;
const FIRST_BURST = 8;

/** A cut group shorter than this is not worth watching (there is little to skip). */
const MIN_WATCHED_REPS = 16;

/** What was found: the state recurs every `periodReps` repetitions, `periodNs` apart. */
export interface Recurrence {
  readonly periodReps: number;
  readonly periodNs: number;
  /** Repetitions to cut from each cut group (m · periodReps) and m. */
  readonly removeReps: number;
  readonly periods: number;
  /** When it was confirmed (simulated ns) and at which repetition of the reference. */
  readonly confirmedAtNs: number;
  readonly confirmedAtRep: number;
  /** One period's increments: events, rounds, per link bytes carried and busy time; peak concurrent flows so far. */
  readonly events: number;
  readonly rounds: number;
  readonly bytesCarried: Float64Array;
  readonly busyNs: Float64Array;
  readonly peakFlows: Int32Array;
}

/** Thrown out of the watched run once a recurrence is confirmed (runRecurrent catches it). */
export class SteadyStateFound extends Error {
  constructor(readonly recurrence: Recurrence) {
    super(`steady state recurs every ${recurrence.periodReps} repetition(s)`);
  }
}

/**
 * The plan for a schedule, or null when it has nothing to watch: each tape's longest timing
 * group with at least half the longest's repetitions (and MIN_WATCHED_REPS), whose peers do
 * not move per repetition, the cut keeping every connection's messages matched.
 */
export function recurrencePlan(schedule: Schedule, matched: (tapes: readonly (readonly StepTape[])[], minReps: number) => boolean): RecurrencePlan | null {
  const tapes = schedule.participants.map((participant) => channelTapes(participant));
  const longest = tapes.map((channels) => channels.map((tape) => tape.longestTimingGroupSteps()));
  let maxReps = 0;
  for (const channels of longest) for (const group of channels) maxReps = Math.max(maxReps, group?.reps ?? 0);
  const minReps = Math.max(2, Math.ceil(maxReps / 2));
  if (maxReps < MIN_WATCHED_REPS) return null;
  let reference: [number, number] | undefined;
  let fixed = true;
  const groups = longest.map((channels, participant) =>
    channels.map((group, channel) => {
      if (group === undefined || group.reps < minReps) return undefined;
      fixed &&= group.fixedPeers;
      reference ??= [participant, channel];
      return [group.firstStep, group.period, group.reps] as const;
    }),
  );
  if (!fixed || reference === undefined || !matched(tapes, minReps)) return null;
  return { minReps, groups, reference };
}

interface Snapshot {
  readonly rep: number;
  readonly nowNs: number;
  readonly hash: number;
  readonly exact: Float64Array;
  readonly near: Float64Array;
  readonly tolerance: Float64Array;
}

/** A candidate recurrence waiting for its confirmation one period later. */
interface Candidate {
  readonly periodReps: number;
  readonly rep: number;
  readonly nowNs: number;
  readonly events: number;
  readonly rounds: number;
  readonly stats: readonly LinkStats[];
}

export class RecurrenceWatch implements CoordinatorWatch {
  private readonly executors: (ScheduleExecutor | undefined)[];
  private registered = 0;
  private lastRep = -1;
  private readonly snapshots: Snapshot[] = [];
  private candidate: Candidate | undefined;
  /** Set once the watch has nothing more to find (confirmed too late to pay, or a state it cannot read). */
  private done = false;
  /** Snapshots taken (for the report and tests). */
  taken = 0;
  // One snapshot's numbers, reused.
  private readonly exactValues: number[] = [];
  private readonly nearValues: number[] = [];
  private readonly tolerances: number[] = [];
  private readonly scratch: number[] = [];
  private readonly recorder = {
    exact: (value: number) => void this.exactValues.push(value),
    near: (value: number, tolerance: number) => {
      this.nearValues.push(value);
      this.tolerances.push(tolerance);
    },
  };

  constructor(readonly plan: RecurrencePlan) {
    this.executors = new Array<ScheduleExecutor | undefined>(plan.groups.length);
  }

  addExecutor(participant: number, executor: ScheduleExecutor): void {
    // A cut shortens every iteration alike, the recurrence is of one: several iterations are run exactly.
    if (executor.spec.iters + executor.spec.warmupIters !== 1) this.done = true;
    if (this.executors[participant] === undefined) this.registered++;
    this.executors[participant] = executor;
  }

  quiescent(view: SteadyView): void {
    if (this.done || this.registered !== this.executors.length) return;
    const [refParticipant, refChannel] = this.plan.reference;
    const rep = this.repOf(refParticipant, refChannel, this.executors[refParticipant]!.stepIndex(refChannel));
    if (rep < 0 || rep === this.lastRep) return;
    this.lastRep = rep;
    if (2 * rep > this.plan.groups[refParticipant]![refChannel]![2]) {
      this.done = true;
      return;
    }
    if (!inBurst(rep)) {
      this.snapshots.length = 0;
      this.candidate = undefined;
      return;
    }
    const snapshot = this.snapshot(view, rep);
    if (snapshot === undefined) return;
    this.taken++;
    const earlier = this.match(snapshot);
    this.snapshots.push(snapshot);
    if (this.snapshots.length > KEPT_SNAPSHOTS) this.snapshots.shift();
    const candidate = this.candidate;
    if (candidate !== undefined && rep >= candidate.rep + candidate.periodReps) {
      this.candidate = undefined;
      if (earlier !== undefined && earlier.rep === candidate.rep && rep === candidate.rep + candidate.periodReps) return this.confirmed(view, candidate, rep);
    }
    if (earlier !== undefined && this.candidate === undefined) {
      this.candidate = { periodReps: rep - earlier.rep, rep, nowNs: view.nowNs, events: view.events, rounds: view.rounds, stats: view.linkStats() };
    }
  }

  /** A tape's repetition of its cut group at step `index`: -1 before it, -2 past it (or without one). */
  private repOf(participant: number, channel: number, index: number): number {
    const group = this.plan.groups[participant]![channel];
    if (group === undefined) return -2;
    const [first, period, reps] = group;
    if (index < first) return -1;
    const rep = Math.floor((index - first) / period);
    return rep < reps ? rep : -2;
  }

  /** The state now, or undefined when a cut tape has not reached its group yet or the state cannot be read whole. */
  private snapshot(view: SteadyView, refRep: number): Snapshot | undefined {
    const exact = this.exactValues;
    const near = this.nearValues;
    const tolerances = this.tolerances;
    exact.length = near.length = tolerances.length = 0;
    const scratch = this.scratch;
    const groups = this.plan.groups;
    for (let p = 0; p < this.executors.length; p++) {
      scratch.length = 0;
      this.executors[p]!.steadyState(scratch);
      exact.push(scratch[0]!, scratch[1]!);
      const channels = groups[p]!;
      for (let c = 0, at = 2; at < scratch.length; c++, at += 4) {
        const index = scratch[at]!;
        const group = channels[c];
        if (group === undefined) exact.push(0, index);
        else {
          const [first, period] = group;
          const rep = this.repOf(p, c, index);
          if (rep === -1) return undefined;
          // In its group: the step within the repetition and the repetition relative to the reference's.
          if (rep >= 0) exact.push(1, (index - first) % period, rep - refRep);
          else exact.push(2, index);
        }
        exact.push(scratch[at + 1]!, scratch[at + 2]!, scratch[at + 3]!);
      }
    }
    if (!view.steadyState(this.recorder)) return undefined;
    let hash = 0x811c9dc5;
    for (const value of exact) hash = Math.imul(hash ^ (value | 0) ^ ((value / 4294967296) | 0), 0x01000193);
    return { rep: refRep, nowNs: view.nowNs, hash, exact: Float64Array.from(exact), near: Float64Array.from(near), tolerance: Float64Array.from(tolerances) };
  }

  /** The latest kept snapshot equal to this one (exact numbers bit for bit, the rest within tolerance). */
  private match(snapshot: Snapshot): Snapshot | undefined {
    for (let k = this.snapshots.length - 1; k >= 0; k--) {
      const other = this.snapshots[k]!;
      if (other.hash !== snapshot.hash || other.exact.length !== snapshot.exact.length || other.near.length !== snapshot.near.length) continue;
      if (!sameExact(other.exact, snapshot.exact)) continue;
      if (nearAlike(other, snapshot)) return other;
    }
    return undefined;
  }

  /**
   * The recurrence holds twice in a row: cut as many whole periods as keep every cut tape's
   * place now within what the shortened schedule keeps, if that saves more than it re-runs.
   */
  private confirmed(view: SteadyView, candidate: Candidate, rep: number): void {
    this.done = true;
    let room = Infinity;
    const groups = this.plan.groups;
    for (let p = 0; p < this.executors.length; p++) {
      const executor = this.executors[p]!;
      groups[p]!.forEach((group, c) => {
        if (group === undefined) return;
        const at = this.repOf(p, c, executor.stepIndex(c));
        room = Math.min(room, at < 0 ? -1 : group[2] - at - 1);
      });
    }
    const periods = Math.floor(room / candidate.periodReps);
    const removeReps = periods * candidate.periodReps;
    // The shortened run re-simulates up to here: worth it only if it cuts more than that.
    if (!(periods >= 1 && removeReps > rep)) return;
    const stats = view.linkStats();
    const links = stats.length;
    const bytesCarried = new Float64Array(links);
    const busyNs = new Float64Array(links);
    const peakFlows = new Int32Array(links);
    for (let l = 0; l < links; l++) {
      bytesCarried[l] = stats[l]!.bytesCarried - candidate.stats[l]!.bytesCarried;
      busyNs[l] = stats[l]!.busyNs - candidate.stats[l]!.busyNs;
      peakFlows[l] = stats[l]!.peakConcurrentFlows;
    }
    throw new SteadyStateFound({
      periodReps: candidate.periodReps,
      periodNs: view.nowNs - candidate.nowNs,
      removeReps,
      periods,
      confirmedAtNs: view.nowNs,
      confirmedAtRep: rep,
      events: view.events - candidate.events,
      rounds: view.rounds - candidate.rounds,
      bytesCarried,
      busyNs,
      peakFlows,
    });
  }
}

/** Whether repetition `rep` is in a burst (see BURST). */
function inBurst(rep: number): boolean {
  if (rep < FIRST_BURST) return false;
  let start = FIRST_BURST;
  while (2 * start <= rep) start *= 2;
  return rep < start + BURST;
}

function sameExact(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function nearAlike(a: Snapshot, b: Snapshot): boolean {
  for (let i = 0; i < a.near.length; i++) {
    if (!(Math.abs(a.near[i]! - b.near[i]!) <= Math.max(a.tolerance[i]!, b.tolerance[i]!))) return false;
  }
  return true;
}
