import type { FlowState } from './flow-state.js';

/**
 * The flows in their bandwidth phase, in the order they started, and those crossing a link
 * (what a fault reads). One list for the whole network instead of one per link: a flow was
 * pushed onto every link of its path (5–7 pushes, and as many lists to compact) though
 * only a fault ever reads them — once or twice a run, or never. A finished flow
 * (flow.done) is only counted out, and dropped at the next compaction: when the list is
 * read or has grown to twice its live flows. Compaction keeps the relative order.
 *
 * `on(link)` lists the live flows whose current sub-flows cross the link, in the order they
 * started: exactly what a per-link list kept in joining order held, since a flow joins its
 * links when it starts and leaves a link only by finishing or by losing every sub-flow
 * over it (adaptive routing around a fault), and both are read from the flow itself here.
 */
export class LiveFlows {
  private entries: FlowState[] = [];
  private liveCount = 0;

  add(flow: FlowState): void {
    if (this.entries.length >= 2 * this.liveCount + 16) this.compact();
    this.entries.push(flow);
    this.liveCount++;
  }

  /** A flow finished (its `done` is already set); dropped lazily. */
  finished(): void {
    this.liveCount--;
  }

  /** The live flows, in the order they started. */
  live(): readonly FlowState[] {
    this.compact();
    return this.entries;
  }

  /** The live flows some sub-flow of which crosses `link`, in the order they started (a new array). */
  on(link: number): FlowState[] {
    return this.live().filter((flow) => flow.subflows.some((subflow) => subflow.links.includes(link)));
  }

  private compact(): void {
    if (this.entries.length !== this.liveCount) this.entries = this.entries.filter((flow) => !flow.done);
  }
}
