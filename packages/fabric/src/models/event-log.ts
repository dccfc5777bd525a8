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
 * The pending events wait in a binary heap kept in parallel arrays: time, and transferId and
 * kind folded into one exact number (transferId · 4 + KIND_RANK; ids stay far below 2^51),
 * so ordering two entries is two number comparisons, not a comparator call — two events per
 * transfer pass through here. (time, transferId, kind) is unique per event, so the order is
 * the one eventBefore gives.
 */
export class EventLog {
  private readonly times: number[] = [];
  private readonly keys: number[] = [];
  private readonly pending: TransferEvent[] = [];
  private ready: TransferEvent[] = [];

  schedule(event: TransferEvent): void {
    const timeNs = event.timeNs;
    const key = event.transferId * 4 + KIND_RANK[event.kind];
    let index = this.pending.length;
    this.times.push(timeNs);
    this.keys.push(key);
    this.pending.push(event);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentNs = this.times[parent]!;
      if (!(timeNs < parentNs || (timeNs === parentNs && key < this.keys[parent]!))) break;
      this.place(index, parentNs, this.keys[parent]!, this.pending[parent]!);
      index = parent;
    }
    this.place(index, timeNs, key, event);
  }

  /** Every event not yet released, in no particular order (the recurrence check sorts them). */
  forEachPending(fn: (event: TransferEvent) => void): void {
    for (const event of this.pending) fn(event);
  }

  /** Events released and not yet taken. */
  readyCount(): number {
    return this.ready.length;
  }

  /** Time of the earliest event not yet released, or Infinity. */
  nextTimeNs(): number {
    return this.pending.length > 0 ? this.times[0]! : Infinity;
  }

  release(upToNs: number): void {
    while (this.pending.length > 0 && this.times[0]! <= upToNs) this.ready.push(this.pop());
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

  private pop(): TransferEvent {
    const top = this.pending[0]!;
    const last = this.pending.length - 1;
    const timeNs = this.times[last]!;
    const key = this.keys[last]!;
    const event = this.pending[last]!;
    this.times.pop();
    this.keys.pop();
    this.pending.pop();
    if (last === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last) {
        const rightNs = this.times[right]!;
        const leftNs = this.times[left]!;
        if (rightNs < leftNs || (rightNs === leftNs && this.keys[right]! < this.keys[left]!)) child = right;
      }
      const childNs = this.times[child]!;
      if (!(childNs < timeNs || (childNs === timeNs && this.keys[child]! < key))) break;
      this.place(index, childNs, this.keys[child]!, this.pending[child]!);
      index = child;
    }
    this.place(index, timeNs, key, event);
    return top;
  }

  private place(index: number, timeNs: number, key: number, event: TransferEvent): void {
    this.times[index] = timeNs;
    this.keys[index] = key;
    this.pending[index] = event;
  }
}

function inOrder(events: readonly TransferEvent[]): boolean {
  for (let index = 1; index < events.length; index++) if (eventBefore(events[index]!, events[index - 1]!)) return false;
  return true;
}
