/**
 * Packet latencies in logarithmic buckets 1 % wide, so p50/p99 over millions of packets
 * cost one counter each and are exact to within 1 % (the bucket's upper edge is reported).
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  private counts = new Float64Array(4096);
  private total = 0;
  max = 0;

  add(latencyNs: number): void {
    const bucket = latencyNs <= 1 ? 0 : Math.ceil(Math.log(latencyNs) / LOG_GROWTH);
    if (bucket >= this.counts.length) {
      const grown = new Float64Array(bucket * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[bucket]!++;
    this.total++;
    if (latencyNs > this.max) this.max = latencyNs;
  }

  /** The latency below which `fraction` of packets fall (0 when none were recorded). */
  quantile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = fraction * this.total;
    let seen = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.min(this.max, GROWTH ** bucket);
    }
    return this.max;
  }
}
