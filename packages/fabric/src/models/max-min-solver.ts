/**
 * A small weighted max-min fairness solver, after SimGrid's lmm (src/kernel/lmm): a system
 * of *constraints* (links, each with a capacity in bytes/s) and *variables* (sub-flows, each
 * crossing a set of constraints with a sharing weight). `solve()` gives every variable a
 * rate such that no constraint is over capacity and the allocation is max-min fair in
 * rate/weight: no variable can get more without taking from one with a smaller or equal
 * rate/weight. This is progressive filling ("water-filling"): raise every unfixed
 * variable's rate in proportion to its weight until some constraint saturates, freeze the
 * variables crossing it, repeat.
 *
 * Incremental, as lmm's selective update: adding or removing a variable, or changing a
 * weight or a capacity, only marks constraints dirty. `solve()` re-solves the connected
 * components (variables linked through shared constraints) that contain a dirty constraint
 * and leaves every other rate untouched; all changes made between two solves are batched.
 *
 * Slack constraints (walks stop there): a constraint the last solve left below capacity by
 * more than SLACK_MARGIN (1e-6) did not saturate, and cannot, while its load stays below: the
 * filling fixes every variable crossing it at another constraint first, and what is
 * subtracted from it then changes no rate. Leaving it out of the filling gives every
 * variable the same rate bit for bit (the other constraints see the same operations in the
 * same order: the heap orders by level and id alone). So a walk does not cross slack
 * constraints: at 1,000+ GPUs, where every flow's path meets every other's through links
 * with room to spare, a component of thousands of variables falls apart into the few that
 * share a bottleneck with the change. After the filling, every slack constraint next to a
 * re-solved variable is checked with the new rates; one that would be (nearly) full loses
 * its slack and the solve walks again from it. Constraints a solve covered get their slack
 * from its rates; a constraint whose variables change is walked, whatever its slack.
 * (In exact arithmetic: the rates are max-min fair without the slack constraints and
 * feasible with them, hence the unique max-min fair allocation with them.)
 *
 * Exact fast path: a component of one variable (a flow no other flow shares a link with)
 * is solved in closed form, rate = its smallest capacity — what progressive filling gives
 * it bit for bit (its bottleneck saturates first at remaining · (w / w) = capacity · 1).
 * Only components where flows really share a link go through the filling and its heap.
 *
 * Identical members: a variable may stand for `count` identical variables (same
 * constraints, same weight — the flows of channels that start together on one route). The
 * filling treats it as `count` copies next to each other: each copy adds its weight to
 * every weight sum and, once fixed, takes its rate from every other constraint, one after
 * the other, as the copies would; rateOf gives one copy's rate. A lone variable of count m
 * gets its smallest capacity · (w / (w + … + w)), what the filling gives m copies alone.
 *
 * The solver knows nothing of networks: ids are small integers it hands out.
 */

import { ScratchList } from './scratch-list.js';

export interface SolverStats {
  /** solve() calls that had something dirty to solve. */
  readonly solves: number;
  /** Sum over solves of the variables re-solved (the size of the dirty components). */
  readonly variablesTouched: number;
  /** Sum over solves of the constraints re-solved. */
  readonly constraintsTouched: number;
  /** Sum over solves of all live variables: what re-solving everything each time would touch. */
  readonly variablesLiveAtSolves: number;
  /** Variables whose rate changed, summed over solves. */
  readonly ratesChanged: number;
  readonly liveVariables: number;
  readonly constraints: number;
}

interface Constraint {
  readonly id: number;
  capacity: number;
  readonly variables: Variable[];
  dirty: boolean;
  visitEpoch: number;
  // Scratch state of the current progressive filling.
  remaining: number;
  weightSum: number;
  unfixed: number;
  version: number;
  /** Set while listed in touchedBySaturation. */
  touched: boolean;
  /**
   * Slack: the last solve that covered it left it below capacity by more than SLACK_MARGIN,
   * so it cannot saturate (see "Slack constraints" above): walks do not cross it.
   */
  slack: boolean;
  /** The slack check of the current solve visited it (epoch). */
  checkEpoch: number;
  /**
   * Σ rate · count of its variables, kept up to date as rates are committed and variables
   * come and go (reset to 0 exactly when it empties); rounding drifts it by ~1e-16 of the
   * capacity per change, far inside SLACK_MARGIN. Only decides slack.
   */
  load: number;
  /** Scratch of the slack check: the load with this solve's new rates. */
  pendingLoad: number;
}

interface Variable {
  readonly id: number;
  weight: number;
  /** Identical copies this variable stands for (1: just itself). */
  count: number;
  readonly constraints: Constraint[];
  /** slots[i]: this variable's index in constraints[i].variables (for O(1) removal). */
  readonly slots: number[];
  rate: number;
  visitEpoch: number;
  // Scratch state of the current progressive filling.
  fixed: boolean;
  filledRate: number;
}

/**
 * The filling's saturation candidates: (level, constraint, version) in parallel typed
 * arrays, ordered by level then constraint id (a total order, so pop order is reproducible).
 * Reused across solves: no object per candidate.
 */
class CandidateHeap {
  private levels = new Float64Array(64);
  private ids = new Int32Array(64);
  private versions = new Float64Array(64); // versions only grow: float64 counts exactly to 2^53
  size = 0;

  push(level: number, id: number, version: number): void {
    if (this.size === this.levels.length) this.grow();
    let index = this.size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(level, id, parent)) break;
      this.move(parent, index);
      index = parent;
    }
    this.place(index, level, id, version);
  }

  /** Removes the top; its id and version are left in topId / topVersion. */
  pop(): void {
    this.topId = this.ids[0]!;
    this.topVersion = this.versions[0]!;
    const count = --this.size;
    if (count === 0) return;
    const level = this.levels[count]!;
    const id = this.ids[count]!;
    const version = this.versions[count]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && this.before(this.levels[right]!, this.ids[right]!, left) ? right : left;
      if (this.before(level, id, child) || (level === this.levels[child] && id === this.ids[child])) break;
      this.move(child, index);
      index = child;
    }
    this.place(index, level, id, version);
  }

  /** (level, id) comes strictly before the entry at `slot`. */
  private before(level: number, id: number, slot: number): boolean {
    const other = this.levels[slot]!;
    return level < other || (level === other && id < this.ids[slot]!);
  }

  private move(from: number, to: number): void {
    this.place(to, this.levels[from]!, this.ids[from]!, this.versions[from]!);
  }

  private place(slot: number, level: number, id: number, version: number): void {
    this.levels[slot] = level;
    this.ids[slot] = id;
    this.versions[slot] = version;
  }

  topId = -1;
  topVersion = -1;

  private grow(): void {
    const capacity = this.levels.length * 2;
    const levels = new Float64Array(capacity);
    const ids = new Int32Array(capacity);
    const versions = new Float64Array(capacity);
    levels.set(this.levels);
    ids.set(this.ids);
    versions.set(this.versions);
    this.levels = levels;
    this.ids = ids;
    this.versions = versions;
  }
}

export class MaxMinSolver {
  private readonly constraintList: Constraint[] = [];
  private readonly variableSlots: (Variable | undefined)[] = [];
  /** Freed variable ids, reused last-freed-first: deterministic because calls are. */
  private readonly freeVariableIds: number[] = [];
  private readonly dirtyConstraints = new ScratchList<Constraint>();
  private readonly heap = new CandidateHeap();
  /** Scratch of fill(): the constraints one saturation changed. */
  private readonly touchedBySaturation = new ScratchList<Constraint>();
  /** Scratch of solve(): the dirty components, each a run of constraints and of variables. */
  private readonly touchedConstraints = new ScratchList<Constraint>();
  private readonly touchedVariables = new ScratchList<Variable>();
  private readonly componentEnds = new ScratchList<number>();
  /** Scratch of solve(): this solve's walk starts (the dirty constraints, plus any found binding after all). */
  private readonly starts = new ScratchList<Constraint>();
  /** Scratch of slackHolds(): the slack constraints whose load the new rates change. */
  private readonly checked = new ScratchList<Constraint>();
  /** Scratch of solveChanged(): the ids whose rate changed. */
  private readonly changed = new ScratchList<number>();
  private epoch = 0;
  private checkEpoch = 0;
  private liveVariables = 0;
  private solves = 0;
  private variablesTouched = 0;
  private variablesLiveAtSolves = 0;
  private constraintsTouched = 0;
  private ratesChanged = 0;

  /** @param slackWalks whether walks skip slack constraints (see the header); false re-solves whole components (tests compare the two). */
  constructor(private readonly slackWalks = true) {}

  /** Adds a constraint (a resource with `capacity`, e.g. bytes/s); returns its id. */
  addConstraint(capacity: number): number {
    checkCapacity(capacity);
    const constraint: Constraint = {
      id: this.constraintList.length,
      capacity,
      variables: [],
      dirty: false,
      visitEpoch: 0,
      remaining: 0,
      weightSum: 0,
      unfixed: 0,
      version: 0,
      touched: false,
      // No variable yet: load 0, slack unless the capacity is 0.
      slack: this.slackWalks && capacity > 0,
      checkEpoch: 0,
      load: 0,
      pendingLoad: 0,
    };
    this.constraintList.push(constraint);
    return constraint.id;
  }

  setCapacity(constraintId: number, capacity: number): void {
    checkCapacity(capacity);
    const constraint = this.constraint(constraintId);
    if (constraint.capacity === capacity) return;
    constraint.capacity = capacity;
    this.markDirty(constraint);
  }

  capacityOf(constraintId: number): number {
    return this.constraint(constraintId).capacity;
  }

  /**
   * Adds a variable crossing `constraintIds` (each at most once) with sharing `weight` > 0;
   * its rate is 0 until the next solve(). Returns its id.
   */
  addVariable(constraintIds: readonly number[], weight = 1): number {
    checkWeight(weight);
    if (constraintIds.length === 0) throw new RangeError('a variable must cross at least one constraint');
    // Arrays of their exact size (pushing onto [] would allocate room for 17).
    const constraints = constraintIds.map((constraintId) => this.constraint(constraintId));
    for (let index = 1; index < constraints.length; index++) {
      if (constraints.lastIndexOf(constraints[index]!, index - 1) >= 0) {
        throw new RangeError(`variable crosses constraint ${constraintIds[index]} twice`);
      }
    }
    const slots = constraints.map((constraint) => constraint.variables.length);
    const id = this.freeVariableIds.length > 0 ? this.freeVariableIds.pop()! : this.variableSlots.length;
    const variable: Variable = { id, weight, count: 1, constraints, slots, rate: 0, visitEpoch: 0, fixed: false, filledRate: 0 };
    for (const constraint of constraints) constraint.variables.push(variable);
    this.markChanged(variable);
    this.variableSlots[id] = variable;
    this.liveVariables++;
    return id;
  }

  /** Removes a variable; the rates of those sharing its constraints are re-solved. */
  removeVariable(variableId: number): void {
    const variable = this.variable(variableId);
    for (let index = 0; index < variable.constraints.length; index++) {
      const constraint = variable.constraints[index]!;
      const slot = variable.slots[index]!;
      const last = constraint.variables.pop()!;
      if (last !== variable) {
        // Swap-remove: the last variable takes the freed slot.
        constraint.variables[slot] = last;
        last.slots[last.constraints.indexOf(constraint)] = slot;
      }
      // A slack constraint stays slack with one variable fewer and binds no one: only the
      // variable's binding constraints hand its rate to others.
      if (!constraint.slack) this.markDirty(constraint);
      constraint.load = constraint.variables.length === 0 ? 0 : constraint.load - variable.rate * variable.count;
    }
    this.variableSlots[variableId] = undefined;
    this.freeVariableIds.push(variableId);
    this.liveVariables--;
  }

  /**
   * One more identical copy of a variable (same constraints, same weight): the rates of all
   * that share its constraints are re-solved; rateOf still gives one copy's rate.
   */
  addCopy(variableId: number): void {
    const variable = this.variable(variableId);
    variable.count++;
    for (const constraint of variable.constraints) constraint.load += variable.rate;
    this.markChanged(variable);
  }

  setWeight(variableId: number, weight: number): void {
    checkWeight(weight);
    const variable = this.variable(variableId);
    if (variable.weight === weight) return;
    variable.weight = weight;
    this.markChanged(variable);
  }

  /** The rate given by the last solve() (0 for a variable added since). */
  rateOf(variableId: number): number {
    return this.variable(variableId).rate;
  }

  /** True when some change awaits solve(). */
  get dirty(): boolean {
    return this.dirtyConstraints.size > 0;
  }

  /**
   * Re-solves the components touched since the last solve. Returns the ids of variables
   * whose rate changed (compared with !==), in a deterministic order.
   */
  solve(): number[] {
    const changed = this.solveChanged();
    return changed.items.slice(0, changed.size);
  }

  /**
   * solve(), returning the changed ids in the solver's own scratch list (items[0 … size)):
   * read it before the next call.
   */
  solveChanged(): { readonly items: readonly number[]; readonly size: number } {
    const changed = this.changed;
    changed.clear();
    const dirty = this.dirtyConstraints;
    if (dirty.size === 0) return changed;
    const constraints = this.touchedConstraints;
    const variables = this.touchedVariables.items;
    const ends = this.componentEnds.items;
    const starts = this.starts;
    for (let index = 0; index < dirty.size; index++) {
      const constraint = dirty.items[index]!;
      // A start is walked, so no walk may stop at it: it loses its slack until re-solved.
      constraint.dirty = false;
      constraint.slack = false;
      starts.push(constraint);
    }
    dirty.clear();
    this.solves++;
    this.variablesLiveAtSolves += this.liveVariables;
    // Walk and fill; a slack constraint the new rates fill after all joins the walk, and
    // the solve starts over (rates are committed only once every slack one is checked).
    for (;;) {
      constraints.clear();
      this.touchedVariables.clear();
      this.componentEnds.clear();
      this.collectComponents(starts);
      this.variablesTouched += this.touchedVariables.size;
      this.constraintsTouched += constraints.size;
      let constraintStart = 0;
      let variableStart = 0;
      for (let index = 0; index < this.componentEnds.size; index += 2) {
        const constraintEnd = ends[index]!;
        const variableEnd = ends[index + 1]!;
        const count = variableEnd - variableStart;
        if (count === 1) this.solveAlone(variables[variableStart]!);
        else if (count > 1) this.fill(constraintStart, constraintEnd, variableStart, variableEnd);
        constraintStart = constraintEnd;
        variableStart = variableEnd;
      }
      if (this.slackHolds()) break;
    }
    starts.clear();
    for (let index = 0; index < this.touchedVariables.size; index++) {
      const variable = variables[index]!;
      const rate = variable.filledRate;
      if (rate !== variable.rate) {
        const delta = (rate - variable.rate) * variable.count;
        for (const constraint of variable.constraints) constraint.load += delta;
        variable.rate = rate;
        changed.push(variable.id);
      }
    }
    this.markSlack();
    this.ratesChanged += changed.size;
    return changed;
  }

  stats(): SolverStats {
    return {
      solves: this.solves,
      variablesTouched: this.variablesTouched,
      variablesLiveAtSolves: this.variablesLiveAtSolves,
      constraintsTouched: this.constraintsTouched,
      ratesChanged: this.ratesChanged,
      liveVariables: this.liveVariables,
      constraints: this.constraintList.length,
    };
  }

  /**
   * A variable was added or its share changed: its binding constraints are re-solved (the
   * walk from them reaches the variable). Its slack ones only carry more; the check after
   * the fill (slackHolds) sees whether they still have slack. A variable on slack
   * constraints only (a new one where nothing binds) starts from all of them.
   */
  private markChanged(variable: Variable): void {
    let binding = 0;
    for (const constraint of variable.constraints) {
      if (constraint.slack) continue;
      this.markDirty(constraint);
      binding++;
    }
    if (binding === 0) for (const constraint of variable.constraints) this.markDirty(constraint);
  }

  private markDirty(constraint: Constraint): void {
    if (constraint.dirty) return;
    constraint.dirty = true;
    this.dirtyConstraints.push(constraint);
  }

  /**
   * Breadth-first walk constraint → variables → constraints from every start into
   * touchedConstraints / touchedVariables, one component after another; componentEnds gets
   * each component's (constraint end, variable end). The walk does not cross slack
   * constraints (a start is walked whatever it is); the constraints it reaches are marked
   * with this solve's epoch, and fill() works on those alone.
   */
  private collectComponents(starts: ScratchList<Constraint>): void {
    const epoch = ++this.epoch;
    const constraints = this.touchedConstraints;
    const variables = this.touchedVariables;
    for (let index = 0; index < starts.size; index++) {
      const start = starts.items[index]!;
      if (start.visitEpoch === epoch) continue;
      start.visitEpoch = epoch;
      let head = constraints.size;
      constraints.push(start);
      while (head < constraints.size) {
        const constraint = constraints.items[head++]!;
        for (const variable of constraint.variables) {
          if (variable.visitEpoch === epoch) continue;
          variable.visitEpoch = epoch;
          variables.push(variable);
          for (const next of variable.constraints) {
            if (next.visitEpoch === epoch || next.slack) continue;
            next.visitEpoch = epoch;
            constraints.push(next);
          }
        }
      }
      this.componentEnds.push(constraints.size);
      this.componentEnds.push(variables.size);
    }
  }

  /**
   * After the fill: every slack constraint next to a re-solved variable (left out of the
   * walk) is still below capacity by more than SLACK_MARGIN with the new rates. Those that
   * are not lose their slack and join the starts (false: solve again).
   */
  private slackHolds(): boolean {
    const epoch = this.epoch;
    const check = ++this.checkEpoch;
    const checked = this.checked;
    const variables = this.touchedVariables;
    for (let index = 0; index < variables.size; index++) {
      const variable = variables.items[index]!;
      const delta = (variable.filledRate - variable.rate) * variable.count;
      if (delta === 0) continue;
      for (const other of variable.constraints) {
        if (other.visitEpoch === epoch) continue;
        if (other.checkEpoch !== check) {
          other.checkEpoch = check;
          other.pendingLoad = other.load;
          checked.push(other);
        }
        other.pendingLoad += delta;
      }
    }
    let holds = true;
    for (let index = 0; index < checked.size; index++) {
      const other = checked.items[index]!;
      if (isSlack(other.pendingLoad, other.capacity)) continue;
      other.slack = false;
      this.starts.push(other);
      holds = false;
    }
    checked.clear();
    return holds;
  }

  /** Re-solved constraints get their slack from the new rates. */
  private markSlack(): void {
    if (!this.slackWalks) return;
    const constraints = this.touchedConstraints;
    for (let index = 0; index < constraints.size; index++) {
      const constraint = constraints.items[index]!;
      constraint.slack = isSlack(constraint.load, constraint.capacity);
    }
  }

  /**
   * A variable sharing no constraint: its smallest capacity. Progressive filling would
   * saturate that constraint first, at level capacity / w, and give remaining · (w / w),
   * which is the capacity exactly (w / w is 1 for every finite w > 0). Copies of one
   * variable (count > 1) share every constraint equally: the filling saturates the smallest
   * capacity first (all weight sums are equal) and gives each copy capacity · (w / sum).
   */
  private solveAlone(variable: Variable): void {
    const epoch = this.epoch;
    let rate = Infinity;
    if (variable.count === 1) {
      for (const constraint of variable.constraints) if (constraint.visitEpoch === epoch && constraint.capacity < rate) rate = constraint.capacity;
    } else {
      // The filling's order: lowest level capacity / sum first, ties to the lowest id.
      const weightSum = copiesWeight(variable);
      let level = Infinity;
      let id = -1;
      for (const constraint of variable.constraints) {
        if (constraint.visitEpoch !== epoch) continue;
        const own = constraint.capacity / weightSum;
        if (own < level || (own === level && constraint.id < id)) {
          level = own;
          id = constraint.id;
          rate = constraint.capacity * (variable.weight / weightSum);
        }
      }
    }
    variable.fixed = true;
    variable.filledRate = rate;
  }

  /**
   * Weighted progressive filling. A constraint's fill level is remaining / weightSum (rate
   * per unit of weight); the lowest level saturates first (ties broken by constraint id).
   * Its unfixed variables get rate = remaining · (weight / weightSum) — written so that a
   * variable alone on its bottleneck gets exactly the remaining capacity (weight/weightSum
   * is then exactly 1). Levels change as variables are fixed, so the heap holds versioned
   * entries and skips stale ones.
   */
  private fill(constraintStart: number, constraintEnd: number, variableStart: number, variableEnd: number): void {
    const constraints = this.touchedConstraints.items;
    const variables = this.touchedVariables.items;
    for (let index = variableStart; index < variableEnd; index++) {
      const variable = variables[index]!;
      variable.fixed = false;
      variable.filledRate = 0;
    }
    const heap = this.heap;
    for (let index = constraintStart; index < constraintEnd; index++) {
      const constraint = constraints[index]!;
      let weightSum = 0;
      let unfixed = 0;
      for (const variable of constraint.variables) {
        // Copies add their weights one by one, as separate variables would.
        for (let copy = 0; copy < variable.count; copy++) weightSum += variable.weight;
        unfixed += variable.count;
      }
      constraint.remaining = constraint.capacity;
      constraint.weightSum = weightSum;
      constraint.unfixed = unfixed;
      constraint.version++;
      if (constraint.unfixed > 0) heap.push(constraint.remaining / weightSum, constraint.id, constraint.version);
    }
    const touched = this.touchedBySaturation;
    const epoch = this.epoch;
    while (heap.size > 0) {
      heap.pop();
      const saturated = this.constraintList[heap.topId]!;
      if (heap.topVersion !== saturated.version || saturated.unfixed === 0) continue;
      const remaining = saturated.remaining;
      const weightSum = saturated.weightSum;
      saturated.unfixed = 0;
      saturated.version++;
      for (const variable of saturated.variables) {
        if (variable.fixed) continue;
        const rate = remaining * (variable.weight / weightSum);
        variable.fixed = true;
        variable.filledRate = rate;
        for (const other of variable.constraints) {
          if (other === saturated || other.unfixed === 0 || other.visitEpoch !== epoch) continue;
          // Each copy takes its rate in turn. Rounding can leave a hair below zero on a
          // constraint that saturates at the same level; clamp so no later rate turns negative.
          for (let copy = 0; copy < variable.count; copy++) {
            other.remaining = Math.max(0, other.remaining - rate);
            other.weightSum -= variable.weight;
            other.unfixed--;
          }
          if (!other.touched) {
            other.touched = true;
            touched.push(other);
          }
        }
      }
      // One new heap entry per constraint the saturation changed, with its final level: no
      // entry is popped while the saturated constraint's variables are fixed, so entries for
      // the levels in between would only go stale (pop order is by level and id alone).
      for (let index = 0; index < touched.size; index++) {
        const other = touched.items[index]!;
        other.touched = false;
        other.version++;
        if (other.unfixed > 0) heap.push(other.remaining / other.weightSum, other.id, other.version);
      }
      touched.clear();
    }
  }

  private constraint(constraintId: number): Constraint {
    const constraint = this.constraintList[constraintId];
    if (constraint === undefined) throw new RangeError(`unknown constraint ${constraintId}`);
    return constraint;
  }

  private variable(variableId: number): Variable {
    const variable = this.variableSlots[variableId];
    if (variable === undefined) throw new RangeError(`unknown variable ${variableId}`);
    return variable;
  }
}

/**
 * A constraint whose load is below capacity by more than this share is slack. Rounding in
 * the filling is some 1e-16 of a rate per operation, far below it, so a constraint that
 * saturates in the full filling (load = capacity up to rounding) is never taken for slack.
 */
const SLACK_MARGIN = 1e-6;

/** Below capacity by more than SLACK_MARGIN of it (never for capacity 0). */
function isSlack(load: number, capacity: number): boolean {
  return load < capacity * (1 - SLACK_MARGIN);
}

/** The weight sum of a variable's copies, added one by one as the filling adds them. */
function copiesWeight(variable: Variable): number {
  let weightSum = 0;
  for (let copy = 0; copy < variable.count; copy++) weightSum += variable.weight;
  return weightSum;
}

function checkCapacity(capacity: number): void {
  if (!(capacity >= 0) || !Number.isFinite(capacity)) {
    throw new RangeError(`constraint capacity must be a finite number >= 0, got ${capacity}`);
  }
}

function checkWeight(weight: number): void {
  if (!(weight > 0) || !Number.isFinite(weight)) {
    throw new RangeError(`variable weight must be a finite number > 0, got ${weight}`);
  }
}
