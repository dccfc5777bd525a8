import { MaxMinSolver, type SolverStats } from './max-min-solver.js';
import type { FlowState, SubFlowState } from './flow-state.js';
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
 *
 * Lone flows (issue #13 item 1: a hybrid, not a switch). A one-path flow that starts where
 * no other flow crosses any of its links gets its rate in closed form — the solver's own
 * answer for a variable alone (MaxMinSolver.loneRate) — without becoming a solver variable:
 * no variable, walk or commit per transfer in an uncontended fabric (every transfer of a
 * 4,096-GPU hierarchical all-reduce). The solver's constraints still see it (markLone,
 * settleLone, releaseLone): dirty marks in the same order, load and slack as with the
 * variable in, so every other flow is solved bit for bit as before. The moment another flow
 * needs one of its links (or the link's capacity changes), it becomes a variable with the
 * rate it has (adoptVariable; before its first solve, a plain addVariable) and stays one.
 * Its sub-flow's solverVariable is LONE_WAITING until its rate is applied, then LONE.
 */
export class MaxMinModel implements RateModel {
  readonly name = 'maxMin' as const;
  private readonly solver = new MaxMinSolver();
  /** Solver variable id → the flow it belongs to. */
  private readonly owners: (FlowState | undefined)[] = [];
  /** Link → the lone flow crossing it, if any. */
  private readonly loneOn: (FlowState | undefined)[];
  /** Flows whose set of sub-flows changed: re-applied even if no sub-flow's rate did. */
  private reshaped = new ScratchList<FlowState>();
  private spare = new ScratchList<FlowState>();
  private readonly rates: number[] = [];
  private liveLone = 0;
  /** Lone flows given their rate in closed form (counted into the solver's stats as it would have). */
  private loneSolved = 0;

  /** @param loneFlows whether lone flows skip the solver (see above); false: every flow is a variable (tests compare the two). */
  constructor(
    capacitiesBytesPerSec: readonly number[],
    private readonly loneFlows = true,
  ) {
    for (const capacity of capacitiesBytesPerSec) this.solver.addConstraint(capacity);
    this.loneOn = new Array<FlowState | undefined>(capacitiesBytesPerSec.length).fill(undefined);
  }

  addFlow(flow: FlowState): void {
    if (this.loneFlows && flow.subflows.length === 1 && this.alone(flow.subflows[0]!.links)) {
      const links = flow.subflows[0]!.links;
      for (let hop = 0; hop < links.length; hop++) this.loneOn[links[hop]!] = flow;
      flow.subflows[0]!.solverVariable = LONE_WAITING;
      this.liveLone++;
      this.solver.markLone(links);
      this.markReshaped(flow);
      return;
    }
    // Lone flows on these links become variables first: they joined the links' lists first.
    for (const subflow of flow.subflows) this.adoptLoneOn(subflow.links);
    const weight = 1 / flow.subflows.length;
    for (const subflow of flow.subflows) {
      subflow.solverVariable = this.solver.addVariable(subflow.links, weight);
      this.owners[subflow.solverVariable] = flow;
    }
    this.markReshaped(flow);
  }

  /** The flow stands for one more identical flow (flow.copies was raised): one copy more in the solver. */
  addCopy(flow: FlowState): void {
    const first = flow.subflows[0]!;
    if (first.solverVariable === LONE_WAITING) {
      this.solver.markLone(first.links);
      return;
    }
    if (first.solverVariable === LONE) this.adopt(flow, first);
    for (const subflow of flow.subflows) this.solver.addCopy(subflow.solverVariable);
  }

  removeFlow(flow: FlowState): void {
    const first = flow.subflows[0];
    if (first !== undefined && first.solverVariable <= LONE_WAITING) {
      this.forgetLone(first.links);
      this.solver.releaseLone(first.links);
      first.solverVariable = -1;
      return;
    }
    for (const subflow of flow.subflows) this.release(subflow);
  }

  subflowsDropped(flow: FlowState, dropped: readonly { solverVariable: number }[]): void {
    // (A lone flow has one path: losing it strands the flow instead. Adopted all the same.)
    for (const subflow of dropped) {
      if (subflow.solverVariable <= LONE_WAITING) this.adopt(flow, subflow as SubFlowState);
    }
    for (const subflow of dropped) this.release(subflow);
    const weight = 1 / flow.subflows.length;
    for (const subflow of flow.subflows) this.solver.setWeight(subflow.solverVariable, weight);
    this.markReshaped(flow);
  }

  capacityChanged(link: number, capacityBytesPerSec: number): void {
    this.adoptLoneOn([link]);
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
      const first = subflows[0]!;
      if (first.solverVariable === LONE_WAITING) {
        // Alone on its links (it alone touches their accounts, so when it is applied among
        // the others does not matter): the solver's own answer, committed as a solve would.
        const rate = this.solver.loneRate(first.links, 1, flow.copies);
        this.solver.settleLone(first.links, rate, flow.copies);
        first.solverVariable = LONE;
        this.loneSolved++;
        rates[0] = rate;
        apply(flow, 0 + rate, rates);
        continue;
      }
      if (first.solverVariable === LONE) continue;
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
    // A lone flow's solve is one variable touched, one component and one rate changed, as
    // the solver would have counted it (its re-walks, if any, are not).
    const stats = this.solver.stats();
    return {
      ...stats,
      variablesTouched: stats.variablesTouched + this.loneSolved,
      ratesChanged: stats.ratesChanged + this.loneSolved,
      liveVariables: stats.liveVariables + this.liveLone,
      components: stats.components + this.loneSolved,
      largestComponent: Math.max(stats.largestComponent, this.loneSolved > 0 ? 1 : 0),
    };
  }

  /** No flow, lone or not, crosses any of these links. */
  private alone(links: readonly number[]): boolean {
    for (let hop = 0; hop < links.length; hop++) {
      const link = links[hop]!;
      if (this.loneOn[link] !== undefined || !this.solver.isEmpty(link)) return false;
    }
    return true;
  }

  /** The lone flows on these links become solver variables. */
  private adoptLoneOn(links: readonly number[]): void {
    for (let hop = 0; hop < links.length; hop++) {
      const flow = this.loneOn[links[hop]!];
      if (flow !== undefined) this.adopt(flow, flow.subflows[0]!);
    }
  }

  /** A lone flow becomes a solver variable: as added (before its first solve), or with the rate it has. */
  private adopt(flow: FlowState, subflow: SubFlowState): void {
    this.forgetLone(subflow.links);
    if (subflow.solverVariable === LONE_WAITING) {
      subflow.solverVariable = this.solver.addVariable(subflow.links, 1);
      for (let copy = 1; copy < flow.copies; copy++) this.solver.addCopy(subflow.solverVariable);
    } else {
      subflow.solverVariable = this.solver.adoptVariable(subflow.links, 1, flow.copies, subflow.pathBytesPerSec);
    }
    this.owners[subflow.solverVariable] = flow;
  }

  private forgetLone(links: readonly number[]): void {
    for (let hop = 0; hop < links.length; hop++) this.loneOn[links[hop]!] = undefined;
    this.liveLone--;
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

/** A lone flow's sub-flow, waiting for its first rate (its solverVariable). */
const LONE_WAITING = -2;
/** A lone flow's sub-flow with its rate. */
const LONE = -3;
