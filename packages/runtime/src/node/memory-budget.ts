import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { setScheduleMemoryBudget } from '@weft/collectives';

export { formatGiB, scheduleBufferBytes } from '../core/data/buffer-bytes.js';

/** Default data-mode budget for rank buffers: half of this machine's memory. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(totalmem() * 0.5);
}

/** What defaultMemoryBudgetBytes is, in words, for the line that refuses a run over it. */
export const MEMORY_BUDGET_BASIS = "half this machine's memory";

/**
 * Schedules may take half the JS heap while they are planned: a plan too big for this
 * process is refused with one line (@weft/collectives setScheduleMemoryBudget), never a V8
 * out-of-memory abort. Applied when the Node entry loads.
 */
export function applyScheduleMemoryBudget(): void {
  setScheduleMemoryBudget(Math.floor(getHeapStatistics().heap_size_limit / 2));
}
