/**
 * Steady-state fast-forward (issue #13 item 4, after Wormhole): a pipelined collective's long
 * middle repeats itself. A ring channel is runs of the same step (receive from the left,
 * send the same bytes to the right) thousands of times; a tree channel repeats one chunk's
 * steps per chunk. Once the pipeline is full, every repetition (a *period*: one repetition of
 * the schedule's long runs on every channel) takes the same simulated time Δ, moves the
 * same bytes over the same links (routes are per connection) and leaves the fabric as it
 * found it, shifted by Δ. So the time is affine in the number of periods:
 *
 *   T(periods) = a + periods · Δ      (once the fill and the drain fit in what is kept)
 *
 * Instead of simulating every period, this runs the schedule three times with most periods
 * cut out — every long timing group (StepTape.forEachTimingGroup; see steadyCut) on every
 * tape loses the same number x of repetitions (StepTape.shortened), keeping
 * K, 2K and 3K (x_A > x_B > x_C) — and extrapolates the two longer runs to x = 0:
 *
 *   Δ = (T_C − T_B) / (x_B − x_C),   T = T_C + x_C · Δ
 *
 * The shortest run checks the premise: in a steady state T_B − T_A = T_C − T_B, and the
 * residual |T_C − 2 T_B + T_A| / T says how far from it the run is (`on` retries above 1e-9).
 * This is `--fast-forward on`, approximate: the residual sees local linearity only (an NVL72
 * ring's channels drift apart after more periods than the short runs keep, speed.md §29).
 * `auto` is runRecurrent below, exact (recurrence.ts).
 *
 * Link bytes and busy time are extrapolated the same way (each period adds the same bytes
 * to the same links). The cut is only made when it keeps every connection's messages
 * matched: per connection, the sends cut at its source equal the recvs cut at its
 * destination (the coordinator matches messages first-in first-out per connection, and ghost
 * mode reads only peers and byte counts, so the shortened schedule is a valid run of fewer
 * periods). The result is not bit-identical to the exact run: the error is measured in
 * benchmarks/results/speed.md §12 against the exact engine.
 */
import { channelTapes, tapedParticipant, type Schedule, type StepTape } from '@weft/collectives';
import type { LinkStats } from '@weft/fabric';
import type { RunResult } from '../types.js';
import { recurrencePlan, RecurrenceWatch, SteadyStateFound, type Recurrence } from './recurrence.js';

/**
 * off: the exact engine, unwatched; auto: the exact engine watched for a recurrence of its
 * whole state (recurrence.ts: exact to float rounding, or the exact run itself); on: the
 * affine extrapolation from three short runs below (approximate).
 */
export type FastForwardMode = 'auto' | 'on' | 'off';

/**
 * Repetitions the cut groups keep in the first run (A); the second (B) and third (C) keep
 * twice and three times as many. All must hold the pipeline's fill and drain for T to be
 * affine. A ring's ranks start together, so its T is affine from one period kept (speed.md
 * §18: T(k) for k = 1 … 16 kept has one increment to every digit at 64–128 GPUs, 256 MiB –
 * 16 GiB); the residual checks it, and a run that fails is retried keeping more
 * (KEEP_REPS_LADDER). benchmarks/results/speed.md §12 and §18 measure the error against the
 * exact engine.
 */
export const KEEP_REPS = 2;

/**
 * The repetitions kept on each try (run A's; B and C keep 2× and 3×): a schedule whose fill
 * is deeper than a few periods (a tree's) fails the residual with few kept and passes with
 * more. Cheapest first: a steady ring passes the first rung at a quarter of 8's cost.
 */
export const KEEP_REPS_LADDER: readonly number[] = [KEEP_REPS, 4 * KEEP_REPS, 16 * KEEP_REPS];

/**
 * `auto` turns fast-forward on when the exact run posts more transfers than this (send
 * steps × iterations): about a minute of CPU on the 2-core machine of speed.md (§10: 128
 * GPUs, 1 GiB ring, ≈ 1 M transfers, 16.6 s; per-transfer cost grows with the cluster).
 */
export const FAST_FORWARD_AUTO_TRANSFERS = 4_000_000;

/**
 * `auto` tries a rung only if its three short runs simulate at most this share of the periods
 * (about that share of the exact run's CPU). A 16-channel NCCL tree at 1 GiB has 128 chunk
 * periods: its rung of 8 kept (48 simulated, 3/8 of the run) failed the residual at 1,024–16,384
 * GPUs (speed.md §24, §25) and added that cost to the exact run that followed; a ring's
 * thousands of periods pass every rung well under it.
 */
export const AUTO_TRY_SHARE = 1 / 4;

/** all: every long timing group; longest: each tape's longest; steps: a number of steps per tape from its long groups. */
export type CutMode = 'all' | 'longest' | 'steps';

/** Where a schedule is cut: timing groups of >= minReps repetitions lose removeA, removeB or removeC of them (runs A, B, C). */
export interface SteadyCut {
  readonly minReps: number;
  /** Which groups lose repetitions (see steadyCut); under `steps`, removeA/B/C count steps per tape. */
  readonly mode: CutMode;
  /** Repetitions of the shortest run cut (every one of them has at least this many). */
  readonly shortest: number;
  readonly removeA: number;
  readonly removeB: number;
  readonly removeC: number;
  /** Transfers the exact run would post per iteration (send steps of every tape). */
  readonly transfers: number;
}

/** What the fast-forward did, for the notice and the report. */
export interface FastForwardInfo {
  /** Periods the exact run has beyond the ones simulated in run B (x_B). */
  readonly periodsSkipped: number;
  /** Periods run B kept of the shortest cut run. */
  readonly periodsKept: number;
  /** Simulated time of one period (ns), Δ. */
  readonly periodNs: number;
  /**
   * How far T is from affine: |T_C − 2 T_B + T_A| / T, the change of the kept-period
   * increment between the runs, relative to the result. 0 (to rounding) in a steady state.
   */
  readonly residual: number;
}

/** Send steps of a schedule's tapes (the transfers one iteration posts); `only`: of those participants alone (a run's rank-class representatives). */
export function scheduleTransfers(schedule: Schedule, only?: readonly number[]): number {
  let sends = 0;
  for (const participant of only === undefined ? schedule.participants : only.map((p) => schedule.participants[p]!)) {
    for (const tape of channelTapes(participant)) {
      tape.forEachTimingGroup((first, period, reps) => {
        for (let t = first; t < first + period; t++) sends += tape.timingStep(t).sendPeers.length * reps;
      });
    }
  }
  return sends;
}

/**
 * The cut for a schedule, or null when it has no steady part worth cutting. Timing groups of
 * at least half the longest group's repetitions are cut, each by the same number; every cut
 * group must have more than 3 · keepReps, and the cut must keep every connection matched.
 * When cutting all of them does not (a ring whose blocks are ragged splits into groups of
 * one and two timing steps at different places on different ranks), only each tape's
 * longest group is cut: every rank's is receive-from-left, send-to-right.
 */
export function steadyCut(schedule: Schedule, keepReps = KEEP_REPS): SteadyCut | null {
  const tapes = schedule.participants.map((participant) => channelTapes(participant));
  let maxReps = 0;
  for (const channels of tapes) for (const tape of channels) maxReps = Math.max(maxReps, tape.longestTimingGroup()?.reps ?? 0);
  const minReps = Math.max(2, Math.ceil(maxReps / 2));
  for (const longestOnly of [false, true]) {
    let shortest = Infinity;
    forEachCutGroup(tapes, minReps, longestOnly, (_participant, _channel, _tape, _first, _period, reps) => (shortest = Math.min(shortest, reps)));
    const removeA = shortest - keepReps;
    const removeB = shortest - 2 * keepReps;
    const removeC = shortest - 3 * keepReps;
    // No group long enough (shortest stays Infinity: small sizes, a few steps per tape) cuts nothing.
    if (!Number.isFinite(shortest) || !(removeC >= 1)) continue;
    if (!cutKeepsMessagesMatched(tapes, minReps, longestOnly)) continue;
    // Cutting only the longest groups pays when they hold most of the steps; else cut by steps.
    if (longestOnly && stepsCut(tapes, keepReps) !== null) break;
    return { minReps, mode: longestOnly ? 'longest' : 'all', shortest, removeA, removeB, removeC, transfers: scheduleTransfers(schedule) };
  }
  const steps = stepsCut(tapes, keepReps);
  return steps === null ? null : { ...steps, transfers: scheduleTransfers(schedule) };
}

/**
 * The `steps` cut: every tape whose long groups (more than 4 · keepReps steps) all receive
 * from one peer and send to one on one channel loses the same number of steps
 * from them (StepTape.shortenedBySteps): a ring whose ragged blocks split its long stretch
 * into groups of one and two timing steps at different places on different ranks. Keeps
 * 4 · keepReps, 8 · keepReps and 12 · keepReps of the shortest such stretch.
 */
function stepsCut(tapes: readonly (readonly StepTape[])[], keepReps: number): Omit<SteadyCut, 'transfers'> | null {
  // Every group of more steps than one run keeps: a rank's stretch may split into a short
  // piece where its blocks turn ragged (an odd one at 1,440 GPUs).
  const keep = 4 * keepReps;
  const minSteps = keep;
  const balance = new ConnectionBalance(tapes);
  const add = balance.add;
  let shortest = Infinity;
  let uniform = true;
  tapes.forEach((channels, participant) => {
    channels.forEach((tape, channel) => {
      let signature: string | undefined;
      let steps = 0;
      tape.forEachTimingGroup((first, period, reps) => {
        if (period * reps < minSteps) return;
        steps += period * reps;
        for (let t = first; t < first + period; t++) {
          const step = tape.timingStep(t);
          const own = `${step.recvPeer},${step.sendPeers.join(' ')},${step.sendChannel}`;
          if (signature !== undefined && signature !== own) uniform = false;
          signature = own;
        }
      });
      if (signature === undefined) return;
      shortest = Math.min(shortest, steps);
      const [recvText, sendText, channelText] = signature.split(',') as [string, string, string];
      const recvPeer = Number(recvText);
      const sendChannel = Number(channelText);
      if (recvPeer >= 0) add(recvPeer, participant, channel, -1);
      for (const sendPeer of sendText === '' ? [] : sendText.split(' ').map(Number)) add(participant, sendPeer, sendChannel >= 0 ? sendChannel : channel, 1);
    });
  });
  if (!uniform || !Number.isFinite(shortest) || !balance.matched()) return null;
  // Even counts: a stretch of two-step groups only can lose steps in pairs.
  const even = (n: number) => 2 * Math.floor(n / 2);
  const removeA = even(shortest - keep);
  const removeB = even(shortest - 2 * keep);
  const removeC = even(shortest - 3 * keep);
  if (!(removeC >= 2)) return null;
  try {
    for (const channels of tapes) for (const tape of channels) for (const remove of [removeA, removeB, removeC]) if (hasLongGroup(tape, minSteps)) tape.shortenedBySteps(minSteps, remove);
  } catch {
    return null;
  }
  return { minReps: minSteps, mode: 'steps', shortest, removeA, removeB, removeC };
}

function hasLongGroup(tape: StepTape, minSteps: number): boolean {
  let long = false;
  tape.forEachTimingGroup((_first, period, reps) => (long ||= period * reps >= minSteps));
  return long;
}

/** Calls `fn` for every timing group the cut takes (see steadyCut). */
function forEachCutGroup(
  tapes: readonly (readonly StepTape[])[],
  minReps: number,
  longestOnly: boolean,
  fn: (participant: number, channel: number, tape: StepTape, firstTemplate: number, period: number, reps: number) => void,
): void {
  tapes.forEach((channels, participant) => {
    channels.forEach((tape, channel) => {
      if (longestOnly) {
        const group = tape.longestTimingGroup();
        if (group !== undefined && group.reps >= minReps) fn(participant, channel, tape, group.firstTemplate, group.period, group.reps);
        return;
      }
      tape.forEachTimingGroup((first, period, reps) => reps >= minReps && fn(participant, channel, tape, first, period, reps));
    });
  });
}

/**
 * Per connection (source, destination, channel), the messages one repetition of the cut
 * groups sends must equal those it receives: cutting the same repetitions everywhere then
 * leaves every recv its message.
 */
function cutKeepsMessagesMatched(tapes: readonly (readonly StepTape[])[], minReps: number, longestOnly: boolean): boolean {
  const balance = new ConnectionBalance(tapes);
  const add = balance.add;
  forEachCutGroup(tapes, minReps, longestOnly, (participant, channel, tape, first, period) => {
    for (let t = first; t < first + period; t++) {
      const step = tape.timingStep(t);
      if (step.recvPeer >= 0) add(step.recvPeer, participant, channel, -1);
      for (const sendPeer of step.sendPeers) add(participant, sendPeer, step.sendChannel >= 0 ? step.sendChannel : channel, 1);
    }
  });
  return balance.matched();
}

/**
 * Messages sent and messages received per connection (source, destination, channel), each
 * connection one number: (source · participants + destination) · channels + channel, where
 * channels is the most any participant has (a message's channel is one of its receiver's);
 * below 2^38 at 65,536 GPUs. Every connection balances when the sorted sends equal the sorted
 * receives (the same multiset): two native sorts of typed arrays instead of a map of ≈ 10^6
 * text keys, which took a tenth of a 16,384-GPU run's set-up.
 */
class ConnectionBalance {
  private readonly sent: number[] = [];
  private readonly received: number[] = [];
  private readonly participants: number;
  private readonly channels: number;
  /** A connection outside the ranges above (no schedule sends so): never balanced. */
  private outOfRange = false;

  constructor(tapes: readonly (readonly StepTape[])[]) {
    this.participants = tapes.length;
    let channels = 1;
    for (const tapesOf of tapes) channels = Math.max(channels, tapesOf.length);
    this.channels = channels;
  }

  /** One message on (src, dst, channel): +1 sent, −1 received. */
  readonly add = (src: number, dst: number, channel: number, delta: 1 | -1): void => {
    if (!(src >= 0 && src < this.participants && dst >= 0 && dst < this.participants && channel >= 0 && channel < this.channels)) {
      this.outOfRange = true;
      return;
    }
    (delta > 0 ? this.sent : this.received).push((src * this.participants + dst) * this.channels + channel);
  };

  /** True when every connection's sends equal its receives. */
  matched(): boolean {
    if (this.outOfRange || this.sent.length !== this.received.length) return false;
    const sent = Float64Array.from(this.sent).sort();
    const received = Float64Array.from(this.received).sort();
    for (let i = 0; i < sent.length; i++) if (sent[i] !== received[i]) return false;
    return true;
  }
}

/** The schedule with `remove` repetitions (steps, under mode `steps`) cut from the timing groups the cut takes. */
export function shortenedSchedule(schedule: Schedule, minReps: number, remove: number, mode: CutMode = 'all'): Schedule {
  const shorten = (tape: StepTape) =>
    mode !== 'steps' ? tape.shortened(minReps, remove, mode === 'longest') : hasLongGroup(tape, minReps) ? tape.shortenedBySteps(minReps, remove) : tape;
  const participants = schedule.participants.map((participant) => tapedParticipant(participant.kind, channelTapes(participant).map(shorten)));
  return { ...schedule, participants };
}

/**
 * The schedules runFastForward runs. Its cut keeps every connection's message counts matched,
 * not their sizes: where a channel's blocks differ by an element (a ring over a count its
 * ranks do not divide), a cut by steps pairs a send with a receive of the next size, which
 * the run times by the bytes sent (the approximation the residual measures) instead of
 * refusing it as ghost mode refuses a schedule's own mismatched sizes.
 */
const approximateCuts = new WeakSet<Schedule>();

/** Whether `schedule` is one of runFastForward's cuts (Cluster.runSchedule then lets its message sizes differ). */
export function isApproximateCut(schedule: Schedule): boolean {
  return approximateCuts.has(schedule);
}

/**
 * Whether `mode` fast-forwards a schedule with this cut. `auto` also wants the three
 * shortened runs to simulate at most AUTO_TRY_SHARE of the shortest cut stretch (else a run
 * that turns out not steady costs that much again of the exact run before falling back to it).
 */
export function fastForwardApplies(mode: FastForwardMode, cut: SteadyCut | null, iters: number): cut is SteadyCut {
  if (cut === null || mode === 'off') return false;
  if (mode === 'on') return true;
  const simulated = 6 * (cut.shortest - cut.removeA);
  return cut.transfers * iters > FAST_FORWARD_AUTO_TRANSFERS && simulated <= cut.shortest * AUTO_TRY_SHARE;
}

/**
 * Runs the two shortened schedules with `run` and extrapolates to the whole one: time, link
 * bytes and busy time, events and rounds (the counts the exact run would have, rounded).
 */
export async function runFastForward(schedule: Schedule, cut: SteadyCut, run: (schedule: Schedule) => Promise<RunResult>): Promise<RunResult & { readonly fastForward: FastForwardInfo }> {
  const runCut = (remove: number) => {
    const shortened = shortenedSchedule(schedule, cut.minReps, remove, cut.mode);
    approximateCuts.add(shortened);
    return run(shortened);
  };
  const a = await runCut(cut.removeA);
  const b = await runCut(cut.removeB);
  const c = await runCut(cut.removeC);
  // Extrapolate from the two longer runs; the shortest one only checks that T is affine.
  const span = cut.removeB - cut.removeC;
  const extend = (vb: number, vc: number) => vc + (cut.removeC * (vc - vb)) / span;
  const elapsedB = elapsedNs(b.linkStats);
  const elapsedC = elapsedNs(c.linkStats);
  const elapsed = elapsedB !== undefined && elapsedC !== undefined ? extend(elapsedB, elapsedC) : undefined;
  const linkStats = c.linkStats.map((lc, index): LinkStats => {
    const lb = b.linkStats[index]!;
    const bytesCarried = extend(lb.bytesCarried, lc.bytesCarried);
    const utilization = elapsed !== undefined && elapsed > 0 && lc.bandwidthBytesPerSec > 0 ? (bytesCarried * 1e9) / (lc.bandwidthBytesPerSec * elapsed) : lc.utilization;
    return { ...lc, bytesCarried, busyNs: extend(lb.busyNs, lc.busyNs), utilization, peakConcurrentFlows: Math.max(lb.peakConcurrentFlows, lc.peakConcurrentFlows) };
  });
  const timeNs = extend(b.timeNs, c.timeNs);
  const runs = [a, b, c];
  const sum = (pick: (r: RunResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  return {
    ...c,
    timeNs,
    wallMs: sum((r) => r.wallMs),
    phasesMs: { prepareMs: sum((r) => r.phasesMs.prepareMs), simulateMs: sum((r) => r.phasesMs.simulateMs), checkMs: 0 },
    linkStats,
    events: Math.round(extend(b.events, c.events)),
    rounds: Math.round(extend(b.rounds, c.rounds)),
    fastForward: {
      periodsSkipped: cut.removeC,
      periodsKept: cut.shortest - cut.removeC,
      periodNs: (c.timeNs - b.timeNs) / span,
      residual: Math.abs(c.timeNs - 2 * b.timeNs + a.timeNs) / timeNs,
    },
  };
}

/** The run's elapsed simulated time as the link statistics saw it (bytes / (bandwidth · utilization)), from the busiest link. */
function elapsedNs(stats: readonly LinkStats[]): number | undefined {
  let best: LinkStats | undefined;
  for (const link of stats) if (link.utilization > 0 && (best === undefined || link.bytesCarried > best.bytesCarried)) best = link;
  return best === undefined ? undefined : (best.bytesCarried * 1e9) / (best.bandwidthBytesPerSec * best.utilization);
}

/** What the recurrence fast-forward did (runRecurrent), for the report. */
export interface RecurrenceInfo {
  /** Repetitions of each cut group not simulated, and the recurrence's period in repetitions and ns. */
  readonly repsSkipped: number;
  readonly periodReps: number;
  readonly periodNs: number;
  /** Repetitions of the reference tape's group in the exact run, and snapshots taken. */
  readonly reps: number;
}

/**
 * A ghost run (one iteration) with the exact fast-forward: run watched (recurrence.ts); if
 * its state recurs, the run stops there, the schedule with m whole periods cut is run, and
 * m periods' time, link bytes and busy time, events and rounds are added. Otherwise the
 * watched run is the exact run and is returned as it is. `run` takes the watch into the
 * cluster (RunScheduleOptions.watch).
 */
export async function runRecurrent(
  schedule: Schedule,
  run: (schedule: Schedule, watch?: RecurrenceWatch) => Promise<RunResult>,
): Promise<RunResult & { readonly recurrence?: RecurrenceInfo }> {
  const plan = recurrencePlan(schedule, (tapes, minReps) => cutKeepsMessagesMatched(tapes, minReps, true));
  if (plan === null) return run(schedule);
  let found: Recurrence;
  try {
    return await run(schedule, new RecurrenceWatch(plan));
  } catch (error) {
    if (!(error instanceof SteadyStateFound)) throw error;
    found = error.recurrence;
  }
  const short = await run(shortenedSchedule(schedule, plan.minReps, found.removeReps, 'longest'));
  const m = found.periods;
  const elapsedShort = elapsedNs(short.linkStats);
  const elapsed = elapsedShort !== undefined ? elapsedShort + m * found.periodNs : undefined;
  const linkStats = short.linkStats.map((link, index): LinkStats => {
    const bytesCarried = link.bytesCarried + m * found.bytesCarried[index]!;
    const utilization = elapsed !== undefined && elapsed > 0 && link.bandwidthBytesPerSec > 0 ? (bytesCarried * 1e9) / (link.bandwidthBytesPerSec * elapsed) : link.utilization;
    return { ...link, bytesCarried, busyNs: link.busyNs + m * found.busyNs[index]!, utilization, peakConcurrentFlows: Math.max(link.peakConcurrentFlows, found.peakFlows[index]!) };
  });
  const [participant, channel] = plan.reference;
  return {
    ...short,
    timeNs: short.timeNs + m * found.periodNs,
    linkStats,
    events: short.events + m * found.events,
    rounds: short.rounds + m * found.rounds,
    recurrence: { repsSkipped: found.removeReps, periodReps: found.periodReps, periodNs: found.periodNs, reps: plan.groups[participant]![channel]![2] },
  };
}
