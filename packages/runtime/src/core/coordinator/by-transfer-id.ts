/**
 * The coordinator's in-flight messages by network transfer id. A network hands out ids in
 * increasing order and a message lives from its send to its delivery, so the live ids sit in
 * a window [lowest, next) that slides forward: a circular array indexed by id, one load per
 * lookup where a Map hashes every id (three Map operations per transfer were among the
 * coordinator's costliest lines at 1,000+ GPUs). An id below the window's end that was not
 * set in order (a network with another numbering) goes to a Map: always correct, fast when
 * ids increase.
 */
export class ByTransferId<T> {
  /** slots[id & mask] for lowest <= id < next; undefined once deleted. */
  private slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  /** Every live id in the window is >= lowest; ids below it are free. */
  private lowest = 0;
  /** One past the largest id set in the window. */
  private next = 0;
  private readonly others = new Map<number, T>();

  set(id: number, value: T): void {
    if (!(Number.isInteger(id) && id >= this.next)) {
      this.others.set(id, value);
      return;
    }
    if (this.lowest === this.next) this.lowest = this.next = id;
    while (id - this.lowest > this.mask) this.grow();
    // Ids skipped between next and id stay undefined (their slots were cleared on delete or never used).
    for (let skipped = this.next; skipped < id; skipped++) this.slots[skipped & this.mask] = undefined;
    this.slots[id & this.mask] = value;
    this.next = id + 1;
  }

  get(id: number): T | undefined {
    const value = id >= this.lowest && id < this.next ? this.slots[id & this.mask] : undefined;
    return value === undefined && this.others.size > 0 ? this.others.get(id) : value;
  }

  delete(id: number): void {
    if (this.others.size > 0) this.others.delete(id);
    if (!(id >= this.lowest && id < this.next)) return;
    this.slots[id & this.mask] = undefined;
    // Slide the window's start past ids already delivered.
    while (this.lowest < this.next && this.slots[this.lowest & this.mask] === undefined) this.lowest++;
  }

  /** Every live entry in id order (ids set out of order, kept in the Map, after). */
  forEach(fn: (value: T, id: number) => void): void {
    for (let id = this.lowest; id < this.next; id++) {
      const value = this.slots[id & this.mask];
      if (value !== undefined) fn(value, id);
    }
    for (const [id, value] of [...this.others].sort((a, b) => a[0] - b[0])) fn(value, id);
  }

  /** Doubles the ring, keeping each live id's value at id & the new mask. */
  private grow(): void {
    const slots = new Array<T | undefined>(2 * this.slots.length).fill(undefined);
    const mask = slots.length - 1;
    for (let id = this.lowest; id < this.next; id++) slots[id & mask] = this.slots[id & this.mask];
    this.slots = slots;
    this.mask = mask;
  }
}

const INITIAL_SLOTS = 1024;
