/**
 * The packet model's future events in a binary min-heap over typed arrays: one event is a
 * time, a kind and two integer arguments (a packet, link or flow index), ordered by
 * (time, insertion sequence) so ties pop in the order they were scheduled — deterministic
 * without a comparison closure or an object per event (a 64 MiB all-reduce schedules
 * millions). @weft/sim's MinHeap holds objects; this is its allocation-free sibling.
 */
export class EventHeap {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private argA = new Int32Array(1024);
  private argB = new Int32Array(1024);
  private count = 0;
  private nextSeq = 0;
  /** Fields of the event last popped. */
  kind = 0;
  a = 0;
  b = 0;
  timeNs = 0;

  get size(): number {
    return this.count;
  }

  peekTimeNs(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  push(timeNs: number, kind: number, a: number, b: number): void {
    if (this.count === this.times.length) this.grow();
    let i = this.count++;
    const seq = this.nextSeq++;
    // Sift up: move parents down until the new event's slot is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < timeNs || (pt === timeNs && this.seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, timeNs, seq, kind, a, b);
  }

  /** Removes the earliest event into (timeNs, kind, a, b). */
  pop(): void {
    this.timeNs = this.times[0]!;
    this.kind = this.kinds[0]!;
    this.a = this.argA[0]!;
    this.b = this.argB[0]!;
    const last = --this.count;
    if (last === 0) return;
    const t = this.times[last]!;
    const s = this.seqs[last]!;
    const k = this.kinds[last]!;
    const a = this.argA[last]!;
    const b = this.argB[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last && this.before(right, child)) child = right;
      const ct = this.times[child]!;
      if (t < ct || (t === ct && s < this.seqs[child]!)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, t, s, k, a, b);
  }

  private before(x: number, y: number): boolean {
    const tx = this.times[x]!;
    const ty = this.times[y]!;
    return tx < ty || (tx === ty && this.seqs[x]! < this.seqs[y]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.argA[to] = this.argA[from]!;
    this.argB[to] = this.argB[from]!;
  }

  private set(i: number, timeNs: number, seq: number, kind: number, a: number, b: number): void {
    this.times[i] = timeNs;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.argA[i] = a;
    this.argB[i] = b;
  }

  private grow(): void {
    const size = this.times.length * 2;
    this.times = grown(this.times, new Float64Array(size));
    this.seqs = grown(this.seqs, new Float64Array(size));
    this.kinds = grown(this.kinds, new Uint8Array(size));
    this.argA = grown(this.argA, new Int32Array(size));
    this.argB = grown(this.argB, new Int32Array(size));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
