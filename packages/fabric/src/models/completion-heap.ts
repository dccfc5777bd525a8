/**
 * The fluid network's completion queue: when each flow would send its last byte at its
 * current rate, earliest first, ties broken by flow id (creation order) — the order of the
 * MinHeap it replaces, kept in parallel arrays instead of one entry object per rate change
 * (millions at scale). A flow's rate change pushes a new entry and leaves the old one stale
 * (its version no longer the flow's); stale entries are skipped at the top and dropped in
 * bulk when they dominate.
 */
import type { FlowState } from './flow-state.js';

export class CompletionHeap {
  private readonly timeNs: number[] = [];
  private readonly flowId: number[] = [];
  private readonly version: number[] = [];
  private readonly flows: FlowState[] = [];

  get size(): number {
    return this.flows.length;
  }

  /** Queues `flow` to complete at `timeNs` (its current version). */
  push(timeNs: number, flow: FlowState): void {
    let index = this.flows.length;
    this.timeNs.push(timeNs);
    this.flowId.push(flow.id);
    this.version.push(flow.version);
    this.flows.push(flow);
    // Sift up.
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(timeNs, flow.id, this.timeNs[parent]!, this.flowId[parent]!)) break;
      this.move(parent, index);
      index = parent;
    }
    this.put(index, timeNs, flow.id, flow.version, flow);
  }

  /** The earliest valid completion time (stale entries on top are dropped), or Infinity. */
  nextValidNs(): number {
    while (this.flows.length > 0) {
      const flow = this.flows[0]!;
      if (!flow.done && this.version[0] === flow.version) return this.timeNs[0]!;
      this.pop();
    }
    return Infinity;
  }

  /** Removes the top entry and returns its flow (call after nextValidNs). */
  pop(): FlowState {
    const top = this.flows[0]!;
    const last = this.flows.length - 1;
    const timeNs = this.timeNs[last]!;
    const id = this.flowId[last]!;
    const version = this.version[last]!;
    const flow = this.flows[last]!;
    this.timeNs.pop();
    this.flowId.pop();
    this.version.pop();
    this.flows.pop();
    if (last > 0) this.siftDown(0, timeNs, id, version, flow);
    return top;
  }

  /** Drops every stale entry, then restores heap order. */
  dropStale(): void {
    let kept = 0;
    for (let i = 0; i < this.flows.length; i++) {
      const flow = this.flows[i]!;
      if (flow.done || this.version[i] !== flow.version) continue;
      this.put(kept++, this.timeNs[i]!, this.flowId[i]!, this.version[i]!, flow);
    }
    this.timeNs.length = kept;
    this.flowId.length = kept;
    this.version.length = kept;
    this.flows.length = kept;
    for (let index = (kept >> 1) - 1; index >= 0; index--) {
      this.siftDown(index, this.timeNs[index]!, this.flowId[index]!, this.version[index]!, this.flows[index]!);
    }
  }

  private siftDown(index: number, timeNs: number, id: number, version: number, flow: FlowState): void {
    const count = this.flows.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && earlier(this.timeNs[right]!, this.flowId[right]!, this.timeNs[left]!, this.flowId[left]!) ? right : left;
      if (!earlier(this.timeNs[child]!, this.flowId[child]!, timeNs, id)) break;
      this.move(child, index);
      index = child;
    }
    this.put(index, timeNs, id, version, flow);
  }

  private move(from: number, to: number): void {
    this.put(to, this.timeNs[from]!, this.flowId[from]!, this.version[from]!, this.flows[from]!);
  }

  private put(at: number, timeNs: number, id: number, version: number, flow: FlowState): void {
    this.timeNs[at] = timeNs;
    this.flowId[at] = id;
    this.version[at] = version;
    this.flows[at] = flow;
  }
}

/** The heap's order: earlier time first, then lower flow id. */
function earlier(timeA: number, idA: number, timeB: number, idB: number): boolean {
  return timeA < timeB || (timeA === timeB && idA < idB);
}
