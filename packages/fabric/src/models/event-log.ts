import type { TransferEvent } from '../types.js';

/** Order of kinds at one time for one transfer: a zero-latency transfer is sent, then delivered. */
const KIND_RANK: Readonly<Record<TransferEvent['kind'], number>> = { sent: 0, delivered: 1, stranded: 2 };

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
 * bucket is put in (transferId, kind) order when released — it usually is already, and the
 * key is unique per event at one time — so the order handed out is the one eventBefore gives.
 */
export class EventLog {
  /** The distinct times of the buckets, a binary min-heap. */
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, TransferEvent[]>();
  /** The bucket last scheduled into, and its time (NaN: none). */
  private lastNs = NaN;
  private lastBucket: TransferEvent[] = [];
  private ready: TransferEvent[] = [];

  schedule(event: TransferEvent): void {
    const timeNs = event.timeNs;
    if (timeNs === this.lastNs) {
      this.lastBucket.push(event);
      return;
    }
    let bucket = this.buckets.get(timeNs);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(timeNs, bucket);
      this.pushTime(timeNs);
    }
    bucket.push(event);
    this.lastNs = timeNs;
    this.lastBucket = bucket;
  }

  /** Every event not yet released, in no particular order (the recurrence check sorts them). */
  forEachPending(fn: (event: TransferEvent) => void): void {
    for (const bucket of this.buckets.values()) for (const event of bucket) fn(event);
  }

  /** Events released and not yet taken. */
  readyCount(): number {
    return this.ready.length;
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
      if (!keysInOrder(bucket)) bucket.sort(byKey);
      if (this.ready.length === 0) this.ready = bucket;
      else for (let index = 0; index < bucket.length; index++) this.ready.push(bucket[index]!);
    }
  }

  take(): TransferEvent[] {
    const events = this.ready;
    this.ready = [];
    // Releases are each in order, but an event can be scheduled at the current instant
    // after an earlier release at that instant (a late fault, a zero-byte transfer).
    // Usually they are already in order: check in one pass before paying for a sort.
    if (!inOrder(events)) events.sort((a, b) => (eventBefore(a, b) ? -1 : eventBefore(b, a) ? 1 : 0));
    return events;
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

/** transferId · 4 + the kind's rank: unique per event at one time (ids stay far below 2^51). */
function keyOf(event: TransferEvent): number {
  return event.transferId * 4 + KIND_RANK[event.kind];
}

function byKey(a: TransferEvent, b: TransferEvent): number {
  return keyOf(a) - keyOf(b);
}

function keysInOrder(events: readonly TransferEvent[]): boolean {
  for (let index = 1; index < events.length; index++) if (keyOf(events[index]!) < keyOf(events[index - 1]!)) return false;
  return true;
}

function inOrder(events: readonly TransferEvent[]): boolean {
  for (let index = 1; index < events.length; index++) if (eventBefore(events[index]!, events[index - 1]!)) return false;
  return true;
}
