import type { StrandCause, TransferEvent, TransferEventSink } from '../types.js';

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
 * A drained bucket is kept for a later time: its array keeps its capacity (its `size` is
 * reset, the array is not — setting an array's length to 0 drops its storage), so lock-step
 * runs stop growing a new array per instant.
 */
export class EventLog {
  /** The distinct times of the buckets, a binary min-heap. */
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Bucket>();
  /** The bucket last scheduled into, and its time (NaN: none). */
  private lastNs = NaN;
  private lastBucket: Bucket = new Bucket();
  /** Stranded events' link ids and causes, by transfer. */
  private readonly strandedLinks = new Map<number, { readonly linkId: string; readonly cause: StrandCause }>();
  /** Released buckets not yet taken, in release order. */
  private readyBuckets: Bucket[] = [];
  /** Drained buckets, empty, for later times. */
  private readonly spareBuckets: Bucket[] = [];

  schedule(event: TransferEvent): void {
    if (event.kind === 'stranded') this.strandedLinks.set(event.transferId, { linkId: event.linkId, cause: event.cause });
    this.scheduleKey(event.transferId * 4 + KIND_RANK[event.kind], event.timeNs);
  }

  /** A sent (SENT) or delivered (DELIVERED) event, without an object. */
  scheduleKind(rank: typeof SENT | typeof DELIVERED, transferId: number, timeNs: number): void {
    this.scheduleKey(transferId * 4 + rank, timeNs);
  }

  /** Every event not yet released, in no particular order (the recurrence check sorts them): transfer, kind rank, time. */
  forEachPending(fn: (transferId: number, kindRank: number, timeNs: number) => void): void {
    for (const [timeNs, bucket] of this.buckets) {
      for (let at = 0; at < bucket.size; at++) fn(transferOf(bucket.keys[at]!), bucket.keys[at]! % 4, timeNs);
    }
  }

  /** Events released and not yet taken. */
  readyCount(): number {
    let count = 0;
    for (const bucket of this.readyBuckets) count += bucket.size;
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
      bucket.sort();
      this.readyBuckets.push(bucket);
    }
  }

  /** The released events as objects, in (time, transfer, kind) order; none are left ready. */
  take(): TransferEvent[] {
    const events: TransferEvent[] = [];
    this.drain({
      sent: (transferId, timeNs) => void events.push({ kind: 'sent', transferId, timeNs }),
      delivered: (transferId, timeNs) => void events.push({ kind: 'delivered', transferId, timeNs }),
      stranded: (transferId, timeNs, linkId, cause) => void events.push({ kind: 'stranded', transferId, timeNs, linkId, cause }),
    });
    return events;
  }

  /** Hands the released events to `sink` in (time, transfer, kind) order, none left ready (a sink that throws drops the rest). */
  drain(sink: TransferEventSink): void {
    const buckets = this.readyBuckets;
    if (buckets.length === 0) return;
    this.readyBuckets = [];
    // Each release is in order, but an event can be scheduled at the current instant after
    // an earlier release at that instant (a late fault, a zero-byte transfer): then two
    // buckets share a time. Usually they are in order: check the seams before sorting.
    if (seamsInOrder(buckets)) {
      for (const bucket of buckets) {
        const keys = bucket.keys;
        for (let at = 0; at < bucket.size; at++) this.emit(sink, keys[at]!, bucket.timeNs);
      }
    } else {
      const keys: number[] = [];
      const keyTimes: number[] = [];
      for (const bucket of buckets) {
        for (let at = 0; at < bucket.size; at++) {
          keys.push(bucket.keys[at]!);
          keyTimes.push(bucket.timeNs);
        }
      }
      const order = Array.from(keys.keys()).sort((a, b) => keyTimes[a]! - keyTimes[b]! || keys[a]! - keys[b]!);
      for (const index of order) this.emit(sink, keys[index]!, keyTimes[index]!);
    }
    for (const bucket of buckets) {
      bucket.size = 0;
      this.spareBuckets.push(bucket);
    }
  }

  private emit(sink: TransferEventSink, key: number, timeNs: number): void {
    const rank = key % 4;
    const transferId = transferOf(key);
    if (rank === SENT) sink.sent(transferId, timeNs);
    else if (rank === DELIVERED) sink.delivered(transferId, timeNs);
    else {
      const { linkId, cause } = this.strandedLinks.get(transferId)!;
      this.strandedLinks.delete(transferId);
      sink.stranded(transferId, timeNs, linkId, cause);
    }
  }

  private scheduleKey(key: number, timeNs: number): void {
    if (timeNs === this.lastNs) {
      this.lastBucket.add(key);
      return;
    }
    let bucket = this.buckets.get(timeNs);
    if (bucket === undefined) {
      bucket = this.spareBuckets.pop() ?? new Bucket();
      bucket.timeNs = timeNs;
      this.buckets.set(timeNs, bucket);
      this.pushTime(timeNs);
    }
    bucket.add(key);
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

/** The events due at one time: their keys, the first `size` entries of `keys` (the array is reused: see EventLog). */
class Bucket {
  readonly keys: number[] = [];
  size = 0;
  timeNs = 0;

  add(key: number): void {
    if (this.size === this.keys.length) this.keys.push(key);
    else this.keys[this.size] = key;
    this.size++;
  }

  /** Puts the keys in order (they usually are: one pass to check). */
  sort(): void {
    const keys = this.keys;
    for (let at = 1; at < this.size; at++) {
      if (keys[at]! >= keys[at - 1]!) continue;
      const sorted = keys.slice(0, this.size).sort((a, b) => a - b);
      for (let index = 0; index < sorted.length; index++) keys[index] = sorted[index]!;
      return;
    }
  }

  first(): number {
    return this.keys[0]!;
  }

  last(): number {
    return this.keys[this.size - 1]!;
  }
}

/** Whether released buckets (each in key order, none empty) follow one another in (time, key) order. */
function seamsInOrder(buckets: readonly Bucket[]): boolean {
  for (let index = 1; index < buckets.length; index++) {
    const previous = buckets[index - 1]!;
    const next = buckets[index]!;
    if (next.timeNs > previous.timeNs) continue;
    if (next.timeNs < previous.timeNs || next.first() < previous.last()) return false;
  }
  return true;
}
