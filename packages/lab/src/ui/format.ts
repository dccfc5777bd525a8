/** Numbers as the views print them (the same precision as `weft bench`'s table). */
export { formatBytes } from '../engine/grade.js';

export const us = (ns: number): string => (ns / 1000).toFixed(2);
export const gbps = (value: number): string => value.toFixed(2);
export const pct = (fraction: number): string => `${(100 * fraction).toFixed(1)} %`;

/** Index of the last of `count` entries, sorted by `timeOf`, at or before `t` (−1 if none). */
export function indexAt(count: number, timeOf: (i: number) => number, t: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeOf(mid) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
