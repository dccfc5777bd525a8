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
 *
 * Storage: constraints and variables are struct-of-arrays (typed arrays indexed by id), not
 * objects: the walk and the filling read numbers next to each other instead of chasing one
 * object per incidence, and a variable costs no allocation once its id has been used — its
 * constraint list is the caller's own array (kept, never copied: callers must not change
 * it; the network passes a route's link indices, shared by every flow on the route) and its
 * slot array is reused when the next variable with that id crosses as many constraints.
 * Every loop visits what the object version visited, in the same order, so every rate is
 * the same bit for bit.
 */

import { CandidateHeap } from './candidate-heap.js';
import { type Component, FillMemo, MEMO_MIN_VARIABLES } from './fill-memo.js';
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
  /** Components re-solved (each a run of the walk), summed over solves and their re-walks. */
  readonly components: number;
  /** The most variables one component held. */
  readonly largestComponent: number;
  /** Walks and fills redone because a slack constraint was found binding (solves that needed more than one pass). */
  readonly rewalks: number;
  /** Components given the rates a filling of the same structure gave (see "Refills"), and those looked up and filled. */
  readonly refillsRecalled: number;
  readonly refillsMissed: number;
}


/** The constraints' state, struct-of-arrays by constraint id (grown by doubling). */
class Constraints {
  size = 0;
  capacity = new Float64Array(16);
  /** The variables crossing each constraint, in the order they joined it (swap-removed). */
  readonly variables: number[][] = [];
  /** variables[id].length, kept beside it: asking whether a constraint is empty reads no list. */
  members = new Int32Array(16);
  dirty = new Uint8Array(16);
  /** Epochs and versions only grow: float64 counts them exactly to 2^53. */
  visitEpoch = new Float64Array(16);
  // Scratch state of the current progressive filling.
  remaining = new Float64Array(16);
  weightSum = new Float64Array(16);
  unfixed = new Int32Array(16);
  version = new Float64Array(16);
  /** Set while listed in touchedBySaturation. */
  touched = new Uint8Array(16);
  /**
   * Slack: the last solve that covered it left it below capacity by more than SLACK_MARGIN,
   * so it cannot saturate (see "Slack constraints" above): walks do not cross it.
   */
  slack = new Uint8Array(16);
  /** The slack check of the current solve visited it (epoch). */
  checkEpoch = new Float64Array(16);
  /**
   * Σ rate · count of its variables, kept up to date as rates are committed and variables
   * come and go (reset to 0 exactly when it empties); rounding drifts it by ~1e-16 of the
   * capacity per change, far inside SLACK_MARGIN. Only decides slack.
   */
  load = new Float64Array(16);
  /** Scratch of the slack check: the load with this solve's new rates. */
  pendingLoad = new Float64Array(16);

  add(capacity: number, slack: boolean): number {
    const id = this.size++;
    if (id === this.capacity.length) this.grow(2 * id);
    this.capacity[id] = capacity;
    this.variables.push([]);
    this.slack[id] = slack ? 1 : 0;
    return id;
  }

  private grow(length: number): void {
    this.capacity = grown(this.capacity, length);
    this.dirty = grown(this.dirty, length);
    this.visitEpoch = grown(this.visitEpoch, length);
    this.remaining = grown(this.remaining, length);
    this.weightSum = grown(this.weightSum, length);
    this.unfixed = grown(this.unfixed, length);
    this.version = grown(this.version, length);
    this.touched = grown(this.touched, length);
    this.slack = grown(this.slack, length);
    this.checkEpoch = grown(this.checkEpoch, length);
    this.load = grown(this.load, length);
    this.pendingLoad = grown(this.pendingLoad, length);
    this.members = grown(this.members, length);
  }
}

/** The variables' state, struct-of-arrays by variable id (ids are reused; grown by doubling). */
class Variables {
  /** Ids handed out so far (live or freed). */
  size = 0;
  live = new Uint8Array(16);
  weight = new Float64Array(16);
  /** Identical copies each variable stands for (1: just itself). */
  count = new Int32Array(16);
  /** The constraint ids each crosses: the caller's array, kept as given. */
  readonly constraints: (readonly number[])[] = [];
  /** slots[v][i]: v's index in the variable list of constraints[v][i] (for O(1) removal). */
  readonly slots: number[][] = [];
  rate = new Float64Array(16);
  visitEpoch = new Float64Array(16);
  // Scratch state of the current progressive filling.
  fixed = new Uint8Array(16);
  filledRate = new Float64Array(16);
  /** Its constraint list's id in the fill memo, once asked for (-1: not yet). */
  listId = new Int32Array(16);

  /** A new id (size), with room for it. */
  grow(): number {
    const id = this.size++;
    if (id === this.live.length) {
      const length = 2 * id;
      this.live = grown(this.live, length);
      this.weight = grown(this.weight, length);
      this.count = grown(this.count, length);
      this.rate = grown(this.rate, length);
      this.visitEpoch = grown(this.visitEpoch, length);
      this.fixed = grown(this.fixed, length);
      this.filledRate = grown(this.filledRate, length);
      this.listId = grown(this.listId, length);
    }
    return id;
  }
}

/** A copy of `array` `length` long (the rest zero). */
function grown<T extends Float64Array | Int32Array | Uint8Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  (next as Float64Array).set(array as Float64Array);
  return next;
}

export class MaxMinSolver {
  private readonly c = new Constraints();
  private readonly v = new Variables();
  /** Freed variable ids, reused last-freed-first: deterministic because calls are. */
  private readonly freeVariableIds: number[] = [];
  private readonly dirtyConstraints = new ScratchList<number>();
  /**
   * Constraints whose capacity changed since their last solve (a fault: a link down or
   * degraded). Their load is kept by deltas, and after a drop from C to c ≪ C those deltas
   * cancel to within ulp(C) — 4e-6 of a 1-unit link after 1.7e10 — past SLACK_MARGIN: a full
   * constraint could be taken for slack and a later removal not re-solve its neighbours. The
   * solve that covers them sums their load afresh from their variables (markSlack).
   */
  private readonly capacityChanged = new Set<number>();
  private readonly heap = new CandidateHeap();
  /** Scratch of fill(): the constraints one saturation changed. */
  private readonly touchedBySaturation = new ScratchList<number>();
  /** Scratch of solve(): the dirty components, each a run of constraints and of variables. */
  private readonly touchedConstraints = new ScratchList<number>();
  private readonly touchedVariables = new ScratchList<number>();
  private readonly componentEnds = new ScratchList<number>();
  /** Scratch of solve(): this solve's walk starts (the dirty constraints, plus any found binding after all). */
  private readonly starts = new ScratchList<number>();
  /** Scratch of slackHolds(): the slack constraints whose load the new rates change. */
  private readonly checked = new ScratchList<number>();
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
  private components = 0;
  private largestComponent = 0;
  private rewalks = 0;
  private readonly memo: FillMemo | undefined;

  /**
   * @param slackWalks whether walks skip slack constraints (see the header); false re-solves whole components (tests compare the two).
   * @param recallFills whether a component of a structure filled before gets that filling's rates (see "Refills"); tests compare the two.
   */
  constructor(
    private readonly slackWalks = true,
    recallFills = true,
  ) {
    this.memo = recallFills ? new FillMemo() : undefined;
  }

  /** Adds a constraint (a resource with `capacity`, e.g. bytes/s); returns its id. */
  addConstraint(capacity: number): number {
    checkCapacity(capacity);
    // No variable yet: load 0, slack unless the capacity is 0.
    return this.c.add(capacity, this.slackWalks && capacity > 0);
  }

  setCapacity(constraintId: number, capacity: number): void {
    checkCapacity(capacity);
    this.checkConstraint(constraintId);
    if (this.c.capacity[constraintId] === capacity) return;
    this.c.capacity[constraintId] = capacity;
    this.capacityChanged.add(constraintId);
    this.markDirty(constraintId);
  }

  capacityOf(constraintId: number): number {
    this.checkConstraint(constraintId);
    return this.c.capacity[constraintId]!;
  }

  /**
   * Adds a variable crossing `constraintIds` (each at most once) with sharing `weight` > 0;
   * its rate is 0 until the next solve(). The solver keeps `constraintIds` (the caller must
   * not change it afterwards). Returns its id.
   */
  addVariable(constraintIds: readonly number[], weight = 1): number {
    checkWeight(weight);
    const length = constraintIds.length;
    if (length === 0) throw new RangeError('a variable must cross at least one constraint');
    for (let index = 0; index < length; index++) this.checkConstraint(constraintIds[index]!);
    for (let index = 1; index < length; index++) {
      if (constraintIds.lastIndexOf(constraintIds[index]!, index - 1) >= 0) {
        throw new RangeError(`variable crosses constraint ${constraintIds[index]} twice`);
      }
    }
    const id = this.addVariableQuietly(constraintIds, weight);
    this.markChanged(id);
    return id;
  }

  /** addVariable without its checks and dirty marks: rate 0, one copy. */
  private addVariableQuietly(constraintIds: readonly number[], weight: number): number {
    const length = constraintIds.length;
    const v = this.v;
    const id = this.freeVariableIds.length > 0 ? this.freeVariableIds.pop()! : v.grow();
    // The id's slot array is reused when it has the right length (no allocation per variable).
    let slots = v.slots[id];
    if (slots === undefined || slots.length !== length) slots = v.slots[id] = new Array<number>(length);
    const members = this.c.variables;
    for (let index = 0; index < length; index++) {
      const list = members[constraintIds[index]!]!;
      slots[index] = list.length;
      list.push(id);
      this.c.members[constraintIds[index]!]++;
    }
    v.constraints[id] = constraintIds;
    v.live[id] = 1;
    v.weight[id] = weight;
    v.count[id] = 1;
    v.rate[id] = 0;
    v.listId[id] = -1;
    this.liveVariables++;
    return id;
  }

  /** Removes a variable; the rates of those sharing its constraints are re-solved. */
  removeVariable(variableId: number): void {
    this.checkVariable(variableId);
    const { c, v } = this;
    const constraints = v.constraints[variableId]!;
    const slots = v.slots[variableId]!;
    const lost = v.rate[variableId]! * v.count[variableId]!;
    for (let index = 0; index < constraints.length; index++) {
      const constraint = constraints[index]!;
      const slot = slots[index]!;
      const list = c.variables[constraint]!;
      const last = list.pop()!;
      c.members[constraint]--;
      if (last !== variableId) {
        // Swap-remove: the last variable takes the freed slot.
        list[slot] = last;
        v.slots[last]![v.constraints[last]!.indexOf(constraint)] = slot;
      }
      // A slack constraint stays slack with one variable fewer and binds no one: only the
      // variable's binding constraints hand its rate to others.
      if (c.slack[constraint] === 0) this.markDirty(constraint);
      c.load[constraint] = list.length === 0 ? 0 : c.load[constraint]! - lost;
    }
    v.live[variableId] = 0;
    // Drop the reference to the caller's array; the slot array stays for the id's next use.
    v.constraints[variableId] = NO_CONSTRAINTS;
    this.freeVariableIds.push(variableId);
    this.liveVariables--;
  }

  /**
   * One more identical copy of a variable (same constraints, same weight): the rates of all
   * that share its constraints are re-solved; rateOf still gives one copy's rate.
   */
  addCopy(variableId: number): void {
    this.checkVariable(variableId);
    const { c, v } = this;
    v.count[variableId]!++;
    const rate = v.rate[variableId]!;
    for (const constraint of v.constraints[variableId]!) c.load[constraint] += rate;
    this.markChanged(variableId);
  }

  setWeight(variableId: number, weight: number): void {
    checkWeight(weight);
    this.checkVariable(variableId);
    if (this.v.weight[variableId] === weight) return;
    this.v.weight[variableId] = weight;
    this.markChanged(variableId);
  }

  // ---- lone variables (see MaxMinModel: a flow alone on every constraint it crosses) ----
  //
  // A caller may keep a variable that shares no constraint out of the solver, as long as it
  // makes these calls where addVariable, solve and removeVariable would have touched the
  // constraints: the constraints then hold exactly the state (dirty marks in the same order,
  // load, slack) they would hold with the variable in, so every other variable is solved bit
  // for bit as it would be. adoptVariable brings it in once another variable needs it there.

  /** Whether no variable crosses the constraint. */
  isEmpty(constraintId: number): boolean {
    return this.c.members[constraintId] === 0;
  }

  /** What addVariable (and addCopy) of a lone variable crossing `constraintIds` would mark dirty. */
  markLone(constraintIds: readonly number[]): void {
    this.markConstraints(constraintIds);
  }

  /**
   * The rate a solve gives a variable alone on `constraintIds` (every one of them: the
   * slack check's re-walk brings any it left out back in; see solveAlone).
   */
  loneRate(constraintIds: readonly number[], weight: number, count: number): number {
    const capacities = this.c.capacity;
    let rate = Infinity;
    if (count === 1) {
      for (let index = 0; index < constraintIds.length; index++) {
        const capacity = capacities[constraintIds[index]!]!;
        if (capacity < rate) rate = capacity;
      }
      return rate;
    }
    const weightSum = copiesWeight(weight, count);
    let level = Infinity;
    let id = -1;
    for (let index = 0; index < constraintIds.length; index++) {
      const constraint = constraintIds[index]!;
      const capacity = capacities[constraint]!;
      const own = capacity / weightSum;
      if (own < level || (own === level && constraint < id)) {
        level = own;
        id = constraint;
        rate = capacity * (weight / weightSum);
      }
    }
    return rate;
  }

  /**
   * After solveChanged: a lone variable's rate (per copy) was committed. Its constraints
   * were empty (load 0), so the commit's load is 0 + rate · count, and every one of them
   * ends with the slack that load gives (the walked ones by markSlack, the others by
   * surviving the slack check).
   */
  settleLone(constraintIds: readonly number[], rate: number, count: number): void {
    const c = this.c;
    const load = rate * count;
    for (let index = 0; index < constraintIds.length; index++) {
      const constraint = constraintIds[index]!;
      c.load[constraint] = load;
      if (this.slackWalks) c.slack[constraint] = isSlack(load, c.capacity[constraint]!) ? 1 : 0;
    }
  }

  /** What removeVariable of a lone variable does to its constraints (each is left empty). */
  releaseLone(constraintIds: readonly number[]): void {
    const c = this.c;
    for (let index = 0; index < constraintIds.length; index++) {
      const constraint = constraintIds[index]!;
      if (c.slack[constraint] === 0) this.markDirty(constraint);
      c.load[constraint] = 0;
    }
  }

  /**
   * Brings a lone variable in with the rate and copies it was given (settleLone): it joins
   * its constraints' lists, marks nothing and adds no load (both are already as if it had
   * been in all along). Returns its id.
   */
  adoptVariable(constraintIds: readonly number[], weight: number, count: number, rate: number): number {
    const id = this.addVariableQuietly(constraintIds, weight);
    this.v.count[id] = count;
    this.v.rate[id] = rate;
    return id;
  }

  /** The rate given by the last solve() (0 for a variable added since). */
  rateOf(variableId: number): number {
    this.checkVariable(variableId);
    return this.v.rate[variableId]!;
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
    const { c, v } = this;
    const constraints = this.touchedConstraints;
    const variables = this.touchedVariables.items;
    const ends = this.componentEnds.items;
    const starts = this.starts;
    for (let index = 0; index < dirty.size; index++) {
      const constraint = dirty.items[index]!;
      if (c.members[constraint] === 0) {
        // Crossed by no variable (a lone flow's, or one just emptied): a component of its
        // own that no walk reaches and no rate depends on. Its walk would end at once and
        // markSlack give it the slack of its load, which nothing in this solve changes.
        c.dirty[constraint] = 0;
        this.capacityChanged.delete(constraint);
        if (this.slackWalks) c.slack[constraint] = isSlack(c.load[constraint]!, c.capacity[constraint]!) ? 1 : 0;
        this.constraintsTouched++;
        this.components++;
        continue;
      }
      // A start is walked, so no walk may stop at it: it loses its slack until re-solved.
      c.dirty[constraint] = 0;
      c.slack[constraint] = 0;
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
      this.components += this.componentEnds.size / 2;
      let constraintStart = 0;
      let variableStart = 0;
      for (let index = 0; index < this.componentEnds.size; index += 2) {
        const constraintEnd = ends[index]!;
        const variableEnd = ends[index + 1]!;
        const count = variableEnd - variableStart;
        if (count > this.largestComponent) this.largestComponent = count;
        if (count === 1) this.solveAlone(variables[variableStart]!);
        else if (count >= MEMO_MIN_VARIABLES && this.memo !== undefined) this.fillOrRecall(constraintStart, constraintEnd, variableStart, variableEnd);
        else if (count > 1) this.fill(constraintStart, constraintEnd, variableStart, variableEnd);
        constraintStart = constraintEnd;
        variableStart = variableEnd;
      }
      if (this.slackHolds()) break;
      this.rewalks++;
    }
    starts.clear();
    for (let index = 0; index < this.touchedVariables.size; index++) {
      const variable = variables[index]!;
      const rate = v.filledRate[variable]!;
      const old = v.rate[variable]!;
      if (rate !== old) {
        const delta = (rate - old) * v.count[variable]!;
        for (const constraint of v.constraints[variable]!) c.load[constraint] += delta;
        v.rate[variable] = rate;
        changed.push(variable);
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
      constraints: this.c.size,
      components: this.components,
      largestComponent: this.largestComponent,
      rewalks: this.rewalks,
      refillsRecalled: this.memo?.hits ?? 0,
      refillsMissed: this.memo?.misses ?? 0,
    };
  }

  /**
   * A variable was added or its share changed: its binding constraints are re-solved (the
   * walk from them reaches the variable). Its slack ones only carry more; the check after
   * the fill (slackHolds) sees whether they still have slack. A variable on slack
   * constraints only (a new one where nothing binds) starts from all of them.
   */
  private markChanged(variable: number): void {
    this.markConstraints(this.v.constraints[variable]!);
  }

  private markConstraints(constraints: readonly number[]): void {
    const slack = this.c.slack;
    let binding = 0;
    for (const constraint of constraints) {
      if (slack[constraint] !== 0) continue;
      this.markDirty(constraint);
      binding++;
    }
    if (binding === 0) for (const constraint of constraints) this.markDirty(constraint);
  }

  private markDirty(constraint: number): void {
    if (this.c.dirty[constraint] !== 0) return;
    this.c.dirty[constraint] = 1;
    this.dirtyConstraints.push(constraint);
  }

  /**
   * Breadth-first walk constraint → variables → constraints from every start into
   * touchedConstraints / touchedVariables, one component after another; componentEnds gets
   * each component's (constraint end, variable end). The walk does not cross slack
   * constraints (a start is walked whatever it is); the constraints it reaches are marked
   * with this solve's epoch, and fill() works on those alone.
   */
  private collectComponents(starts: ScratchList<number>): void {
    const epoch = ++this.epoch;
    const constraints = this.touchedConstraints;
    const variables = this.touchedVariables;
    const { c, v } = this;
    const constraintEpoch = c.visitEpoch;
    const slack = c.slack;
    const members = c.variables;
    const variableEpoch = v.visitEpoch;
    const crossings = v.constraints;
    for (let index = 0; index < starts.size; index++) {
      const start = starts.items[index]!;
      if (constraintEpoch[start] === epoch) continue;
      constraintEpoch[start] = epoch;
      let head = constraints.size;
      constraints.push(start);
      while (head < constraints.size) {
        const list = members[constraints.items[head++]!]!;
        for (let member = 0; member < list.length; member++) {
          const variable = list[member]!;
          if (variableEpoch[variable] === epoch) continue;
          variableEpoch[variable] = epoch;
          variables.push(variable);
          const crossed = crossings[variable]!;
          for (let hop = 0; hop < crossed.length; hop++) {
            const next = crossed[hop]!;
            if (constraintEpoch[next] === epoch || slack[next] !== 0) continue;
            constraintEpoch[next] = epoch;
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
    const { c, v } = this;
    for (let index = 0; index < variables.size; index++) {
      const variable = variables.items[index]!;
      const delta = (v.filledRate[variable]! - v.rate[variable]!) * v.count[variable]!;
      if (delta === 0) continue;
      for (const other of v.constraints[variable]!) {
        if (c.visitEpoch[other] === epoch) continue;
        if (c.checkEpoch[other] !== check) {
          c.checkEpoch[other] = check;
          c.pendingLoad[other] = c.load[other]!;
          checked.push(other);
        }
        c.pendingLoad[other] += delta;
      }
    }
    let holds = true;
    for (let index = 0; index < checked.size; index++) {
      const other = checked.items[index]!;
      if (isSlack(c.pendingLoad[other]!, c.capacity[other]!)) continue;
      c.slack[other] = 0;
      this.starts.push(other);
      holds = false;
    }
    checked.clear();
    return holds;
  }

  /** Re-solved constraints get their slack from the new rates. */
  private markSlack(): void {
    const constraints = this.touchedConstraints;
    const c = this.c;
    if (this.capacityChanged.size > 0) {
      for (let index = 0; index < constraints.size; index++) {
        const constraint = constraints.items[index]!;
        if (this.capacityChanged.delete(constraint)) c.load[constraint] = this.loadFromVariables(constraint);
      }
    }
    if (!this.slackWalks) return;
    for (let index = 0; index < constraints.size; index++) {
      const constraint = constraints.items[index]!;
      c.slack[constraint] = isSlack(c.load[constraint]!, c.capacity[constraint]!) ? 1 : 0;
    }
  }

  /** A constraint's load summed afresh: rate · copies over the variables crossing it. */
  private loadFromVariables(constraint: number): number {
    const v = this.v;
    let load = 0;
    for (const variable of this.c.variables[constraint]!) load += v.rate[variable]! * v.count[variable]!;
    return load;
  }

  /**
   * A variable sharing no constraint: its smallest capacity. Progressive filling would
   * saturate that constraint first, at level capacity / w, and give remaining · (w / w),
   * which is the capacity exactly (w / w is 1 for every finite w > 0). Copies of one
   * variable (count > 1) share every constraint equally: the filling saturates the smallest
   * capacity first (all weight sums are equal) and gives each copy capacity · (w / sum).
   */
  private solveAlone(variable: number): void {
    const epoch = this.epoch;
    const { c, v } = this;
    const crossed = v.constraints[variable]!;
    let rate = Infinity;
    const count = v.count[variable]!;
    if (count === 1) {
      for (const constraint of crossed) {
        const capacity = c.capacity[constraint]!;
        if (c.visitEpoch[constraint] === epoch && capacity < rate) rate = capacity;
      }
    } else {
      // The filling's order: lowest level capacity / sum first, ties to the lowest id.
      const weight = v.weight[variable]!;
      const weightSum = copiesWeight(weight, count);
      let level = Infinity;
      let id = -1;
      for (const constraint of crossed) {
        if (c.visitEpoch[constraint] !== epoch) continue;
        const capacity = c.capacity[constraint]!;
        const own = capacity / weightSum;
        if (own < level || (own === level && constraint < id)) {
          level = own;
          id = constraint;
          rate = capacity * (weight / weightSum);
        }
      }
    }
    v.fixed[variable] = 1;
    v.filledRate[variable] = rate;
  }

  /**
   * Refills: a component whose variables all have one weight gets the rates a filling of the
   * same structure gave, if FillMemo remembers one (why that is the filling's result bit for
   * bit: see fill-memo.ts); otherwise it is filled and remembered. Components of mixed
   * weights are always filled (their rates depend on the order in the constraints' lists).
   */
  private fillOrRecall(constraintStart: number, constraintEnd: number, variableStart: number, variableEnd: number): void {
    const memo = this.memo!;
    const variables = this.touchedVariables.items;
    const v = this.v;
    const component: Component = {
      constraints: this.touchedConstraints.items,
      constraintStart,
      constraintEnd,
      variables,
      variableStart,
      variableEnd,
      capacity: this.c.capacity,
      lists: v.constraints,
      listIds: v.listId,
      weights: v.weight,
      counts: v.count,
    };
    const key = memo.key(component);
    if (key < 0) {
      this.fill(constraintStart, constraintEnd, variableStart, variableEnd);
      return;
    }
    if (memo.recall(key, component, v.filledRate)) {
      for (let index = variableStart; index < variableEnd; index++) v.fixed[variables[index]!] = 1;
      return;
    }
    this.fill(constraintStart, constraintEnd, variableStart, variableEnd);
    memo.remember(key, component, v.filledRate);
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
    const { c, v } = this;
    const fixed = v.fixed;
    const filledRate = v.filledRate;
    const weights = v.weight;
    const counts = v.count;
    const crossings = v.constraints;
    const remaining = c.remaining;
    const weightSums = c.weightSum;
    const unfixed = c.unfixed;
    const versions = c.version;
    const members = c.variables;
    for (let index = variableStart; index < variableEnd; index++) {
      const variable = variables[index]!;
      fixed[variable] = 0;
      filledRate[variable] = 0;
    }
    const heap = this.heap;
    for (let index = constraintStart; index < constraintEnd; index++) {
      const constraint = constraints[index]!;
      let weightSum = 0;
      let unfixedCount = 0;
      for (const variable of members[constraint]!) {
        const weight = weights[variable]!;
        const count = counts[variable]!;
        // Copies add their weights one by one, as separate variables would.
        for (let copy = 0; copy < count; copy++) weightSum += weight;
        unfixedCount += count;
      }
      remaining[constraint] = c.capacity[constraint]!;
      weightSums[constraint] = weightSum;
      unfixed[constraint] = unfixedCount;
      const version = ++versions[constraint]!;
      if (unfixedCount > 0) heap.push(remaining[constraint]! / weightSum, constraint, version);
    }
    const touched = this.touchedBySaturation;
    const touchedFlags = c.touched;
    const visitEpoch = c.visitEpoch;
    const epoch = this.epoch;
    while (heap.size > 0) {
      heap.pop();
      const saturated = heap.topId;
      if (heap.topVersion !== versions[saturated] || unfixed[saturated] === 0) continue;
      const left = remaining[saturated]!;
      const weightSum = weightSums[saturated]!;
      unfixed[saturated] = 0;
      versions[saturated]!++;
      const list = members[saturated]!;
      for (let member = 0; member < list.length; member++) {
        const variable = list[member]!;
        if (fixed[variable] !== 0) continue;
        const weight = weights[variable]!;
        const rate = left * (weight / weightSum);
        fixed[variable] = 1;
        filledRate[variable] = rate;
        const count = counts[variable]!;
        const crossed = crossings[variable]!;
        for (let hop = 0; hop < crossed.length; hop++) {
          const other = crossed[hop]!;
          if (other === saturated || unfixed[other] === 0 || visitEpoch[other] !== epoch) continue;
          // Each copy takes its rate in turn. Rounding can leave a hair below zero on a
          // constraint that saturates at the same level; clamp so no later rate turns negative.
          for (let copy = 0; copy < count; copy++) {
            remaining[other] = Math.max(0, remaining[other]! - rate);
            weightSums[other] -= weight;
            unfixed[other]!--;
          }
          if (touchedFlags[other] === 0) {
            touchedFlags[other] = 1;
            touched.push(other);
          }
        }
      }
      // One new heap entry per constraint the saturation changed, with its final level: no
      // entry is popped while the saturated constraint's variables are fixed, so entries for
      // the levels in between would only go stale (pop order is by level and id alone).
      for (let index = 0; index < touched.size; index++) {
        const other = touched.items[index]!;
        touchedFlags[other] = 0;
        const version = ++versions[other]!;
        if (unfixed[other]! > 0) heap.push(remaining[other]! / weightSums[other]!, other, version);
      }
      touched.clear();
    }
  }

  private checkConstraint(constraintId: number): void {
    if (!(Number.isInteger(constraintId) && constraintId >= 0 && constraintId < this.c.size)) throw new RangeError(`unknown constraint ${constraintId}`);
  }

  private checkVariable(variableId: number): void {
    if (this.v.live[variableId] !== 1) throw new RangeError(`unknown variable ${variableId}`);
  }
}

/** A freed variable's constraint list (holds no caller's array). */
const NO_CONSTRAINTS: readonly number[] = [];

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
function copiesWeight(weight: number, count: number): number {
  let weightSum = 0;
  for (let copy = 0; copy < count; copy++) weightSum += weight;
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
