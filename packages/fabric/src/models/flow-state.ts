/**
 * The moving parts a network model works on. A *transfer* is what a caller starts; it is
 * carried by one or more *flows* (one per queue pair under ECMP, one under adaptive
 * routing), and each flow by one or more *sub-flows*, one per path it uses (several only
 * under adaptive routing). A flow has one remaining-bytes counter; its rate is the sum of
 * its sub-flows' rates.
 *
 * A flow over one path is its own sub-flow (FlowState has SubFlowState's fields): its
 * `subflows` is `[flow]`, and for a transfer's only flow that is the transfer's flow list
 * (transfer.flows), which holds the same one entry. Every transfer of an uncontended ECMP run is such
 * a flow: two objects fewer per transfer, each promoted to the old space and dying there
 * (speed.md §32). A flow over several paths has separate sub-flows and leaves its own path
 * fields unused (NO_PATH_LINKS, latency 0); a path's rate has its own field, pathBytesPerSec, since
 * a flow's total rate need not equal its one path's rate bit for bit (alphaBeta's
 * total · (1 / paths) against total / paths).
 */

export interface SubFlowState {
  /** Link indices along the path, source to destination. */
  readonly links: readonly number[];
  readonly latencyNs: number;
  /** The rate applied to the path's links (and counted into the flow's total), bytes/s (0 until first solved). */
  pathBytesPerSec: number;
  /** The max-min solver's variable for this sub-flow; -1 when the model has none. */
  solverVariable: number;
}

/** The transfer a flow carries, as models see it: its id and its flows (the network keeps the rest). */
export interface TransferHandle {
  readonly id: number;
  /** Every flow of the transfer (its queue pairs under ECMP); a copy's, its first copy's list. */
  readonly flows: readonly FlowState[];
}

export interface FlowState extends SubFlowState {
  /** Unique, in creation order: ties between flows are broken by it. */
  readonly id: number;
  /** The transfer of its first copy (held here, so finding it costs no lookup). */
  readonly transfer: TransferHandle;
  /**
   * Identical flows this one stands for (1: itself only): transfers started at one time on
   * one route with the same bytes share one flow; their rates, remaining bytes and finish
   * are the same, so one flow computes them. Rates and bytes stay per copy.
   */
  copies: number;
  /** Transfers of the copies after the first, in start order; null with one copy. */
  copyTransfers: TransferHandle[] | null;
  /** Pinned (ECMP) flows strand when a link on their path fails; adaptive ones reroute. */
  readonly pinned: boolean;
  /** Its paths: `[this flow]` over one path (see the header), separate sub-flows over several. */
  subflows: SubFlowState[];
  remainingBytes: number;
  /** The flow's rate, the sum of its sub-flows' (bytes/s; 0 until first solved). */
  rateBytesPerSec: number;
  /** When remainingBytes was last brought up to date. */
  lastUpdateNs: number;
  /** When the last byte leaves at the current rate (Infinity while the rate is 0). */
  finishNs: number;
  /** Bumped whenever finishNs is recomputed (a rate was applied); 0 until the first. */
  version: number;
  /** Its slot in the network's completion heap; -1 while not queued (see CompletionHeap). */
  heapSlot: number;
  done: boolean;
  /** Set while the flow waits in a model's re-solve list (avoids duplicates). */
  queued: boolean;
}

/** A several-path flow's own path (unused: its sub-flows hold its paths). */
export const NO_PATH_LINKS: readonly number[] = Object.freeze([]);

/** Distinct links a flow crosses, each with the number of its sub-flows through it, in first-use order. */
export function linkUse(flow: FlowState): Map<number, number> {
  const uses = new Map<number, number>();
  for (const subflow of flow.subflows) {
    for (const link of subflow.links) uses.set(link, (uses.get(link) ?? 0) + 1);
  }
  return uses;
}

/** Distinct links a flow crosses, in first-use order (a single path has no repeats). */
export function distinctLinks(flow: FlowState): Iterable<number> {
  return flow.subflows.length === 1 ? flow.subflows[0]!.links : linkUse(flow).keys();
}
