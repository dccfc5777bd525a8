import { totalmem } from 'node:os';

/** Default data-mode budget for rank buffers: half of this machine's memory. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(totalmem() * 0.5);
}

export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
