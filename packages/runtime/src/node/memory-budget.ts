import { totalmem } from 'node:os';
import { elementBytes, type DType, type Schedule } from '@weft/collectives';
import { countsOf } from '../core/host/data-host.js';

/** Default data-mode budget for rank buffers: half of this machine's memory. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(totalmem() * 0.5);
}

export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** Bytes of rank buffers (input + output + scratch of every participant) a data-mode run of `schedule` allocates. */
export function scheduleBufferBytes(schedule: Schedule, dtype: DType, nranks: number): number {
  const bytesPerElement = elementBytes(dtype);
  const planCounts = { nranks, bufferCounts: schedule.bufferCounts };
  let total = 0;
  for (let p = 0; p < schedule.participants.length; p++) {
    const c = countsOf(planCounts, p);
    total += (c.input + c.output + c.scratch) * bytesPerElement;
  }
  return total;
}
