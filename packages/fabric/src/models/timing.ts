/**
 * The floating-point formulas every network model uses, in one place, written in the exact
 * order of operations the tests rely on. Times are float64 nanoseconds, rates bytes/s.
 *
 *   transmissionNs   = bytes * 1e9 / rateBytesPerSec
 *   finishNs         = nowNs + remainingBytes * 1e9 / rateBytesPerSec     (sent time)
 *   bytesMoved       = rateBytesPerSec * elapsedNs / 1e9
 *   deliveredNs      = sentNs + pathLatencyNs
 *   pathLatencyNs    = ((l0 + l1) + l2) + …   (link latencies summed in path order)
 *
 * So a lone transfer started at startNs on one path whose bottleneck is B bytes/s is sent at
 * `startNs + bytes * 1e9 / B` and delivered at `(startNs + bytes * 1e9 / B) + latencyNs`; with
 * startNs = 0 that is exactly `latencyNs + bytes * 1e9 / B` (IEEE addition commutes).
 */

export const NS_PER_SEC = 1e9;

/** When the last of `remainingBytes` leaves, sending at a constant rate from `nowNs`. */
export function finishTimeNs(nowNs: number, remainingBytes: number, rateBytesPerSec: number): number {
  if (remainingBytes <= 0) return nowNs;
  return nowNs + (remainingBytes * NS_PER_SEC) / rateBytesPerSec;
}

/** Bytes sent in `elapsedNs` at a constant rate. */
export function bytesMoved(rateBytesPerSec: number, elapsedNs: number): number {
  return (rateBytesPerSec * elapsedNs) / NS_PER_SEC;
}

/** Sum of link latencies, left to right along the path. */
export function pathLatencyNs(latenciesNs: readonly number[]): number {
  let totalNs = 0;
  for (const latencyNs of latenciesNs) totalNs += latencyNs;
  return totalNs;
}
