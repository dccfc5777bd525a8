/**
 * One loop iteration of channel rings that start together: the lockstep start and the drift
 * that slower hops (a NIC between servers) cause, as the fluid of one period of one ring.
 *
 * Every channel launches at once and every position of a ring sends its first block at
 * time 0, so at first all channels cross a rank's NVLink together: each step is the link's
 * shared transfer and then the step's latency α, with the link idle meanwhile (a message
 * lands at sent + α). A slower hop (NIC: larger α, lower bandwidth) delays the positions
 * downstream of it, so channels whose position at a rank lies behind a NIC hop fall back
 * and later share the link with fewer others. Neither "all in lockstep" nor "all apart"
 * (nccl-ring.ts stepHopNs) holds for long; the time is what the shared links give step by
 * step.
 *
 * The channel search's rings (channels/search.ts) are rotations of each other: each ring's
 * sequence of hop classes (intra / inter server) is the same periodic one, and every rank
 * sends at the same set of phases of that period (dgx-h100:nodes=2: each GPU is at each of
 * the 8 positions of a server's segment in one of the 8 rings, twice with 16 channels). Then
 * every position of a phase sees the same timeline, and one period of one ring is the whole
 * run: P phases, each sending its messages one after another, the transfer of a message of
 * phase p sharing its class's bandwidth (cost.intra / cost.inter, the rank's port: send and
 * receive each) max-min with the other channels' messages of that class in flight at the
 * rank, equal shares. The inputs are those of stepHopNs (α and bandwidth per hop class, the
 * channels' rings); nothing is fitted. When the rings are not rotations of one another (rank
 * order on a multi-server layout) the caller keeps its closed form. When they are but ranks
 * hold different phases (NVL72's channels enter a rack at GPU c and leave from GPU c+1) one
 * period of one ring is not the whole run: ring-position-fluid.ts follows every position.
 */
import { sameGroup } from './cost.js';
import { mod } from './logical.js';
import { positionFluidNs } from './ring-position-fluid.js';
import type { CostParams, PlanParams } from './types.js';

/** The rotation-symmetric form of a set of channel rings, or null when they have none. */
interface RingPhases {
  /** Phases of the period; class of each phase (0 intra, 1 inter). */
  readonly period: number;
  readonly inter: Uint8Array;
  /** Channel messages a rank sends (receives) at each phase: the same for every rank. */
  readonly sends: Int32Array;
  readonly receives: Int32Array;
}

/** Rings whose hop classes are rotations of one period but whose ranks differ in the phases they hold. */
interface Unequal {
  readonly unequal: true;
  readonly period: number;
}

/**
 * The period of the rings' hop classes and the channels each rank has at each phase; null
 * when a ring's classes are not a rotation of the first ring's, Unequal when ranks differ in
 * their phases (NVL72: each GPU holds its own window of the rack's period).
 */
function ringPhases(orders: readonly (readonly number[])[], params: PlanParams): RingPhases | Unequal | null {
  const n = orders[0]?.length ?? 0;
  if (n < 2 || orders.some((order) => order.length !== n)) return null;
  const same = sameGroup(params);
  const classesOf = (order: readonly number[]): Uint8Array => Uint8Array.from(order, (a, i) => (same(a, order[(i + 1) % n]!) ? 0 : 1));
  const first = classesOf(orders[0]!);
  let period = 1;
  while (period < n && (n % period !== 0 || first.some((k, i) => k !== first[i % period]))) period++;
  const sends = new Int32Array(params.nranks * period);
  const receives = new Int32Array(params.nranks * period);
  for (const order of orders) {
    const classes = classesOf(order);
    let shift = 0;
    while (shift < period && classes.some((k, i) => k !== first[(i + shift) % period])) shift++;
    if (shift === period) return null;
    order.forEach((a, i) => {
      const phase = (i + shift) % period;
      sends[a * period + phase]!++;
      receives[order[(i + 1) % n]! * period + phase]!++;
    });
  }
  const ranks = orders[0]!;
  const rowsEqual = (rows: Int32Array): boolean =>
    ranks.every((a) => {
      for (let p = 0; p < period; p++) if (rows[a * period + p] !== rows[ranks[0]! * period + p]) return false;
      return true;
    });
  if (!rowsEqual(sends) || !rowsEqual(receives)) return { unequal: true, period };
  const row = (rows: Int32Array): Int32Array => rows.slice(ranks[0]! * period, (ranks[0]! + 1) * period);
  return { period, inter: first.slice(0, period), sends: row(sends), receives: row(receives) };
}

/**
 * The time of one loop iteration of the rings `orders` (every channel's ring, each channel
 * moving 1/c of `stepBytes` per step): `hops` dependent steps, each step's block in s messages
 * carrying the shares `shares` of it (nccl-ring.ts sliceShares), every position starting at
 * time 0. A position sends message q (step ⌊q/s⌋, slice q mod s) once it has sent q-1 and, from the second step on, received message q-s
 * from its predecessor; a message lands α after its last byte left. Returns when the last
 * message has landed, or null when the rings are not rotations of one another (ringPhases),
 * every channel takes one ring, or the fluid of every position is too long to follow.
 */
export function lockstepRingIterationNs(orders: readonly (readonly number[])[], hops: number, stepBytes: number, shares: readonly number[], params: PlanParams, cost: CostParams): number | null {
  const phases = ringPhases(orders, params);
  const blockBytes = stepBytes / orders.length;
  // Ranks of different phases drift apart by their own loads: follow every position. Every
  // channel on one ring (rank order across servers) moves in lockstep, as the caller's closed
  // form has it.
  if (phases !== null && 'unequal' in phases) {
    if (orders.every((order) => order.every((r, i) => r === orders[0]![i]))) return null;
    const run = (h: number): number | null => positionFluidNs(orders, h, blockBytes, shares, params, cost);
    // Its cost is per hop run: extrapolate only where the two runs are shorter than the whole.
    const P = phases.period;
    return hops > 2 * (POSITION_STEADY_PERIODS + 1) * P + P ? extrapolatedNs(hops, P, POSITION_STEADY_PERIODS, run) : run(hops);
  }
  // A period as long as a huge ring (no repeating hop classes) would cost O(period²) per step.
  if (phases === null || phases.period > MAX_PERIOD) return null;
  return extrapolatedNs(hops, phases.period, STEADY_PERIODS, (h) => phaseFluidNs(phases, h, blockBytes, shares, cost));
}

/**
 * `run(hops)`, or for a long ring its first `steady` periods of `period` hops (and the rest
 * to end on a whole period) and every further period at the last one's increment: once the
 * start's lockstep has drifted apart the timeline repeats every period of steps, so the cost
 * stays that of those periods, not of all 2(n-1) steps.
 */
function extrapolatedNs(hops: number, period: number, steady: number, run: (hops: number) => number | null): number | null {
  const periods = Math.floor((hops - steady * period) / period);
  if (periods <= 1) return run(hops);
  const head = hops - periods * period;
  const [a, b] = [run(head), run(head + period)];
  return a === null || b === null ? null : a + periods * (b - a);
}

/** The longest period of hop classes the fluid runs (a server of up to 72 GPUs, NVL72, has one of at most 72). */
const MAX_PERIOD = 128;

/** Periods of the hop classes the fluid runs before a long ring's steps are extrapolated (the start's drift settles within a few). */
const STEADY_PERIODS = 32;

/**
 * The same for the fluid of every position, which costs every rank's channels per step:
 * nvl72:variant=gb200,racks=8 ring/LL128 256 MiB's increment per 72 hops is 300.7, 283.8,
 * 283.5, 283.6 µs from 144 hops on, steady from the fourth period (predicted 2,373.4 µs
 * following all 1,150 hops, 2,377.2 extrapolated from 358 and 430; simulated 2,375.4).
 */
const POSITION_STEADY_PERIODS = 4;

/** The fluid of lockstepRingIterationNs over one period of `phases`: `hops` steps of `blockBytes` per channel, each in messages of the shares `shares` of it. */
function phaseFluidNs(phases: RingPhases, hops: number, blockBytes: number, shares: readonly number[], cost: CostParams): number | null {
  const { period: P, inter, sends, receives } = phases;
  const slices = shares.length;
  const messages = hops * slices;
  const messageBytes = (q: number): number => blockBytes * shares[q % slices]!;
  if (messages <= 0) return 0;
  const alphaNs = [cost.intra.alphaNs, cost.inter.alphaNs];
  const bytesPerNs = [cost.intra.bandwidthBytesPerSec / 1e9, cost.inter.bandwidthBytesPerSec / 1e9];
  // Per phase: time each message's last byte left (NaN until then), the message in hand,
  // when its transfer starts (NaN while it waits for its predecessor), bytes left of it.
  const sentNs = Array.from({ length: P }, () => new Float64Array(messages).fill(NaN));
  const next = new Int32Array(P);
  const startNs = new Float64Array(P);
  const leftBytes = new Float64Array(P).fill(messageBytes(0));
  const startOf = (p: number): number => {
    const q = next[p]!;
    const own = q > 0 ? sentNs[p]![q - 1]! : 0;
    if (q < slices) return own;
    const before = mod(p - 1, P);
    return Math.max(own, sentNs[before]![q - slices]! + alphaNs[inter[before]!]!);
  };
  for (let p = 0; p < P; p++) startNs[p] = startOf(p);
  let nowNs = 0;
  let finished = 0;
  const rate = new Float64Array(P);
  while (finished < P) {
    // Max-min with equal shares: a message gets its class's bandwidth over the channel
    // messages of that class in flight at its sender (sends) or receiver (receives).
    const load = [0, 0, 0, 0];
    for (let p = 0; p < P; p++) {
      if (next[p]! < messages && startNs[p]! <= nowNs) {
        load[inter[p]!]! += sends[p]!;
        load[2 + inter[p]!]! += receives[p]!;
      }
    }
    let eventNs = Infinity;
    for (let p = 0; p < P; p++) {
      if (next[p]! >= messages || Number.isNaN(startNs[p]!)) continue;
      if (startNs[p]! > nowNs) {
        eventNs = Math.min(eventNs, startNs[p]!);
        continue;
      }
      const k = inter[p]!;
      rate[p] = bytesPerNs[k]! / Math.max(load[k]!, load[2 + k]!);
      eventNs = Math.min(eventNs, nowNs + leftBytes[p]! / rate[p]!);
    }
    if (eventNs === Infinity) return null;
    const doneNs: number[] = [];
    for (let p = 0; p < P; p++) {
      if (next[p]! >= messages || Number.isNaN(startNs[p]!) || startNs[p]! > nowNs) continue;
      leftBytes[p] = leftBytes[p]! - rate[p]! * (eventNs - nowNs);
      // Done when what is left is a rounding residue, or too little to move the clock: at
      // 264 µs a float's step is ~6e-11 ns, and a residue of 5e-9 B at 185 B/ns would take
      // less, so the clock would never pass it (the loop stood still there).
      if (leftBytes[p]! <= messageBytes(next[p]!) * 1e-9 || eventNs + leftBytes[p]! / rate[p]! === eventNs) doneNs.push(p);
    }
    nowNs = eventNs;
    for (const p of doneNs) {
      sentNs[p]![next[p]!] = nowNs;
      next[p] = next[p]! + 1;
      if (next[p] === messages) finished++;
      else leftBytes[p] = messageBytes(next[p]!);
    }
    for (let p = 0; p < P; p++) if (next[p]! < messages && (Number.isNaN(startNs[p]!) || doneNs.length > 0)) startNs[p] = startOf(p);
  }
  let lastNs = 0;
  for (let p = 0; p < P; p++) lastNs = Math.max(lastNs, sentNs[p]![messages - 1]! + alphaNs[inter[p]!]!);
  return lastNs;
}
