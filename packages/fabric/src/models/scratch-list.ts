/**
 * A list refilled on every call of a hot loop (the solver's walk, its changed ids): clear()
 * keeps the storage. Setting an array's length to 0 instead lets V8 trim its backing store,
 * and the next fill grows it again copy by copy — thousands of entries per max-min re-solve
 * at 1,000+ GPUs, garbage on every solve. Entries past `size` are stale (they keep at most
 * the largest fill's objects alive).
 */
export class ScratchList<T> {
  readonly items: T[] = [];
  size = 0;

  push(item: T): void {
    this.items[this.size++] = item;
  }

  clear(): void {
    this.size = 0;
  }
}
