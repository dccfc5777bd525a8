import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { nodeOs, nodeVm } from './builtins.js';
import { setHeapUsageProbe, setPlanProgressCheck, setScheduleMemoryBudget, type HeapUsage } from '@weft/collectives';
import { checkProjectedFootprint } from '../core/schedule/footprint.js';

export { formatGiB, scheduleBufferBytes } from '../core/data/buffer-bytes.js';

/** Default data-mode budget for rank buffers: half of this machine's memory. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(nodeOs().totalmem() * 0.5);
}

/** What defaultMemoryBudgetBytes is, in words, for the line that refuses a run over it. */
export const MEMORY_BUDGET_BASIS = "half this machine's memory";

/**
 * Schedules may take half the JS heap while they are planned: a plan too big for this
 * process is refused with one line (@weft/collectives setScheduleMemoryBudget), never a V8
 * out-of-memory abort — and, where its planner writes alike parts, as soon as its first part
 * projects it over (checkProjectedFootprint). Applied when the Node entry loads.
 */
export function applyScheduleMemoryBudget(): void {
  setScheduleMemoryBudget(Math.floor(getHeapStatistics().heap_size_limit / 2));
  setHeapUsageProbe(heapUsageAfterCollection);
  setPlanProgressCheck(checkProjectedFootprint);
}

let fullCollection: (() => void) | undefined;

/**
 * The heap in use; when it looks over `share` of the limit, measured again after a
 * full collection — what is in use before one includes garbage V8 has not yet reclaimed, and
 * refusing on it would turn away runs that fit. The collector is reached as V8 exposes it
 * (`--expose-gc` set from here, `gc` read from a fresh context), only on that rare path.
 */
function heapUsageAfterCollection(share: number): HeapUsage {
  const read = (): HeapUsage => {
    const stats = getHeapStatistics();
    return { usedBytes: stats.used_heap_size, limitBytes: stats.heap_size_limit };
  };
  const first = read();
  if (first.usedBytes <= share * first.limitBytes) return first;
  if (fullCollection === undefined) {
    setFlagsFromString('--expose-gc');
    fullCollection = nodeVm().runInNewContext('gc') as () => void;
  }
  fullCollection();
  return read();
}
