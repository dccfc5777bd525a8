import { MaxMinSolver, type SolverStats } from './max-min-solver.js';
import type { FlowState } from './flow-state.js';
import type { RateModel } from './rate-model.js';
import { ScratchList } from './scratch-list.js';

/**
 * maxMin: fluid flows sharing every link max-min fairly, solved by MaxMinSolver with one
 * constraint per link (constraint id = link index) and one variable per sub-flow.
 *
 * A flow spread over k paths (adaptive routing) gives each sub-flow weight 1/k, so the
 * flow as a whole competes like one flow where its sub-flows meet (its own NIC links),
 * while on each path its sub-flow takes what that path has to spare: less-loaded paths
 * carry more, as with per-packet adaptive routing. Pinned flows have one path, weight 1.
 */
export class MaxMinModel implements RateModel {
  readonly name = 'maxMin' as const;
  private readonly solver = new MaxMinSolver();
  /** Solver variable id → the flow it belongs to. */
  private readonly owners: (FlowState | undefined)[] = [];
  /** Flows whose set of sub-flows changed: re-applied even if no sub-flow's rate did. */
  private reshaped = new ScratchList<FlowState>();
  private spare = new ScratchList<FlowState>();
  private readonly rates: number[] = [];

  constructor(capacitiesBytesPerSec: readonly number[]) {
    for (const capacity of capacitiesBytesPerSec) this.solver.addConstraint(capacity);
  }

  addFlow(flow: FlowState): void {
    const weight = 1 / flow.subflows.length;
    for (const subflow of flow.subflows) {
      subflow.solverVariable = this.solver.addVariable(subflow.links, weight);
      this.owners[subflow.solverVariable] = flow;
    }
    this.markReshaped(flow);
  }

  /** The flow stands for one more identical flow (flow.copies was raised): one copy more in the solver. */
  addCopy(flow: FlowState): void {
    for (const subflow of flow.subflows) this.solver.addCopy(subflow.solverVariable);
  }

  removeFlow(flow: FlowState): void {
    for (const subflow of flow.subflows) this.release(subflow);
  }

  subflowsDropped(flow: FlowState, dropped: readonly { solverVariable: number }[]): void {
    for (const subflow of dropped) this.release(subflow);
    const weight = 1 / flow.subflows.length;
    for (const subflow of flow.subflows) this.solver.setWeight(subflow.solverVariable, weight);
    this.markReshaped(flow);
  }

  capacityChanged(link: number, capacityBytesPerSec: number): void {
    this.solver.setCapacity(link, capacityBytesPerSec);
  }

  get dirty(): boolean {
    return this.solver.dirty || this.reshaped.size > 0;
  }

  solve(apply: (flow: FlowState, totalBytesPerSec: number, subflowBytesPerSec: readonly number[]) => void): void {
    // The reshaped list and its spare swap roles each solve: no array per solve.
    const flows = this.reshaped;
    this.reshaped = this.spare;
    const changed = this.solver.solveChanged();
    for (let index = 0; index < changed.size; index++) {
      const flow = this.owners[changed.items[index]!]!;
      if (flow.queued) continue;
      flow.queued = true;
      flows.push(flow);
    }
    // One scratch array for every flow: apply reads the rates of its sub-flows (the first
    // subflows.length entries; a longer array is never trimmed) and keeps none of them.
    const rates = this.rates;
    for (let index = 0; index < flows.size; index++) {
      const flow = flows.items[index]!;
      flow.queued = false;
      if (flow.done) continue;
      const subflows = flow.subflows;
      let totalBytesPerSec = 0;
      for (let path = 0; path < subflows.length; path++) {
        const rate = this.solver.rateOf(subflows[path]!.solverVariable);
        rates[path] = rate;
        totalBytesPerSec += rate;
      }
      apply(flow, totalBytesPerSec, rates);
    }
    flows.clear();
    this.spare = flows;
  }

  solverStats(): SolverStats {
    return this.solver.stats();
  }

  private markReshaped(flow: FlowState): void {
    if (flow.queued) return;
    flow.queued = true;
    this.reshaped.push(flow);
  }

  private release(subflow: { solverVariable: number }): void {
    if (subflow.solverVariable < 0) return;
    this.solver.removeVariable(subflow.solverVariable);
    this.owners[subflow.solverVariable] = undefined;
    subflow.solverVariable = -1;
  }
}
