import type { ModelName } from '../types.js';
import type { SolverStats } from './max-min-solver.js';
import type { FlowState } from './flow-state.js';

/**
 * The one internal interface behind every network model: it decides the rate of each flow
 * in its bandwidth phase. Everything else — routing, completions, latency, faults,
 * statistics, events — is shared by the network (network.ts), as ASTRA-sim keeps its
 * congestion-aware and -unaware backends behind one API.
 *
 * Changes are reported as they happen and only queued; `solve` applies them all at once
 * (the network calls it lazily, so every change at one timestamp is one re-solve).
 */
export interface RateModel {
  readonly name: ModelName;
  /** A flow entered its bandwidth phase (its sub-flows' paths are set). */
  addFlow(flow: FlowState): void;
  /**
   * The flow now stands for one more identical flow (flow.copies was raised): same links,
   * bytes and start. Rates stay per copy. Models without it never see a flow with copies.
   */
  addCopy?(flow: FlowState): void;
  /** A flow left (sent or stranded); its bandwidth goes to others. */
  removeFlow(flow: FlowState): void;
  /** Some sub-flows were dropped from `flow.subflows` (their links failed). */
  subflowsDropped(flow: FlowState, dropped: readonly { readonly solverVariable: number }[]): void;
  /** A link's capacity changed; `flowsOnLink` are the flows crossing it. */
  capacityChanged(link: number, capacityBytesPerSec: number, flowsOnLink: Iterable<FlowState>): void;
  /** True when a change awaits solve(). */
  readonly dirty: boolean;
  /**
   * Re-solves queued changes and calls `apply` for every live flow whose rates may have
   * changed, with its total rate and one rate per sub-flow (aligned with flow.subflows;
   * the array may be longer: read its first flow.subflows.length entries, keep none).
   */
  solve(apply: (flow: FlowState, totalBytesPerSec: number, subflowBytesPerSec: readonly number[]) => void): void;
  /** The max-min solver's counters (null for models without a solver). */
  solverStats(): SolverStats | null;
}
