/**
 * The filling's saturation candidates: (level, constraint, version) in parallel typed
 * arrays, ordered by level then constraint id (a total order, so pop order is reproducible).
 * Reused across solves: no object per candidate.
 */
export class CandidateHeap {
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
