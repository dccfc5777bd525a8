/** Parameter validation shared by every algorithm's `unsupported` and `plan`. */
import type { PlanParams } from './types.js';

/**
 * Why `params` cannot be planned by any algorithm (malformed), or null. `rooted`
 * collectives also need a root in 0..nranks-1.
 */
export function invalidParams(params: PlanParams, { rooted = false }: { rooted?: boolean } = {}): string | null {
  const { nranks, count, channels, chunkElements, root, elementBytes } = params;
  if (!Number.isInteger(nranks) || nranks < 1) return `nranks must be an integer >= 1, got ${nranks}`;
  if (!Number.isInteger(count) || count < 0) return `count must be an integer >= 0, got ${count}`;
  if (!Number.isInteger(channels) || channels < 1) return `channels must be an integer >= 1, got ${channels}`;
  if (!Number.isInteger(chunkElements) || chunkElements < 0) {
    return `chunkElements must be an integer >= 0, got ${chunkElements}`;
  }
  if (!(elementBytes > 0)) return `elementBytes must be > 0, got ${elementBytes}`;
  if (rooted && (!Number.isInteger(root) || root < 0 || root >= nranks)) {
    return `root must be an integer in 0..${nranks - 1}, got ${root}`;
  }
  return null;
}

/**
 * Throws the algorithm's `unsupported` reason (an internal RangeError: callers are expected
 * to check `unsupported` first); every `plan` starts with it.
 */
export function assertPlannable(reason: string | null): void {
  if (reason !== null) throw new RangeError(reason);
}
