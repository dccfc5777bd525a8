/**
 * Symbolic schedule checker (the idea of MSCCL's msccl/language/collectives.py): runs a
 * schedule with no data, where every element holds a symbolic value — which ranks'
 * contributions it contains (with multiplicity) and at which source index — and proves the
 * collective's postcondition.
 *
 * Buffers are interval maps: runs of elements that share one symbolic value. A value is an
 * interned contribution vector (a count per rank) plus a `delta`: element at position p
 * holds source index p + delta. Copying a run to another offset only changes its delta, so
 * the cost depends on the number of steps and runs, not on `count`.
 *
 * Checked, in order:
 * 1. Structure: participant kinds, buffer sizes, peers, slices in bounds, local copies
 *    without overlap.
 * 2. Races: two channels of one participant touching overlapping elements of one buffer
 *    where at least one of them writes.
 * 3. Execution: every channel runs as far as it can; a send is eager and snapshots its
 *    slice; a recv takes the oldest message from its peer on the same channel index
 *    (FIFO per (src, dst, channel)) and needs equal counts. Reading an element never
 *    written (output / scratch start undefined; input starts as the rank's own data) is an
 *    error, and so is combining different source indices. Because matching is FIFO per
 *    channel and channels do not race, the result does not depend on the order channels run.
 * 4. Completion: no channel stuck (deadlock: the stuck steps are listed), no message left.
 * 5. Postcondition: every defined output element holds exactly the required contributions,
 *    each once (reductions), or the right single source element (allGather, broadcast,
 *    allToAll). Barrier: every rank has heard, causally, from every rank.
 */
import { collectiveOf } from './registry.js';
import { accessesOf, decodeStep, decodeSteps, PRIMITIVES } from './steps.js';
import type { BufferName, Schedule, Slice, Step } from './types.js';

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Thrown by `assertSchedule`: an internal error (a bad schedule is a bug, not a user error). */
export class ScheduleCheckError extends Error {
  override readonly name = 'ScheduleCheckError';
}

/** Checks `schedule`; never throws for a bad schedule. */
export function checkSchedule(schedule: Schedule): CheckResult {
  try {
    new Checker(schedule).run();
    return { ok: true };
  } catch (error) {
    if (error instanceof CheckFailure) return { ok: false, error: error.message };
    throw error;
  }
}

/** Throws ScheduleCheckError (message: schedule name and the first problem) unless `schedule` is correct. */
export function assertSchedule(schedule: Schedule): void {
  const result = checkSchedule(schedule);
  if (!result.ok) {
    throw new ScheduleCheckError(`${schedule.collective}/${schedule.algorithm} (nranks ${schedule.nranks}, count ${schedule.count}): ${result.error}`);
  }
}

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

// ---------------------------------------------------------------------------------------
// Symbolic values

/** An interned contribution vector: counts[r] = how many times rank r's element is in. */
interface Sym {
  readonly id: number;
  readonly counts: Uint16Array;
}

/** A run's value: null sym = never written. Source index of position p is p + delta. */
interface Val {
  readonly sym: Sym | null;
  readonly delta: number;
}

/** A run of a message or of a read: `len` elements. */
interface Piece {
  readonly len: number;
  readonly sym: Sym;
  readonly delta: number;
}

const UNDEFINED: Val = { sym: null, delta: 0 };

class SymTable {
  private readonly byKey = new Map<string, Sym>();
  private readonly sums = new Map<string, Sym>();
  private nextId = 0;

  constructor(readonly nranks: number) {}

  intern(counts: Uint16Array): Sym {
    const key = counts.join(',');
    let sym = this.byKey.get(key);
    if (sym === undefined) {
      sym = { id: this.nextId++, counts };
      this.byKey.set(key, sym);
    }
    return sym;
  }

  unit(rank: number): Sym {
    const counts = new Uint16Array(this.nranks);
    counts[rank] = 1;
    return this.intern(counts);
  }

  all(): Sym {
    return this.intern(new Uint16Array(this.nranks).fill(1));
  }

  add(a: Sym, b: Sym): Sym {
    const key = `${a.id},${b.id}`;
    let sum = this.sums.get(key);
    if (sum === undefined) {
      const counts = new Uint16Array(this.nranks);
      for (let r = 0; r < this.nranks; r++) counts[r] = Math.min(0xffff, a.counts[r]! + b.counts[r]!);
      sum = this.intern(counts);
      this.sums.set(key, sum);
    }
    return sum;
  }
}

/** Human description of a contribution vector, e.g. "{0,1,3×2}". */
function describeSym(sym: Sym): string {
  const parts: string[] = [];
  sym.counts.forEach((c, r) => {
    if (c === 1) parts.push(String(r));
    else if (c > 1) parts.push(`${r}×${c}`);
  });
  return parts.length > 12 ? `{${parts.slice(0, 12).join(',')},… (${parts.length} ranks)}` : `{${parts.join(',')}}`;
}

// ---------------------------------------------------------------------------------------
// Interval map

/** Runs of equal values over [0, size): run i covers [starts[i], starts[i+1] or size). */
class IntervalBuffer {
  private starts: number[];
  private vals: Val[];

  constructor(
    readonly size: number,
    initial: Val,
  ) {
    this.starts = size > 0 ? [0] : [];
    this.vals = size > 0 ? [initial] : [];
  }

  private end(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1]! : this.size;
  }

  /** Index of the run containing position `pos` (0 <= pos < size). */
  private find(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Ensures a run starts at `pos` (0 < pos < size); returns its index. */
  private split(pos: number): number {
    if (pos >= this.size) return this.starts.length;
    const i = this.find(pos);
    if (this.starts[i] === pos) return i;
    this.starts.splice(i + 1, 0, pos);
    this.vals.splice(i + 1, 0, this.vals[i]!);
    return i + 1;
  }

  /** The runs overlapping [offset, offset+count), clipped, as (start, end, value). */
  *runs(offset: number, count: number): Generator<[number, number, Val]> {
    if (count <= 0) return;
    const stop = offset + count;
    for (let i = this.find(offset); i < this.starts.length && this.starts[i]! < stop; i++) {
      yield [Math.max(offset, this.starts[i]!), Math.min(stop, this.end(i)), this.vals[i]!];
    }
  }

  /**
   * Reads [offset, offset+count) as message pieces (delta relative to the slice start).
   * Returns the first never-written position instead when there is one.
   */
  read(offset: number, count: number): Piece[] | { undefinedAt: [number, number] } {
    const pieces: Piece[] = [];
    for (const [s, e, v] of this.runs(offset, count)) {
      if (v.sym === null) return { undefinedAt: [s, e] };
      pieces.push({ len: e - s, sym: v.sym, delta: v.delta + offset });
    }
    return pieces;
  }

  /** Replaces [offset, end) with runs starting at `newStarts` (newStarts[0] = offset). */
  private replace(offset: number, end: number, newStarts: number[], newVals: Val[]): void {
    const i = this.split(offset);
    const j = this.split(end);
    if (newStarts.length < 4096) {
      this.starts.splice(i, j - i, ...newStarts);
      this.vals.splice(i, j - i, ...newVals);
    } else {
      // Avoid spreading huge argument lists.
      this.starts = this.starts.slice(0, i).concat(newStarts, this.starts.slice(j));
      this.vals = this.vals.slice(0, i).concat(newVals, this.vals.slice(j));
    }
    this.coalesce(Math.max(0, i - 1), i + newStarts.length + 1);
  }

  /** dst := pieces. */
  write(offset: number, pieces: readonly Piece[]): void {
    const starts: number[] = [];
    const vals: Val[] = [];
    let at = offset;
    for (const p of pieces) {
      starts.push(at);
      vals.push({ sym: p.sym, delta: p.delta - offset });
      at += p.len;
    }
    if (at === offset) return;
    this.replace(offset, at, starts, vals);
  }

  /**
   * dst := dst (+) pieces. Returns an error string (never-written destination, or mixing
   * different source indices) instead of applying, or null.
   */
  reduce(offset: number, pieces: readonly Piece[], table: SymTable): string | null {
    const starts: number[] = [];
    const vals: Val[] = [];
    let at = offset;
    for (const p of pieces) {
      const incomingDelta = p.delta - offset;
      for (const [s, e, v] of this.runs(at, p.len)) {
        if (v.sym === null) return `reduces into never-written elements [${s}, ${e})`;
        if (v.delta !== incomingDelta) {
          return `combines source index ${s + incomingDelta} with source index ${s + v.delta} at position ${s}`;
        }
        starts.push(s);
        vals.push({ sym: table.add(v.sym, p.sym), delta: v.delta });
      }
      at += p.len;
    }
    if (at === offset) return null;
    this.replace(offset, at, starts, vals);
    return null;
  }

  /** Merges equal neighbouring runs among indices [from, to). */
  private coalesce(from: number, to: number): void {
    const last = Math.min(to, this.starts.length);
    let w = from;
    for (let r = from + 1; r < last; r++) {
      const a = this.vals[w]!;
      const b = this.vals[r]!;
      if (a.sym === b.sym && (a.sym === null || a.delta === b.delta)) continue;
      w++;
      this.starts[w] = this.starts[r]!;
      this.vals[w] = b;
    }
    const removed = last - (w + 1);
    if (removed > 0) {
      this.starts.splice(w + 1, removed);
      this.vals.splice(w + 1, removed);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The checker

interface Message {
  readonly pieces: readonly Piece[];
  readonly count: number;
  /** Ranks the sender had heard from (causally) when sending. */
  readonly knowledge: Uint32Array;
  /** Where it was sent, for error messages. */
  readonly from: string;
}

interface ChannelState {
  readonly participant: number;
  readonly channel: number;
  readonly steps: readonly Step[];
  pc: number;
  blocked: boolean;
  readonly knowledge: Uint32Array;
}

const BUFFERS: readonly BufferName[] = ['input', 'output', 'scratch'];


class Checker {
  private readonly nranks: number;
  private readonly nparticipants: number;
  private readonly table: SymTable;
  private readonly buffers: IntervalBuffer[][] = [];
  private readonly queues = new Map<number, { items: Message[]; head: number }>();
  private readonly channels: ChannelState[][] = [];
  private readonly maxChannels: number;
  private readonly knowledgeWords: number;

  constructor(private readonly schedule: Schedule) {
    this.nranks = schedule.nranks;
    this.nparticipants = schedule.participants?.length ?? 0;
    this.table = new SymTable(Math.max(1, this.nranks));
    this.maxChannels = Math.max(1, ...(schedule.participants ?? []).map((p) => p.channels?.length ?? 0));
    this.knowledgeWords = Math.ceil(Math.max(1, this.nranks) / 32);
  }

  run(): void {
    this.checkStructure();
    this.checkRaces();
    this.execute();
    this.checkPostcondition();
  }

  private where(p: number, c: number, i: number, step: Step): string {
    const who = p < this.nranks ? `rank ${p}` : `agent ${p}`;
    const d = decodeStep(step);
    const to = d.sendPeers.join(', ');
    const peer = d.recvPeer >= 0 ? ` from ${d.recvPeer}` : d.sendPeer >= 0 ? ` to ${to}` : '';
    const then = d.recvPeer >= 0 && d.sendPeer >= 0 ? ` then to ${to}` : '';
    return `${who} channel ${c} step ${i} (${step.op}${peer}${then})`;
  }

  private sizeOf(p: number, buffer: BufferName): number {
    const counts = this.schedule.bufferCounts;
    if (buffer === 'scratch') return counts.scratch;
    return p < this.nranks ? counts[buffer] : 0;
  }

  // 1. Structure -------------------------------------------------------------------------

  private checkStructure(): void {
    const s = this.schedule;
    if (!Number.isInteger(s.nranks) || s.nranks < 1) fail(`nranks must be an integer >= 1, got ${s.nranks}`);
    if (!Number.isInteger(s.count) || s.count < 0) fail(`count must be an integer >= 0, got ${s.count}`);
    if (this.nparticipants < s.nranks) fail(`${this.nparticipants} participants for ${s.nranks} ranks`);
    const expected = collectiveOf(s.collective).bufferCounts(s.count, s.nranks);
    if (s.bufferCounts.input !== expected.input || s.bufferCounts.output !== expected.output) {
      fail(
        `bufferCounts input ${s.bufferCounts.input}, output ${s.bufferCounts.output}; ${s.collective} of count ${s.count} on ${s.nranks} ranks needs input ${expected.input}, output ${expected.output}`,
      );
    }
    if (!Number.isInteger(s.bufferCounts.scratch) || s.bufferCounts.scratch < 0) {
      fail(`bufferCounts.scratch must be an integer >= 0, got ${s.bufferCounts.scratch}`);
    }
    if ((s.collective === 'broadcast' || s.collective === 'reduce') && !(Number.isInteger(s.root) && s.root >= 0 && s.root < s.nranks)) {
      fail(`root must be a rank in 0..${s.nranks - 1}, got ${s.root}`);
    }
    s.participants.forEach((part, p) => {
      const kind = p < s.nranks ? 'rank' : 'switch';
      if (part.kind !== kind) fail(`participant ${p} has kind '${part.kind}', expected '${kind}' (${s.nranks} ranks come first, then agents)`);
      part.channels.forEach((steps, c) => {
        steps.forEach((step, i) => this.checkStep(p, c, i, step));
      });
    });
  }

  private checkPeer(p: number, c: number, i: number, step: Step, peer: number | undefined): void {
    if (peer === undefined || !Number.isInteger(peer) || peer < 0 || peer >= this.nparticipants) {
      fail(`${this.where(p, c, i, step)}: peer ${peer} is not a participant (0..${this.nparticipants - 1})`);
    }
    if (peer === p) fail(`${this.where(p, c, i, step)}: talks to itself (use copy for local moves)`);
  }

  /** A fan-out is a list of distinct peers, none of them the step's first send peer. */
  private checkFanOut(p: number, c: number, i: number, step: Step, fanOut: unknown): void {
    if (!Array.isArray(fanOut)) fail(`${this.where(p, c, i, step)}: fanOut must be a list of peers, got ${JSON.stringify(fanOut)}`);
    for (const peer of fanOut as unknown[]) this.checkPeer(p, c, i, step, peer as number);
    const peers = decodeStep(step).sendPeers;
    if (new Set(peers).size !== peers.length) fail(`${this.where(p, c, i, step)}: sends to a peer twice (fanOut repeats a send peer)`);
  }

  private checkSlice(p: number, c: number, i: number, step: Step, slice: Slice | undefined, role: string): void {
    if (slice === undefined || slice === null) fail(`${this.where(p, c, i, step)}: has no ${role} slice`);
    if (!BUFFERS.includes(slice.buffer)) fail(`${this.where(p, c, i, step)}: ${role} buffer '${slice.buffer}' is not input, output or scratch`);
    if (!Number.isInteger(slice.offset) || !Number.isInteger(slice.count) || slice.offset < 0 || slice.count < 0) {
      fail(`${this.where(p, c, i, step)}: ${role} slice ${slice.buffer}[offset ${slice.offset}, count ${slice.count}] is not a pair of non-negative integers`);
    }
    const size = this.sizeOf(p, slice.buffer);
    if (slice.offset + slice.count > size || (slice.count > 0 && slice.offset >= size)) {
      fail(
        `${this.where(p, c, i, step)}: ${role} slice ${slice.buffer}[${slice.offset}, ${slice.offset + slice.count}) is out of bounds (${slice.buffer} has ${size} elements)`,
      );
    }
  }

  private checkStep(p: number, c: number, i: number, step: Step): void {
    if (!Object.hasOwn(PRIMITIVES, step.op)) fail(`rank ${p} channel ${c} step ${i}: unknown op '${String(step.op)}'; accepted: ${Object.keys(PRIMITIVES).join(', ')}`);
    // The fields the primitive's flags call for (steps.ts), read raw: a malformed step may lack them.
    const prim = PRIMITIVES[step.op];
    const raw = step as { peer?: number; sendPeer?: number; src?: Slice; dst?: Slice; fanOut?: unknown };
    if (prim.recv || prim.send) this.checkPeer(p, c, i, step, raw.peer);
    if (prim.recv && prim.send) this.checkPeer(p, c, i, step, raw.sendPeer);
    if (prim.send && raw.fanOut !== undefined) this.checkFanOut(p, c, i, step, raw.fanOut);
    if (!prim.recv) this.checkSlice(p, c, i, step, raw.src, 'src');
    if (prim.combine !== 'none') this.checkSlice(p, c, i, step, raw.dst, 'dst');
    const d = decodeStep(step);
    const { src, dst } = d;
    if (src !== null && dst !== null) {
      if (src.count !== dst.count) fail(`${this.where(p, c, i, step)}: src has ${src.count} elements, dst ${dst.count}`);
      if (src.buffer === dst.buffer && src.count > 0 && src.offset < dst.offset + dst.count && dst.offset < src.offset + src.count) {
        fail(`${this.where(p, c, i, step)}: src ${src.buffer}[${src.offset}, ${src.offset + src.count}) overlaps dst [${dst.offset}, ${dst.offset + dst.count})`);
      }
    }
  }

  // 2. Races -----------------------------------------------------------------------------

  private checkRaces(): void {
    this.schedule.participants.forEach((part, p) => {
      if (part.channels.length < 2) return;
      for (const buffer of BUFFERS) {
        // Per channel: union of written intervals and union of all accessed intervals.
        const events: { pos: number; delta: number; write: boolean }[] = [];
        part.channels.forEach((steps) => {
          const writes: [number, number][] = [];
          const accesses: [number, number][] = [];
          for (const step of steps) {
            for (const [slice, write] of accessesOf(decodeStep(step))) {
              if (slice.buffer !== buffer || slice.count === 0) continue;
              const iv: [number, number] = [slice.offset, slice.offset + slice.count];
              accesses.push(iv);
              if (write) writes.push(iv);
            }
          }
          for (const [s, e] of union(writes)) events.push({ pos: s, delta: 1, write: true }, { pos: e, delta: -1, write: true });
          for (const [s, e] of union(accesses)) events.push({ pos: s, delta: 1, write: false }, { pos: e, delta: -1, write: false });
        });
        if (events.length === 0) continue;
        events.sort((a, b) => a.pos - b.pos);
        let writers = 0;
        let accessors = 0;
        for (let k = 0; k < events.length; ) {
          const pos = events[k]!.pos;
          while (k < events.length && events[k]!.pos === pos) {
            const ev = events[k]!;
            if (ev.write) writers += ev.delta;
            else accessors += ev.delta;
            k++;
          }
          // Accessors count distinct channels (unions are disjoint per channel); a writer is
          // also an accessor, so a second accessor means another channel touches it.
          if (k < events.length && writers >= 1 && accessors >= 2) this.reportRace(p, buffer, pos);
        }
      }
    });
  }

  private reportRace(p: number, buffer: BufferName, pos: number): never {
    const touching: string[] = [];
    this.schedule.participants[p]!.channels.forEach((steps, c) => {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        for (const [slice, write] of accessesOf(decodeStep(step))) {
          if (slice.buffer === buffer && slice.offset <= pos && pos < slice.offset + slice.count) {
            touching.push(`${this.where(p, c, i, step)} ${write ? 'writes' : 'reads'} it`);
            return;
          }
        }
      }
    });
    fail(`race on ${p < this.nranks ? `rank ${p}` : `agent ${p}`} ${buffer}[${pos}] between channels: ${touching.join('; ')}`);
  }

  // 3. Execution -------------------------------------------------------------------------

  private execute(): void {
    const s = this.schedule;
    for (let p = 0; p < this.nparticipants; p++) {
      const initial: Val[] = BUFFERS.map(() => UNDEFINED);
      if (p < this.nranks) initial[0] = { sym: this.table.unit(p), delta: 0 };
      this.buffers.push(BUFFERS.map((b, k) => new IntervalBuffer(this.sizeOf(p, b), initial[k]!)));
      this.channels.push(
        s.participants[p]!.channels.map((steps, c) => {
          const knowledge = new Uint32Array(this.knowledgeWords);
          if (p < this.nranks) knowledge[p >> 5]! |= 1 << (p & 31);
          return { participant: p, channel: c, steps, pc: 0, blocked: false, knowledge };
        }),
      );
    }
    const ready: ChannelState[] = this.channels.flat();
    while (ready.length > 0) {
      const ch = ready.pop()!;
      ch.blocked = false;
      this.advance(ch, ready);
    }
    const stuck: string[] = [];
    for (const chans of this.channels) {
      for (const ch of chans) {
        if (ch.pc < ch.steps.length) stuck.push(this.where(ch.participant, ch.channel, ch.pc, ch.steps[ch.pc]!));
      }
    }
    if (stuck.length > 0) {
      const shown = stuck.slice(0, 8).join('; ');
      fail(`deadlock: ${stuck.length} channel(s) stuck waiting: ${shown}${stuck.length > 8 ? '; …' : ''}`);
    }
    for (const queue of this.queues.values()) {
      if (queue.head < queue.items.length) {
        fail(`${queue.items.length - queue.head} message(s) never received; first sent by ${queue.items[queue.head]!.from}`);
      }
    }
  }

  private queueKey(src: number, dst: number, channel: number): number {
    return (src * this.nparticipants + dst) * this.maxChannels + channel;
  }

  private post(ch: ChannelState, to: number, channel: number, slice: Slice, from: string, ready: ChannelState[]): void {
    const p = ch.participant;
    const got = this.buffers[p]![BUFFERS.indexOf(slice.buffer)]!.read(slice.offset, slice.count);
    if ('undefinedAt' in got) {
      fail(`${from}: reads ${slice.buffer}[${got.undefinedAt[0]}, ${got.undefinedAt[1]}) before anything was written there`);
    }
    if (!(Number.isInteger(channel) && channel >= 0 && channel < this.maxChannels)) fail(`${from}: sends on channel ${channel}, which no participant has`);
    const key = this.queueKey(p, to, channel);
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = { items: [], head: 0 };
      this.queues.set(key, queue);
    }
    queue.items.push({ pieces: got, count: slice.count, knowledge: ch.knowledge.slice(), from });
    const receiver = this.channels[to]![channel];
    if (receiver === undefined) fail(`${from}: rank ${to} has no channel ${channel} to receive it`);
    if (receiver.blocked) {
      receiver.blocked = false;
      ready.push(receiver);
    }
  }

  private advance(ch: ChannelState, ready: ChannelState[]): void {
    const p = ch.participant;
    const bufs = this.buffers[p]!;
    const buf = (slice: Slice) => bufs[BUFFERS.indexOf(slice.buffer)]!;
    while (ch.pc < ch.steps.length) {
      const step = ch.steps[ch.pc]!;
      const where = this.where(p, ch.channel, ch.pc, step);
      const d = decodeSteps(ch.steps)[ch.pc]!;
      // 1. receive (or read the local source) ...
      let data: readonly Piece[] | null = null;
      if (d.recvPeer >= 0) {
        const queue = this.queues.get(this.queueKey(d.recvPeer, p, ch.channel));
        if (queue === undefined || queue.head >= queue.items.length) {
          ch.blocked = true;
          return;
        }
        const msg = queue.items[queue.head++]!;
        const expects = d.dst?.count ?? msg.count;
        if (msg.count !== expects) fail(`${where}: expects ${expects} elements but the matching message from ${msg.from} has ${msg.count}`);
        for (let w = 0; w < ch.knowledge.length; w++) ch.knowledge[w]! |= msg.knowledge[w]!;
        data = msg.pieces;
      } else if (d.combine !== 'none' && d.src !== null) {
        const got = buf(d.src).read(d.src.offset, d.src.count);
        if ('undefinedAt' in got) {
          fail(`${where}: reads ${d.src.buffer}[${got.undefinedAt[0]}, ${got.undefinedAt[1]}) before anything was written there`);
        }
        data = got;
      }
      // 2. ... combine it into dst ...
      if (data !== null && d.dst !== null) {
        if (d.combine === 'copy') buf(d.dst).write(d.dst.offset, data);
        else if (d.combine === 'reduce') {
          const error = buf(d.dst).reduce(d.dst.offset, data, this.table);
          if (error !== null) fail(`${where}: ${d.dst.buffer} ${error}`);
        }
      }
      // 3. ... and post what the step sends.
      if (d.sent !== null) for (const peer of d.sendPeers) this.post(ch, peer, d.sendChannel >= 0 ? d.sendChannel : ch.channel, d.sent, where, ready);
      ch.pc++;
    }
  }

  // 5. Postcondition ---------------------------------------------------------------------

  private checkPostcondition(): void {
    const s = this.schedule;
    const n = s.nranks;
    const count = s.count;
    const desc = collectiveOf(s.collective);
    if (desc.synchronizes === true) {
      for (let r = 0; r < n; r++) {
        const heard = new Uint32Array(this.knowledgeWords);
        for (const ch of this.channels[r]!) for (let w = 0; w < heard.length; w++) heard[w]! |= ch.knowledge[w]!;
        for (let q = 0; q < n; q++) {
          if (!(heard[q >> 5]! & (1 << (q & 31)))) fail(`${s.collective}: rank ${r} can finish without hearing from rank ${q}`);
        }
      }
      return;
    }
    const all = this.table.all();
    for (let r = 0; r < n; r++) {
      // Required (range, contributions, source-index delta) of rank r's output: the
      // collective's postcondition (its descriptor's outputBlocks).
      const required = desc
        .outputBlocks(r, { nranks: n, root: s.root, count })
        .map((b) => [b.offset, b.count, b.from === 'all' ? all : this.table.unit(b.from), b.inputOffset - b.offset] as const);
      const out = this.buffers[r]![1]!;
      for (const [offset, len, want, delta] of required) {
        for (const [st, e, v] of out.runs(offset, len)) {
          const range = `rank ${r} output[${st}, ${e})`;
          if (v.sym === null) fail(`${range} is never written`);
          if (v.sym !== want) fail(`${range} holds contributions ${describeSym(v.sym)}, expected ${describeSym(want)}${diffSym(v.sym, want)}`);
          if (v.delta !== delta) fail(`${range} holds source elements from index ${st + v.delta}, expected from index ${st + delta}`);
        }
      }
    }
  }
}

/** " (missing 2; duplicate 3; extra 5)" for error messages. */
function diffSym(got: Sym, want: Sym): string {
  const missing: number[] = [];
  const duplicate: number[] = [];
  const extra: number[] = [];
  got.counts.forEach((c, r) => {
    const w = want.counts[r]!;
    if (c < w) missing.push(r);
    else if (w > 0 && c > w) duplicate.push(r);
    else if (w === 0 && c > 0) extra.push(r);
  });
  const notes: string[] = [];
  const list = (xs: number[]) => (xs.length > 8 ? `${xs.slice(0, 8).join(',')},…` : xs.join(','));
  if (missing.length > 0) notes.push(`missing rank ${list(missing)}`);
  if (duplicate.length > 0) notes.push(`duplicate rank ${list(duplicate)}`);
  if (extra.length > 0) notes.push(`unexpected rank ${list(extra)}`);
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}


/** Union of half-open intervals, sorted and disjoint (touching intervals merged). */
function union(intervals: [number, number][]): [number, number][] {
  if (intervals.length === 0) return [];
  intervals.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [[intervals[0]![0], intervals[0]![1]]];
  for (let i = 1; i < intervals.length; i++) {
    const [s, e] = intervals[i]!;
    const last = out[out.length - 1]!;
    if (s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
