import { MinHeap } from '@weft/sim';
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
 */
export class EventLog {
  private readonly pending = new MinHeap<TransferEvent>(eventBefore);
  private ready: TransferEvent[] = [];

  schedule(event: TransferEvent): void {
    this.pending.push(event);
  }

  /** Time of the earliest event not yet released, or Infinity. */
  nextTimeNs(): number {
    return this.pending.peek()?.timeNs ?? Infinity;
  }

  release(upToNs: number): void {
    for (let event = this.pending.peek(); event !== undefined && event.timeNs <= upToNs; event = this.pending.peek()) {
      this.ready.push(this.pending.pop()!);
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
}

function inOrder(events: readonly TransferEvent[]): boolean {
  for (let index = 1; index < events.length; index++) if (eventBefore(events[index]!, events[index - 1]!)) return false;
  return true;
}
