/**
 * A connection's messages waiting by number (posted recvs by the message they wait for,
 * delivered messages not yet received): what a Map<number, T> held, for the three things
 * the coordinator does with it — add, take (look up and remove), list in insertion order.
 *
 * A Map per connection reallocated its hash table as it went from one entry to none and
 * back, twice per message (V8 shrinks an emptied table on delete): a tenth of what a
 * 4,096-GPU run allocated (speed.md §32). Here entries sit in two arrays in insertion order
 * from `head` to `end`; a taken entry becomes a hole (its key -1), the head skips holes, and
 * the arrays are reused from the start once empty — no allocation after the first few
 * messages. Messages are matched first-in first-out, so the entry looked for is almost
 * always at the head: lookups scan from there (linear in the entries waiting, few per
 * connection). Keys are message numbers (integers >= 0).
 */
export class MessageTable<T> {
  private readonly keyAt: number[] = [];
  private readonly valueAt: (T | undefined)[] = [];
  private head = 0;
  private end = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Adds `message` (not already in the table). */
  set(message: number, value: T): void {
    if (this.end === this.keyAt.length && this.live < this.end) this.compact();
    if (this.end === this.keyAt.length) {
      this.keyAt.push(message);
      this.valueAt.push(value);
    } else {
      this.keyAt[this.end] = message;
      this.valueAt[this.end] = value;
    }
    this.end++;
    this.live++;
  }

  /** The value of `message`, removed from the table; undefined when absent. */
  take(message: number): T | undefined {
    const keys = this.keyAt;
    for (let at = this.head; at < this.end; at++) {
      if (keys[at] !== message) continue;
      const value = this.valueAt[at];
      keys[at] = HOLE;
      this.valueAt[at] = undefined;
      this.live--;
      if (this.live === 0) this.head = this.end = 0;
      else while (keys[this.head] === HOLE) this.head++;
      return value;
    }
    return undefined;
  }

  /** The messages waiting, in the order they were added. */
  keys(): number[] {
    const keys: number[] = [];
    for (let at = this.head; at < this.end; at++) if (this.keyAt[at] !== HOLE) keys.push(this.keyAt[at]!);
    return keys;
  }

  /** Moves the live entries to the front, in order (the arrays are full, some of it holes). */
  private compact(): void {
    let to = 0;
    for (let at = this.head; at < this.end; at++) {
      if (this.keyAt[at] === HOLE) continue;
      this.keyAt[to] = this.keyAt[at]!;
      this.valueAt[to] = this.valueAt[at];
      to++;
    }
    for (let at = to; at < this.end; at++) {
      this.keyAt[at] = HOLE;
      this.valueAt[at] = undefined;
    }
    this.head = 0;
    this.end = to;
  }
}

/** A taken entry's key. */
const HOLE = -1;
