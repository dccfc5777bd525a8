/**
 * `@weft/runtime` in the lab: the browser-safe core, with `createCluster` building ghost
 * clusters (byte counts) or data clusters with every rank in this worker (real bytes:
 * engine/page-data-hosts.ts). The CLI's sweep imports `createCluster`; both modes give the
 * simulated times of `weft bench`.
 */
import { createGhostCluster, type Cluster, type ClusterOptions } from '@weft/runtime/core';
import { PAGE_DATA_BUDGET_BYTES, createPageDataCluster } from '../engine/page-data-hosts.js';

export * from '@weft/runtime/core';

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  return options.mode === 'data' ? createPageDataCluster(options).cluster : createGhostCluster({ ...options, mode: 'ghost' });
}

/**
 * The data-mode memory budget in a browser (the CLI's sweep checks runs against it): half the
 * device memory the browser reports (navigator.deviceMemory, Chromium only), else 8 GB, and
 * at most PAGE_DATA_BUDGET_BYTES (one worker holds every rank).
 */
export function defaultMemoryBudgetBytes(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 8;
  return Math.min(PAGE_DATA_BUDGET_BYTES, Math.floor(gib * 2 ** 30 * 0.5));
}

/** What defaultMemoryBudgetBytes is, in words, for the line that refuses a run over it. */
export const MEMORY_BUDGET_BASIS = `what one page's engine worker may hold: half the browser's reported device memory, at most ${PAGE_DATA_BUDGET_BYTES / 2 ** 20} MiB`;

/** Every rank of a data run shares the page's one engine worker (the CLI's sweep counts threads with this). */
export function defaultRanksPerWorker(nranks: number): number {
  return Math.max(1, nranks);
}
