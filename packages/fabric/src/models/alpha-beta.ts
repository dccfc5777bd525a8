import type { SolverStats } from './max-min-solver.js';
import { linkUse, type FlowState } from './flow-state.js';
import type { RateModel } from './rate-model.js';

/**
 * alphaBeta: no contention. Each transfer runs as if alone on the fabric, its bytes spread
 * evenly over its k paths (the equal-cost paths of an adaptive flow, or the pinned paths of
 * its k queue pairs under ECMP, counted with multiplicity). A link crossed by n of those
 * paths carries n/k of the bytes, so the transfer's rate is
 *
 *   transferBytesPerSec = min over links l of (capacity_l * k / n_l)
 *
 * (one path: the bottleneck bandwidth), i.e. transmission = max over l of
 * bytes · (n_l / k) / capacity_l. Each path carries transferBytesPerSec / k, and a flow
 * with j of the k paths gets transferBytesPerSec * (j / k) — exactly the transfer rate when
 * it is the transfer's only flow. Links may show more than 100 % utilization: that is the
 * point of a contention-free model.
 *
 * A rate changes only when the transfer's own paths or their capacities do (a degrade, a
 * failed sub-path), so a solve touches just the flows queued by such a change.
 */
export class AlphaBetaModel implements RateModel {
  readonly name = 'alphaBeta' as const;
  private queue: FlowState[] = [];

  constructor(private readonly capacityOf: (link: number) => number) {}

  addFlow(flow: FlowState): void {
    this.enqueue(flow);
  }

  removeFlow(): void {
    // Nobody else's rate depends on this flow.
  }

  subflowsDropped(flow: FlowState): void {
    this.enqueue(flow);
  }

  capacityChanged(_link: number, _capacityBytesPerSec: number, flowsOnLink: Iterable<FlowState>): void {
    for (const flow of flowsOnLink) this.enqueue(flow);
  }

  get dirty(): boolean {
    return this.queue.length > 0;
  }

  solve(apply: (flow: FlowState, totalBytesPerSec: number, subflowBytesPerSec: readonly number[]) => void): void {
    const queue = this.queue;
    this.queue = [];
    for (const flow of queue) {
      flow.queued = false;
      if (flow.done) continue;
      const live = flow.transfer.flows.filter((sibling) => !sibling.done);
      let pathCount = 0;
      for (const sibling of live) pathCount += sibling.subflows.length;
      const transferBytesPerSec = uncontendedRateBytesPerSec(live, this.capacityOf);
      const perPathBytesPerSec = transferBytesPerSec / pathCount;
      const flowBytesPerSec = transferBytesPerSec * (flow.subflows.length / pathCount);
      apply(flow, flowBytesPerSec, flow.subflows.map(() => perPathBytesPerSec));
    }
  }

  solverStats(): SolverStats | null {
    return null;
  }

  /** A change to one flow changes its whole transfer's rate: queue every sibling. */
  private enqueue(flow: FlowState): void {
    for (const sibling of flow.transfer.flows) {
      if (sibling.queued || sibling.done) continue;
      sibling.queued = true;
      this.queue.push(sibling);
    }
  }
}

/** min over links l of capacity_l * k / n_l: the rate of `flows` together with the fabric to themselves. */
export function uncontendedRateBytesPerSec(flows: readonly FlowState[], capacityOf: (link: number) => number): number {
  let pathCount = 0;
  const uses = new Map<number, number>();
  for (const flow of flows) {
    pathCount += flow.subflows.length;
    for (const [link, pathsThrough] of linkUse(flow)) uses.set(link, (uses.get(link) ?? 0) + pathsThrough);
  }
  let rateBytesPerSec = Infinity;
  for (const [link, pathsThrough] of uses) {
    const linkRate = (capacityOf(link) * pathCount) / pathsThrough;
    if (linkRate < rateBytesPerSec) rateBytesPerSec = linkRate;
  }
  return rateBytesPerSec;
}
