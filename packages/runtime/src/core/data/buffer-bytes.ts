/** What a data-mode run allocates, in bytes (pure: the browser lab and the CLI share it). */
import { elementBytes, type DType, type Schedule } from '@weft/collectives';
import { countsOf } from '../host/data-host.js';

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
