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
  private heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(timeNs: number, payload: T): QueuedEvent<T> {
    if (!Number.isFinite(timeNs)) throw new RangeError(`event time must be finite, got ${timeNs}`);
    const event = { timeNs, seq: this.nextSeq++, payload };
    this.heap.push(event);
    this.siftUp(this.heap.length - 1);
    return event;
  }

  /** Earliest event without removing it, or undefined when empty. */
  peek(): QueuedEvent<T> | undefined {
    return this.heap[0];
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTimeNs(): number {
    return this.heap.length > 0 ? this.heap[0]!.timeNs : Infinity;
  }

  pop(): QueuedEvent<T> | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Removes and returns every event with timeNs <= limitNs, in (time, seq) order. */
  popUntil(limitNs: number): QueuedEvent<T>[] {
    const out: QueuedEvent<T>[] = [];
    while (this.heap.length > 0 && this.heap[0]!.timeNs <= limitNs) out.push(this.pop()!);
    return out;
  }

  private static before<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
    return a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.seq < b.seq);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!EventQueue.before(item, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = item;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    const n = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && EventQueue.before(heap[right]!, heap[left]!) ? right : left;
      if (!EventQueue.before(heap[child]!, item)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = item;
  }
}
