/** Numbers as the views print them (the same precision as `weft bench`'s table). */
import type { StepRecord } from '@weft/runtime/core';

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

/**
 * The transfers a step takes part in as `r3→r5` arrows: the one it receives (ops named recv…),
 * then one per peer it sends to — a tree node forwards a chunk to all its children in one step.
 */
export function stepArrows(s: StepRecord): string[] {
  const receives = s.op.startsWith('recv') && s.peer !== undefined;
  const sendPeers = s.sendPeers ?? (!receives && s.peer !== undefined ? [s.peer] : []);
  return [...(receives ? [`r${s.peer}→r${s.participant}`] : []), ...sendPeers.map((q) => `r${s.participant}→r${q}`)];
}
