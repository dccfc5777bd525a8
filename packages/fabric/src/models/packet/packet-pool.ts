/**
 * Packets in flight as columns of typed arrays indexed by a packet slot, with a free list,
 * so the hot loop allocates nothing per packet. A slot is reused once its packet is
 * received (or its acknowledgement handled) or dropped.
 */
export class PacketPool {
  flow = new Int32Array(0);
  /** Packet index within its flow (0 … packets-1). */
  seq = new Int32Array(0);
  bytes = new Float64Array(0);
  /** Index of the link it is on within a pinned route (unused when routed per packet). */
  hop = new Int32Array(0);
  /** Link it arrived on at the node holding it (-1 at the source), for PFC accounting. */
  ingress = new Int32Array(0);
  /** Queue link (FIFO successor) or free-list successor. */
  next = new Int32Array(0);
  ecn = new Uint8Array(0);
  /** Traffic class (its flow's). */
  cls = new Uint8Array(0);
  /** Deepest queue met so far, as delay at that port (in-band telemetry). */
  queueDelayNs = new Float64Array(0);
  /** When the packet left its source. */
  sentNs = new Float64Array(0);
  private freeHead = -1;
  private used = 0;

  alloc(): number {
    if (this.freeHead >= 0) {
      const p = this.freeHead;
      this.freeHead = this.next[p]!;
      return p;
    }
    if (this.used === this.flow.length) this.grow(Math.max(1024, this.flow.length * 2));
    return this.used++;
  }

  free(p: number): void {
    this.next[p] = this.freeHead;
    this.freeHead = p;
  }

  private grow(size: number): void {
    this.flow = resized(this.flow, new Int32Array(size));
    this.seq = resized(this.seq, new Int32Array(size));
    this.bytes = resized(this.bytes, new Float64Array(size));
    this.hop = resized(this.hop, new Int32Array(size));
    this.ingress = resized(this.ingress, new Int32Array(size));
    this.next = resized(this.next, new Int32Array(size));
    this.ecn = resized(this.ecn, new Uint8Array(size));
    this.cls = resized(this.cls, new Uint8Array(size));
    this.queueDelayNs = resized(this.queueDelayNs, new Float64Array(size));
    this.sentNs = resized(this.sentNs, new Float64Array(size));
  }
}

function resized<T extends Int32Array | Float64Array | Uint8Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
