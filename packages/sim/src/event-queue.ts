import { MinHeap } from './min-heap.js';

/**
 * A min-heap of events ordered by (timeNs, seq). `seq` is assigned at push time, so two
 * events at the same virtual time pop in the order they were scheduled: the order never
 * depends on anything but the sequence of calls, which keeps simulations reproducible.
 */
export interface QueuedEvent<T> {
  readonly timeNs: number;
  readonly seq: number;
  readonly payload: T;
}

export class EventQueue<T> {
  private readonly heap = new MinHeap<QueuedEvent<T>>(
    (a, b) => a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.seq < b.seq),
  );
  private nextSeq = 0;

  get size(): number {
    return this.heap.size;
  }

  push(timeNs: number, payload: T): QueuedEvent<T> {
    if (!Number.isFinite(timeNs)) throw new RangeError(`event time must be finite, got ${timeNs}`);
    const event = { timeNs, seq: this.nextSeq++, payload };
    this.heap.push(event);
    return event;
  }

  /** Earliest event without removing it, or undefined when empty. */
  peek(): QueuedEvent<T> | undefined {
    return this.heap.peek();
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTimeNs(): number {
    return this.heap.peek()?.timeNs ?? Infinity;
  }

  pop(): QueuedEvent<T> | undefined {
    return this.heap.pop();
  }

  /** Removes and returns every event with timeNs <= limitNs, in (time, seq) order. */
  popUntil(limitNs: number): QueuedEvent<T>[] {
    const out: QueuedEvent<T>[] = [];
    for (let top = this.heap.peek(); top !== undefined && top.timeNs <= limitNs; top = this.heap.peek()) {
      out.push(this.heap.pop()!);
    }
    return out;
  }
}
