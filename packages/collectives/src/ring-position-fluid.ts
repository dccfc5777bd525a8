/**
 * One loop iteration of channel rings that start together, as the fluid of every (rank,
 * channel) position with its own rank's load: where ranks differ in the phases they hold
 * (ring-lockstep.ts's one-period fluid needs every rank alike).
 *
 * NVL72's 32 channels enter a rack at GPU c and leave it from GPU c+1, so GPU g holds its
 * channels at a window of phases of the rack's 72-hop period that depends on g (ranks 1–32
 * carry one channel over their NIC, the others none). Every position starts at time 0 as in
 * the lockstep start, but a rank with one NVLink channel fewer moves its blocks sooner, a
 * NIC hop takes its own time and latency, and the positions downstream of each drift apart
 * by their own amounts: the channels at one rank spread out, and while some wait out a step's
 * latency others use the link. Neither the lockstep (every α on the critical path) nor the
 * all-apart chain (every α hidden) holds; this fluid follows each position.
 *
 * A position of channel c at ring index i sends message q (step ⌊q/s⌋, slice q mod s) once
 * it has sent q-1 and, from the second step on, message q-s of its predecessor (index i-1)
 * has landed, α of the predecessor's hop class after its last byte left. A message in flight
 * shares its class's bandwidth (cost.intra / cost.inter) equally with the messages of that
 * class in flight at its sender's port. The receive port is not counted (ring-lockstep.ts
 * takes the larger of the two): a rank receives from its channels' predecessors as many
 * messages as it sends, and with one share per port the messages of a port move at one rate
 * and finish in the order they started, a queue per port, some 200 ns of CPU per message.
 * Counting both ports (tried, every rate recomputed at each start and finish) cost 10 µs of
 * CPU per message and moved racks=2 ring/LL128 64 / 256 MiB to 658.4 / 1,080.1 µs from
 * 671.8 / 1,070.0 (simulated 671.7 / 1,079.2).
 * The inputs are ring-lockstep.ts's (α and bandwidth per hop class, the channels' rings);
 * nothing is fitted.
 */
import { sameGroup } from './cost.js';
import type { CostParams, PlanParams } from './types.js';

/**
 * The most positions × messages one run of the fluid follows, about a second of CPU (some
 * 200 ns per message; nvl72:variant=gb200,racks=2 ring/Simple 2.6 M, racks=4 ring/LL128
 * 5.3 M; racks=6 LL128 is extrapolated from two runs of 5.0 and 5.9 M, 2.5 s); beyond it the
 * caller keeps its closed form (racks=4 Simple, racks=8 and more).
 */
export const MAX_POSITION_MESSAGES = 6_000_000;

/** Runs already followed, by rings (channelRings caches them per layout) and the rest of the arguments: capStretch asks twice for one first iteration, auto once per protocol. */
const memo = new WeakMap<readonly (readonly number[])[], Map<string, number | null>>();

/** The most runs remembered per set of rings. */
const MEMO_RUNS = 64;

/**
 * The time until the last message of `hops` steps of `blockBytes` per channel, each in
 * messages of the shares `shares` of it (nccl-ring.ts sliceShares), on every position of the rings `orders` has landed, every position starting at time 0; null
 * when the run is larger than MAX_POSITION_MESSAGES.
 */
export function positionFluidNs(orders: readonly (readonly number[])[], hops: number, blockBytes: number, shares: readonly number[], params: PlanParams, cost: CostParams): number | null {
  const key = [hops, blockBytes, shares.join(','), cost.intra.alphaNs, cost.intra.bandwidthBytesPerSec, cost.inter.alphaNs, cost.inter.bandwidthBytesPerSec].join(':');
  let runs = memo.get(orders);
  if (runs === undefined) memo.set(orders, (runs = new Map()));
  if (runs.has(key)) return runs.get(key)!;
  const ns = fluidNs(orders, hops, blockBytes, shares, params, cost);
  if (runs.size >= MEMO_RUNS) runs.clear();
  runs.set(key, ns);
  return ns;
}

/** positionFluidNs without the memo. */
function fluidNs(orders: readonly (readonly number[])[], hops: number, blockBytes: number, shares: readonly number[], params: PlanParams, cost: CostParams): number | null {
  const slices = shares.length;
  const n = orders[0]?.length ?? 0;
  const F = orders.length * n;
  const M = hops * slices;
  if (M <= 0 || n < 2) return 0;
  if (orders.some((order) => order.length !== n) || F * M > MAX_POSITION_MESSAGES) return null;
  const same = sameGroup(params);
  const alphaNs = [cost.intra.alphaNs, cost.inter.alphaNs];
  // Position x = c·n + i: its hop class and its send port, (sender, class).
  const cls = new Uint8Array(F);
  const portOf = new Int32Array(F);
  orders.forEach((order, c) => {
    for (let i = 0; i < n; i++) {
      const k = same(order[i]!, order[(i + 1) % n]!) ? 0 : 1;
      cls[c * n + i] = k;
      portOf[c * n + i] = order[i]! * 2 + k;
    }
  });
  const ports = new SharedPorts(portOf, [cost.intra.bandwidthBytesPerSec / 1e9, cost.inter.bandwidthBytesPerSec / 1e9]);
  const pred = (x: number): number => (x % n === 0 ? x + n - 1 : x - 1);
  const succ = (x: number): number => (x % n === n - 1 ? x - n + 1 : x + 1);
  const sentNs = new Float64Array(F * M).fill(NaN);
  const next = new Int32Array(F);
  const busy = new Uint8Array(F);
  // Messages landing at their receivers, per hop class (a class's latency is one α, so they
  // land in the order they were sent: a queue each), and each port's next finish.
  const landings = [new LandingQueue(), new LandingQueue()];
  const finishes = new IndexedHeap(ports.count);
  // Whether message next[x] may start at `nowNs`: its own previous one sent and, from the second step on, its predecessor's q-s landed.
  const ready = (x: number, nowNs: number): boolean => {
    const q = next[x]!;
    if (q < slices) return true;
    const p = pred(x);
    return sentNs[(q - slices) * F + p]! + alphaNs[cls[p]!]! <= nowNs;
  };
  const start = (x: number, nowNs: number): void => {
    busy[x] = 1;
    ports.start(portOf[x]!, x, blockBytes * shares[next[x]! % slices]!, nowNs);
    finishes.set(portOf[x]!, ports.nextFinishNs(portOf[x]!));
  };
  for (let x = 0; x < F; x++) start(x, 0);
  let finished = 0;
  while (finished < F) {
    const finishNs = finishes.topKey();
    const k = landings[1]!.topNs() < landings[0]!.topNs() ? 1 : 0;
    const landing = landings[k]!;
    if (landing.topNs() <= finishNs) {
      const nowNs = landing.topNs();
      const y = landing.topId();
      const q = landing.topMessage();
      landing.pop();
      // An idle receiver in hand of this message starts it; a busy one takes it when it is done.
      if (!busy[y] && next[y] === q) start(y, nowNs);
      continue;
    }
    if (finishNs === Infinity) return null;
    const port = finishes.topId();
    const x = ports.finish(port, finishNs);
    finishes.set(port, ports.nextFinishNs(port));
    busy[x] = 0;
    const q = next[x]!;
    sentNs[q * F + x] = finishNs;
    next[x] = q + 1;
    if (q + 1 === M) finished++;
    else if (ready(x, finishNs)) start(x, finishNs);
    if (q + slices < M) landings[cls[x]!]!.push(finishNs + alphaNs[cls[x]!]!, succ(x), q + slices);
  }
  let endNs = 0;
  for (let x = 0; x < F; x++) endNs = Math.max(endNs, sentNs[(M - 1) * F + x]! + alphaNs[cls[x]!]!);
  return endNs;
}

/**
 * Each send port's messages in flight sharing its bandwidth equally (processor sharing): a
 * port's virtual clock counts the bytes each of its messages has moved, advancing at the
 * bandwidth over the messages in flight, so a message is done when the clock has moved its
 * bytes since it started, and the next to finish is the one of least target. A step's
 * slices may differ in size (NCCL's 32 KiB slice floor: 32 KiB and the rest), so a later,
 * smaller message can finish first: a port keeps its few messages (at most its positions)
 * unordered and finds the least target (ties in start order, as a queue would).
 */
class SharedPorts {
  private readonly members: Int32Array[];
  private readonly targets: Float64Array[];
  private readonly starts: Float64Array[];
  private readonly loads: Int32Array;
  private readonly clockBytes: Float64Array;
  private readonly clockNs: Float64Array;
  private readonly bytesPerNs: Float64Array;
  private started = 0;

  /** `portOf[x]`: position x's port, 2·rank + class; `classBytesPerNs[k]`: a port of class k's bandwidth. */
  constructor(portOf: Int32Array, classBytesPerNs: readonly number[]) {
    const ports = Math.max(0, ...portOf) + 1;
    const sizes = new Int32Array(ports);
    for (const port of portOf) sizes[port]!++;
    // A position has at most one message in flight: a port holds at most its positions.
    this.members = Array.from(sizes, (m) => new Int32Array(m));
    this.targets = Array.from(sizes, (m) => new Float64Array(m));
    this.starts = Array.from(sizes, (m) => new Float64Array(m));
    this.loads = new Int32Array(ports);
    this.clockBytes = new Float64Array(ports);
    this.clockNs = new Float64Array(ports);
    this.bytesPerNs = Float64Array.from({ length: ports }, (_, port) => classBytesPerNs[port % 2]!);
  }

  get count(): number {
    return this.loads.length;
  }

  start(port: number, x: number, bytes: number, nowNs: number): void {
    this.advance(port, nowNs);
    const at = this.loads[port]!++;
    this.members[port]![at] = x;
    this.targets[port]![at] = this.clockBytes[port]! + bytes;
    this.starts[port]![at] = this.started++;
  }

  /** Removes and returns the message of least target, whose finish is now. */
  finish(port: number, nowNs: number): number {
    const at = this.first(port);
    const last = --this.loads[port]!;
    const [members, targets, starts] = [this.members[port]!, this.targets[port]!, this.starts[port]!];
    const x = members[at]!;
    this.clockNs[port] = nowNs;
    this.clockBytes[port] = targets[at]!;
    members[at] = members[last]!;
    targets[at] = targets[last]!;
    starts[at] = starts[last]!;
    return x;
  }

  /** When the next message finishes at the present load (Infinity when the port is idle). */
  nextFinishNs(port: number): number {
    const load = this.loads[port]!;
    if (load === 0) return Infinity;
    const leftBytes = Math.max(0, this.targets[port]![this.first(port)]! - this.clockBytes[port]!);
    return this.clockNs[port]! + (leftBytes * load) / this.bytesPerNs[port]!;
  }

  /** Index of the message of least target, the earlier started of equal ones. */
  private first(port: number): number {
    const [targets, starts] = [this.targets[port]!, this.starts[port]!];
    let best = 0;
    for (let i = 1; i < this.loads[port]!; i++) {
      if (targets[i]! < targets[best]! || (targets[i] === targets[best] && starts[i]! < starts[best]!)) best = i;
    }
    return best;
  }

  private advance(port: number, nowNs: number): void {
    const load = this.loads[port]!;
    if (load > 0) this.clockBytes[port] = this.clockBytes[port]! + ((nowNs - this.clockNs[port]!) * this.bytesPerNs[port]!) / load;
    this.clockNs[port] = nowNs;
  }
}

/** A binary min-heap of keys by id (ports), each key changed in place. */
class IndexedHeap {
  private readonly keys: Float64Array;
  private readonly heap: Int32Array;
  private readonly at: Int32Array;

  constructor(size: number) {
    this.keys = new Float64Array(size).fill(Infinity);
    this.heap = Int32Array.from({ length: size }, (_, i) => i);
    this.at = Int32Array.from({ length: size }, (_, i) => i);
  }

  topKey(): number {
    return this.keys[this.heap[0]!]!;
  }

  topId(): number {
    return this.heap[0]!;
  }

  set(id: number, key: number): void {
    const old = this.keys[id]!;
    this.keys[id] = key;
    let i = this.at[id]!;
    if (key < old) {
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const other = this.heap[parent]!;
        if (this.keys[other]! <= key) break;
        this.place(other, i);
        i = parent;
      }
    } else {
      const size = this.heap.length;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= size) break;
        if (child + 1 < size && this.keys[this.heap[child + 1]!]! < this.keys[this.heap[child]!]!) child++;
        const other = this.heap[child]!;
        if (this.keys[other]! >= key) break;
        this.place(other, i);
        i = child;
      }
    }
    this.place(id, i);
  }

  private place(id: number, i: number): void {
    this.heap[i] = id;
    this.at[id] = i;
  }
}

/** A queue of (time, receiver, message) landings, pushed in time order. */
class LandingQueue {
  private ns = new Float64Array(1024);
  private ids = new Int32Array(1024);
  private messages = new Int32Array(1024);
  private head = 0;
  private size = 0;

  push(t: number, id: number, message: number): void {
    if (this.size === this.ns.length) this.grow();
    const at = (this.head + this.size++) & (this.ns.length - 1);
    this.ns[at] = t;
    this.ids[at] = id;
    this.messages[at] = message;
  }

  /** The first landing's time, Infinity when none is pending. */
  topNs(): number {
    return this.size === 0 ? Infinity : this.ns[this.head]!;
  }

  topId(): number {
    return this.ids[this.head]!;
  }

  topMessage(): number {
    return this.messages[this.head]!;
  }

  pop(): void {
    this.head = (this.head + 1) & (this.ns.length - 1);
    this.size--;
  }

  private grow(): void {
    const size = 2 * this.ns.length;
    const order = (from: Float64Array | Int32Array, to: Float64Array | Int32Array): void => {
      for (let j = 0; j < this.size; j++) to[j] = from[(this.head + j) & (from.length - 1)]!;
    };
    const [ns, ids, messages] = [new Float64Array(size), new Int32Array(size), new Int32Array(size)];
    order(this.ns, ns);
    order(this.ids, ids);
    order(this.messages, messages);
    [this.ns, this.ids, this.messages, this.head] = [ns, ids, messages, 0];
  }
}
