/**
 * The fluid network's completion queue: when each flow would send its last byte at its
 * current rate, earliest first, ties broken by flow id (creation order).
 *
 * Indexed: a flow holds its slot in the heap (FlowState.heapSlot, -1 when absent), so a
 * rate change moves the flow's one entry to its new time in place, and a flow that stops
 * (done, or rate 0) leaves at once. (It replaced a heap that pushed a new entry per rate
 * change and skipped stale ones: at 1,000+ GPUs every re-solve changes hundreds of rates,
 * and the stale entries were most of the heap.) Each queued flow has exactly one entry, at
 * its current finish time, so the pop order — (time, flow id), a total order — is the same.
 * Times and ids sit in parallel arrays: ordering two entries is two number comparisons.
 *
 * Four children per entry, not two: half the levels, and every level an entry moves through
 * writes that entry's flow (its heapSlot) — a cache miss per level with thousands of flows
 * queued — while comparing four children reads only the two dense arrays. The order is the
 * same total order, so the pops are the same.
 */
import type { FlowState } from './flow-state.js';

export class CompletionHeap {
  private readonly timeNs: number[] = [];
  private readonly flowId: number[] = [];
  private readonly flows: FlowState[] = [];

  get size(): number {
    return this.flows.length;
  }

  /** Queues `flow` to complete at `timeNs`, or moves it there if it is queued already. */
  schedule(timeNs: number, flow: FlowState): void {
    const slot = flow.heapSlot;
    if (slot < 0) {
      this.flows.push(flow);
      this.timeNs.push(timeNs);
      this.flowId.push(flow.id);
      this.siftUp(this.flows.length - 1, timeNs, flow);
      return;
    }
    const earlierNow = earlier(timeNs, flow.id, this.timeNs[slot]!, flow.id);
    if (earlierNow) this.siftUp(slot, timeNs, flow);
    else this.siftDown(slot, timeNs, flow);
  }

  /** Takes `flow` out of the queue if it is in it. */
  remove(flow: FlowState): void {
    const slot = flow.heapSlot;
    if (slot < 0) return;
    flow.heapSlot = -1;
    const last = this.flows.length - 1;
    const lastFlow = this.flows[last]!;
    const lastNs = this.timeNs[last]!;
    this.flows.pop();
    this.timeNs.pop();
    this.flowId.pop();
    if (slot === last) return;
    // The last entry fills the hole, then goes up or down to its place.
    if (slot > 0 && earlier(lastNs, lastFlow.id, this.timeNs[parentOf(slot)]!, this.flowId[parentOf(slot)]!)) this.siftUp(slot, lastNs, lastFlow);
    else this.siftDown(slot, lastNs, lastFlow);
  }

  /** The earliest completion time, or Infinity when no flow is queued. */
  nextNs(): number {
    return this.flows.length > 0 ? this.timeNs[0]! : Infinity;
  }

  /** Removes the earliest entry and returns its flow (the queue must not be empty). */
  pop(): FlowState {
    const top = this.flows[0]!;
    this.remove(top);
    return top;
  }

  private siftUp(index: number, timeNs: number, flow: FlowState): void {
    const id = flow.id;
    while (index > 0) {
      const parent = parentOf(index);
      if (!earlier(timeNs, id, this.timeNs[parent]!, this.flowId[parent]!)) break;
      this.move(parent, index);
      index = parent;
    }
    this.put(index, timeNs, flow);
  }

  private siftDown(index: number, timeNs: number, flow: FlowState): void {
    const id = flow.id;
    const count = this.flows.length;
    const times = this.timeNs;
    const ids = this.flowId;
    for (;;) {
      const first = ARITY * index + 1;
      if (first >= count) break;
      const end = Math.min(first + ARITY, count);
      let child = first;
      for (let other = first + 1; other < end; other++) {
        if (earlier(times[other]!, ids[other]!, times[child]!, ids[child]!)) child = other;
      }
      if (!earlier(times[child]!, ids[child]!, timeNs, id)) break;
      this.move(child, index);
      index = child;
    }
    this.put(index, timeNs, flow);
  }

  private move(from: number, to: number): void {
    const flow = this.flows[from]!;
    this.timeNs[to] = this.timeNs[from]!;
    this.flowId[to] = this.flowId[from]!;
    this.flows[to] = flow;
    flow.heapSlot = to;
  }

  private put(at: number, timeNs: number, flow: FlowState): void {
    this.timeNs[at] = timeNs;
    this.flowId[at] = flow.id;
    this.flows[at] = flow;
    flow.heapSlot = at;
  }
}

/** Children per entry. */
const ARITY = 4;

function parentOf(index: number): number {
  return ((index - 1) / ARITY) | 0;
}

/** The heap's order: earlier time first, then lower flow id. */
function earlier(timeA: number, idA: number, timeB: number, idB: number): boolean {
  return timeA < timeB || (timeA === timeB && idA < idB);
}
