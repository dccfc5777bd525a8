/**
 * A channel's steps, compact: numbers in flat arrays instead of a Step and two Slice objects
 * per step, and repetition folded as it is written. Schedules repeat themselves: a ring's
 * channel is runs of the same primitive to the same peers on same-sized slices whose offsets
 * move by a fixed stride (one block, or, with NCCL's slices, a period of two steps per
 * block). A tape stores such a run once: its template of `period` steps, each with its
 * offset strides, and its repetition count. At 256 ranks × 16 channels a ring's 4 M steps
 * become a few runs per channel, so memory no longer grows as ranks × steps × objects.
 *
 * A run is formed only from steps seen to repeat three times with constant strides (two at
 * the end of a tape), so a step sequence always decodes to exactly the steps written, in
 * order (tests compare every field). Steps are read back with a TapeCursor (no object per
 * step) or materialized as Step objects for the code that wants them (checker, reference,
 * drawings).
 *
 * A step that posts to several peers (steps.ts `fanOut`) keeps the same record: its SEND_PEER
 * field holds -2 - i, i the index of its peer list (every peer it posts to, in order) in the
 * tape's own table of distinct lists, so steps with one peer cost nothing more and a tree's
 * runs still fold (the same list is the same number).
 */
import { PRIMITIVES, type Step, type StepOp } from './steps.js';
import type { BufferName, Slice } from './types.js';

export const STEP_OPS = Object.keys(PRIMITIVES) as StepOp[];
/** Each primitive's code on a tape (its index in STEP_OPS). */
export const STEP_OP_CODE = Object.fromEntries(STEP_OPS.map((op, i) => [op, i])) as Record<StepOp, number>;
/** Whether each op code receives (PRIMITIVES[op].recv), for reading records. */
const OP_RECV = STEP_OPS.map((op) => PRIMITIVES[op].recv);
export const BUFFER_NAMES: readonly BufferName[] = ['input', 'output', 'scratch'];
const BUFFER_CODE = new Map<BufferName, number>(BUFFER_NAMES.map((b, i) => [b, i]));

// One step record: the Step's fields, -1 where it has none (a buffer of -1: no slice);
// SEND_PEER <= -2 names a peer list (see the header).
const OP = 0;
const PEER = 1;
const SEND_PEER = 2;
const SEND_CHANNEL = 3;
const SRC_BUF = 4;
const SRC_OFF = 5;
const SRC_COUNT = 6;
const DST_BUF = 7;
const DST_OFF = 8;
const DST_COUNT = 9;
const FIELDS = 10;
// A template record adds its offset strides per repetition and how its peer moves: by
// PEER_STEP per repetition, wrapping within [PEER_LOW, PEER_LOW + PEER_MOD) when PEER_MOD > 0
// (a switch's multicast that starts one rank later each chunk; StepBuilder.repeatAll).
const SRC_STRIDE = 10;
const DST_STRIDE = 11;
const PEER_STEP = 12;
const PEER_LOW = 13;
const PEER_MOD = 14;
const TEMPLATE_FIELDS = 15;
// A run: its first template record, its period (steps per repetition) and repetitions.
const RUN_FIRST = 0;
const RUN_PERIOD = 1;
const RUN_REPS = 2;
const RUN_FIELDS = 3;

/** The longest period looked for (a ring with NCCL's slices needs 2). */
const MAX_PERIOD = 4;
/** Repetitions seen before a run forms while writing. */
const REPS_TO_FORM = 3;

const NO_PEERS: readonly number[] = Object.freeze([]);
const NO_LISTS: readonly (readonly number[])[] = Object.freeze([]);

/** A tape's distinct peer lists of multi-peer sends (every peer, in order), each list's fan-out (all but its first), and a list's index by its text, for interning. */
interface PeerListTable {
  readonly lists: (readonly number[])[];
  readonly fanOuts: (readonly number[])[];
  readonly indexByKey: Map<string, number>;
}

/** The SEND_PEER code of peer list `index`, and back. */
const listCode = (index: number): number => -2 - index;
const listIndex = (code: number): number => -2 - code;

export class StepTape {
  /** Template records, TEMPLATE_FIELDS numbers each (shared, never rewritten, by the shortened copies). */
  private templates: number[] = [];
  /** Runs, RUN_FIELDS numbers each; the last one may be open (still growing). */
  private runs: number[] = [];
  /** Steps written but not yet in a run, FIELDS numbers each. */
  private pending: number[] = [];
  /** Whether the last run is open, and how many steps of its next repetition matched. */
  private open = false;
  private openPos = 0;
  private steps = 0;
  /**
   * The peer lists of multi-peer sends, made on the first one: most tapes never have one, and
   * a plan has a tape per participant and channel (5.9 M at 65,536 GPUs under nvlstree, where
   * an empty tape with its own table took 458 B).
   */
  private peers: PeerListTable | undefined;

  /** Steps written. */
  get length(): number {
    return this.steps;
  }

  /** Bytes the tape holds (8 per stored number), for memory budgets. */
  get footprintBytes(): number {
    // A peer list and its fan-out: 2·length − 1 numbers.
    let listNumbers = 0;
    for (const list of this.peers?.lists ?? NO_LISTS) listNumbers += 2 * list.length - 1;
    return 8 * (this.templates.length + this.runs.length + this.pending.length + listNumbers);
  }

  /** Whether the tape holds every step in runs (sealed, or nothing written since it was). */
  get isSealed(): boolean {
    return !this.open && this.pending.length === 0;
  }

  /** Runs stored (for tests and memory estimates). */
  get runCount(): number {
    return this.runs.length / RUN_FIELDS + (this.pending.length > 0 ? this.pending.length / FIELDS : 0);
  }

  pushStep(step: Step): void {
    const s = step as { op: StepOp; peer?: number; sendPeer?: number; sendChannel?: number; src?: Slice; dst?: Slice; fanOut?: readonly number[] };
    const op = Object.hasOwn(STEP_OP_CODE, s.op) ? STEP_OP_CODE[s.op] : undefined;
    if (op === undefined) throw new RangeError(`unknown step op '${String(s.op)}'; accepted: ${STEP_OPS.join(', ')}`);
    this.push(op, s.peer ?? -1, s.sendPeer ?? -1, s.sendChannel ?? -1, s.src, s.dst, PRIMITIVES[s.op].send ? s.fanOut : undefined);
  }

  /**
   * Writes one step (fields as in Step; -1 / undefined where it has none). `fanOut`: the
   * further peers a sending step posts to (steps.ts), after `sendPeer` (a pure send's `peer`).
   */
  push(op: number, peer: number, sendPeer: number, sendChannel: number, src: Slice | undefined, dst: Slice | undefined, fanOut?: readonly number[]): void {
    sendPeer = this.sendPeerField(op, peer, sendPeer, fanOut);
    this.pushFields(op, peer, sendPeer, sendChannel, src === undefined ? -1 : BUFFER_CODE.get(src.buffer)!, src?.offset ?? 0, src?.count ?? 0, dst === undefined ? -1 : BUFFER_CODE.get(dst.buffer)!, dst?.offset ?? 0, dst?.count ?? 0);
  }

  /**
   * The SEND_PEER field of a step that posts to `fanOut` besides its first peer: the code of
   * the peer list [first, ...fanOut] in this tape's table (added if new); `sendPeer` itself
   * without a fan-out. Step records (stepRecord) for this tape carry it too.
   */
  sendPeerField(op: number, peer: number, sendPeer: number, fanOut: readonly number[] | undefined): number {
    if (fanOut === undefined || fanOut.length === 0) return sendPeer;
    return listCode(this.internPeers(PRIMITIVES[STEP_OPS[op]!].recv ? sendPeer : peer, fanOut));
  }

  /**
   * Writes `reps` repetitions of the steps `record` makes (stepRecord, one record per step
   * of a repetition, offsets of the first), repetition r's offsets moved by r times each
   * step's `strides` (stepRecord's). The tape ends up exactly as if every step were pushed
   * one by one — same runs, same steps — but once the steps have formed a run that the rest
   * continues, the remaining repetitions are counted into it at once: a ring channel's
   * thousands of like steps cost a few pushes.
   */
  pushRun(records: readonly number[], strides: readonly number[], reps: number): void {
    const period = records.length / FIELDS;
    if (period === 0) return;
    for (let r = 0; r < reps; r++) {
      if (this.open && this.openPos === 0 && this.pending.length === 0) {
        const factor = this.openRunContinues(records, strides, r);
        if (factor > 0) {
          this.runs[this.runs.length - RUN_FIELDS + RUN_REPS]! += (reps - r) * factor;
          this.steps += (reps - r) * period;
          return;
        }
      }
      for (let t = 0; t < records.length; t += FIELDS) {
        const s = (t / FIELDS) * 2;
        const rec = records;
        this.pushFields(rec[t + OP]!, rec[t + PEER]!, rec[t + SEND_PEER]!, rec[t + SEND_CHANNEL]!, rec[t + SRC_BUF]!, rec[t + SRC_OFF]! + r * strides[s]!, rec[t + SRC_COUNT]!, rec[t + DST_BUF]!, rec[t + DST_OFF]! + r * strides[s + 1]!, rec[t + DST_COUNT]!);
      }
    }
  }

  /**
   * How many of the open run's repetitions one repetition of `records` from repetition
   * `rep` on makes, when every later repetition continues the open run step for step (its
   * period divides theirs, shapes equal, offsets where the run expects them and strides
   * its strides times that factor); 0 when they do not. The open run is at a repetition's start.
   */
  private openRunContinues(records: readonly number[], strides: readonly number[], rep: number): number {
    const r = this.runs.length - RUN_FIELDS;
    const first = this.runs[r + RUN_FIRST]!;
    const q = this.runs[r + RUN_PERIOD]!;
    const reps = this.runs[r + RUN_REPS]!;
    const period = records.length / FIELDS;
    if (period % q !== 0) return 0;
    const factor = period / q;
    const tm = this.templates;
    for (let t = 0; t < period; t++) {
      const a = t * FIELDS;
      const tt = (first + (t % q)) * TEMPLATE_FIELDS;
      if (!sameShape(records, a, tm, tt)) return 0;
      const expectedRep = reps + Math.floor(t / q);
      if (strides[2 * t] !== factor * tm[tt + SRC_STRIDE]! || strides[2 * t + 1] !== factor * tm[tt + DST_STRIDE]!) return 0;
      if (records[a + SRC_OFF]! + rep * strides[2 * t]! !== tm[tt + SRC_OFF]! + expectedRep * tm[tt + SRC_STRIDE]!) return 0;
      if (records[a + DST_OFF]! + rep * strides[2 * t + 1]! !== tm[tt + DST_OFF]! + expectedRep * tm[tt + DST_STRIDE]!) return 0;
    }
    return factor;
  }

  private pushFields(op: number, peer: number, sendPeer: number, sendChannel: number, srcBuf: number, srcOff: number, srcCount: number, dstBuf: number, dstOff: number, dstCount: number): void {
    this.steps += 1;
    // The common case: the step continues the open run (nothing pending then).
    if (this.open && this.extendsOpenRun(op, peer, sendPeer, sendChannel, srcBuf, srcOff, srcCount, dstBuf, dstOff, dstCount)) return;
    this.pending.push(op, peer, sendPeer, sendChannel, srcBuf, srcOff, srcCount, dstBuf, dstOff, dstCount);
    this.absorb(REPS_TO_FORM);
  }

  /** The index of the peer list [first, ...fanOut] in this tape's table (added if new). */
  private internPeers(first: number, fanOut: readonly number[]): number {
    const list = [first, ...fanOut];
    const key = list.join(',');
    const peers = this.peerTable();
    let index = peers.indexByKey.get(key);
    if (index === undefined) {
      index = peers.lists.length;
      peers.lists.push(list);
      peers.fanOuts.push(list.slice(1));
      peers.indexByKey.set(key, index);
    }
    return index;
  }

  private peerTable(): PeerListTable {
    return (this.peers ??= { lists: [], fanOuts: [], indexByKey: new Map() });
  }

  /**
   * Appends `reps` repetitions of `templates` (templateRecord's, one per step of a
   * repetition) as one run of its own, after sealing what came before: for repetitions the
   * builder knows (StepBuilder.repeatAll), including periods longer than the tape looks for
   * and peers that rotate. Steps pushed after it start afresh.
   */
  appendRun(templates: readonly number[], reps: number): void {
    const period = templates.length / TEMPLATE_FIELDS;
    if (period === 0 || reps <= 0) return;
    this.seal();
    const first = this.templates.length / TEMPLATE_FIELDS;
    for (const value of templates) this.templates.push(value);
    this.runs.push(first, period, reps);
    this.steps += period * reps;
  }

  /** Closes the open run and folds what is pending (called when the schedule is built). */
  seal(): void {
    for (;;) {
      if (this.open) this.pending = [...this.closeRun(), ...this.pending];
      this.absorb(2, true);
      if (!this.open) return;
      // What matched only part of the open run's next repetition is folded again.
      const partial = this.closeRun();
      if (partial.length === 0) return;
      this.pending = partial;
    }
  }

  /** Every step as a Step object (the Schedule's `channels` view); seals the tape. */
  materialize(): Step[] {
    this.seal();
    const out: Step[] = [];
    const cursor = new TapeCursor(this);
    while (cursor.next()) out.push(cursor.step());
    return out;
  }

  // ---- writing ------------------------------------------------------------------------

  /** Extends the open run with pending steps, or forms runs of `reps` repetitions from them. */
  private absorb(reps: number, final = false): void {
    let from = 0;
    const p = this.pending;
    while (from < p.length) {
      if (this.open) {
        const f = from;
        if (this.extendsOpenRun(p[f + OP]!, p[f + PEER]!, p[f + SEND_PEER]!, p[f + SEND_CHANNEL]!, p[f + SRC_BUF]!, p[f + SRC_OFF]!, p[f + SRC_COUNT]!, p[f + DST_BUF]!, p[f + DST_OFF]!, p[f + DST_COUNT]!)) {
          from += FIELDS;
          continue;
        }
        // The run ends at its last whole repetition; a partial one goes back to pending.
        p.splice(from, 0, ...this.closeRun());
        continue;
      }
      const period = this.periodAt(from, reps);
      if (period > 0) {
        this.openRun(from, period, reps);
        from += period * reps * FIELDS;
        continue;
      }
      if (!final && (p.length - from) / FIELDS < MAX_PERIOD * reps) break;
      this.emitSingleAt(from);
      from += FIELDS;
    }
    this.pending = from === 0 ? p : p.slice(from);
  }

  /** The least period whose `reps` repetitions start at `from` with constant strides, or 0. */
  private periodAt(from: number, reps: number): number {
    const p = this.pending;
    const available = (p.length - from) / FIELDS;
    for (let period = 1; period <= MAX_PERIOD && period * reps <= available; period++) {
      let ok = true;
      for (let t = 0; ok && t < period; t++) {
        const a = from + t * FIELDS;
        const b = a + period * FIELDS;
        const srcStride = p[b + SRC_OFF]! - p[a + SRC_OFF]!;
        const dstStride = p[b + DST_OFF]! - p[a + DST_OFF]!;
        for (let r = 1; ok && r < reps; r++) {
          const prev = a + (r - 1) * period * FIELDS;
          const cur = prev + period * FIELDS;
          ok = sameShape(p, prev, p, cur) && p[cur + SRC_OFF]! - p[prev + SRC_OFF]! === srcStride && p[cur + DST_OFF]! - p[prev + DST_OFF]! === dstStride;
        }
      }
      if (ok) return period;
    }
    return 0;
  }

  private openRun(from: number, period: number, reps: number): void {
    const p = this.pending;
    const first = this.templates.length / TEMPLATE_FIELDS;
    for (let t = 0; t < period; t++) {
      const a = from + t * FIELDS;
      const b = a + period * FIELDS;
      for (let f = 0; f < FIELDS; f++) this.templates.push(p[a + f]!);
      this.templates.push(p[b + SRC_OFF]! - p[a + SRC_OFF]!, p[b + DST_OFF]! - p[a + DST_OFF]!, 0, 0, 0);
    }
    this.runs.push(first, period, reps);
    this.open = true;
    this.openPos = 0;
  }

  /** Whether a step with these fields is the open run's next step (it is then counted in). */
  private extendsOpenRun(
    op: number,
    peer: number,
    sendPeer: number,
    sendChannel: number,
    srcBuf: number,
    srcOff: number,
    srcCount: number,
    dstBuf: number,
    dstOff: number,
    dstCount: number,
  ): boolean {
    const runs = this.runs;
    const r = runs.length - RUN_FIELDS;
    const t = (runs[r + RUN_FIRST]! + this.openPos) * TEMPLATE_FIELDS;
    const reps = runs[r + RUN_REPS]!;
    const tm = this.templates;
    if (
      tm[t + OP] !== op ||
      tm[t + PEER] !== peer ||
      tm[t + SEND_PEER] !== sendPeer ||
      tm[t + SEND_CHANNEL] !== sendChannel ||
      tm[t + SRC_BUF] !== srcBuf ||
      tm[t + SRC_COUNT] !== srcCount ||
      tm[t + DST_BUF] !== dstBuf ||
      tm[t + DST_COUNT] !== dstCount
    ) {
      return false;
    }
    if (srcOff !== tm[t + SRC_OFF]! + reps * tm[t + SRC_STRIDE]!) return false;
    if (dstOff !== tm[t + DST_OFF]! + reps * tm[t + DST_STRIDE]!) return false;
    this.openPos += 1;
    if (this.openPos === runs[r + RUN_PERIOD]) {
      runs[r + RUN_REPS] = reps + 1;
      this.openPos = 0;
    }
    return true;
  }

  /** Closes the open run; returns the records of its partial last repetition. */
  private closeRun(): number[] {
    const r = this.runs.length - RUN_FIELDS;
    const first = this.runs[r + RUN_FIRST]!;
    const reps = this.runs[r + RUN_REPS]!;
    const partial: number[] = [];
    for (let t = 0; t < this.openPos; t++) {
      const at = (first + t) * TEMPLATE_FIELDS;
      for (let f = 0; f < FIELDS; f++) partial.push(this.templates[at + f]!);
      partial[t * FIELDS + SRC_OFF]! += reps * this.templates[at + SRC_STRIDE]!;
      partial[t * FIELDS + DST_OFF]! += reps * this.templates[at + DST_STRIDE]!;
    }
    this.open = false;
    this.openPos = 0;
    return partial;
  }

  private emitSingleAt(at: number): void {
    const first = this.templates.length / TEMPLATE_FIELDS;
    for (let f = 0; f < FIELDS; f++) this.templates.push(this.pending[at + f]!);
    this.templates.push(0, 0, 0, 0, 0);
    this.runs.push(first, 1, 1);
  }

  /**
   * Calls `fn` with each peer and the `sendChannel` (-1: the tape's own) of every template
   * step that posts: each connection the tape's sends use appears at least once.
   */
  forEachSendTemplate(fn: (peer: number, sendChannel: number) => void): void {
    const tm = this.templates;
    for (let t = 0; t < tm.length; t += TEMPLATE_FIELDS) {
      const op = STEP_OPS[tm[t + OP]!]!;
      if (!PRIMITIVES[op].send) continue;
      // A rotating peer reaches every rank of its window (an upper bound on what its run reaches).
      if (!PRIMITIVES[op].recv && tm[t + PEER_MOD]! > 0) for (let q = 0; q < tm[t + PEER_MOD]!; q++) fn(tm[t + PEER_LOW]! + q, tm[t + SEND_CHANNEL]!);
      else for (const peer of this.sendPeersOf(PRIMITIVES[op].recv, tm[t + PEER]!, tm[t + SEND_PEER]!)) fn(peer, tm[t + SEND_CHANNEL]!);
    }
  }

  /** Every peer a sending step with these PEER / SEND_PEER fields posts to (empty: none). */
  sendPeersOf(recv: boolean, peer: number, sendPeer: number): readonly number[] {
    if (sendPeer <= -2) return this.peers!.lists[listIndex(sendPeer)]!;
    const first = recv ? sendPeer : peer;
    return first >= 0 ? [first] : NO_PEERS;
  }

  /** @internal The fan-out (all peers but the first) of a SEND_PEER field; empty for one peer. */
  fanOutOf(sendPeer: number): readonly number[] {
    return sendPeer <= -2 ? this.peers!.fanOuts[listIndex(sendPeer)]! : NO_PEERS;
  }

  /**
   * The tape's runs gathered into *timing groups*: consecutive runs of one period whose
   * templates time alike step for step (timingKey: what is received from whom, what is
   * sent to whom on which channel and how many elements; offsets and the combine aside). A
   * ring channel's reduce-scatter and all-gather runs, split wherever its block offsets
   * wrap, are one group. Calls `fn` with each group's first template step (its period's
   * steps follow: timingStep reads them), period and total repetitions.
   */
  forEachTimingGroup(fn: (firstTemplate: number, period: number, reps: number) => void): void {
    this.timingGroups((firstRun, _runs, period, reps) => fn(this.runs[firstRun * RUN_FIELDS + RUN_FIRST]!, period, reps));
  }

  /**
   * Runs gathered as forEachTimingGroup says, each run read at its least timing period
   * (a ring's two slices of one block time alike: a run of period 2 is one of period 1).
   * Calls `fn` with the group's first run, run count, timing period and repetitions of it.
   */
  private timingGroups(fn: (firstRun: number, runs: number, period: number, reps: number) => void): void {
    this.seal();
    // Computed once per state of the tape (a push changes its step count): fast-forward
    // reads a tape's groups several times, and each read compares template steps as strings.
    let cache = this.timingGroupCache;
    if (cache === undefined || cache.steps !== this.steps || cache.runs !== this.runs.length) {
      const groups: number[] = [];
      this.computeTimingGroups((firstRun, runs, period, reps) => groups.push(firstRun, runs, period, reps));
      this.timingGroupCache = cache = { steps: this.steps, runs: this.runs.length, groups };
    }
    const groups = cache.groups;
    for (let g = 0; g < groups.length; g += 4) fn(groups[g]!, groups[g + 1]!, groups[g + 2]!, groups[g + 3]!);
  }

  /** The timing groups' (first run, run count, period, repetitions), as timingGroups reports them. */
  private timingGroupCache: { readonly steps: number; readonly runs: number; readonly groups: readonly number[] } | undefined;

  private computeTimingGroups(fn: (firstRun: number, runs: number, period: number, reps: number) => void): void {
    const runs = this.runs;
    const total = runs.length / RUN_FIELDS;
    let r = 0;
    while (r < total) {
      const first = runs[r * RUN_FIELDS + RUN_FIRST]!;
      const period = this.timingPeriod(r);
      let reps = (runs[r * RUN_FIELDS + RUN_REPS]! * runs[r * RUN_FIELDS + RUN_PERIOD]!) / period;
      let end = r + 1;
      for (; end < total && this.timingPeriod(end) === period; end++) {
        const next = runs[end * RUN_FIELDS + RUN_FIRST]!;
        let alike = true;
        for (let t = 0; alike && t < period; t++) alike = this.timesAlike(first + t, next + t);
        if (!alike) break;
        reps += (runs[end * RUN_FIELDS + RUN_REPS]! * runs[end * RUN_FIELDS + RUN_PERIOD]!) / period;
      }
      fn(r, end - r, period, reps);
      r = end;
    }
  }

  /** The least p dividing run r's period whose template steps time alike every p steps. */
  private timingPeriod(r: number): number {
    const first = this.runs[r * RUN_FIELDS + RUN_FIRST]!;
    const period = this.runs[r * RUN_FIELDS + RUN_PERIOD]!;
    for (let p = 1; p < period; p++) {
      if (period % p !== 0) continue;
      let alike = true;
      for (let t = p; alike && t < period; t++) alike = this.timesAlike(first + t, first + (t % p));
      if (alike) return p;
    }
    return period;
  }

  /**
   * Whether template steps a and b time alike: what is received from whom, what is sent to
   * whom on which channel and how many elements, and how the peers step (compared field by
   * field: at 16,384 GPUs fast-forward's check reads ≈ 10^5 tapes).
   */
  private timesAlike(a: number, b: number): boolean {
    if (a === b) return true;
    const x = this.timingStep(a);
    const y = this.timingStep(b);
    const tm = this.templates;
    const ta = a * TEMPLATE_FIELDS;
    const tb = b * TEMPLATE_FIELDS;
    if (x.recvPeer !== y.recvPeer || x.sendChannel !== y.sendChannel || x.sentCount !== y.sentCount) return false;
    if (tm[ta + PEER_STEP] !== tm[tb + PEER_STEP] || tm[ta + PEER_MOD] !== tm[tb + PEER_MOD]) return false;
    if (x.sendPeers.length !== y.sendPeers.length) return false;
    for (let i = 0; i < x.sendPeers.length; i++) if (x.sendPeers[i] !== y.sendPeers[i]) return false;
    return true;
  }

  /**
   * A template step's timing in ghost mode (the executor's reading of it): the peer it
   * receives from and the (first) one it sends to (-1: none), every peer it sends to, the
   * send's channel (-1: the tape's own) and the elements it sends (to each peer).
   */
  timingStep(index: number): {
    readonly recvPeer: number;
    readonly sendPeer: number;
    readonly sendPeers: readonly number[];
    readonly sendChannel: number;
    readonly sentCount: number;
  } {
    const t = index * TEMPLATE_FIELDS;
    const tm = this.templates;
    const primitive = PRIMITIVES[STEP_OPS[tm[t + OP]!]!];
    const hasDst = primitive.combine !== 'none' && tm[t + DST_BUF]! >= 0;
    const hasSrc = !primitive.recv && tm[t + SRC_BUF]! >= 0;
    const sendPeers = primitive.send ? this.sendPeersOf(primitive.recv, tm[t + PEER]!, tm[t + SEND_PEER]!) : NO_PEERS;
    return {
      recvPeer: primitive.recv ? tm[t + PEER]! : -1,
      sendPeer: sendPeers.length > 0 ? sendPeers[0]! : -1,
      sendPeers,
      sendChannel: primitive.send ? tm[t + SEND_CHANNEL]! : -1,
      sentCount: hasDst ? tm[t + DST_COUNT]! : hasSrc ? tm[t + SRC_COUNT]! : 0,
    };
  }

  /**
   * The tape's longest timing group (the first of the longest): its ordinal among the
   * groups, first template step, timing period and repetitions; undefined on an empty tape.
   */
  longestTimingGroup(): { readonly group: number; readonly firstTemplate: number; readonly period: number; readonly reps: number } | undefined {
    let longest: { group: number; firstTemplate: number; period: number; reps: number } | undefined;
    let group = 0;
    this.forEachTimingGroup((firstTemplate, period, reps) => {
      if (longest === undefined || reps > longest.reps) longest = { group, firstTemplate, period, reps };
      group++;
    });
    return longest;
  }

  /**
   * The longest timing group (longestTimingGroup) located in steps, for the runtime's
   * steady-state recurrence check (runtime schedule/recurrence.ts): the index of its first
   * step (TapeCursor.index), its timing period in steps and its repetitions. `fixedPeers`:
   * no template of it moves its peer per repetition (PEER_MOD 0), so every repetition times
   * alike step for step, not only in shape — what lets a repetition stand for another.
   */
  longestTimingGroupSteps(): { readonly firstStep: number; readonly period: number; readonly reps: number; readonly fixedPeers: boolean } | undefined {
    const longest = this.longestTimingGroup();
    if (longest === undefined) return undefined;
    let group = 0;
    let found: { firstStep: number; period: number; reps: number; fixedPeers: boolean } | undefined;
    this.timingGroups((firstRun, runCount, period, reps) => {
      if (group++ !== longest.group) return;
      let firstStep = 0;
      for (let r = 0; r < firstRun; r++) firstStep += this.runs[r * RUN_FIELDS + RUN_PERIOD]! * this.runs[r * RUN_FIELDS + RUN_REPS]!;
      let fixedPeers = true;
      for (let r = firstRun; r < firstRun + runCount; r++) {
        const first = this.runs[r * RUN_FIELDS + RUN_FIRST]!;
        for (let t = first; t < first + this.runs[r * RUN_FIELDS + RUN_PERIOD]!; t++) if (this.templates[t * TEMPLATE_FIELDS + PEER_MOD]! !== 0) fixedPeers = false;
      }
      found = { firstStep, period, reps, fixedPeers };
    });
    return found;
  }

  /**
   * A sealed copy of this tape whose timing groups of at least `minReps` repetitions — or,
   * with `longestOnly`, its longest group if it has that many — lose `removeReps` of them
   * each (the steady-state fast-forward runs such shortened schedules). A cut group becomes
   * one run of its first run's leading templates, offsets not shifted back, so the copy is
   * for timing only: ghost mode reads peers, counts and primitives, never offsets.
   */
  shortened(minReps: number, removeReps: number, longestOnly = false): StepTape {
    if (!(Number.isInteger(removeReps) && removeReps >= 0)) throw new RangeError(`removeReps must be an integer >= 0, got ${removeReps}`);
    const longest = longestOnly ? this.longestTimingGroup()?.group : undefined;
    const copy = this.templateCopy();
    copy.steps = this.steps;
    let group = 0;
    this.timingGroups((firstRun, runCount, period, reps) => {
      const chosen = !longestOnly || group === longest;
      group++;
      if (chosen && reps >= minReps) {
        if (removeReps >= reps) throw new RangeError(`cannot cut ${removeReps} of a group's ${reps} repetitions`);
        copy.runs.push(this.runs[firstRun * RUN_FIELDS + RUN_FIRST]!, period, reps - removeReps);
        copy.steps -= removeReps * period;
        return;
      }
      copy.runs.push(...this.runs.slice(firstRun * RUN_FIELDS, (firstRun + runCount) * RUN_FIELDS));
    });
    return copy;
  }

  /**
   * A sealed copy of this tape with `removeSteps` steps cut from its timing groups of at
   * least `minSteps` steps, shared among them in proportion to their steps (whole
   * repetitions; what rounding leaves goes to the longest group whose period divides it).
   * For tapes whose cut groups all receive from one peer and send to one (a ring's): any
   * such cut removes that many messages on each connection. Throws when the steps cannot be
   * cut in whole repetitions.
   */
  shortenedBySteps(minSteps: number, removeSteps: number): StepTape {
    const groups: { firstRun: number; runCount: number; period: number; reps: number; cut: number }[] = [];
    this.timingGroups((firstRun, runCount, period, reps) => groups.push({ firstRun, runCount, period, reps, cut: 0 }));
    const long = groups.filter((g) => g.period * g.reps >= minSteps);
    const total = long.reduce((sum, g) => sum + g.period * g.reps, 0);
    let left = removeSteps;
    for (const g of long) {
      g.cut = Math.floor((removeSteps * g.period * g.reps) / total / g.period);
      left -= g.cut * g.period;
    }
    for (const g of [...long].sort((a, b) => b.period * b.reps - a.period * a.reps)) {
      const more = Math.floor(left / g.period);
      g.cut += more;
      left -= more * g.period;
    }
    if (left !== 0 || long.some((g) => g.cut >= g.reps)) throw new RangeError(`cannot cut ${removeSteps} steps from this tape's groups in whole repetitions`);
    const copy = this.templateCopy();
    copy.steps = this.steps - removeSteps;
    for (const g of groups) {
      if (g.cut > 0) copy.runs.push(this.runs[g.firstRun * RUN_FIELDS + RUN_FIRST]!, g.period, g.reps - g.cut);
      else copy.runs.push(...this.runs.slice(g.firstRun * RUN_FIELDS, (g.firstRun + g.runCount) * RUN_FIELDS));
    }
    return copy;
  }

  /**
   * A sealed copy of this tape, which stays as it is: what the tape will hold once sealed if no
   * more steps are written to it (a plan's projection from its first part, StepBuilder.partsPlanned).
   */
  sealedCopy(): StepTape {
    const copy = new StepTape();
    copy.templates = this.templates.slice();
    copy.runs = this.runs.slice();
    copy.pending = this.pending.slice();
    copy.open = this.open;
    copy.openPos = this.openPos;
    copy.steps = this.steps;
    if (this.peers !== undefined) copy.peers = { lists: this.peers.lists.slice(), fanOuts: this.peers.fanOuts.slice(), indexByKey: new Map(this.peers.indexByKey) };
    copy.seal();
    return copy;
  }

  /**
   * An empty tape reading this one's templates and peer lists (for the shortened copies).
   * They are shared, not copied: both tapes only ever append to them, and each reads only the
   * templates its own runs name — so a fast-forward's three shortened copies of a plan of
   * several GB cost their runs alone (65,536 GPUs at 1 GiB aborted copying them).
   */
  private templateCopy(): StepTape {
    const copy = new StepTape();
    copy.templates = this.templates;
    copy.peers = this.peerTable();
    return copy;
  }

  // ---- reading (TapeCursor) -------------------------------------------------------------

  /** @internal The template records (TEMPLATE_FIELDS numbers each). */
  get templateData(): readonly number[] {
    return this.templates;
  }
  /** @internal The runs (RUN_FIELDS numbers each). */
  get runData(): readonly number[] {
    return this.runs;
  }
}

/** One step's record for StepTape.pushRun, appended to `records` (fields as StepTape.push takes them). */
export function stepRecord(records: number[], op: number, peer: number, sendPeer: number, sendChannel: number, src: Slice | undefined, dst: Slice | undefined): void {
  records.push(op, peer, sendPeer, sendChannel, src === undefined ? -1 : BUFFER_CODE.get(src.buffer)!, src?.offset ?? 0, src?.count ?? 0, dst === undefined ? -1 : BUFFER_CODE.get(dst.buffer)!, dst?.offset ?? 0, dst?.count ?? 0);
}

/**
 * A template record for StepTape.appendRun (appended to `templates`) from a step's record
 * (stepRecord's layout, at `at` in `record`): its offset strides and its peer's step per
 * repetition, wrapping within [peerLow, peerLow + peerMod) (peerMod 0: no rotation).
 */
export function templateRecord(templates: number[], record: readonly number[], at: number, srcStride: number, dstStride: number, peerStep: number, peerLow: number, peerMod: number): void {
  for (let f = 0; f < FIELDS; f++) templates.push(record[at + f]!);
  templates.push(srcStride, dstStride, peerStep, peerLow, peerMod);
}

/** Numbers per step record (stepRecord) and the offsets of its fields. */
export const STEP_RECORD = { FIELDS, OP, PEER, SEND_PEER, SEND_CHANNEL, SRC_BUF, SRC_OFF, SRC_COUNT, DST_BUF, DST_OFF, DST_COUNT } as const;

/** Same primitive, peers, buffers and counts (offsets aside). */
function sameShape(a: readonly number[], i: number, b: readonly number[], j: number): boolean {
  return (
    a[i + OP] === b[j + OP] &&
    a[i + PEER] === b[j + PEER] &&
    a[i + SEND_PEER] === b[j + SEND_PEER] &&
    a[i + SEND_CHANNEL] === b[j + SEND_CHANNEL] &&
    a[i + SRC_BUF] === b[j + SRC_BUF] &&
    a[i + SRC_COUNT] === b[j + SRC_COUNT] &&
    a[i + DST_BUF] === b[j + DST_BUF] &&
    a[i + DST_COUNT] === b[j + DST_COUNT]
  );
}

/**
 * Reads a sealed tape step by step into its own fields (no object per step). Fields follow
 * Step: -1 where the step has none; `srcBuffer` / `dstBuffer` index BUFFER_NAMES.
 */
export class TapeCursor {
  op = 0;
  peer = -1;
  sendPeer = -1;
  /** The further peers the step posts to after its first (steps.ts fanOut; empty: one peer). */
  fanOut: readonly number[] = NO_PEERS;
  sendChannel = -1;
  srcBuffer = -1;
  srcOffset = 0;
  srcCount = 0;
  dstBuffer = -1;
  dstOffset = 0;
  dstCount = 0;
  /** Index of the current step (-1 before the first). */
  index = -1;
  // Position: run, repetition within it, step within the repetition; the run's fields.
  private run = 0;
  private rep = 0;
  private pos = -1;
  private first = 0;
  private period = 0;
  private reps = 0;

  constructor(readonly tape: StepTape) {
    this.rewind();
  }

  /** Back to before the first step (the tape must be sealed: StepBuilder.build does it). */
  rewind(): void {
    this.run = 0;
    this.rep = 0;
    this.pos = -1;
    this.index = -1;
    this.loadRun();
  }

  private loadRun(): void {
    const runs = this.tape.runData;
    const at = this.run * RUN_FIELDS;
    if (at >= runs.length) {
      this.period = 0;
      return;
    }
    this.first = runs[at + RUN_FIRST]!;
    this.period = runs[at + RUN_PERIOD]!;
    this.reps = runs[at + RUN_REPS]!;
  }

  /** Moves to the next step; false at the end. */
  next(): boolean {
    if (this.period === 0) return false;
    if (++this.pos === this.period) {
      this.pos = 0;
      if (++this.rep === this.reps) {
        this.rep = 0;
        this.run += 1;
        this.loadRun();
        if (this.period === 0) return false;
      }
    }
    const tm = this.tape.templateData;
    const t = (this.first + this.pos) * TEMPLATE_FIELDS;
    const rep = this.rep;
    this.op = tm[t + OP]!;
    const peerMod = tm[t + PEER_MOD]!;
    this.peer = peerMod === 0 ? tm[t + PEER]! : tm[t + PEER_LOW]! + ((tm[t + PEER]! - tm[t + PEER_LOW]! + rep * tm[t + PEER_STEP]!) % peerMod);
    const sendPeer = tm[t + SEND_PEER]!;
    if (sendPeer <= -2) {
      // A multi-peer send: a fused step's first peer is the list's first; a pure send's is `peer`.
      this.fanOut = this.tape.fanOutOf(sendPeer);
      this.sendPeer = OP_RECV[this.op] ? this.tape.sendPeersOf(true, -1, sendPeer)[0]! : -1;
    } else {
      this.fanOut = NO_PEERS;
      this.sendPeer = sendPeer;
    }
    this.sendChannel = tm[t + SEND_CHANNEL]!;
    this.srcBuffer = tm[t + SRC_BUF]!;
    this.srcOffset = tm[t + SRC_OFF]! + rep * tm[t + SRC_STRIDE]!;
    this.srcCount = tm[t + SRC_COUNT]!;
    this.dstBuffer = tm[t + DST_BUF]!;
    this.dstOffset = tm[t + DST_OFF]! + rep * tm[t + DST_STRIDE]!;
    this.dstCount = tm[t + DST_COUNT]!;
    this.index += 1;
    return true;
  }

  /** The current step's place in its run: repetitions of the run, steps per repetition, and which repetition and step it is. */
  get runReps(): number {
    return this.reps;
  }
  get runPeriod(): number {
    return this.period;
  }
  get runRep(): number {
    return this.rep;
  }
  get runPos(): number {
    return this.pos;
  }

  /** Whether the current step's peer moves from one repetition of its run to the next (a switch's rotating multicast). */
  get peerMoves(): boolean {
    return this.tape.templateData[(this.first + this.pos) * TEMPLATE_FIELDS + PEER_MOD]! > 0;
  }

  /**
   * Skips the rest of the current run: the next `next()` reads the following run's first step.
   * A caller that folds a run's repetitions itself (rank classes hash a tape in O(runs)) reads
   * one repetition and skips the others.
   */
  skipRun(): void {
    if (this.period === 0 || this.pos < 0) return;
    this.index += (this.reps - 1 - this.rep) * this.period + (this.period - 1 - this.pos);
    this.rep = this.reps - 1;
    this.pos = this.period - 1;
  }

  /** The current step as a Step object, with the fields (and key order) the builder writes. */
  step(): Step {
    const fields: Record<string, unknown> = { op: STEP_OPS[this.op]! };
    if (this.peer >= 0) fields.peer = this.peer;
    if (this.sendPeer >= 0) fields.sendPeer = this.sendPeer;
    if (this.srcBuffer >= 0) fields.src = { buffer: BUFFER_NAMES[this.srcBuffer]!, offset: this.srcOffset, count: this.srcCount };
    if (this.dstBuffer >= 0) fields.dst = { buffer: BUFFER_NAMES[this.dstBuffer]!, offset: this.dstOffset, count: this.dstCount };
    if (this.sendChannel >= 0) fields.sendChannel = this.sendChannel;
    if (this.fanOut.length > 0) fields.fanOut = [...this.fanOut];
    return fields as unknown as Step;
  }
}

/**
 * The most bytes a schedule's tapes may take while it is planned (Infinity: no limit). The
 * Node entry of @weft/runtime sets half the JS heap, so a schedule too big for the machine
 * is refused with one line (WeftInputError) instead of a V8 out-of-memory abort.
 */
let scheduleBudgetBytes = Infinity;

export function setScheduleMemoryBudget(bytes: number): void {
  if (!(bytes > 0)) throw new RangeError(`schedule memory budget must be > 0 bytes, got ${bytes}`);
  scheduleBudgetBytes = bytes;
}

export function scheduleMemoryBudget(): number {
  return scheduleBudgetBytes;
}

/**
 * What a planner has written when it finishes one of the alike parts its outer loop runs over
 * (a channel's steps, an NVLS part's): every participant's tapes so far, and how many of the
 * plan's parts are done. Parts move the same bytes over their own channels, so the first one's
 * tapes and connections, times the parts, are the plan's (the last, ragged part is no larger).
 */
export interface PlanProgress {
  readonly tapes: readonly (readonly StepTape[])[];
  readonly done: number;
  readonly of: number;
}

/**
 * The host's check of a plan's projected size (the Node entry of @weft/runtime sets one that
 * refuses, in one line, a run whose projected schedule and connections exceed the budget),
 * run after the first of several parts: a plan too big for the machine is then refused after
 * a part's planning, not after all of it (65,536 GPUs: minutes and 12 GB before).
 */
let planProgressCheck: ((progress: PlanProgress) => void) | undefined;

export function setPlanProgressCheck(check: ((progress: PlanProgress) => void) | undefined): void {
  planProgressCheck = check;
}

export function checkPlanProgress(progress: PlanProgress): void {
  planProgressCheck?.(progress);
}

/**
 * The JS heap in use and its limit, as the host measures them (the Node entry of
 * @weft/runtime sets it; the browser has none). The tape budget above counts the plan alone;
 * at 65,536 GPUs the topology and routes already hold ≈ 1.6 GB of a 4 GB heap, so a plan under
 * its half could still abort. HEAP_REFUSE_SHARE of the limit in use (after a full collection)
 * refuses instead.
 */
export interface HeapUsage {
  readonly usedBytes: number;
  readonly limitBytes: number;
}
/** The probe: the heap in use, measured again after a full collection when it looks over `share` of the limit. */
let heapUsage: ((share: number) => HeapUsage) | undefined;

/** Share of the JS heap in use, after a full collection, at which planning or a ghost run is refused. */
export const HEAP_REFUSE_SHARE = 0.85;

export function setHeapUsageProbe(probe: ((share: number) => HeapUsage) | undefined): void {
  heapUsage = probe;
}

/** The heap in use when it is over `share` of the limit (after a full collection), else null (or no probe). */
export function heapPressure(share = HEAP_REFUSE_SHARE): HeapUsage | null {
  const usage = heapUsage?.(share);
  return usage !== undefined && usage.usedBytes > share * usage.limitBytes ? usage : null;
}

/** The JS heap's limit as the probe measures it (never over an infinite share: no collection), or undefined without a probe. */
export function heapLimitBytes(): number | undefined {
  return heapUsage?.(Infinity).limitBytes;
}

/** Bytes for the budget messages: MiB below 1 GiB. */
export function formatBudgetBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

const tapesOf = new WeakMap<object, readonly StepTape[]>();

/**
 * A participant whose `channels` are its tapes' steps, materialized on first read (and then
 * kept): ghost runs read the tapes only, so no Step object ever exists for them. The
 * accessor is an own enumerable property, so JSON, structured clones and equality see
 * plain step lists.
 */
export function tapedParticipant(kind: 'rank' | 'switch', tapes: readonly StepTape[]): { readonly kind: 'rank' | 'switch'; readonly channels: readonly (readonly Step[])[] } {
  let channels: Step[][] | undefined;
  const participant = { kind } as { kind: 'rank' | 'switch'; channels: Step[][] };
  Object.defineProperty(participant, 'channels', {
    enumerable: true,
    get: () => (channels ??= tapes.map((tape) => tape.materialize())),
  });
  tapesOf.set(participant, tapes);
  return participant;
}

/** The tapes of a participant: its own (built by StepBuilder), else its step lists written onto tapes once. */
export function channelTapes(participant: { readonly channels: readonly (readonly Step[])[] }): readonly StepTape[] {
  let tapes = tapesOf.get(participant);
  if (tapes === undefined) {
    tapes = participant.channels.map((steps) => {
      const tape = new StepTape();
      for (const step of steps) tape.pushStep(step);
      tape.seal();
      return tape;
    });
    tapesOf.set(participant, tapes);
  }
  return tapes;
}
