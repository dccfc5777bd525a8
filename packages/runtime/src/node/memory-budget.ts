import { totalmem } from 'node:os';

export { formatGiB, scheduleBufferBytes } from '../core/data/buffer-bytes.js';

/** Default data-mode budget for rank buffers: half of this machine's memory. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(totalmem() * 0.5);
}
