import type { FlowState } from './flow-state.js';

/**
 * The flows crossing one link, in the order they joined it (what a Set would keep), without
 * a hash delete on every finished flow: a finished flow (flow.done) is only counted out and
 * dropped at the next compaction — when the list is read (faults) or has grown to twice its
 * live flows. Compaction keeps the relative order, so readers see exactly the Set's order.
 */
export class LinkFlows {
  private entries: FlowState[] = [];
  private liveCount = 0;

  add(flow: FlowState): void {
    if (this.entries.length >= 2 * this.liveCount + 16) this.compact();
    this.entries.push(flow);
    this.liveCount++;
  }

  /** A flow on the link finished (its `done` is already set); dropped lazily. */
  finished(): void {
    this.liveCount--;
  }

  /** A live flow left the link (rerouted off it): removed now, so a later add goes last. */
  remove(flow: FlowState): void {
    const index = this.entries.indexOf(flow);
    if (index < 0) return;
    this.entries.splice(index, 1);
    this.liveCount--;
  }

  /** The live flows in join order; the array is the list's own: copy it before changing flows. */
  live(): readonly FlowState[] {
    this.compact();
    return this.entries;
  }

  private compact(): void {
    if (this.entries.length !== this.liveCount) this.entries = this.entries.filter((flow) => !flow.done);
  }
}
