#!/usr/bin/env node
/**
 * How far the coarsest equitable partition (colour refinement, 1-WL) would compress a ghost
 * all-reduce: blocks of participants (ranks and NVLS agents) whose tapes, peers, flows and
 * links are alike step for step, so that one representative per block, with multiplicities on
 * the links, would be an exact simulation (speed.md §42). A study, not an engine: it plans the
 * schedule `weft bench allreduce` runs with its defaults, routes every connection as the run
 * would, refines, and prints the blocks.
 *
 *   node benchmarks/equitable-classes.mjs dgx-h100:nodes=2048 [--algo auto|tree|ring|hierarchical|…]
 *     [--size 1G] [--routing ecmp,adaptive] [--modes strict,commute] [--seed 1] [--orbits]
 *     [--verify-trace FILE] [--json]
 *
 * One plan; a row per mode and routing (each list comma-separated; defaults: strict, ecmp).
 *
 * --verify-trace FILE checks the blocks against `weft bench … --trace FILE` of the same run: every
 * member's tapes must have the same step timings (channels may be permuted).
 * --modes commute (or --commute-recvs) lets a block of consecutive pure receives (and a fused
 * receive-then-send right after it) be a multiset: the step after them waits for all, and sends
 * are eager, so their order moves no timing a later step sees (local steps are free in a
 * multi-rank ghost run: executor.ts). strict keeps every step in its place.
 *
 * --orbits also runs rank-classes' findRankClasses (§41) on the same run and checks that every
 * orbit lies inside one block (the partition is at least as coarse as the group's orbits).
 * EQ_PROGRESS=1 prints each stage and round on stderr.
 *
 * The coloured structure refined (all colours dense integers, each round's new colour a hash of
 * the old one and its neighbourhood, so a round only splits blocks; stable when no count moves):
 *  - tapes (participant, channel): first colour = the tape's value sequence with every peer
 *    field left 0, hashed per run as rank-classes.ts does (a run of k repetitions from one); each
 *    peer's places carry a weight (the hash of "this position is that peer", built per run too)
 *    and each round adds, at those places, the colour of the connection to that peer (the flow in
 *    from it on this channel, the flows out to it): the step sequence with every peer replaced
 *    by what it is, not by its name or order, at O(slots) a round. Wire channels are numbered per
 *    tape; a fan-out's targets are a multiset (posted at once). Then hash(old, participant's
 *    colour, that sequence);
 *  - participants: hash(kind, multiset of their tapes' colours) — a participant's channels may
 *    be permuted (NCCL's rings are each other's rotations), what the engine would map;
 *  - flows (src, dst, wire channel) as the coordinator makes them: hash(step-latency class
 *    (intra / inter server), wire factor of the ends, the route's link colours in order — ECMP:
 *    the router's pinned path for (src, dst, channel, qp 0, seed); adaptive: the multiset of the
 *    equal-cost paths, each a sub-flow of weight 1/P as max-min takes them — and its posters:
 *    the sending tape's colour with the steps that post it; not the receiver's slot: sends are
 *    eager, so a flow's timing is its sender's);
 *  - links (those some route crosses): first colour = (bandwidth, latency); then hash(old,
 *    multiset of (sub-flow colour, hop position) over the sub-flows crossing it).
 * Each row also counts the run's transfers (sends posted, a fan-out's every target one) against
 * those of one member per block.
 */
import { chooseAlgorithm, candidatesOf, channelTapes, countForBytes, fastest, getAlgorithm, DEFAULT_CHUNK_BYTES, PRIMITIVES, STEP_OPS, TapeCursor } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { findRankClasses, layoutOf, participantNodes, routerOf, SequenceHash, wireFactors } from '@weft/runtime/core';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

class UsageError extends Error {}

// ---- hashing: two 32-bit murmur lanes, a 53-bit key per colour signature -------------------

const SEED_A = 0x9747b28c;
const SEED_B = 0x2545f491;

function mix32(h, v) {
  let k = Math.imul(v | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** An ordered signature: values fed in sequence, read as one 53-bit number (collisions ~ n²/2^54). */
class Sig {
  a = SEED_A;
  b = SEED_B;
  reset(v) {
    this.a = mix32(SEED_A, v);
    this.b = mix32(SEED_B, v);
    return this;
  }
  add(v) {
    this.a = mix32(this.a, v);
    this.b = mix32(this.b, v);
    return this;
  }
  /** Adds a multiset's two lanes (see Bag). */
  addBag(bag, i) {
    return this.add(bag.a[i]).add(bag.b[i]);
  }
  key() {
    return (fmix32(this.a) >>> 0) * 2097152 + (fmix32(this.b) >>> 11);
  }
}

/** Multisets, one per index: the element hashes summed mod 2^32 per lane (order-free). */
class Bag {
  constructor(n) {
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
  }
  clear() {
    this.a.fill(0);
    this.b.fill(0);
  }
  put(i, v) {
    this.a[i] = (this.a[i] + fmix32(mix32(SEED_A ^ 0x5bd1e995, v))) | 0;
    this.b[i] = (this.b[i] + fmix32(mix32(SEED_B ^ 0x1b873593, v))) | 0;
  }
}

/** Dense colours from signature keys, numbered by first appearance (deterministic). */
function densify(keys) {
  const ids = new Map();
  const out = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    let id = ids.get(keys[i]);
    if (id === undefined) ids.set(keys[i], (id = ids.size));
    out[i] = id;
  }
  return { colours: out, count: ids.size };
}

// ---- the run: topology, schedule, participants -------------------------------------------

function parseArgs(argv) {
  const args = { spec: undefined, algo: 'auto', size: '1G', routings: ['ecmp'], seed: 1, orbits: false, modes: [false], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--algo') args.algo = value();
    else if (a === '--size') args.size = value();
    else if (a === '--routing') args.routings = value().split(',');
    else if (a === '--seed') args.seed = Number(value());
    else if (a === '--orbits') args.orbits = true;
    else if (a === '--commute-recvs') args.modes = [true];
    else if (a === '--modes') args.modes = value().split(',').map((m) => (m === 'commute' ? true : m === 'strict' ? false : m));
    else if (a === '--verify-trace') args.verify = value();
    else if (a === '--json') args.json = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown flag ${a}`);
    else if (args.spec === undefined) args.spec = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (args.spec === undefined) throw new UsageError('usage: equitable-classes.mjs <topology> [--algo A] [--size S] [--routing ecmp,adaptive] [--modes strict,commute | --commute-recvs] [--seed N] [--orbits] [--verify-trace FILE] [--json]');
  for (const r of args.routings) if (r !== 'ecmp' && r !== 'adaptive') throw new UsageError(`--routing: ecmp or adaptive (or both, comma-separated), got ${r}`);
  for (const m of args.modes) if (typeof m !== 'boolean') throw new UsageError(`--modes: strict or commute (or both, comma-separated), got ${m}`);
  if (!Number.isInteger(args.seed) || args.seed < 0) throw new UsageError(`--seed: a non-negative integer, got ${args.seed}`);
  return args;
}

/** The schedule `weft bench allreduce --algo A -b S -e S` runs with its other flags at their defaults (sweep.ts resolveAlgorithm). */
function planRun(topology, algo, bytes) {
  const nranks = topology.ranks.length;
  const count = countForBytes('allReduce', bytes, 'float32', nranks);
  const params = { nranks, count, root: 0, elementBytes: 4, channels: 0, chunkElements: DEFAULT_CHUNK_BYTES / 4, chunkAuto: true, layout: rankLayout(topology) };
  const cost = alphaBetaCost(topology);
  if (algo === 'auto') {
    const choice = chooseAlgorithm('allReduce', params, cost);
    return { name: choice.algorithm.name, params: choice.params, schedule: choice.algorithm.plan(choice.params) };
  }
  const algorithm = getAlgorithm('allReduce', algo);
  const best = fastest(candidatesOf(algorithm, params, cost));
  if (best === null) throw new UsageError(`--algo ${algo} cannot run here`);
  return { name: algorithm.name, params: best.params, schedule: algorithm.plan(best.params) };
}

// ---- tapes: shape hashes with peers left open, and where each peer and send target is used ----

const OP_SEND = STEP_OPS.map((op) => PRIMITIVES[op].send);
const OP_RECV = STEP_OPS.map((op) => PRIMITIVES[op].recv);

/** SequenceHash's moduli, read off the hash itself (mixing −1 leaves p − 1 in each lane). */
const LANE_PRIMES = (() => {
  const h = new SequenceHash();
  h.mix(-1);
  return Array.from(h.h, (x) => x + 1);
})();
const LANES = LANE_PRIMES.length;
/** Its bases: mixing 1 then 0 leaves x in each lane. */
const LANE_BASES = (() => {
  const h = new SequenceHash();
  h.mix(1);
  h.mix(0);
  return Array.from(h.h);
})();

/** x^n per lane, tabled up to POW_TABLE (zero padding is a multiplication by x^n, the hot path of the scan). */
const POW_TABLE = 1 << 16;
const powTables = LANE_BASES.map((x, i) => {
  const table = new Float64Array(POW_TABLE);
  table[0] = 1;
  for (let n = 1; n < POW_TABLE; n++) table[n] = (table[n - 1] * x) % LANE_PRIMES[i];
  return table;
});

function lanePow(i, n) {
  if (n < POW_TABLE) return powTables[i][n];
  const half = lanePow(i, Math.floor(n / 2));
  const sq = (half * half) % LANE_PRIMES[i];
  return n % 2 === 0 ? sq : (sq * LANE_BASES[i]) % LANE_PRIMES[i];
}

/** Appends zeros to h up to `length` values: H·x^n. */
function padZeros(h, length) {
  const n = length - h.length;
  if (n <= 0) return;
  for (let i = 0; i < LANES; i++) h.h[i] = (h.h[i] * lanePow(i, n)) % LANE_PRIMES[i];
  h.length = length;
}

/** The send targets of the cursor's step as (peer, wire channel) pairs appended to `out` (a step with a fan-out posts to all at once). */
function sendTargets(cur, channel, out) {
  if (!OP_SEND[cur.op]) return;
  const wire = cur.sendChannel >= 0 ? cur.sendChannel : channel;
  const first = OP_RECV[cur.op] ? cur.sendPeer : cur.peer;
  if (first >= 0) out.push(first, wire);
  for (let i = 0; i < cur.fanOut.length; i++) out.push(cur.fanOut[i], wire);
}

/**
 * Per key, the indicator sequence "position i is this key" over a tape's positions, as a
 * SequenceHash of 0s and 1s built per run like the shape (a run's repetitions from its first).
 * Its value at full length L is Σ x^(L−1−i) over the key's positions: the weight with which
 * a value put at those positions enters the tape's polynomial hash.
 */
class Indicators {
  constructor() {
    this.byKey = new Map();
    this.runId = 0;
  }
  reset() {
    this.byKey.clear();
  }
  at(key) {
    let u = this.byKey.get(key);
    if (u === undefined) this.byKey.set(key, (u = { whole: new SequenceHash(), seg: new SequenceHash(), segAt: -1 }));
    return u;
  }
  /** Position `pos` holds `key` (once more, if it already does: a block of commuting receives puts its peers at one position). */
  mark(key, pos) {
    bump(this.at(key).whole, pos);
  }
  /** A run from position `start`: its period of `period` positions, with `marks` (flat key, offset), repeated `reps` times. */
  run(marks, period, start, reps) {
    const id = ++this.runId;
    const touched = [];
    for (let i = 0; i < marks.length; i += 2) {
      const u = this.at(marks[i]);
      if (u.segAt !== id) {
        u.segAt = id;
        u.seg.reset();
        touched.push(u);
      }
      bump(u.seg, marks[i + 1]);
    }
    for (const u of touched) {
      padZeros(u.seg, period);
      padZeros(u.whole, start);
      u.whole.append(u.seg, reps);
    }
  }
}

/** Fields per send target in TapeScan.sends: tape, slot, peer, wire, wire slot, usage id. */
const SEND_FIELDS = 6;

/** Adds 1 at position `pos` of the indicator sequence h (which must end at or before pos + 1: a key's places come in order). */
function bump(h, pos) {
  if (h.length > pos + 1) throw new Error(`internal: a place at ${pos} after one at ${h.length - 1}`);
  if (h.length === pos + 1) {
    for (let i = 0; i < LANES; i++) h.h[i] = (h.h[i] + 1) % LANE_PRIMES[i];
    return;
  }
  padZeros(h, pos);
  h.mix(1);
}

/** A growable typed array (the scan's per-slot and per-send tables run to tens of millions of numbers at 16,384 GPUs). */
class Grow {
  constructor(Type) {
    this.Type = Type;
    this.data = new Type(1024);
    this.length = 0;
  }
  push(...values) {
    if (this.length + values.length > this.data.length) {
      const next = new this.Type(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data);
      this.data = next;
    }
    for (const v of values) this.data[this.length++] = v;
  }
  at(i) {
    return this.data[i];
  }
  set(i, v) {
    this.data[i] = v;
  }
  done() {
    return this.data.subarray(0, this.length);
  }
}

const hashKey = (h) => `${Array.from(h.h).join(',')},${h.length}`;

/**
 * Every tape's shape and slots. Tape t = tapeStart[p] + c. The shape is the tape's value
 * sequence with every peer field left 0 (staticLanes), plus per slot — a peer the tape names,
 * in order of first mention (slotStart[t] .. slotStart[t + 1] in slotPeer) — the weight of its
 * positions (slotLanes): refinement puts each peer's connection colour there, so a tape is its
 * steps with every peer replaced by what it is, not by its name or order. Wire channels are
 * numbered per tape (0: its own). Sends: per target (tape, slot, peer, wire, wire slot, usage),
 * usage = the steps that post to it (a flow's timing is where its sender posts it; sends are
 * eager, coordinator.ts).
 */
function scanTapes(schedule, commute) {
  const participants = schedule.participants;
  const np = participants.length;
  const tapeStart = new Int32Array(np + 1);
  const tapesOf = participants.map((part) => channelTapes(part));
  for (let p = 0; p < np; p++) tapeStart[p + 1] = tapeStart[p] + tapesOf[p].length;
  const nt = tapeStart[np];
  const shapeIds = new Map();
  const shapeKeys = new Int32Array(nt);
  const staticLanes = new Float64Array(nt * LANES);
  const slotStart = new Int32Array(nt + 1);
  const slotPeer = new Grow(Int32Array);
  const slotLanes = new Grow(Float64Array);
  const sends = new Grow(Int32Array);
  const usageIds = new Map();
  const whole = new SequenceHash();
  const segment = new SequenceHash();
  const usage = new Indicators();
  const places = new Indicators();
  // Transfers each participant posts (a fan-out's every target one): what an engine simulating one member per block saves.
  const transfers = new Float64Array(np);
  for (let p = 0; p < np; p++) {
    for (let c = 0; c < tapesOf[p].length; c++) {
      const t = tapeStart[p] + c;
      const slots = new Map();
      const slot = (peer) => {
        let s = slots.get(peer);
        if (s === undefined) slots.set(peer, (s = slots.size));
        return s;
      };
      const wires = new Map([[c, 0]]);
      const wireSlot = (wire) => {
        let w = wires.get(wire);
        if (w === undefined) wires.set(wire, (w = wires.size));
        return w;
      };
      // One step's values into h; a peer's place is marked (by `mark(slot, position in h)`) and left 0.
      // With commuting receives, a block of consecutive pure receives is one multiset: its steps feed
      // only "receive" and put their peers at the block's first place (see the header).
      const feed = (cur, h, mark) => {
        const peer = (q) => {
          if (q < 0) return h.mix(-1);
          mark(slot(q), h.length);
          h.mix(0);
        };
        if (commute && OP_RECV[cur.op] && !OP_SEND[cur.op] && cur.fanOut.length === 0) {
          if (block.at < 0) {
            h.mix(-2);
            block.at = h.length;
            h.mix(0);
          }
          mark(slot(cur.peer), block.at);
          return;
        }
        // A fused receive-then-send after such a block: its receive joins the block (the send waits for all of them).
        const joins = commute && OP_RECV[cur.op] && block.at >= 0;
        if (joins) mark(slot(cur.peer), block.at);
        block.at = -1;
        h.mix(cur.op);
        // A step's send targets (its first and its fan-out) are posted at once: a multiset, all at the first's place.
        const send = OP_SEND[cur.op];
        const first = send ? (OP_RECV[cur.op] ? cur.sendPeer : cur.peer) : -1;
        const sendAt = first >= 0 ? h.length + (OP_RECV[cur.op] ? 1 : 0) : -1;
        if (joins) h.mix(-3);
        else peer(cur.peer);
        peer(cur.sendPeer);
        h.mix(cur.sendChannel < 0 ? -1 : wireSlot(cur.sendChannel));
        h.mix(cur.srcBuffer);
        h.mix(cur.srcCount);
        h.mix(cur.dstBuffer);
        h.mix(cur.dstCount);
        const fanOut = cur.fanOut;
        h.mix(fanOut.length);
        for (let i = 0; i < fanOut.length; i++) {
          if (sendAt >= 0) mark(slot(fanOut[i]), sendAt);
          else peer(fanOut[i]);
        }
      };
      const markWhole = (s, pos) => places.mark(s, pos);
      const block = { at: -1 };
      whole.reset();
      usage.reset();
      places.reset();
      // Which runs fold: those of several repetitions where no peer moves (rank-classes.ts scanTapes); the
      // others are walked step by step. Known before the walk, so a block of commuting receives is cut only
      // at a folded run's edges (a conservative cut: it can only split tapes, never merge them).
      const folds = [];
      for (const cur = new TapeCursor(tapesOf[p][c]); cur.next(); ) {
        if (cur.runPos !== 0 || cur.runRep !== 0) continue;
        let moves = cur.peerMoves;
        for (let i = 1; i < cur.runPeriod; i++) {
          cur.next();
          moves ||= cur.peerMoves;
        }
        folds.push(cur.runReps > 1 && !moves);
        cur.skipRun();
      }
      const cur = new TapeCursor(tapesOf[p][c]);
      let step = 0;
      let run = -1;
      const targets = [];
      while (cur.next()) {
        if (cur.runPos === 0 && cur.runRep === 0) run++;
        if (cur.runPos === 0 && cur.runRep === 0 && folds[run]) {
          // A run's first repetition stands for all of them.
          segment.reset();
          const marks = [];
          const sent = [];
          const markSeg = (s, pos) => marks.push(s, pos);
          const period = cur.runPeriod;
          const reps = cur.runReps;
          block.at = -1;
          for (let i = 0; i < period; i++) {
            if (i > 0) cur.next();
            feed(cur, segment, markSeg);
            targets.length = 0;
            sendTargets(cur, c, targets);
            for (let k = 0; k < targets.length; k += 2) sent.push(targets[k + 1] * 1048576 + targets[k], i);
          }
          block.at = -1;
          transfers[p] += (sent.length / 2) * reps;
          places.run(marks, segment.length, whole.length, reps);
          usage.run(sent, period, step, reps);
          whole.append(segment, reps);
          step += period * reps;
          cur.skipRun();
          continue;
        }
        feed(cur, whole, markWhole);
        targets.length = 0;
        sendTargets(cur, c, targets);
        for (let k = 0; k < targets.length; k += 2) usage.mark(targets[k + 1] * 1048576 + targets[k], step);
        transfers[p] += targets.length / 2;
        step += 1;
      }
      const shape = hashKey(whole);
      let shapeId = shapeIds.get(shape);
      if (shapeId === undefined) shapeIds.set(shape, (shapeId = shapeIds.size));
      shapeKeys[t] = shapeId;
      staticLanes.set(whole.h, t * LANES);
      const first = slotPeer.length;
      for (let s = 0; s < slots.size; s++) slotPeer.push(-1);
      for (let s = 0; s < slots.size; s++) {
        const u = places.byKey.get(s);
        if (u === undefined) {
          for (let i = 0; i < LANES; i++) slotLanes.push(0);
          continue;
        }
        padZeros(u.whole, whole.length);
        for (let i = 0; i < LANES; i++) slotLanes.push(u.whole.h[i]);
      }
      for (const [key, u] of usage.byKey) {
        padZeros(u.whole, step);
        const k = hashKey(u.whole);
        let id = usageIds.get(k);
        if (id === undefined) usageIds.set(k, (id = usageIds.size));
        const peer = key % 1048576;
        const wire = Math.floor(key / 1048576);
        sends.push(t, slot(peer), peer, wire, wireSlot(wire), id);
      }
      // A target first met in the usage walk (none should be) gets a slot with no place.
      for (let s = slotPeer.length - first; s < slots.size; s++) {
        slotPeer.push(-1);
        for (let i = 0; i < LANES; i++) slotLanes.push(0);
      }
      for (const [peer, s] of slots) slotPeer.set(first + s, peer);
      slotStart[t + 1] = slotPeer.length;
    }
  }
  return { np, nt, tapeStart, shapeKeys, staticLanes, slotStart, slotPeer: slotPeer.done(), slotLanes: slotLanes.done(), sends: sends.done(), usages: usageIds.size, transfers };
}

// ---- flows and routes --------------------------------------------------------------------

/**
 * The connections (src, dst, wire) the sends use, deduplicated, with who posts on each (tape,
 * usage), the step-latency class, and their routes: sub-flows (one under ECMP, P under
 * adaptive) as CSR link lists. Per tape slot: the flow in from that peer on the tape's channel
 * and the flows out to it.
 */
function buildFlows(scan, topology, nodes, routing, seed, groupOf, kinds) {
  const { np, tapeStart, slotStart, slotPeer, sends } = scan;
  const router = routerOf(topology);
  const linkIndex = new Map(topology.links.map((l, i) => [l.id, i]));
  const none = new Set();
  const nranks = topology.ranks.length;
  const byKey = new Map();
  const fSrc = [];
  const fDst = [];
  const fWire = [];
  const W = SEND_FIELDS;
  const sendFlow = new Int32Array(sends.length / W);
  for (let i = 0; i < sends.length; i += W) {
    const src = participantOfTape(tapeStart, sends[i]);
    const dst = sends[i + 2];
    const wire = sends[i + 3];
    const key = (wire * np + src) * np + dst;
    let f = byKey.get(key);
    if (f === undefined) {
      byKey.set(key, (f = fSrc.length));
      fSrc.push(src);
      fDst.push(dst);
      fWire.push(wire);
    }
    sendFlow[i / W] = f;
  }
  const nf = fSrc.length;
  // Posters per flow (CSR): the sending tape and the target's usage.
  const posterStart = new Int32Array(nf + 1);
  for (let k = 0; k < sendFlow.length; k++) posterStart[sendFlow[k] + 1]++;
  for (let f = 0; f < nf; f++) posterStart[f + 1] += posterStart[f];
  const posterTape = new Int32Array(sendFlow.length);
  const posterUsage = new Int32Array(sendFlow.length);
  const at = posterStart.slice(0, nf);
  for (let k = 0; k < sendFlow.length; k++) {
    const j = at[sendFlow[k]]++;
    posterTape[j] = sends[W * k];
    posterUsage[j] = sends[W * k + 5];
  }
  // What the coordinator reads of a flow's ends: the step latency's class (intra / inter server) and the
  // wire factor, the larger of the two ends' (an NVLS agent's multicast runs below the link rate).
  const fLatency = new Int32Array(nf);
  const fEnds = new Int32Array(nf);
  for (let f = 0; f < nf; f++) {
    fLatency[f] = fSrc[f] >= nranks || fDst[f] >= nranks || groupOf[fSrc[f]] === groupOf[fDst[f]] ? 0 : 1;
    fEnds[f] = Math.max(kinds[fSrc[f]], kinds[fDst[f]]);
  }
  // Routes: sub-flow CSR (subStart per flow, linkStart per sub-flow).
  const subStart = new Int32Array(nf + 1);
  const linkStart = [0];
  const links = [];
  const adaptiveSets = new Map();
  for (let f = 0; f < nf; f++) {
    const a = nodes[fSrc[f]];
    const b = nodes[fDst[f]];
    let paths;
    if (a === b) paths = [[]];
    else if (routing === 'ecmp') paths = [router.pinnedPath(a, b, fWire[f], 0, seed, none)];
    else {
      const pair = `${a}\u0000${b}`;
      paths = adaptiveSets.get(pair);
      if (paths === undefined) adaptiveSets.set(pair, (paths = router.equalCostPaths(a, b, none)));
    }
    for (const path of paths) {
      if (path === null) throw new UsageError(`no route from ${a} to ${b}`);
      for (const id of path) links.push(linkIndex.get(id));
      linkStart.push(links.length);
    }
    subStart[f + 1] = linkStart.length - 1;
  }
  // Per tape slot: the flow in from that peer on the tape's channel (a recv on tape c matches sends on wire c), the flows out (CSR).
  const ns = slotPeer.length;
  const inFlow = new Int32Array(ns).fill(-1);
  for (let t = 0, p = 0; t < scan.nt; t++) {
    while (tapeStart[p + 1] <= t) p++;
    const c = t - tapeStart[p];
    for (let s = slotStart[t]; s < slotStart[t + 1]; s++) {
      const f = byKey.get((c * np + slotPeer[s]) * np + p);
      if (f !== undefined) inFlow[s] = f;
    }
  }
  const outStart = new Int32Array(ns + 1);
  for (let k = 0; k < sendFlow.length; k++) outStart[slotStart[sends[W * k]] + sends[W * k + 1] + 1]++;
  for (let s = 0; s < ns; s++) outStart[s + 1] += outStart[s];
  const outFlows = new Int32Array(sendFlow.length);
  const outWire = new Int32Array(sendFlow.length);
  const fill = outStart.slice(0, ns);
  for (let k = 0; k < sendFlow.length; k++) {
    const j = fill[slotStart[sends[W * k]] + sends[W * k + 1]]++;
    outFlows[j] = sendFlow[k];
    outWire[j] = sends[W * k + 4];
  }
  return {
    nf, posterStart, posterTape, posterUsage, fLatency, fEnds,
    subStart, linkStart: Int32Array.from(linkStart), links: Int32Array.from(links), inFlow, outStart, outFlows, outWire,
    pairs: adaptiveSets.size,
  };
}

function participantOfTape(tapeStart, t) {
  let lo = 0;
  let hi = tapeStart.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tapeStart[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---- refinement ---------------------------------------------------------------------------

function refine(scan, flows, topology, kinds, maxRounds = Infinity) {
  const { np, nt, tapeStart, slotStart, slotPeer } = scan;
  const { nf, subStart, linkStart } = flows;
  // Only the links some route crosses take part: renumbered densely (a 65,536-GPU fabric has 557 K links, most idle in a ring).
  const localOf = new Int32Array(topology.links.length).fill(-1);
  const crossedIds = [];
  for (const l of flows.links) if (localOf[l] < 0) localOf[l] = crossedIds.push(l) - 1;
  const links = Int32Array.from(flows.links, (l) => localOf[l]);
  const nl = crossedIds.length;
  const nsub = linkStart.length - 1;
  const sig = new Sig();
  const tapeOwner = new Int32Array(nt);
  for (let p = 0; p < np; p++) for (let t = tapeStart[p]; t < tapeStart[p + 1]; t++) tapeOwner[t] = p;
  let tape = densify(scan.shapeKeys).colours;
  const linkKeys = crossedIds.map((id) => topology.links[id]).map((l) => sig.reset(Math.round(l.bandwidthBytesPerSec / 1e3)).add(Math.round(l.latencyNs * 1e3)).key());
  let link = densify(linkKeys).colours;
  const partBag = new Bag(np);
  const partColours = (tapeColours) => {
    partBag.clear();
    for (let t = 0; t < nt; t++) partBag.put(tapeOwner[t], tapeColours[t]);
    const keys = new Float64Array(np);
    for (let p = 0; p < np; p++) keys[p] = sig.reset(kinds[p]).add(tapeStart[p + 1] - tapeStart[p]).addBag(partBag, p).key();
    return densify(keys);
  };
  const first = partColours(tape);
  let part = first.colours;
  const initial = { tapes: densify(scan.shapeKeys).count, participants: first.count, links: densify(linkKeys).count };
  const flowKeys = new Float64Array(nf);
  const subKeys = new Float64Array(nsub);
  const tapeKeys = new Float64Array(nt);
  const linkKeysNew = new Float64Array(nl);
  const routeBag = new Bag(nf);
  const linkBag = new Bag(nl);
  const outBag = new Bag(1);
  const slotValue = new Float64Array(slotPeer.length);
  const lanes = new Float64Array(LANES);
  const posterBag = new Bag(1);
  const counts = [];
  for (let round = 0; ; round++) {
    // Flows from the old tapes and links: ends, slots, latency class, route (sub-flows' link colours in order, as a multiset of paths).
    routeBag.clear();
    for (let f = 0; f < nf; f++) {
      for (let s = subStart[f]; s < subStart[f + 1]; s++) {
        sig.reset(-7);
        for (let i = linkStart[s]; i < linkStart[s + 1]; i++) sig.add(link[links[i]]);
        subKeys[s] = sig.key();
        routeBag.put(f, (subKeys[s] % 2147483647) | 0);
      }
      posterBag.clear();
      for (let j = flows.posterStart[f]; j < flows.posterStart[f + 1]; j++) posterBag.put(0, mix32(mix32(SEED_B, tape[flows.posterTape[j]]), flows.posterUsage[j]));
      flowKeys[f] = sig.reset(flows.fLatency[f]).add(flows.fEnds[f]).addBag(routeBag, f).addBag(posterBag, 0).key();
    }
    const flow = densify(flowKeys);
    // Links: old colour and the multiset of (sub-flow colour, hop) crossing them; a sub-flow's colour is its flow's and its path's.
    linkBag.clear();
    for (let f = 0; f < nf; f++) {
      for (let s = subStart[f]; s < subStart[f + 1]; s++) {
        const sub = mix32(mix32(SEED_A, flow.colours[f]), (subKeys[s] % 2147483647) | 0);
        for (let i = linkStart[s]; i < linkStart[s + 1]; i++) linkBag.put(links[i], mix32(sub, i - linkStart[s]));
      }
    }
    for (let l = 0; l < nl; l++) linkKeysNew[l] = sig.reset(link[l]).addBag(linkBag, l).key();
    const linkNext = densify(linkKeysNew);
    // Tapes: old colour, own participant's, and the step sequence with every peer replaced by its
    // connection's colour (the flow in from it on this channel, the flows out to it with their wire slots):
    // the polynomial hash is linear in the values, so that is the shape's lanes plus Σ value × weight per slot.
    for (let s = 0; s < slotPeer.length; s++) {
      const fin = flows.inFlow[s];
      outBag.clear();
      for (let o = flows.outStart[s]; o < flows.outStart[s + 1]; o++) outBag.put(0, mix32(flows.outWire[o], flow.colours[flows.outFlows[o]]));
      slotValue[s] = (sig.reset(fin >= 0 ? flow.colours[fin] : -1).add(flows.outStart[s + 1] - flows.outStart[s]).addBag(outBag, 0).key() % 16777213);
    }
    for (let t = 0; t < nt; t++) {
      for (let i = 0; i < LANES; i++) lanes[i] = scan.staticLanes[t * LANES + i];
      for (let s = slotStart[t]; s < slotStart[t + 1]; s++) {
        const v = slotValue[s];
        for (let i = 0; i < LANES; i++) lanes[i] = (lanes[i] + v * scan.slotLanes[s * LANES + i]) % LANE_PRIMES[i];
      }
      sig.reset(tape[t]).add(part[tapeOwner[t]]);
      for (let i = 0; i < LANES; i++) sig.add(lanes[i]);
      tapeKeys[t] = sig.key();
    }
    const tapeNext = densify(tapeKeys);
    const partNext = partColours(tapeNext.colours);
    const linkBlocks = linkNext.count;
    const now = { round, tapes: tapeNext.count, participants: partNext.count, flows: flow.count, links: linkBlocks };
    progress(`round ${round}: ${now.tapes}/${now.participants}/${now.flows}/${now.links}`);
    const last = counts.at(-1);
    counts.push(now);
    tape = tapeNext.colours;
    part = partNext.colours;
    link = linkNext.colours;
    if (round + 1 >= maxRounds) return { part, tape, flow: flow.colours, link, rounds: counts };
    if (last && last.tapes === now.tapes && last.participants === now.participants && last.flows === now.flows && last.links === now.links) {
      return { part, tape, flowCount: flow.count, linkBlocks, rounds: counts, initial };
    }
  }
}

// ---- report ------------------------------------------------------------------------------

function blockStats(colours, from, to) {
  const sizes = new Map();
  for (let i = from; i < to; i++) sizes.set(colours[i], (sizes.get(colours[i]) ?? 0) + 1);
  let largest = 0;
  let smallest = Infinity;
  for (const n of sizes.values()) {
    largest = Math.max(largest, n);
    smallest = Math.min(smallest, n);
  }
  return { blocks: sizes.size, largest, smallest: sizes.size > 0 ? smallest : 0 };
}

/**
 * Checks the blocks against a run's `weft bench --trace` (Chrome trace JSON): every member of a
 * block must have the same multiset of tape timings (each tape its steps' bytes, start and end
 * in simulated ns, rounded to 1e-3 ns against float noise; channels may be permuted; with
 * commuting receives, every step's end but the pure receives'). Returns
 * how many blocks of several members agree, of how many.
 */
function readTrace(file) {
  let trace;
  try {
    trace = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--verify-trace ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  }
  if (!Array.isArray(trace?.traceEvents)) throw new UsageError(`--verify-trace ${file}: not a weft --trace file (no traceEvents)`);
  return trace;
}

function verifyTrace(trace, part, nranks, commute) {
  const tapeOf = new Map();
  for (const e of trace.traceEvents) {
    if (e.name !== 'thread_name') continue;
    const m = /^(rank|switch) (\d+) ch(\d+)$/.exec(e.args.name);
    if (m) tapeOf.set(e.tid, { participant: (m[1] === 'rank' ? 0 : nranks) + Number(m[2]), steps: [] });
  }
  for (const e of trace.traceEvents) {
    if (e.cat !== 'step') continue;
    const tape = tapeOf.get(e.tid);
    // With commuting receives, the receives of a block end at times that move with their order (the trace records
    // them), and so does the start of the step after them; what is compared is when every other step ends.
    const op = e.name.split(' ')[0];
    if (commute && (op === 'recv' || op === 'recvReduce')) continue;
    if (tape) tape.steps.push(`${op} ${e.args.bytes}@${commute ? '' : e.args.startNs.toFixed(3)}-${e.args.endNs.toFixed(3)}`);
  }
  const byParticipant = new Map();
  for (const tape of tapeOf.values()) {
    if (!byParticipant.has(tape.participant)) byParticipant.set(tape.participant, []);
    byParticipant.get(tape.participant).push(tape.steps.join(' '));
  }
  const signature = (p) => (byParticipant.get(p) ?? []).sort().join('|');
  const firstOf = new Map();
  const bad = new Set();
  const size = new Map();
  for (let p = 0; p < part.length; p++) {
    size.set(part[p], (size.get(part[p]) ?? 0) + 1);
    const sig = signature(p);
    if (!firstOf.has(part[p])) firstOf.set(part[p], sig);
    else if (firstOf.get(part[p]) !== sig) {
      if (!bad.has(part[p]) && process.env.EQ_DEBUG) {
        const a = firstOf.get(part[p]).split('|');
        const b = sig.split('|');
        const i = a.findIndex((x, k) => x !== b[k]);
        const sa = (a[i] ?? '').split(' ');
        const sb = (b[i] ?? '').split(' ');
        const j = sa.findIndex((x, k) => x !== sb[k]);
        console.error(`block ${part[p]}: participant ${p} differs from ${part.indexOf(part[p])} at sorted tape ${i} of ${a.length}/${b.length}, step ${j}: ${sa.slice(Math.max(0, j - 1), j + 2).join(' ')} vs ${sb.slice(Math.max(0, j - 1), j + 2).join(' ')}`);
      }
      bad.add(part[p]);
    }
  }
  const shared = [...size.values()].filter((n) => n > 1).length;
  return { blocksOfSeveral: shared, agree: shared - bad.size };
}

/** With EQ_PROGRESS set, one line per stage on stderr (where a long run spends its time). */
function progress(what) {
  if (process.env.EQ_PROGRESS) console.error(`[${(process.cpuUsage().user / 1e6).toFixed(1)} s] ${what}`);
}

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  // Read first: a bad file ends the run before minutes of planning.
  const trace = args.verify !== undefined ? readTrace(args.verify) : undefined;
  const t0 = process.cpuUsage();
  const topology = parseTopologySpec(args.spec);
  const bytes = parseSizeBytes(args.size, '--size');
  const plan = planRun(topology, args.algo, bytes);
  const { schedule } = plan;
  const tPlan = cpuSeconds(t0);
  progress('planned');
  const nranks = topology.ranks.length;
  const np = schedule.participants.length;
  const nodes = participantNodes(topology, np);
  const factors = wireFactors(topology, nodes);
  const kinds = factors.map((w, p) => (p < nranks ? 0 : 1 + Math.round(w * 1e6)));
  const groupOf = new Int32Array(nranks).fill(-1);
  layoutOf(topology).groups.forEach((g, i) => g.forEach((r) => (groupOf[r] = i)));
  // One plan, then per mode a scan and per routing the routes and the refinement (each a row).
  for (const commute of args.modes) {
    const t1 = process.cpuUsage();
    const scan = scanTapes(schedule, commute);
    const tScan = cpuSeconds(t1);
    progress('tapes scanned');
    for (const routing of args.routings) {
      const t2 = process.cpuUsage();
      const flows = buildFlows(scan, topology, nodes, routing, args.seed, groupOf, kinds);
      const tRoute = cpuSeconds(t2);
      progress(`${routing}: ${flows.nf} flows routed`);
      const t3 = process.cpuUsage();
      const result = refine(scan, flows, topology, kinds);
      const tRefine = cpuSeconds(t3);
      report(args, { topology, plan, scan, flows, result, commute, routing, trace, cpu: { plan: tPlan, tapes: tScan, routes: tRoute, refine: tRefine } });
    }
  }
}

/** The per-round counts, the middle elided past 16 rounds (a 65,536-GPU ring refines for thousands). */
function roundsText(rounds) {
  const text = (r) => `${r.tapes}/${r.participants}/${r.flows}/${r.links}`;
  if (rounds.length <= 16) return rounds.map(text).join(' ');
  return `${rounds.slice(0, 12).map(text).join(' ')} … (${rounds.length - 15} more) … ${rounds.slice(-3).map(text).join(' ')}`;
}

function report(args, { topology, plan, scan, flows, result, commute, routing, trace, cpu }) {
  const { schedule } = plan;
  const nranks = topology.ranks.length;
  const np = schedule.participants.length;
  const ranks = blockStats(result.part, 0, nranks);
  const agents = blockStats(result.part, nranks, np);
  const all = blockStats(result.part, 0, np);
  const tapes = blockStats(result.tape, 0, scan.nt);
  // Transfers of the whole run against those of one member per block (each participant counts 1/|its block|).
  const size = new Map();
  for (let p = 0; p < np; p++) size.set(result.part[p], (size.get(result.part[p]) ?? 0) + 1);
  let whole = 0;
  let simulated = 0;
  for (let p = 0; p < np; p++) {
    whole += scan.transfers[p];
    simulated += scan.transfers[p] / size.get(result.part[p]);
  }
  const out = {
    spec: args.spec, algo: `${plan.name}/${plan.params.protocol ?? '-'}`, commute, channels: plan.params.channels, size: args.size, routing, seed: args.seed,
    ranks: nranks, agents: np - nranks, tapes: scan.nt, flows: flows.nf, subflows: flows.linkStart.length - 1, crossings: flows.links.length,
    blocks: all.blocks, largest: all.largest, smallest: all.smallest, rankBlocks: ranks.blocks, agentBlocks: agents.blocks, tapeBlocks: tapes.blocks,
    flowBlocks: result.flowCount, linkBlocks: result.linkBlocks, rounds: result.rounds.length,
    transfers: whole, transfersSimulated: Math.round(simulated),
    cpuS: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, +v.toFixed(2)])),
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
  if (args.orbits) {
    const found = findRankClasses({ schedule, topology, groups: layoutOf(topology).groups, network: { model: 'maxMin', routing, qps: 1, seed: args.seed }, router: routerOf(topology) });
    if ('reason' in found) out.orbits = { none: found.reason };
    else {
      const split = Array.from(found.repOf).some((rep, p) => result.part[p] !== result.part[rep]);
      out.orbits = { classes: found.reps.length, everyOrbitInOneBlock: !split };
    }
  }
  if (trace !== undefined) out.trace = verifyTrace(trace, result.part, nranks, commute);
  if (args.json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(
    `${out.spec} ${out.algo} ${out.channels}ch ${out.size} ${routing}${commute ? ' commuting-recvs' : ''}: ${np} participants (${nranks} ranks, ${out.agents} agents) → ${out.blocks} blocks ` +
      `(ranks ${out.rankBlocks}, agents ${out.agentBlocks}; largest ${out.largest}, smallest ${out.smallest}); ${scan.nt} tapes → ${out.tapeBlocks}; ` +
      `${out.flows} flows (${out.subflows} sub-flows) → ${out.flowBlocks}; links crossed → ${out.linkBlocks} blocks; ${out.rounds} rounds; ` +
      `transfers ${out.transfers} → ${out.transfersSimulated} simulated (${(out.transfers / out.transfersSimulated).toFixed(2)}×); ` +
      `CPU s plan ${out.cpuS.plan} tapes ${out.cpuS.tapes} routes ${out.cpuS.routes} refine ${out.cpuS.refine}; heap ${out.heapMiB} MiB`,
  );
  if (out.trace) console.log(`  trace ${args.verify}: members' timings agree in ${out.trace.agree} of ${out.trace.blocksOfSeveral} blocks of several members`);
  if (out.orbits) console.log(`  rank classes (§41): ${JSON.stringify(out.orbits)}`);
  console.log(`  per round (tapes/participants/flows/links), from shapes alone ${result.initial.tapes}/${result.initial.participants}/-/${result.initial.links}: ${roundsText(result.rounds)}`);
}

export { planRun, scanTapes, buildFlows, refine, verifyTrace, readTrace };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main();
  } catch (error) {
    const named = error instanceof UsageError || error?.name === 'WeftInputError';
    console.error(`equitable-classes: ${named ? error.message : error?.stack ?? error}`);
    process.exit(named ? 2 : 1);
  }
}
