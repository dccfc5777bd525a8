/**
 * Egress queues of every port: one FIFO per traffic class (linked through the packet
 * pool), ECN marking at enqueue, the class scheduler at dequeue, and the per-port queue
 * statistics (peak depth, marks, depth over time).
 *
 * Classes: `strict` serves the highest class with a packet first; `wrr` shares a congested
 * port by weight (wrr.ts). A class whose PFC priority is paused is skipped either way.
 *
 * ECN marks at enqueue with probability 0 below Kmin, rising linearly to Pmax at Kmax, 1
 * beyond (RED as RoCE switches configure it), on the depth of the packet's class queue.
 */
import { CLASSES } from './classes.js';
import type { ResolvedPacketOptions } from './options.js';
import type { PacketPool } from './packet-pool.js';
import type { PfcPorts } from './pfc.js';
import type { SeededRandom } from './rng.js';
import { DeficitRoundRobin } from './wrr.js';

/** A queue-depth timeline point is kept when the depth moved this much since the last one (or emptied). */
const DEPTH_STEP_BYTES = 64 * 1024;

export class PortQueues {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  /** Per port class (link x CLASSES + class). */
  private readonly classBytes: Float64Array;
  /** Per link: all classes' queued bytes (what adaptive routing and the statistics see). */
  readonly linkBytes: Float64Array;
  readonly peakBytes: Float64Array;
  readonly marks: Float64Array;
  /** Per link: [timeNs, bytes] points of its queue depth (record `full` only). */
  private readonly depthTimelines: [number, number][][] | null;
  private readonly wrr: DeficitRoundRobin | null;

  constructor(
    links: number,
    private readonly packet: ResolvedPacketOptions,
    private readonly pool: PacketPool,
    private readonly rng: SeededRandom,
    /** Per link, shared with the network (degrades change it). */
    private readonly bandwidth: Float64Array,
    recordTimelines: boolean,
  ) {
    this.head = new Int32Array(links * CLASSES).fill(-1);
    this.tail = new Int32Array(links * CLASSES).fill(-1);
    this.classBytes = new Float64Array(links * CLASSES);
    this.linkBytes = new Float64Array(links);
    this.peakBytes = new Float64Array(links);
    this.marks = new Float64Array(links);
    this.depthTimelines = recordTimelines ? Array.from({ length: links }, () => [[0, 0]]) : null;
    this.wrr = packet.classScheduler === 'wrr' ? new DeficitRoundRobin(links, packet.classWeights, packet.cellBytes) : null;
  }

  /** Queues packet `p` on `link` in its class, ECN-marking it by that queue's depth. */
  enqueue(link: number, p: number, bytes: number, nowNs: number): void {
    const pool = this.pool;
    const pc = link * CLASSES + pool.cls[p]!;
    const depth = this.classBytes[pc]!;
    const { ecnKminBytes: kmin, ecnKmaxBytes: kmax, ecnPmax } = this.packet;
    if (depth > kmin && pool.ecn[p] === 0) {
      const probability = depth >= kmax ? 1 : (ecnPmax * (depth - kmin)) / (kmax - kmin);
      if (this.rng.next() < probability) {
        pool.ecn[p] = 1;
        this.marks[link]!++;
      }
    }
    const delayNs = (depth * 1e9) / this.bandwidth[link]!;
    if (delayNs > pool.queueDelayNs[p]!) pool.queueDelayNs[p] = delayNs;
    pool.next[p] = -1;
    if (this.tail[pc]! < 0) this.head[pc] = p;
    else pool.next[this.tail[pc]!] = p;
    this.tail[pc] = p;
    this.classBytes[pc] = depth + bytes;
    const total = (this.linkBytes[link]! += bytes);
    if (total > this.peakBytes[link]!) this.peakBytes[link] = total;
    this.recordDepth(link, nowNs);
  }

  /** The next packet `link` sends, or -1 (nothing queued in a class that is not paused). */
  dequeue(link: number, pfc: PfcPorts, nowNs: number): number {
    if (this.wrr !== null) {
      for (let cls = 0; cls < CLASSES; cls++) {
        const pc = link * CLASSES + cls;
        this.wrr.heads[cls] = this.head[pc]! < 0 || pfc.isPaused(pc) ? -1 : this.pool.bytes[this.head[pc]!]!;
      }
      const cls = this.wrr.pick(link);
      return cls < 0 ? -1 : this.take(link, link * CLASSES + cls, nowNs);
    }
    // Strict priority: the highest class with a packet queued and not paused.
    for (let cls = CLASSES - 1; cls >= 0; cls--) {
      const pc = link * CLASSES + cls;
      if (this.head[pc]! < 0 || pfc.isPaused(pc)) continue;
      return this.take(link, pc, nowNs);
    }
    return -1;
  }

  /** Removes the head of port class `pc`. */
  private take(link: number, pc: number, nowNs: number): number {
    const p = this.head[pc]!;
    const next = this.pool.next[p]!;
    this.head[pc] = next;
    const bytes = this.pool.bytes[p]!;
    this.classBytes[pc]! -= bytes;
    this.linkBytes[link]! -= bytes;
    if (next < 0) {
      this.tail[pc] = -1;
      this.classBytes[pc] = 0; // no float residue on an empty queue
    }
    if (this.linkBytes[link]! < 1e-6) this.linkBytes[link] = 0;
    this.recordDepth(link, nowNs);
    return p;
  }

  /** Every packet queued on `link`, all classes. */
  forEachQueued(link: number, visit: (p: number) => void): void {
    for (let c = 0; c < CLASSES; c++) for (let p = this.head[link * CLASSES + c]!; p >= 0; p = this.pool.next[p]!) visit(p);
  }

  depthTimeline(link: number): readonly (readonly [number, number])[] {
    return this.depthTimelines === null ? [] : this.depthTimelines[link]!.map(([t, bytes]) => [t, bytes] as const);
  }

  private recordDepth(link: number, nowNs: number): void {
    if (this.depthTimelines === null) return;
    const timeline = this.depthTimelines[link]!;
    const depth = this.linkBytes[link]!;
    const last = timeline[timeline.length - 1]!;
    if (Math.abs(depth - last[1]) < DEPTH_STEP_BYTES && !(depth === 0 && last[1] !== 0)) return;
    if (last[0] === nowNs) last[1] = depth;
    else timeline.push([nowNs, depth]);
  }
}
