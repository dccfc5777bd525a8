import type { TransferEvent, TransferEventSink } from '../types.js';

/** Order of kinds at one time for one transfer: a zero-latency transfer is sent, then delivered. */
const KIND_RANK: Readonly<Record<TransferEvent['kind'], number>> = { sent: 0, delivered: 1, stranded: 2 };

/** A kind's rank (KIND_RANK) as scheduleKind takes it. */
export const SENT = 0;
export const DELIVERED = 1;

export function eventBefore(a: TransferEvent, b: TransferEvent): boolean {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs;
  if (a.transferId !== b.transferId) return a.transferId < b.transferId;
  return KIND_RANK[a.kind] < KIND_RANK[b.kind];
}

/**
 * Transfer events scheduled for a virtual time, released once the network has advanced to
 * it, and handed out in (timeNs, transferId, kind) order.
 *
 * Pending events wait in buckets by time: a Map from time to the events due then, and a
 * binary heap of the distinct times. Transfers run in lock step (thousands are sent at one
 * instant and delivered one path latency later), so there are few distinct times and many
 * events per time: scheduling is an append to the bucket of the time last used (or one Map
 * lookup), releasing a time takes its bucket whole. (It replaced one heap entry per event:
 * two sift-downs of a heap of thousands per transfer were a tenth of a 4,096-GPU run.) A
 * bucket is put in key order when released — it usually is already, and the key is unique
 * per event at one time — so the order handed out is the one eventBefore gives.
 *
 * An event is a number in its bucket, its key: transferId · 4 + its kind's rank (the time
 * is the bucket's; a stranded event's link id waits in a Map by transfer, which strands
 * once). No object per event: two per transfer, the delivered one living a path latency —
 * long enough to be promoted in a 4,096-GPU run (speed.md §32). `drain` hands them to a
 * sink as they are; `take` makes the TransferEvent objects for callers that want them.
 */
export class EventLog {
  /** The distinct times of the buckets, a binary min-heap. */
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, number[]>();
  /** The bucket last scheduled into, and its time (NaN: none). */
  private lastNs = NaN;
  private lastBucket: number[] = [];
  /** Stranded events' link ids, by transfer. */
  private readonly strandedLinks = new Map<number, string>();
  /** Released buckets not yet taken, in release order, and their times. */
  private readyBuckets: number[][] = [];
  private readyTimes: number[] = [];

  schedule(event: TransferEvent): void {
    if (event.kind === 'stranded') this.strandedLinks.set(event.transferId, event.linkId);
    this.scheduleKey(event.transferId * 4 + KIND_RANK[event.kind], event.timeNs);
  }

  /** A sent (SENT) or delivered (DELIVERED) event, without an object. */
  scheduleKind(rank: typeof SENT | typeof DELIVERED, transferId: number, timeNs: number): void {
    this.scheduleKey(transferId * 4 + rank, timeNs);
  }

  /** Every event not yet released, in no particular order (the recurrence check sorts them): transfer, kind rank, time. */
  forEachPending(fn: (transferId: number, kindRank: number, timeNs: number) => void): void {
    for (const [timeNs, bucket] of this.buckets) {
      for (const key of bucket) fn(transferOf(key), key % 4, timeNs);
    }
  }

  /** Events released and not yet taken. */
  readyCount(): number {
    let count = 0;
    for (const bucket of this.readyBuckets) count += bucket.length;
    return count;
  }

  /** Time of the earliest event not yet released, or Infinity. */
  nextTimeNs(): number {
    return this.times.length > 0 ? this.times[0]! : Infinity;
  }

  release(upToNs: number): void {
    while (this.times.length > 0 && this.times[0]! <= upToNs) {
      const timeNs = this.popTime();
      const bucket = this.buckets.get(timeNs)!;
      this.buckets.delete(timeNs);
      if (timeNs === this.lastNs) this.lastNs = NaN;
      if (!ascending(bucket)) bucket.sort(numeric);
      this.readyBuckets.push(bucket);
      this.readyTimes.push(timeNs);
    }
  }

  /** The released events as objects, in (time, transfer, kind) order; none are left ready. */
  take(): TransferEvent[] {
    const events: TransferEvent[] = [];
    this.drain({
      sent: (transferId, timeNs) => void events.push({ kind: 'sent', transferId, timeNs }),
      delivered: (transferId, timeNs) => void events.push({ kind: 'delivered', transferId, timeNs }),
      stranded: (transferId, timeNs, linkId) => void events.push({ kind: 'stranded', transferId, timeNs, linkId }),
    });
    return events;
  }

  /** Hands the released events to `sink` in (time, transfer, kind) order, none left ready (a sink that throws drops the rest). */
  drain(sink: TransferEventSink): void {
    const buckets = this.readyBuckets;
    const times = this.readyTimes;
    if (buckets.length === 0) return;
    this.readyBuckets = [];
    this.readyTimes = [];
    // Each release is in order, but an event can be scheduled at the current instant after
    // an earlier release at that instant (a late fault, a zero-byte transfer): then two
    // buckets share a time. Usually they are in order: check the seams before sorting.
    if (seamsInOrder(buckets, times)) {
      for (let index = 0; index < buckets.length; index++) {
        const bucket = buckets[index]!;
        const timeNs = times[index]!;
        for (let at = 0; at < bucket.length; at++) this.emit(sink, bucket[at]!, timeNs);
      }
      return;
    }
    const keys: number[] = [];
    const keyTimes: number[] = [];
    buckets.forEach((bucket, index) => {
      for (const key of bucket) {
        keys.push(key);
        keyTimes.push(times[index]!);
      }
    });
    const order = Array.from(keys.keys()).sort((a, b) => keyTimes[a]! - keyTimes[b]! || keys[a]! - keys[b]!);
    for (const index of order) this.emit(sink, keys[index]!, keyTimes[index]!);
  }

  private emit(sink: TransferEventSink, key: number, timeNs: number): void {
    const rank = key % 4;
    const transferId = transferOf(key);
    if (rank === SENT) sink.sent(transferId, timeNs);
    else if (rank === DELIVERED) sink.delivered(transferId, timeNs);
    else {
      const linkId = this.strandedLinks.get(transferId)!;
      this.strandedLinks.delete(transferId);
      sink.stranded(transferId, timeNs, linkId);
    }
  }

  private scheduleKey(key: number, timeNs: number): void {
    if (timeNs === this.lastNs) {
      this.lastBucket.push(key);
      return;
    }
    let bucket = this.buckets.get(timeNs);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(timeNs, bucket);
      this.pushTime(timeNs);
    }
    bucket.push(key);
    this.lastNs = timeNs;
    this.lastBucket = bucket;
  }

  private pushTime(timeNs: number): void {
    const times = this.times;
    let index = times.length;
    times.push(timeNs);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentNs = times[parent]!;
      if (!(timeNs < parentNs)) break;
      times[index] = parentNs;
      index = parent;
    }
    times[index] = timeNs;
  }

  private popTime(): number {
    const times = this.times;
    const top = times[0]!;
    const last = times.pop()!;
    const size = times.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && times[right]! < times[left]! ? right : left;
      if (!(times[child]! < last)) break;
      times[index] = times[child]!;
      index = child;
    }
    times[index] = last;
    return top;
  }
}

/** The transfer of an event's key (transferId · 4 + rank; ids stay far below 2^51, so this is exact). */
function transferOf(key: number): number {
  return (key - (key % 4)) / 4;
}

function numeric(a: number, b: number): number {
  return a - b;
}

function ascending(keys: readonly number[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index]! < keys[index - 1]!) return false;
  return true;
}

/** Whether released buckets (each in key order) follow one another in (time, key) order. */
function seamsInOrder(buckets: readonly (readonly number[])[], times: readonly number[]): boolean {
  for (let index = 1; index < buckets.length; index++) {
    const before = times[index - 1]!;
    const after = times[index]!;
    if (after > before) continue;
    if (after < before) return false;
    const previous = buckets[index - 1]!;
    const next = buckets[index]!;
    if (previous.length > 0 && next.length > 0 && next[0]! < previous[previous.length - 1]!) return false;
  }
  return true;
}
