/**
 * Remembered fillings, by structure (see MaxMinSolver's "Refills"). When every variable of a
 * component has one weight, progressive filling gives each variable a rate that depends on
 * the component's structure alone — which constraints, their capacities, and how many copies
 * cross each constraint list — not on the order of the variables in the constraints' lists:
 * every variable one saturation fixes gets the same rate, so what each other constraint has
 * subtracted, and its weight sum, are the same whatever order they come in, and the heap
 * orders by level and constraint id. Variables on the same constraint list get the same
 * rate. So a component whose structure a filling has seen before is given, bit for bit, the
 * rates that filling gave, by constraint list.
 *
 * NVLS trees at 16+ servers re-solve the same few thousand structures over and over (flows
 * end, the next chunk starts on the same routes): 95 % of their large fillings repeat one.
 *
 * An entry is found by a cheap key (the constraints' count and ids, the constraint lists and
 * their copies) and then checked in full: the same constraints with the same capacities, the
 * same weight, and on each constraint list (the caller's array, by identity: a small id each)
 * as many copies. A key that collides only costs the check.
 */

/**
 * One filling remembered, in one array (one allocation, not six: there are ~10^5 of them):
 * its structure and the rate per copy it gave each constraint list. Laid out as
 * [n, m, weight, n constraint ids, their n capacities, m list ids, their m copies, their m rates]
 * (ids and counts are integers, exact in float64).
 */
type Entry = Float64Array;
const HEADER = 3;

/** Numbers the entries may hold in all before the memo is emptied: a bound on memory (8 bytes each: 64 MB). */
const MAX_STORED = 8_000_000;

/** Structures with fewer variables are filled: a filling that small costs less than the check. */
export const MEMO_MIN_VARIABLES = 8;

/**
 * A component as the solver hands it over: its constraints and variables are
 * constraints[constraintStart … constraintEnd) and variables[variableStart … variableEnd);
 * the rest is indexed by constraint or variable id.
 */
export interface Component {
  readonly constraints: readonly number[];
  readonly constraintStart: number;
  readonly constraintEnd: number;
  readonly variables: readonly number[];
  readonly variableStart: number;
  readonly variableEnd: number;
  readonly capacity: Float64Array;
  /** Each variable's constraint list (the caller's array). */
  readonly lists: readonly (readonly number[])[];
  /** Each variable's constraint-list id, -1 until key() gives it one. */
  readonly listIds: Int32Array;
  readonly weights: Float64Array;
  readonly counts: Int32Array;
}

export class FillMemo {
  private readonly entries = new Map<number, Entry[]>();
  /** Constraints and lists the entries hold, in all. */
  private stored = 0;
  /** Constraint lists (the caller's arrays, by identity) → small ids. */
  private readonly listIds = new Map<readonly number[], number>();
  /** Scratch of matches(): per list id, its index in the entry being checked (valid where listStamp is the epoch). */
  private slotOf: Int32Array = new Int32Array(64);
  private listStamp: Float64Array = new Float64Array(64);
  /** Per list id, a number below 2^20 that spreads ids over the key (see key()). */
  private listHash: Int32Array = new Int32Array(64);
  /** Scratch of matches(): copies seen per list of the entry being checked. */
  private seen: Int32Array = new Int32Array(64);
  /** Scratch of recall(): the component's constraints are marked with a stamp. */
  private stamp: Float64Array = new Float64Array(64);
  private stampEpoch = 0;
  hits = 0;
  misses = 0;

  /** A small id for a constraint list (the same array always gets the same id). */
  private listId(list: readonly number[]): number {
    let id = this.listIds.get(list);
    if (id === undefined) {
      id = this.listIds.size;
      this.listIds.set(list, id);
      if (id >= this.slotOf.length) {
        this.slotOf = grownInt(this.slotOf, id + 1);
        this.listStamp = grownFloat(this.listStamp, id + 1);
        this.listHash = grownInt(this.listHash, id + 1);
      }
      this.listHash[id] = (id * 2_654_435_761) % 1_048_573;
    }
    return id;
  }

  /**
   * The key of a component: its constraints' count and ids, its lists and copies, mixed
   * (collisions only cost a check); -1 if its variables do not all have one weight (such a
   * component is filled, never remembered). Gives each variable its list id.
   */
  key(component: Component): number {
    const { constraints, listIds, variables, counts, weights, lists } = component;
    const weight = weights[variables[component.variableStart]!]!;
    let listSum = 0;
    // Integers all along, exact in float64 (below 2^53): the same for any order of the variables.
    for (let index = component.variableStart; index < component.variableEnd; index++) {
      const variable = variables[index]!;
      if (weights[variable] !== weight) return -1;
      let list = listIds[variable]!;
      if (list < 0) list = listIds[variable] = this.listId(lists[variable]!);
      listSum += this.listHash[list]! * counts[variable]!;
    }
    let constraintSum = 0;
    for (let index = component.constraintStart; index < component.constraintEnd; index++) constraintSum += constraints[index]!;
    return ((component.constraintEnd - component.constraintStart) * 1_000_003 + constraintSum) * 1_048_576 + listSum;
  }

  /**
   * The remembered filling of this structure, if any: writes each variable's rate into
   * `rates` and returns true; false (nothing written) if none matches.
   */
  recall(key: number, component: Component, rates: Float64Array): boolean {
    const candidates = this.entries.get(key);
    if (candidates !== undefined) {
      const epoch = this.markConstraints(component);
      for (const entry of candidates) {
        if (!this.matches(entry, epoch, component)) continue;
        const { variables, listIds } = component;
        const constraintCount = entry[0]!;
        const listCount = entry[1]!;
        const ratesAt = HEADER + 2 * constraintCount + 2 * listCount;
        for (let index = component.variableStart; index < component.variableEnd; index++) {
          const variable = variables[index]!;
          rates[variable] = entry[ratesAt + this.slotOf[listIds[variable]!]!]!;
        }
        this.hits++;
        return true;
      }
    }
    this.misses++;
    return false;
  }

  /** Remembers a filling just done (all its variables of one weight; `rates` holds its result). */
  remember(key: number, component: Component, rates: Float64Array): void {
    const { constraints, constraintStart, constraintEnd, variables, listIds, counts } = component;
    const constraintCount = constraintEnd - constraintStart;
    if (this.stored >= MAX_STORED) {
      this.entries.clear();
      this.stored = 0;
    }
    // Each list once, in order of first appearance (slotOf/listStamp as scratch).
    const epoch = ++this.stampEpoch;
    const listList: number[] = [];
    const copyList: number[] = [];
    const rateList: number[] = [];
    for (let index = component.variableStart; index < component.variableEnd; index++) {
      const variable = variables[index]!;
      const list = listIds[variable]!;
      if (this.listStamp[list] !== epoch) {
        this.listStamp[list] = epoch;
        this.slotOf[list] = listList.length;
        listList.push(list);
        copyList.push(counts[variable]!);
        rateList.push(rates[variable]!);
      } else {
        copyList[this.slotOf[list]!] += counts[variable]!;
      }
    }
    const listCount = listList.length;
    const entry: Entry = new Float64Array(HEADER + 2 * constraintCount + 3 * listCount);
    entry[0] = constraintCount;
    entry[1] = listCount;
    entry[2] = component.weights[variables[component.variableStart]!]!;
    for (let index = 0; index < constraintCount; index++) {
      const constraint = constraints[constraintStart + index]!;
      entry[HEADER + index] = constraint;
      entry[HEADER + constraintCount + index] = component.capacity[constraint]!;
    }
    const listsAt = HEADER + 2 * constraintCount;
    for (let at = 0; at < listCount; at++) {
      entry[listsAt + at] = listList[at]!;
      entry[listsAt + listCount + at] = copyList[at]!;
      entry[listsAt + 2 * listCount + at] = rateList[at]!;
    }
    const candidates = this.entries.get(key);
    if (candidates === undefined) this.entries.set(key, [entry]);
    else candidates.push(entry);
    this.stored += entry.length;
  }

  /** Stamps the component's constraints; returns the stamp. */
  private markConstraints(component: Component): number {
    const epoch = ++this.stampEpoch;
    const constraints = component.constraints;
    for (let index = component.constraintStart; index < component.constraintEnd; index++) {
      const constraint = constraints[index]!;
      if (constraint >= this.stamp.length) this.stamp = grownFloat(this.stamp, constraint + 1);
      this.stamp[constraint] = epoch;
    }
    return epoch;
  }

  /**
   * Whether the stamped component has the entry's structure: the same constraints with the
   * same capacities, the same weight, and as many copies on each list. Leaves slotOf
   * mapping the entry's lists to their index.
   */
  private matches(entry: Entry, epoch: number, component: Component): boolean {
    const constraintCount = entry[0]!;
    if (constraintCount !== component.constraintEnd - component.constraintStart) return false;
    for (let index = 0; index < constraintCount; index++) {
      const constraint = entry[HEADER + index]!;
      // The same count and every entry constraint stamped: the same set.
      if (this.stamp[constraint] !== epoch || component.capacity[constraint] !== entry[HEADER + constraintCount + index]) return false;
    }
    const listCount = entry[1]!;
    const listsAt = HEADER + 2 * constraintCount;
    const copiesAt = listsAt + listCount;
    if (this.seen.length < listCount) this.seen = grownInt(this.seen, listCount);
    const { seen, slotOf, listStamp } = this;
    const listEpoch = ++this.stampEpoch;
    for (let at = 0; at < listCount; at++) {
      const list = entry[listsAt + at]!;
      listStamp[list] = listEpoch;
      slotOf[list] = at;
      seen[at] = 0;
    }
    const { variables, listIds, weights, counts } = component;
    const weight = entry[2]!;
    for (let index = component.variableStart; index < component.variableEnd; index++) {
      const variable = variables[index]!;
      const list = listIds[variable]!;
      if (listStamp[list] !== listEpoch || weights[variable] !== weight) return false;
      seen[slotOf[list]!] += counts[variable]!;
    }
    for (let at = 0; at < listCount; at++) if (seen[at] !== entry[copiesAt + at]) return false;
    return true;
  }
}

function grownFloat(array: Float64Array, length: number): Float64Array {
  const next = new Float64Array(Math.max(length, 2 * array.length));
  next.set(array);
  return next;
}

function grownInt(array: Int32Array, length: number): Int32Array {
  const next = new Int32Array(Math.max(length, 2 * array.length));
  next.set(array);
  return next;
}
